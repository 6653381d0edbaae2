import { afterEach, describe, expect, it } from 'vitest';
import { databaseStatus, type DatabaseStatus } from '../../src/status.js';
import { generatedMem0Account } from '../fakes/mem0/mem0-account.js';
import type { ServedHandlers } from '../fakes/serve-handlers.js';
import { cleanEnv, runCliProcess, startCli } from '../support/cli.js';
import { fixturePath } from '../support/fixtures.js';
import { killTargets, type KillTarget } from '../support/kill-targets.js';
import { startMem0Fake } from '../support/mem0-fake.js';
import { copyFixtureDatabase, tempDir } from '../support/temp.js';
import { flattened, unwrapped } from '../support/terminal.js';

const apiKey = 'm0-secret-key-for-tests-only';
const users = 8;
const perUser = 40;
const servers: ServedHandlers[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** `om-import status` (text and --json) on the target `flags` name, run in `cwd`. */
async function status(flags: string[], cwd: string): Promise<{ text: string; json: DatabaseStatus }> {
  const text = await runCliProcess(['status', ...flags], { cwd });
  expect(text.stderr).toBe('');
  expect(text.code).toBe(0);
  const json = await runCliProcess(['status', ...flags, '--json'], { cwd });
  expect(json.code).toBe(0);
  return { text: unwrapped(text.stdout), json: JSON.parse(json.stdout) as DatabaseStatus };
}

/** Polls (reading only) until the run has finished some of its partitions but not all; gives up after 15 s. */
async function waitForFinishedPartitions(backend: KillTarget, flags: string[], cwd: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const finished = await databaseStatus(backend.config(flags, cwd)).then(
      (found) => found.accounts[0]?.runs[0]?.partitionsFinished ?? 0,
      () => 0, // not created yet
    );
    if (finished > 0 && finished < users) return;
  }
}

describe.each(killTargets)('om-import status (CLI, %s)', (_name, backend) => {
  it('says what a clean run, a run killed with SIGKILL, and its resume did', async () => {
    const account = generatedMem0Account({ users, perUser, apiKey });
    // Slow pages leave a wide window between the first finished user and the last, so the kill lands in the middle.
    const served = await startMem0Fake(account, { pageDelayMs: 300 });
    servers.push(served);
    const env = cleanEnv({ MEM0_API_KEY: apiKey });
    const importArgs = ['mem0', '--base-url', served.url];

    // A clean run: completed, every user finished, and where an incremental run would start.
    const cleanDir = tempDir();
    const cleanFlags = await backend.flags(cleanDir);
    expect((await runCliProcess([...importArgs, ...cleanFlags], { cwd: cleanDir, env })).code).toBe(0);
    const clean = await status(cleanFlags, cleanDir);
    const cleanRun = clean.json.accounts[0]!.runs[0]!;
    expect(clean.json.accounts).toHaveLength(1);
    expect(cleanRun).toMatchObject({ state: 'completed', partitionsFinished: users });
    expect(clean.text).toMatch(new RegExp(`^mem0 \\(.*\\): ${users * perUser} records of ${users} users, 1 run$`, 'm'));
    expect(clean.text).toMatch(new RegExp(`^ {2}run ${cleanRun.runId}: started \\S+, completed \\S+, ${users} partitions finished \\(include=memories,superseded unmapped=keep users=all\\)$`, 'm'));
    expect(clean.text).toContain(`an incremental run would fetch records updated since ${cleanRun.startedAt.replace(/\.\d+Z$/, 'Z')}`);
    expect(clean.text).not.toMatch(/resume/);
    expect(clean.text).toMatch(/^users with most memories \(5 of 8; see --json\):$/m);
    expect(clean.text).toMatch(new RegExp(`^total: ${users * perUser} memories of ${users} users; ${users * perUser} om-import records, each with its memory$`, 'm'));
    expect(clean.json.users).toHaveLength(users);

    // Killed with SIGKILL after some users are finished: interrupted, and a resume would continue it.
    const killedDir = tempDir();
    const killedFlags = await backend.flags(killedDir);
    const { child, done } = startCli([...importArgs, '--concurrency', '2', ...killedFlags], { cwd: killedDir, env });
    await waitForFinishedPartitions(backend, killedFlags, killedDir);
    child.kill('SIGKILL');
    expect((await done).code).toBeNull();
    const killed = await status(killedFlags, killedDir);
    const killedRun = killed.json.accounts[0]!.runs[0]!;
    const finished = killedRun.partitionsFinished;
    expect(finished).toBeGreaterThan(0);
    expect(finished).toBeLessThan(users);
    expect(killedRun).toMatchObject({ state: 'interrupted', finishedAt: null });
    const resume = killed.json.accounts[0]!.next[0]!.resume;
    expect(resume).toMatchObject({ runId: killedRun.runId, lastCompletedPartitions: null });
    expect(resume!.finishedPartitions).toHaveLength(finished);
    expect(killed.text).toMatch(new RegExp(`^ {2}run ${killedRun.runId}: started \\S+, interrupted \\(not finished, and no process runs it: killed or failed\\), ${finished} partitions? finished`, 'm'));
    expect(killed.text).toContain(`a resume would continue run ${killedRun.runId}: ${finished} partition${finished === 1 ? '' : 's'} finished`);
    expect(killed.text).toContain('no completed run: the next run fetches everything');

    // The resume finishes the same run.
    const resumed = await runCliProcess([...importArgs, '--json', ...killedFlags], { cwd: killedDir, env });
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ resumed: true, runId: killedRun.runId });
    const after = await status(killedFlags, killedDir);
    expect(after.json.accounts[0]!.runs).toEqual([{ ...killedRun, state: 'completed', finishedAt: expect.any(String), partitionsFinished: users }]);
    expect(after.json.accounts[0]!.next).toMatchObject([{ resume: null, incremental: { runId: killedRun.runId } }]);
    expect(after.json.totals).toEqual(clean.json.totals);
    expect(after.text).toMatch(new RegExp(`^ {2}run ${killedRun.runId}: started ${killedRun.startedAt.replace(/\.\d+Z$/, 'Z')}, completed \\S+, ${users} partitions finished`, 'm'));
    expect(after.text).toContain(`an incremental run would fetch records updated since ${killedRun.startedAt.replace(/\.\d+Z$/, 'Z')} (the start of run ${killedRun.runId}`);
    expect(after.text).not.toMatch(/interrupted|a resume would/);
  });
});

describe('om-import status (CLI)', () => {
  it('says in one sentence that a database has no om-import tables (exit 0), and refuses one that is not v1.2 (exit 2)', async () => {
    const cwd = tempDir();
    const none = await runCliProcess(['status', '--db', copyFixtureDatabase('om-v1.2.3.sqlite')], { cwd });
    expect(none.code).toBe(0);
    expect(flattened(none.stdout)).toMatch(/^om-import status: SQLite \S+ has no om-import tables: om-import never imported into it \(it holds \d+ memories of \d+ users\) $/);

    const old = await runCliProcess(['status', '--db', copyFixtureDatabase('om-v1.1.sqlite')], { cwd });
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/^om-import: SQLite \S+ is v1\.1, not an OpenMemory v1\.2 database: no status to show \(run `om-import migrate` first\)\n$/);

    const missing = await runCliProcess(['status'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/data\/openmemory\.sqlite does not exist: no status to show/);
  });

  it('reads the database om-import imported into from an export file', async () => {
    const cwd = tempDir();
    expect((await runCliProcess(['mem0', '--from-file', fixturePath('mem0', 'export.json')], { cwd })).code).toBe(0);
    const { text, json } = await status([], cwd);
    expect(json.accounts).toMatchObject([{ source: 'mem0', account: 'file export.json', records: 9, runs: [{ state: 'completed', partitionsFinished: 1 }] }]);
    expect(text.split('\n')[0]).toBe('om-import status: SQLite ./data/openmemory.sqlite — OpenMemory v1.2');
  });
});
