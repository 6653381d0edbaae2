import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { migrate } from '../../src/migrate.js';
import { importFrom } from '../../src/pipeline/import.js';
import type { Partition, Source, SourceItem } from '../../src/records.js';
import { databaseStatus, formatStatus, type AccountStatus } from '../../src/status.js';
import { targetKey } from '../../src/database/import-bookkeeping.js';
import { openTarget, resolveTargetConfig, type TargetConfig } from '../../src/database/open-target.js';
import { acquireRunLock } from '../../src/database/run-lock.js';
import { shardOfUser } from '../../src/pipeline/shard.js';
import { backends } from '../support/targets.js';
import { fixturePath } from '../support/fixtures.js';
import { copyFixtureDatabase, tempDir } from '../support/temp.js';
import { flattened, unwrapped } from '../support/terminal.js';
import { displayWidth, fitCell } from '../../src/pipeline/report.js';

const userNames = ['ana', 'ben', 'cy', 'dee'];

/** A copy of the database om-import 0.1 wrote (fixtures/om-import-0.1). */
function oldDatabase(): string {
  const file = path.join(tempDir(), 'openmemory.sqlite');
  copyFileSync(fixturePath('om-import-0.1', 'mem0-export-2026-11-24.sqlite'), file);
  return file;
}

/** Four users of three notes each (dee has two more); `failIn` makes the source fail after that user's notes. */
function notesSource(failIn: string | null = null): Source {
  return {
    name: 'test',
    filtersByUpdateTime: true,
    scope: { users: 'all' },
    account: async () => 'account-1',
    async *partitions(): AsyncIterable<Partition> {
      for (const user of userNames) yield { key: `user:${user}`, tenantKey: user };
    },
    async *items(partition: Partition): AsyncIterable<SourceItem> {
      const user = partition.tenantKey!;
      for (let i = 0; i < (user === 'dee' ? 5 : 3); i++) {
        const record = {
          sourceKind: 'test.note', sourceId: `${user}-${i}`, tenantKey: user, content: `${user} note ${i} about tea and running`, role: null,
          tags: [], metadata: {}, sourceFields: {}, createdAt: Date.UTC(2026, 0, 1 + i), updatedAt: Date.UTC(2026, 0, 1 + i),
        };
        yield { type: 'memory', record, raw: record };
      }
      if (failIn === user) throw new Error(`the source failed while reading ${user}`);
    },
  };
}

const run = (target: TargetConfig, options: { failIn?: string; fresh?: boolean } = {}) =>
  importFrom({ source: notesSource(options.failIn ?? null), target, env: {}, concurrency: 1, fresh: options.fresh });

async function accountOf(target: TargetConfig): Promise<AccountStatus> {
  const status = await databaseStatus(target);
  expect(status.accounts.map((account) => [account.source, account.account])).toEqual([['test', 'account-1']]);
  return status.accounts[0]!;
}

describe.each(backends)('om-import status (%s)', (_name, makeTarget) => {
  it('says a database without om-import tables has none, in one sentence', async () => {
    const target = await makeTarget();
    await migrate(target);
    const status = await databaseStatus(target);
    expect(status).toMatchObject({ bookkeeping: 'none', accounts: [], users: [], otherTargets: [] });
    expect(flattened(formatStatus(status))).toMatch(/^om-import status: \S+ .*has no om-import tables: om-import never imported into it \(it holds 0 memories of 0 users\)$/);
  });

  it('tells a run still running (its process holds the claim of its shard) from one killed, whose claim is left behind', async () => {
    const config = await makeTarget();
    await expect(run(config, { failIn: 'cy' })).rejects.toThrow(/while reading cy/);
    const unfinished = (await accountOf(config)).runs[0]!;
    expect(unfinished.state).toBe('interrupted');

    // This process claims the shard (all users) of these tables, as a run does when it starts (or resumes).
    const holder = await openTarget(config);
    const release = await acquireRunLock(holder, { targetKey: targetKey(holder), shard: null, source: 'test', account: 'account-1', now: Date.now() });
    try {
      const running = (await accountOf(config)).runs[0]!;
      expect(running).toEqual({ ...unfinished, state: 'running', runningIn: `${os.hostname()}:${process.pid}` });
      expect(unwrapped(formatStatus(await databaseStatus(config)))).toContain(
        `run ${unfinished.runId}: started ${unfinished.startedAt.replace(/\.\d+Z$/, 'Z')}, running (in process ${os.hostname()}:${process.pid}; a second run of its shard is refused), 2 partitions finished`,
      );
    } finally {
      await release();
    }
    expect((await accountOf(config)).runs[0]).toEqual(unfinished);

    // A running shard's claim says nothing of the unsharded run.
    const releaseShard = await acquireRunLock(holder, { targetKey: targetKey(holder), shard: { index: 0, count: 2 }, source: 'test', account: 'account-1', now: Date.now() });
    try {
      expect((await accountOf(config)).runs[0]).toEqual(unfinished);
    } finally {
      await releaseShard();
    }

    // A killed run's claim stays behind: on SQLite its process is gone, on PostgreSQL no session holds its lock.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const claims = holder.dialect.qualified('om_import_active_runs');
    await holder.executor.run(`insert into ${claims}(target, shard, source, account, owner, started_at) values (?, 'all', 'test', 'account-1', ?, ?)`, [
      targetKey(holder), `${os.hostname()}:${gone}`, Date.now(),
    ]);
    await holder.close();
    expect((await accountOf(config)).runs[0]).toEqual(unfinished);
  });

  it('shows the runs of two shards running side by side as running, each in its process', async () => {
    const config = await makeTarget();
    const shards = [{ index: 0, count: 2 }, { index: 1, count: 2 }];
    // Each shard's run is left unfinished (the source fails in a user of that shard), shard 1's after shard 0's.
    for (const shard of shards) {
      const failIn = userNames.find((user) => shardOfUser(user, 2) === shard.index)!;
      await expect(importFrom({ source: notesSource(failIn), target: config, env: {}, concurrency: 1, shard })).rejects.toThrow(/while reading/);
    }
    expect((await accountOf(config)).runs.map((r) => r.state)).toEqual(['interrupted', 'interrupted']);
    const holder = await openTarget(config);
    const releases = [];
    try {
      for (const shard of shards) {
        releases.push(await acquireRunLock(holder, { targetKey: targetKey(holder), shard, source: 'test', account: 'account-1', now: Date.now() }));
      }
      const runs = (await accountOf(config)).runs;
      expect(runs.map((r) => [r.scope?.['shard'], r.state, r.runningIn])).toEqual([
        ['1/2', 'running', `${os.hostname()}:${process.pid}`],
        ['0/2', 'running', `${os.hostname()}:${process.pid}`],
      ]);
    } finally {
      for (const release of releases) await release();
      await holder.close();
    }
  });

  it('follows an interrupted run, its resume, and runs that start over', async () => {
    const target = await makeTarget();

    // The source fails in the third user: two partitions finished, the run is left unfinished.
    await expect(run(target, { failIn: 'cy' })).rejects.toThrow(/while reading cy/);
    let account = await accountOf(target);
    const first = account.runs[0]!;
    expect(account.runs).toEqual([{ runId: first.runId, startedAt: expect.any(String), finishedAt: null, state: 'interrupted', scope: { unmapped: 'keep', userMap: {}, users: 'all' }, partitionsFinished: 2 }]);
    expect(account.next).toEqual([
      {
        scope: first.scope,
        resume: { runId: first.runId, startedAt: first.startedAt, finishedPartitions: ['user:ana', 'user:ben'], lastCompletedPartitions: null },
        incremental: null,
        fullFetchReason: null,
      },
    ]);
    let status = await databaseStatus(target);
    expect(status.totals.pendingUsers).toBe(2); // ana and ben: their notes are written, not yet their waypoints and summary
    let text = unwrapped(formatStatus(status));
    expect(text).toContain(`run ${first.runId}: started ${first.startedAt.replace(/\.\d+Z$/, 'Z')}, interrupted (not finished, and no process runs it: killed or failed), 2 partitions finished (unmapped=keep users=all)`);
    expect(text).toContain(`a resume would continue run ${first.runId}: 2 partitions finished (the next run of the same scope without --fresh)`);
    expect(text).toContain('no completed run: the next run fetches everything');
    expect(flattened(text)).toContain('2 users await their waypoints and summary (the next import into these tables writes them)');

    // The next run resumes it to the end.
    const resumed = await run(target);
    expect(resumed).toMatchObject({ resumed: true, runId: first.runId });
    account = await accountOf(target);
    expect(account.runs).toMatchObject([{ runId: first.runId, state: 'completed', partitionsFinished: 4, finishedAt: expect.any(String) }]);
    expect(account).toMatchObject({ next: [{ resume: null, incremental: { runId: first.runId, startedAt: first.startedAt } }], records: 14, users: 4 });
    status = await databaseStatus(target);
    expect(status.totals).toEqual({ memories: 14, preTenantMemories: 0, usersWithMemories: 4, records: 14, recordsWithMemory: 14, pendingUsers: 0 });
    expect(status.users[0]).toEqual({ userId: 'dee', memories: 5, records: 5 });
    text = unwrapped(formatStatus(status));
    expect(text).toMatch(new RegExp(`run ${first.runId}: started \\S+, completed \\S+, 4 partitions finished`));
    expect(text).toContain(`an incremental run would fetch records updated since ${first.startedAt.replace(/\.\d+Z$/, 'Z')} (the start of run ${first.runId}`);
    expect(text).toContain('test (account-1): 14 records of 4 users, 1 run');
    expect(text).toMatch(/memories per user:\n {2}user_id +memories +om-import records\n {2}dee +5 +5\n/);
    expect(text).toMatch(/^total: 14 memories of 4 users; 14 om-import records, each with its memory$/m);

    // A --fresh run that fails: a resume would continue it, and the last completed run says how many partitions there were.
    await expect(run(target, { failIn: 'ben', fresh: true })).rejects.toThrow(/while reading ben/);
    account = await accountOf(target);
    const second = account.runs[0]!;
    expect(account.runs.map((r) => [r.runId, r.state])).toEqual([[second.runId, 'interrupted'], [first.runId, 'completed']]);
    expect(account.next).toMatchObject([{ resume: { runId: second.runId, finishedPartitions: ['user:ana'], lastCompletedPartitions: 4 }, incremental: { runId: first.runId } }]);
    expect(unwrapped(formatStatus(await databaseStatus(target)))).toContain(
      `a resume would continue run ${second.runId}: 1 partition finished of the 4 the last completed run of that scope finished`,
    );

    // Another --fresh run starts over: the earlier unfinished one is abandoned.
    await expect(run(target, { failIn: 'cy', fresh: true })).rejects.toThrow(/while reading cy/);
    account = await accountOf(target);
    expect(account.runs.map((r) => r.state)).toEqual(['interrupted', 'abandoned', 'completed']);
    expect(unwrapped(formatStatus(await databaseStatus(target)))).toMatch(new RegExp(`run ${second.runId}: started \\S+, abandoned \\(not finished; a later run started\\)`));

    // A run of another scope (one user) completes: each scope says what its next run would do.
    const narrow = notesSource();
    await importFrom({ source: { ...narrow, scope: { users: ['ana'] } }, target, env: {} });
    account = await accountOf(target);
    expect(account.runs.map((r) => r.state)).toEqual(['completed', 'abandoned', 'abandoned', 'completed']);
    expect(account.next).toMatchObject([
      { scope: { users: ['ana'] }, resume: null, incremental: { runId: account.runs[0]!.runId }, fullFetchReason: null },
      { scope: { users: 'all' }, resume: null, incremental: null, fullFetchReason: expect.stringMatching(/^the last completed run read a different scope \(users\)/) },
    ]);
    text = unwrapped(formatStatus(await databaseStatus(target)));
    expect(text).toContain('  a next run of scope unmapped=keep users=ana:\n    an incremental run would fetch records updated since');
    expect(text).toContain('  a next run of scope unmapped=keep users=all:\n    the next run fetches everything: the last completed run read a different scope (users)');
  });
});

describe('om-import status of several tables in one database', () => {
  it('keeps to the tables of its configuration, and names the others', async () => {
    // On PostgreSQL: other OM_PG_TABLE and OM_VECTOR_TABLE in the same schema.
    const [, makePostgres] = backends[1]!;
    const target = await makePostgres();
    await run(target);
    const other = { ...target, memoryTable: 'other_memories', vectorTable: 'other_vectors' } as TargetConfig;
    await importFrom({ source: notesSource(), target: other, env: {} });

    const status = await databaseStatus(target);
    expect(status.accounts[0]).toMatchObject({ records: 14, runs: [{ state: 'completed' }] });
    expect(status.otherTargets).toEqual([{ target: expect.stringContaining('other_vectors'), runs: 1, records: 14 }]);
    expect(flattened(formatStatus(status))).toMatch(/other tables in this database hold om-import rows too .*: .*other_vectors.*: 1 run, 14 records/);
    const ofOther = await databaseStatus(other);
    expect(ofOther.otherTargets).toEqual([{ target: expect.not.stringContaining('other_vectors'), runs: 1, records: 14 }]);
  });
});

describe('om-import status (SQLite only)', () => {
  it('reads without writing, and refuses a database that is not v1.2 as verify does', async () => {
    const [, makeTarget] = backends[0]!;
    const target = await makeTarget();
    await run(target);
    const file = (target as Extract<TargetConfig, { kind: 'sqlite' }>).path;
    const before = readFileSync(file);
    await databaseStatus(target);
    expect(readFileSync(file).equals(before)).toBe(true);

    const v11 = resolveTargetConfig({ db: copyFixtureDatabase('om-v1.1.sqlite') }, {});
    await expect(databaseStatus(v11)).rejects.toThrow(UsageError);
    await expect(databaseStatus(v11)).rejects.toThrow(/is v1\.1, not an OpenMemory v1\.2 database: no status to show \(run `om-import migrate` first\)/);
    await expect(databaseStatus(resolveTargetConfig({ db: `${file}.missing` }, {}))).rejects.toThrow(/does not exist: no status to show/);
  });

  it("shows the records of an om-import 0.1 database, and its run as one no run builds on", async () => {
    const status = await databaseStatus(resolveTargetConfig({ db: oldDatabase() }, {}));
    expect(status).toMatchObject({ bookkeeping: 'earlier', earlierRuns: 1, otherTargets: [] });
    expect(status.accounts).toMatchObject([{ source: 'mem0', account: 'file mem0-export-2026-11-24.json', records: 9, users: 4, runs: [] }]);
    const text = unwrapped(formatStatus(status));
    expect(flattened(text)).toContain("om-import's tables are an earlier om-import's (0.1)");
    expect(flattened(text)).toContain('1 run recorded by om-import 0.1, before runs were kept per tables: no run resumes or builds on it');
  });
});

describe('formatStatus at 80 columns', () => {
  it('every line fits 80 terminal columns: long and CJK user ids, a long account, a run scope naming long users', () => {
    const longUser = `customer-${'0123456789'.repeat(10)}-eu`;
    const cjkUser = '山田太郎のとても長いユーザー名前です'.repeat(3);
    const scope = { include: ['memories'], unmapped: 'keep', users: [longUser, cjkUser] };
    const run = { runId: 'mxbz6o97-7imq3e', startedAt: '2026-12-06T10:00:00.000Z', finishedAt: null, state: 'interrupted' as const, scope, partitionsFinished: 2 };
    const text = formatStatus({
      target: 'SQLite ./data/openmemory.sqlite',
      schema: 'v1.2',
      bookkeeping: 'current',
      accounts: [
        {
          source: 'supermemory',
          account: `https://api.supermemory.example/${'org-'.repeat(20)}`,
          runs: [run],
          next: [{ scope, resume: { runId: run.runId, startedAt: run.startedAt, finishedPartitions: ['a', 'b'], lastCompletedPartitions: 4 }, incremental: null, fullFetchReason: null }],
          records: 123_456,
          users: 2,
        },
      ],
      users: [
        { userId: cjkUser, memories: 123_456, records: 123_456 },
        { userId: longUser, memories: 7, records: 7 },
      ],
      totals: { memories: 123_463, preTenantMemories: 12, usersWithMemories: 2, records: 123_463, recordsWithMemory: 123_400, pendingUsers: 2 },
      otherTargets: [],
      earlierRuns: 0,
    });
    for (const line of text.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
    // Shortened in the middle as the import report shortens names (by display width); the table stays aligned.
    expect(text).toContain(fitCell(longUser, 24));
    const table = text.split('\n').filter((line) => /^ {2}(user_id|山田|customer)/.test(line));
    expect(table).toHaveLength(3);
    expect(new Set(table.map((line) => displayWidth(line))).size).toBe(1);
  });
});
