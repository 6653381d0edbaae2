// The live progress of an import as an operator sees it: under a pseudo-terminal (util-linux `script`) one display
// updating in place, with the total the source announced, elapsed time, an ETA and a line while a rate limit holds
// the run; on a pipe no escape codes and at most one plain line per interval; with --quiet nothing.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generatedMem0Account } from '../fakes/mem0/mem0-account.js';
import type { Mem0FakeOptions } from '../fakes/mem0/mem0-handlers.js';
import type { ServedHandlers } from '../fakes/serve-handlers.js';
import { cleanEnv, cliPath, runCliProcess, startCli } from '../support/cli.js';
import { startMem0Fake } from '../support/mem0-fake.js';
import { displayWidth } from '../../src/pipeline/report.js';
import { memoryCount } from '../support/kill-targets.js';
import { tempDir } from '../support/temp.js';
import { drawnLines, hasScript, runInTerminal } from '../support/terminal.js';

const apiKey = 'm0-progress-key-0000';
const servers: ServedHandlers[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** 4 users of 300 memories: the entity listing announces 1,200 records (`total_memories`); pages hold 100. */
async function mem0Fake(options: Mem0FakeOptions = {}): Promise<ServedHandlers> {
  const served = await startMem0Fake(generatedMem0Account({ users: 4, perUser: 300, apiKey }), options);
  servers.push(served);
  return served;
}

/** Every count the fetching line showed against the announced total, in the order drawn. */
function fetchedCounts(output: string): number[] {
  return [...output.matchAll(/([\d,]+)\/1,200 records/g)].map((match) => Number(match[1]!.replace(/,/g, '')));
}

describe.skipIf(!hasScript)('om-import progress on a terminal (pseudo-terminal)', () => {
  it('updates one display in place: records of the announced total, users, elapsed, ETA, and a line while a Retry-After holds the run', async () => {
    // Slow pages, and a 429 asking for 2 s every 6th request.
    const served = await mem0Fake({ pageDelayMs: 250, faults: { every: 6, kinds: ['429'], retryAfterSeconds: 2 } });
    const { code, output } = await runInTerminal(['mem0', '--base-url', served.url, '--concurrency', '1'], cleanEnv({ MEM0_API_KEY: apiKey }));
    expect(code, output).toBe(0);

    // Drawn in place: cli-progress moves the cursor back (column 1, lines up) instead of printing a line per update.
    expect(output).toMatch(/\u001b\[1G/);
    expect(output).toMatch(/\u001b\[\d+A/);
    // The fetching line was redrawn as records came in, against the 1,200 the Mem0 entities announced.
    const counts = fetchedCounts(output);
    expect(new Set(counts).size).toBeGreaterThanOrEqual(4);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts.at(-1)).toBe(1200);
    expect(output).toMatch(/\d\/4 users/);
    expect(output).toMatch(/ETA \d+:\d\d · elapsed \d+:\d\d/);
    expect(output).toMatch(/writing\s.*[\d,]+ memories · [\d,]+\/s/);
    expect(output).toMatch(/waypoints and summaries.* 4\/4 users/);
    expect(output).toMatch(/waiting [12] s: Mem0 rate limit \(Retry-After\)/);
    // Then the report, after the display.
    expect(output.slice(output.lastIndexOf('waypoints and summaries'))).toMatch(/imported 1200 new and 0 changed memories/);
    expect(output).not.toContain(apiKey);
  });

  it('at 80 columns: every line of the display and of the report fits, the ETA whole, the bar counts one unit; verify <source> shows the same display', async () => {
    const served = await mem0Fake({ pageDelayMs: 150 });
    const cwd = tempDir();
    const { code, output } = await runInTerminal(['mem0', '--base-url', served.url, '--concurrency', '1'], cleanEnv({ MEM0_API_KEY: apiKey, NO_COLOR: '1' }), cwd, {
      columns: 80,
    });
    expect(code, output).toBe(0);
    const lines = drawnLines(output);
    for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
    const fetching = lines.filter((line) => line.startsWith('fetching'));
    expect(fetching.length).toBeGreaterThan(1);
    // The bar, then the records it measures, then the ETA in full (the rate gives way to the bar where needed).
    for (const line of fetching) expect(line, JSON.stringify(line)).toMatch(/^fetching +[█░]{6,16} [\d,]+\/1,200 records · (ETA (\d+:\d\d|–)|done) · elapsed \d+:\d\d/);
    expect(lines).toContain('user    fetched  created  updated  unchanged  skipped');

    // verify mem0 reads the source with the same display: one line redrawn against the announced total, not a line a user.
    const verified = await runInTerminal(['verify', 'mem0', '--base-url', served.url], cleanEnv({ MEM0_API_KEY: apiKey, NO_COLOR: '1' }), cwd, { columns: 80 });
    expect(verified.code, verified.output).toBe(0);
    expect(verified.output).toMatch(/\u001b\[1G/);
    const verifyLines = drawnLines(verified.output);
    for (const line of verifyLines.filter((text) => text.startsWith('fetching'))) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
    expect(verifyLines.filter((line) => line.startsWith('fetching')).at(-1)).toMatch(/^fetching +[█]{6,16} 1,200\/1,200 records · done · elapsed \d+:\d\d/);
    expect(verified.output).not.toMatch(/records read/);
  });

  it('Ctrl-C: the display ends, the batch being written is finished, the line says to run again, and a run again resumes', async () => {
    const served = await mem0Fake({ pageDelayMs: 300 });
    const env = cleanEnv({ MEM0_API_KEY: apiKey, NO_COLOR: '1' });
    const cwd = tempDir();
    const database = path.join(cwd, 'data', 'openmemory.sqlite');
    const interrupted = await runInTerminal(['mem0', '--base-url', served.url, '--concurrency', '1'], env, cwd, {
      typed: (type) => {
        void (async () => {
          for (let i = 0; i < 400 && (await memoryCount(database)) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
          type('\u0003');
        })();
      },
    });
    expect(interrupted.code, interrupted.output).toBe(130);
    const after = interrupted.output.slice(interrupted.output.indexOf('om-import: SIGINT'));
    // The notice starts a line of its own, and nothing draws after the last line.
    expect(interrupted.output).toMatch(/\nom-import: SIGINT: finishing the batch being written \(Ctrl-C again: stop now\)/);
    expect(after).toMatch(/\nom-import: interrupted by SIGINT: what was written is kept; run again to resume\r?\n$/);
    expect(after).not.toMatch(/fetching|\u001b\[\d+A/);
    // Both lines fit 80 columns, as the display did.
    for (const line of after.split(/\r?\n/)) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
    const kept = await memoryCount(database);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(1200);

    const resumed = await runCliProcess(['mem0', '--base-url', served.url], { cwd, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    // The counts are the whole run's: the users the first leg finished with what it counted, the others read again.
    const unwrapped = resumed.stdout.replace(/\n {2}/g, ' ');
    expect(unwrapped).toMatch(/^resumed an interrupted run \(\S+\): the counts below are the whole run's, [\d,]+ records of them read before the interruption$/m);
    expect(resumed.stdout).toMatch(/^total +1200 +1200 /m);
    // The report of the second leg ends with the whole account's records, the first leg's included.
    expect(resumed.stdout).toMatch(/^the database now holds 1,200 records of 4 users from mem0 \(org_test\/proj_test\)$/m);
    expect(await memoryCount(database)).toBe(1200);
  });

  it('colours the phase names unless NO_COLOR is set; --quiet shows no progress at all', async () => {
    const served = await mem0Fake();
    const env = cleanEnv({ MEM0_API_KEY: apiKey });
    const cwd = tempDir();
    const sgr = /\u001b\[\d+m/; // a colour (Select Graphic Rendition) sequence

    const coloured = await runInTerminal(['mem0', '--base-url', served.url], env, cwd);
    expect(coloured.code, coloured.output).toBe(0);
    expect(coloured.output).toMatch(/fetching/);
    expect(coloured.output).toMatch(sgr);

    const plain = await runInTerminal(['mem0', '--base-url', served.url, '--fresh'], { ...env, NO_COLOR: '1' }, cwd);
    expect(plain.code, plain.output).toBe(0);
    expect(plain.output).toMatch(/fetching .*1,200\/1,200 records/);
    expect(plain.output).not.toMatch(sgr);

    const quiet = await runInTerminal(['mem0', '--base-url', served.url, '--fresh', '--quiet'], env, cwd);
    expect(quiet.code, quiet.output).toBe(0);
    expect(quiet.output).not.toMatch(/fetching|writing|waypoints and summaries/);
    expect(quiet.output).not.toContain('\u001b');
    expect(quiet.output).toMatch(/imported 0 new and 0 changed memories, 1200 unchanged/);
  });
});

describe('om-import progress off a terminal', () => {
  it('on a pipe: no escape codes, at most one plain line every 5 s, and --json stays whole on stdout', async () => {
    const served = await mem0Fake({ pageDelayMs: 900 }); // 12 pages one at a time: about 11 s
    const child = spawn(process.execPath, [cliPath, 'mem0', '--base-url', served.url, '--concurrency', '1', '--json'], {
      cwd: tempDir(),
      env: cleanEnv({ MEM0_API_KEY: apiKey }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = Date.now();
    let stdout = '';
    let stderr = '';
    const lineTimes: number[] = [];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      for (const _line of chunk.toString('utf8').split('\n').slice(1)) lineTimes.push(Date.now() - started);
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);

    expect(stderr + stdout).not.toContain('\u001b');
    expect(stderr).not.toContain('\r');
    const lines = stderr.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const line of lines) expect(line).toMatch(/^fetching [\d,]+\/1,200 records · (ETA \d+:\d\d|done) · elapsed \d+:\d\d · \d\/4 users/);
    // One line per interval at most: never two within 5 s (less a little for timer jitter), the first after 5 s.
    expect(lineTimes[0]).toBeGreaterThanOrEqual(4500);
    for (let i = 1; i < lineTimes.length; i++) expect(lineTimes[i]! - lineTimes[i - 1]!).toBeGreaterThanOrEqual(4500);
    expect(JSON.parse(stdout).totals).toMatchObject({ fetched: 1200, created: 1200 });
  });

  it('verify <source> on a pipe: the same plain fetching line as an import, at most one every 5 s, never a line per user, within 80 columns', async () => {
    const env = cleanEnv({ MEM0_API_KEY: apiKey });
    const cwd = tempDir();
    const fast = await mem0Fake();
    expect((await runCliProcess(['mem0', '--base-url', fast.url], { cwd, env })).code).toBe(0);
    const slow = await mem0Fake({ pageDelayMs: 700 }); // 12 pages one at a time: about 8 s
    const verified = await runCliProcess(['verify', 'mem0', '--base-url', slow.url, '--concurrency', '1'], { cwd, env });
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stderr).not.toContain('\u001b');
    const lines = verified.stderr.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(2);
    for (const line of lines) {
      expect(line).toMatch(/^fetching [\d,]+\/1,200 records · (ETA \d+:\d\d|done) · elapsed \d+:\d\d · \d\/4 users/);
      expect(displayWidth(line), line).toBeLessThanOrEqual(80);
    }
    expect(verified.stdout).toMatch(/the source and the database hold the same records/);
  });

  it('SIGTERM under --json: exit 143, the error as JSON with the code interrupted, what was written kept', async () => {
    const served = await mem0Fake({ pageDelayMs: 300 });
    const cwd = tempDir();
    const database = path.join(cwd, 'data', 'openmemory.sqlite');
    const { child, done } = startCli(['mem0', '--base-url', served.url, '--concurrency', '1', '--json'], { cwd, env: cleanEnv({ MEM0_API_KEY: apiKey }) });
    for (let i = 0; i < 400 && (await memoryCount(database)) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code, result.stderr).toBe(143);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr.trim().split('\n').at(-1)!)).toEqual({
      error: { code: 'interrupted', message: 'interrupted by SIGTERM: what was written is kept; run again to resume', exitCode: 143 },
    });
    expect(await memoryCount(database)).toBeGreaterThan(0);
  });

  it('a short run on a pipe prints no progress, and --quiet none however long', async () => {
    const served = await mem0Fake();
    const env = cleanEnv({ MEM0_API_KEY: apiKey });
    const quick = await runCliProcess(['mem0', '--base-url', served.url], { cwd: tempDir(), env });
    expect(quick.code).toBe(0);
    expect(quick.stderr).toBe('');

    const slow = await mem0Fake({ pageDelayMs: 600 });
    const quiet = await runCliProcess(['mem0', '--base-url', slow.url, '--concurrency', '1', '--quiet'], { cwd: tempDir(), env });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toMatch(/imported 1200 new and 0 changed memories/);
  });
});
