// The Zep v4 reader against the fake Zep server serving one project over both wires (v3 under /api/v2, v4 under
// /api/v4), through `importFrom` into SQLite: a database imported through v3 and re-imported through v4 gets only
// what v3 could not see. The fake (test/fakes/zep/zep-v4-handlers.ts) was written from the wire note
// /work/shared/sources/zep-v4.md (§2 paging, §3–§6 objects, §8 errors and rate limits, §9 identity, §10 detection,
// §11 tricky cases); the pre-GA SDK sources it cites could not be reached in this session, so it was not checked
// against a real v4 client or server.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { zepSource, zepWires, type ZepSourceOptions } from '../../../adapters/zep/index.js';
import { explainedZepV4Error } from '../../../adapters/zep/zep-v4.js';
import { SourceError } from '../../../src/errors.js';
import { importFrom, type ImportOptions } from '../../../src/pipeline/import.js';
import type { ImportReport } from '../../../src/pipeline/report.js';
import type { PartitionCoverage } from '../../../src/records.js';
import { openTarget, resolveTargetConfig, type TargetConfig } from '../../../src/database/open-target.js';
import type { Target } from '../../../src/database/target.js';
import { generatedZepAccount, tinyZepAccount, withV4Objects, type ZepAccount } from '../../fakes/zep/zep-account.js';
import type { ZepV4FakeOptions } from '../../fakes/zep/zep-v4-handlers.js';
import { importedState } from '../../support/database-snapshot.js';
import { startZepFake, type ServedZepFake } from '../../support/zep-fake.js';
import { tempDir } from '../../support/temp.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function fake(account: ZepAccount, v4: Omit<ZepV4FakeOptions, 'stats'> | true = true): Promise<ServedZepFake> {
  const served = await startZepFake(account, { v4 });
  cleanups.push(served.close);
  return served;
}

function sqliteTarget(): TargetConfig {
  return resolveTargetConfig({ db: path.join(tempDir(), 'data', 'openmemory.sqlite') }, {});
}

async function open(config: TargetConfig): Promise<Target> {
  const target = await openTarget(config);
  cleanups.push(() => target.close());
  return target;
}

/** One import; `baseUrl` picks the wire: the fake's root (v4 first) or its `/api/v2` (v3 only). Small pages, so every listing pages. */
async function run(baseUrl: string, account: ZepAccount, target: TargetConfig, extra: Partial<ImportOptions> = {}, sourceOptions: Partial<ZepSourceOptions> = {}): Promise<ImportReport> {
  const opened = zepSource({ apiKey: account.apiKey, baseUrl, requestsPerSecond: 2000, concurrency: 4, pageSize: 3, ...sourceOptions });
  try {
    return await importFrom({ source: opened.source, target, env: {}, ...extra });
  } finally {
    await opened.http?.close();
  }
}

const li = '0d6c2b1a-5e4f-4a3b-9c8d-7e6f5a4b3c2d';
const noor = '2e4f6a8b-0c1d-4e3f-a5b7-c9d1e3f5a7b9';
const strayThread = 'thread:7a1c9e3b-2d4f-4b6a-8c0e-1f3a5b7c9d4a';
const v4Graph = 'graph:9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b';

/** The memories only v4 can see in `withV4Objects`: Li's 7 messages, her thread summary, 2 current facts (one for the 3-member hyperedge), 6 data episodes; the orphan thread's message; the v4 graph's fact and episode. */
const v4OnlyMemories = 7 + 1 + 2 + 6 + 1 + 2;

async function memoriesByUser(config: TargetConfig): Promise<Record<string, string[]>> {
  const target = await open(config);
  const rows = await target.executor.all<{ user_id: string; content: string }>(`select user_id, content from ${target.dialect.qualified(target.dialect.tables.memories)}`);
  const byUser: Record<string, string[]> = {};
  for (const row of rows) (byUser[row.user_id] ??= []).push(row.content);
  for (const contents of Object.values(byUser)) contents.sort();
  return byUser;
}

/** Every memory row by id, its `meta` parsed. */
async function memoryRows(config: TargetConfig): Promise<Record<string, Record<string, unknown>>> {
  const target = await open(config);
  const rows = await target.executor.all<Record<string, unknown>>(`select * from ${target.dialect.qualified(target.dialect.tables.memories)}`);
  return Object.fromEntries(rows.map((row) => [String(row['id']), { ...row, meta: JSON.parse(String(row['meta'])) as unknown }]));
}

describe('Zep v4: one project read through v3, then v4', () => {
  it.each([
    ['the tiny account', () => withV4Objects(tinyZepAccount())],
    ['a generated account', () => withV4Objects(generatedZepAccount({ users: 4, threadsPerUser: 2, messagesPerThread: 5, factsPerUser: 8, orphanThreads: 2, graphs: 2 }))],
  ])('%s: the v4 run creates only the v4-only records, and updates or duplicates nothing', async (_name, build) => {
    const account = build();
    const served = await fake(account);
    const config = sqliteTarget();
    const first = await run(served.baseUrl, account, config);
    expect(first.api).toBe('Zep Cloud v3 (threads)');
    expect(served.v4Stats.requests).toBe(0);
    const byUserAfterV3 = await memoriesByUser(config);

    const second = await run(served.url, account, config);
    expect(second.api).toBe('Zep v4');
    expect(second.account).toBe(first.account);
    expect(second.incrementalSince).toBeNull(); // v3's run time says nothing about what v3 could not see
    expect(second.fullFetchReason).toMatch(/different scope.*api/);
    expect(second.totals).toMatchObject({ created: v4OnlyMemories, updated: 0, unchanged: first.totals.created });
    expect(second.warnings).toEqual([]);
    expect(second.goneAtSource.memories).toBe(0);

    // Every v3 tenant holds exactly what it held; the v4-born ones are added under their uuids.
    const byUser = await memoriesByUser(config);
    for (const [user, contents] of Object.entries(byUserAfterV3)) expect(byUser[user]).toEqual(contents);
    expect(Object.keys(byUser).filter((user) => !(user in byUserAfterV3)).sort()).toEqual([li, v4Graph, strayThread].sort());
    expect(byUser[li]).toContain('Li, Ana and Jane share a train compartment.');
    expect(byUser[li]!.filter((content) => content === 'Li, Ana and Jane share a train compartment.')).toHaveLength(1);
    expect(byUser[li]).not.toContain('Li lives in Lisbon.'); // expired only
    expect(byUser[li]).not.toContain('Li prefers window seats.'); // invalidated
    expect(byUser[li]).not.toContain('Li: Book me a train to Porto on Friday.'); // a message episode: the message is imported

    // The same database imported through v4 alone is the same database (meta compared as JSON: the order of the
    // keys in `meta` is the order the wire sent them in, which differs between the generations).
    const direct = sqliteTarget();
    await run(served.url, account, direct);
    const { memories: _viaBoth, ...restViaBoth } = await importedState(await open(config));
    const { memories: _direct, ...restDirect } = await importedState(await open(direct));
    expect(restDirect).toEqual(restViaBoth);
    expect(await memoryRows(direct)).toEqual(await memoryRows(config));
  });

  it('users.summary of a v4-born user is its node summary; a user whose node is not built yet has none from Zep', async () => {
    const account = withV4Objects(tinyZepAccount());
    const served = await fake(account, { nodeConflicts: 2 });
    const config = sqliteTarget();
    const report = await run(served.url, account, config);
    expect(served.v4Stats.conflicts).toBe(2); // answered 409 twice while "building": retried
    expect(report.warnings).toEqual([]);
    const target = await open(config);
    const users = await target.executor.all<{ user_id: string; summary: string }>(`select user_id, summary from ${target.dialect.qualified(target.dialect.tables.users)}`);
    const summaries = Object.fromEntries(users.map((user) => [user.user_id, user.summary]));
    expect(summaries[li]).toBe('Li travels by train between Lisbon and Porto.');
    expect(summaries[noor]).toBeUndefined(); // no node and no memories: no user row
  });

  it.each<[string, Omit<ZepV4FakeOptions, 'stats'>]>([
    ['a server that takes `limit` (the pre-GA SDKs) and refuses `page_size`', { pageSizeParam: 'limit' }],
    ['`next_cursor: null` on the last page', { lastCursor: 'null' }],
    ['`next_cursor: ""` on the last page', { lastCursor: 'empty' }],
    ['user graphs in the graphs listing, and a total_size that drifts', { listUserGraphs: true, driftingTotal: true }],
    ['transient 503s', { failEvery: 4 }],
  ])('the same database whatever the server does: %s', async (_name, options) => {
    const account = withV4Objects(tinyZepAccount());
    const baseline = sqliteTarget();
    await run((await fake(account)).url, account, baseline);
    const served = await fake(account, options);
    const config = sqliteTarget();
    const report = await run(served.url, account, config);
    expect(report.api).toBe('Zep v4');
    if (!options.driftingTotal) expect(report.warnings).toEqual([]);
    expect(await importedState(await open(config))).toEqual(await importedState(await open(baseline)));
  });

  it('a second v4 run reads no message of an unchanged thread and asks only for facts created or expired since', async () => {
    const account = withV4Objects(tinyZepAccount());
    const served = await fake(account);
    const config = sqliteTarget();
    await run(served.url, account, config);
    const messagesFirst = served.v4Stats.byRoute['GET /threads/:thread/messages'] ?? 0;
    expect(messagesFirst).toBeGreaterThan(0);
    expect(served.v4Stats.edgeFilters.every((filters) => filters === null)).toBe(true);
    served.v4Stats.edgeFilters.length = 0;
    const second = await run(served.url, account, config);
    expect(second.incrementalSince).not.toBeNull();
    expect(second.totals).toMatchObject({ created: 0, updated: 0 });
    expect(served.v4Stats.byRoute['GET /threads/:thread/messages']).toBe(messagesFirst);
    expect(served.v4Stats.edgeFilters.length).toBeGreaterThan(0);
    for (const filters of served.v4Stats.edgeFilters) {
      expect(filters).toMatchObject({ date_filters: { any_of: [{ all_of: [{ field: 'created_at', operator: 'gt' }] }, { all_of: [{ field: 'expired_at', operator: 'gt' }] }] } });
    }
    // A server that refuses the date filter: every fact again, said in a warning, nothing lost.
    const refusing = await fake(account, { refuseDateFilters: true });
    const third = await run(refusing.url, account, config);
    expect(third.totals).toMatchObject({ created: 0, updated: 0 });
    expect(third.warnings.some((warning) => /refused the date filter/.test(warning))).toBe(true);
  });

  it('--user-id names a user by user_id, uuid or email, a thread or graph by v3 id or uuid; tenants stay v3 names', async () => {
    const account = withV4Objects(tinyZepAccount());
    const served = await fake(account);
    const jane = account.users.find((user) => user.user_id === 'user-jane')!;
    const handbook = account.graphs[0]!;
    const config = sqliteTarget();
    const report = await run(served.url, account, config, {}, {
      userIds: [jane.uuid, 'ana@example.com', li, 'thread:orphan-session-a', strayThread, `graph:${handbook.canonical_graph_uuid!}`, 'nobody-here'],
    });
    expect(report.tenants.map((tenant) => tenant.tenant).sort()).toEqual(
      ['user-jane', 'a/b c@d', li, 'thread:orphan-session-a', strayThread, 'graph:graph-team-handbook'].sort(),
    );
    expect(report.warnings).toEqual(['nobody-here: user nobody-here was not found in Zep; nothing read']);
  });

  it.each<[string, Omit<ZepV4FakeOptions, 'stats'>, RegExp]>([
    ['repeats its cursor', { repeatMessageCursor: true }, /gave the same page cursor twice; stopped there, so nothing is taken for gone/],
    ['answers 404 after its first page', { messagesGoneAfterFirstPage: true }, /answered 404 after their first page; stopped there, so nothing is taken for gone/],
  ])('a listing that %s stops the run with an error, and --prune removes nothing', async (_name, options, message) => {
    const account = withV4Objects(tinyZepAccount());
    const config = sqliteTarget();
    await run((await fake(account)).url, account, config);
    const before = await memoriesByUser(config);
    const broken = await fake(account, options);
    await expect(run(broken.url, account, config, { fresh: true, prune: true }, { pageSize: 1 })).rejects.toThrow(message);
    expect(await memoriesByUser(config)).toEqual(before);
  });
});

describe('Zep v4: which partitions its listing covers (what --prune may take for deleted)', () => {
  async function listed(account: ZepAccount, sourceOptions: Partial<ZepSourceOptions> = {}): Promise<{ keys: string[]; covers: (key: string) => Promise<PartitionCoverage> }> {
    const served = await fake(account);
    const opened = zepSource({ apiKey: account.apiKey, baseUrl: served.url, requestsPerSecond: 2000, pageSize: 3, ...sourceOptions });
    try {
      const keys: string[] = [];
      for await (const partition of opened.source.partitions()) keys.push(partition.key);
      return { keys, covers: async (key) => (await opened.source.coversPartition?.(key)) ?? false };
    } finally {
      await opened.http?.close();
    }
  }

  it('a whole listing covers every user, thread and graph key, v3-born or not, listed or not; a --user-id run or a kind not listed covers none', async () => {
    const whole = await listed(withV4Objects(tinyZepAccount()));
    expect(whole.keys).toEqual(expect.arrayContaining(['user:user-jane', `user:${li}`, 'thread:orphan-session-a', strayThread, 'graph:graph-team-handbook', v4Graph]));
    for (const key of ['user:user-jane', 'user:deleted-since', `user:${noor}`, 'thread:orphan-session-a', 'thread:gone', 'graph:graph-team-handbook', 'graph:gone']) expect(await whole.covers(key)).toBe(true);
    expect(await whole.covers('file:export.jsonl')).toBe(false);

    const scoped = await listed(withV4Objects(tinyZepAccount()), { userIds: ['user-jane'] });
    expect(await scoped.covers('user:deleted-since')).toBe(false);
    const factsOnly = await listed(withV4Objects(tinyZepAccount()), { include: ['facts'] });
    expect(await Promise.all(['user:deleted-since', 'thread:gone', 'graph:gone'].map(factsOnly.covers))).toEqual([true, false, true]);
  });

  it('a users listing that warns (a user without uuid) covers nothing', async () => {
    const account = withV4Objects(tinyZepAccount());
    account.v4!.users.push({ uuid: '', first_name: 'Nobody', graph_uuid: '00000000-0000-4000-8000-000000000000', created_at: '2026-10-21T00:00:00Z' });
    const warned = await listed(account);
    expect(warned.keys).toContain('user:user-jane');
    expect(await warned.covers('user:deleted-since')).toBe(false);
    expect(await warned.covers('graph:gone')).toBe(false);
  });
});

describe('Zep v4: which API a --base-url reads', () => {
  it('a root reads v4 where it answers, else v3; …/api/v2 reads v3 only; …/api/v4 reads v4 only', async () => {
    expect(zepWires(undefined)).toBe('any');
    expect(zepWires('https://api.getzep.com/')).toBe('any');
    expect(zepWires('https://api.getzep.com/api/v2')).toBe('v3');
    expect(zepWires('https://zep.example.com/proxy/api/v4/')).toBe('v4');
    const account = withV4Objects(tinyZepAccount());
    const both = await fake(account);
    expect((await run(`${both.url}/api/v4`, account, sqliteTarget())).api).toBe('Zep v4');
    const v3Only = await startZepFake(account);
    cleanups.push(v3Only.close);
    expect((await run(v3Only.url, account, sqliteTarget())).api).toBe('Zep Cloud v3 (threads)');
    await expect(run(`${v3Only.url}/api/v4`, account, sqliteTarget())).rejects.toThrow(/no Zep v4 API answers at .*api\/v4.*give the server's root/);
    const community = await startZepFake(account, { generation: 'ce' });
    cleanups.push(community.close);
    expect((await run(community.url, account, sqliteTarget())).api).toBe('Zep Community Edition 1.x');
    const sessions = await startZepFake(account, { generation: 'v2' });
    cleanups.push(sessions.close);
    expect((await run(sessions.url, account, sqliteTarget())).api).toBe('Zep Cloud v2 (sessions)');
  });

  it('a 400 invalid_identifier or unsupported_filter says what it means', () => {
    const error = (code: string): SourceError =>
      new SourceError(`zep: GET ../v4/users/x failed with HTTP 400: {"error":{"code":"${code}","message":"…"}}`, { source: 'zep', status: 400 });
    expect(String(explainedZepV4Error(error('invalid_identifier')))).toMatch(/addresses users, threads and graphs by their UUID/);
    expect(String(explainedZepV4Error(error('unsupported_filter')))).toMatch(/refused a listing filter.*--fresh/);
    expect(explainedZepV4Error(error('other'))).toBeInstanceOf(SourceError);
  });
});
