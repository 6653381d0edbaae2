// Ctrl-C and SIGTERM cut what the run is waiting for: a Retry-After pause (here 300 s, allowed by --max-wait) or a
// request whose answer does not come. The built CLI, against a Mem0 fake on 127.0.0.1 that stalls once the import
// has written something, exits 130/143 within seconds with the "run again to resume" line; a second run resumes and
// ends with the database a single clean import makes.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { generatedMem0Account, type Mem0Account } from '../fakes/mem0/mem0-account.js';
import { mem0Handlers } from '../fakes/mem0/mem0-handlers.js';
import { serveHandlers, type ServedHandlers } from '../fakes/serve-handlers.js';
import { cleanEnv, runCliProcess, startCli, type CliResult } from '../support/cli.js';
import { memoryCount, stateOf } from '../support/kill-targets.js';
import { tempDir } from '../support/temp.js';
import { drawnLines, hasScript, runInTerminal } from '../support/terminal.js';
import { displayWidth } from '../../src/pipeline/report.js';
import { resolveTargetConfig } from '../../src/database/open-target.js';

const apiKey = 'm0-interrupt-key-0000';
const servers: ServedHandlers[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** How the fake answers for now: as Mem0 does, 429 with Retry-After: 300 to every request, or never. */
type Stall = 'none' | 'retry-after-300' | 'no-answer';

/** A Mem0 account of 4 users of 300 memories, behind a switch that stalls every request while it is set. */
async function stallingMem0Fake(account: Mem0Account): Promise<{ served: ServedHandlers; stall: { mode: Stall; stalled: number } }> {
  const stall = { mode: 'none' as Stall, stalled: 0 };
  const stalling = http.all('*', async () => {
    if (stall.mode === 'none') return undefined; // on to the fake's own handlers
    stall.stalled++;
    if (stall.mode === 'no-answer') return new Promise<never>(() => undefined);
    return HttpResponse.json({ detail: 'Request was throttled. Expected available in 300 seconds.' }, { status: 429, headers: { 'Retry-After': '300' } });
  });
  const served = await serveHandlers([stalling, ...mem0Handlers(account, { latencyMs: 150 })]);
  servers.push(served);
  return { served, stall };
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `done`, or a failure naming how long it waited (the process then killed): the run must end well before the wait it
 * was in would. No finer timing is asserted.
 */
async function endsWithin(child: ChildProcess, done: Promise<CliResult>, ms: number): Promise<CliResult> {
  const result = await Promise.race([done, pause(ms).then(() => null)]);
  if (result !== null) return result;
  child.kill('SIGKILL');
  throw new Error(`the CLI was still running ${ms / 1000} s after the signal: the wait or request was not cut`);
}

describe('om-import interrupted while it waits for the source (CLI)', () => {
  for (const [mode, signal, exitCode] of [
    ['retry-after-300', 'SIGINT', 130],
    ['no-answer', 'SIGTERM', 143],
  ] as const) {
    it(`${signal} during ${mode === 'no-answer' ? 'a request that gets no answer' : 'a Retry-After: 300 wait'}: exit ${exitCode} at once with the resume line; a second run completes the import`, async () => {
      const account = generatedMem0Account({ users: 4, perUser: 300, apiKey });
      const { served, stall } = await stallingMem0Fake(account);
      const env = cleanEnv({ MEM0_API_KEY: apiKey, NO_COLOR: '1' });
      const cwd = tempDir();
      const database = path.join(cwd, 'data', 'openmemory.sqlite');
      const args = ['mem0', '--base-url', served.url, '--concurrency', '1', '--max-wait', '600'];

      const { child, done } = startCli(args, { cwd, env });
      // Once the import has written a batch, every request stalls; the signal comes while the run waits.
      for (let i = 0; i < 600 && (await memoryCount(database)) === 0; i++) await pause(25);
      expect(await memoryCount(database)).toBeGreaterThan(0);
      stall.mode = mode;
      for (let i = 0; i < 600 && stall.stalled === 0; i++) await pause(25);
      expect(stall.stalled).toBeGreaterThan(0);
      await pause(500); // inside the wait (or the request) now
      child.kill(signal);
      const interrupted = await endsWithin(child, done, 20_000);

      expect(interrupted.code, interrupted.stderr).toBe(exitCode);
      expect(interrupted.stderr).toContain(`om-import: interrupted by ${signal}: what was written is kept; run again to resume`);
      expect(interrupted.stdout).toBe('');
      const kept = await memoryCount(database);
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(1200);

      // The source answers again: the same command resumes and finishes.
      stall.mode = 'none';
      const resumed = await runCliProcess(args, { cwd, env });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(/^resumed an interrupted run/m);
      expect(resumed.stdout).toMatch(/^the database now holds 1,200 records of 4 users from mem0 \(org_test\/proj_test\)$/m);

      // What the two legs wrote is what one clean import writes (and verify finds nothing wrong with it).
      const clean = tempDir();
      expect((await runCliProcess(args, { cwd: clean, env })).code).toBe(0);
      const config = (folder: string) => resolveTargetConfig({ db: path.join(folder, 'data', 'openmemory.sqlite') }, {});
      expect(await stateOf(config(cwd))).toEqual(await stateOf(config(clean)));
    }, 120_000);
  }

  it.skipIf(!hasScript)('Ctrl-C on a terminal 80 columns wide while the display says it waits 300 s: the wait ends, the display is cleared, the resume line last', async () => {
    const account = generatedMem0Account({ users: 4, perUser: 300, apiKey });
    const { served, stall } = await stallingMem0Fake(account);
    const cwd = tempDir();
    const database = path.join(cwd, 'data', 'openmemory.sqlite');
    let typedAt = 0;
    const run = runInTerminal(['mem0', '--base-url', served.url, '--concurrency', '1', '--max-wait', '600'], cleanEnv({ MEM0_API_KEY: apiKey, NO_COLOR: '1' }), cwd, {
      columns: 80,
      typed: (type, output) => {
        void (async () => {
          for (let i = 0; i < 600 && (await memoryCount(database)) === 0; i++) await pause(25);
          stall.mode = 'retry-after-300';
          for (let i = 0; i < 600 && !/waiting \d+:\d\d|waiting \d+ s/.test(output()); i++) await pause(25);
          typedAt = Date.now();
          type('\u0003');
        })();
      },
    });
    const { code, output } = await Promise.race([run, pause(60_000).then(() => ({ code: null, output: 'still running 60 s after the start' }))]);
    expect(code, output).toBe(130);
    expect(Date.now() - typedAt).toBeLessThan(20_000);
    expect(output).toMatch(/waiting (\d+:\d\d|\d+ s): Mem0 rate limit \(Retry-After\)/);
    const after = output.slice(output.indexOf('om-import: SIGINT'));
    expect(after).toMatch(/\nom-import: interrupted by SIGINT: what was written is kept; run again to resume\r?\n$/);
    expect(after).not.toMatch(/fetching|waiting|\u001b\[\d+A/);
    // The display's lines fit; the notice and the error are one line each, as every error of the CLI (a script reads them whole).
    for (const line of drawnLines(output).filter((text) => !text.startsWith('om-import: '))) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
  }, 90_000);
});
