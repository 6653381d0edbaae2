// The Zep adapter against the fake Zep server over real HTTP, through `importFrom` into a SQLite file: what lands
// where, on each API generation, and what re-runs, resumes and snapshots do.
import path from 'node:path';
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { zepBaseUrl, zepSource, type ZepSourceOptions } from '../../../adapters/zep/index.js';
import { importFrom, type ImportOptions } from '../../../src/pipeline/import.js';
import type { ImportReport } from '../../../src/pipeline/report.js';
import type { Source } from '../../../src/records.js';
import { openTarget, resolveTargetConfig, type TargetConfig } from '../../../src/database/open-target.js';
import type { Target } from '../../../src/database/target.js';
import { generatedZepAccount, tinyEncodedUserId, tinyZepAccount, type ZepAccount } from '../../fakes/zep/zep-account.js';
import type { ZepFakeOptions, ZepGeneration } from '../../fakes/zep/zep-handlers.js';
import { importedState } from '../../support/database-snapshot.js';
import { startZepFake, type ServedZepFake } from '../../support/zep-fake.js';
import { tempDir } from '../../support/temp.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function fake(account: ZepAccount, options: Omit<ZepFakeOptions, 'stats'> = {}): Promise<ServedZepFake> {
  const served = await startZepFake(account, options);
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

/** One import from the fake; small pages so every listing pages, fast requests. */
async function run(
  served: ServedZepFake,
  account: ZepAccount,
  target: TargetConfig,
  extra: Partial<ImportOptions> = {},
  sourceOptions: Partial<ZepSourceOptions> = {},
  wrap: (source: Source) => Source = (source) => source,
): Promise<{ report: ImportReport; source: Source }> {
  const opened = zepSource({ apiKey: account.apiKey, baseUrl: served.baseUrl, requestsPerSecond: 2000, concurrency: 4, pageSize: 4, ...sourceOptions });
  try {
    const report = await importFrom({ source: wrap(opened.source), target, env: {}, ...extra });
    return { report, source: opened.source };
  } finally {
    await opened.http?.close();
  }
}

function smallAccount(): ZepAccount {
  return generatedZepAccount({ users: 5, threadsPerUser: 2, messagesPerThread: 9, factsPerUser: 8, dataEpisodesPerUser: 2, orphanThreads: 2, graphs: 2 });
}

const row = (user: string, sourceId: string, content: string): string => `${user} | ${sourceId} | ${content}`;

/** What an import of `account` must store, as `user | source id | content`, for a generation. */
function expectedRows(account: ZepAccount, generation: ZepGeneration): string[] {
  const rows: string[] = [];
  const graphIds = new Set(account.graphs.map((graph) => graph.graph_id));
  for (const thread of account.threads) {
    const tenant = thread.user_id ? thread.user_id : `thread:${thread.thread_id}`;
    for (const message of account.messages[thread.thread_id] ?? []) if (message.content.trim() !== '') rows.push(row(tenant, message.uuid, message.content));
    const summary = account.threadSummaries[thread.thread_id];
    if (summary && generation !== 'ce') rows.push(row(tenant, summary.uuid, summary.summary));
  }
  if (generation !== 'ce') {
    for (const [owner, edges] of Object.entries(account.edges)) {
      const tenant = graphIds.has(owner) ? `graph:${owner}` : owner;
      for (const edge of edges) if (!edge.invalid_at && !edge.expired_at) rows.push(row(tenant, edge.uuid, edge.fact));
    }
    for (const [owner, episodes] of Object.entries(account.episodes)) {
      const isGraph = graphIds.has(owner);
      for (const episode of episodes) if (isGraph || episode.source !== 'message') rows.push(row(isGraph ? `graph:${owner}` : owner, episode.uuid, episode.content));
    }
  }
  return rows.sort();
}

/** The stored memories as `user | source id | content`. */
async function storedRows(config: TargetConfig): Promise<string[]> {
  const target = await open(config);
  const memories = await target.executor.all<{ user_id: string; content: string; meta: string }>(
    `select user_id, content, meta from ${target.dialect.qualified(target.dialect.tables.memories)}`,
  );
  return memories.map((memory) => row(memory.user_id, (JSON.parse(memory.meta) as { om_import: { source_id: string } }).om_import.source_id, memory.content)).sort();
}

async function userSummaries(config: TargetConfig): Promise<Record<string, string>> {
  const target = await open(config);
  const users = await target.executor.all<{ user_id: string; summary: string }>(`select user_id, summary from ${target.dialect.qualified(target.dialect.tables.users)}`);
  return Object.fromEntries(users.map((user) => [user.user_id, user.summary]));
}

function invalidatedFacts(account: ZepAccount): number {
  return Object.values(account.edges).flat().filter((edge) => edge.invalid_at || edge.expired_at).length;
}

describe('Zep Cloud v3 through importFrom into SQLite', () => {
  it('lands every message, current fact, data episode and thread summary under its user; a second run writes nothing', async () => {
    const account = smallAccount();
    const served = await fake(account);
    const config = sqliteTarget();
    const { report } = await run(served, account, config);

    expect(report.api).toBe('Zep Cloud v3 (threads)');
    expect(report.account).toBe(account.projectUuid);
    const expected = expectedRows(account, 'v3');
    expect(await storedRows(config)).toEqual(expected);
    expect(report.totals).toMatchObject({ created: expected.length, updated: 0, skipped: invalidatedFacts(account) });
    expect(report.warnings).toEqual([]);
    // Threads without a user and standalone graphs are tenants of their own.
    expect(report.tenants.map((tenant) => tenant.tenant)).toEqual([
      'graph:graph-company-handbook', 'graph:graph-product-catalog', 'thread:orphan-session-1', 'thread:orphan-session-2',
      'user-0001', 'user-0002', 'user-0003', 'user-0004', 'user-0005',
    ]);
    const reasons = report.tenants.flatMap((tenant) => tenant.skippedReasons.map((skip) => skip.reason));
    expect(reasons).toHaveLength(invalidatedFacts(account));
    for (const reason of reasons) expect(reason).toMatch(/^fact (invalidated|expired) at \d{4}-\d\d-\d\dT.*Z; --include invalidated-facts imports it$/);

    // users.summary is Zep's user summary (the user node's), not OpenMemory's generated one.
    const summaries = await userSummaries(config);
    for (const user of account.users) expect(summaries[user.user_id]).toBe(account.userNodes[user.user_id]!.summary);
    expect(summaries['thread:orphan-session-1']).toMatch(/^\d+ memories/);

    const target = await open(config);
    const before = await importedState(target);
    const second = await run(served, account, config);
    expect(second.report.incrementalSince).not.toBeNull();
    expect(second.report.totals).toMatchObject({ created: 0, updated: 0 });
    expect(second.report.users).toEqual([]);
    expect(await importedState(target)).toEqual(before);
    expect(await userSummaries(config)).toEqual(summaries);
    const fresh = await run(served, account, config, { fresh: true });
    expect(fresh.report.totals).toMatchObject({ created: 0, updated: 0, unchanged: expected.length });
    expect(await importedState(target)).toEqual(before);
  });

  it('the tricky account: URL-encoded user ids, every role, unicode, an empty message, invalidated and expired facts', async () => {
    const account = tinyZepAccount();
    const served = await fake(account);
    const config = sqliteTarget();
    const { report } = await run(served, account, config, {}, { pageSize: 3 });
    expect(await storedRows(config)).toEqual(expectedRows(account, 'v3'));
    expect(served.requests.some((request) => request.path === '/api/v2/users/a%2Fb%20c%40d/threads')).toBe(true);
    const ana = report.tenants.find((tenant) => tenant.tenant === tinyEncodedUserId);
    expect(ana?.skippedReasons).toEqual([{ sourceId: 'c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4a07', reason: 'empty message text', kind: 'no-text' }]);
    const jane = report.tenants.find((tenant) => tenant.tenant === 'user-jane');
    expect(jane?.skippedReasons).toEqual([
      { sourceId: '9b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d02', reason: 'fact invalidated at 2024-11-02T14:03:15.220Z; --include invalidated-facts imports it', kind: 'invalidated' },
      { sourceId: '9b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d03', reason: 'fact expired at 2024-11-02T14:03:20.000Z; --include invalidated-facts imports it', kind: 'invalidated' },
    ].sort((a, b) => b.sourceId.localeCompare(a.sourceId)));
    const summaries = await userSummaries(config);
    expect(summaries[tinyEncodedUserId]).toBe(account.userNodes[tinyEncodedUserId]!.summary);
    expect(summaries['user-jane']).toBe(account.userNodes['user-jane']!.summary);

    // The role, the speaker and the message metadata are in meta; the tags say what it is.
    const target = await open(config);
    const [tool] = await target.executor.all<{ tags: string; meta: string }>(
      `select tags, meta from ${target.dialect.qualified(target.dialect.tables.memories)} where content like 'Event created:%'`,
    );
    expect(JSON.parse(tool!.tags)).toEqual(['zep.message', 'tool']);
    expect(JSON.parse(tool!.meta)).toMatchObject({ om_import: { source: 'zep', source_kind: 'zep.message', role: 'tool', fields: { thread_id: 'tiny-thread-1', speaker: 'calendar' } } });

    // A summary Zep no longer has is forgotten: OpenMemory's generated one takes its place.
    delete account.userNodes['user-jane'];
    await run(served, account, config);
    expect((await userSummaries(config))['user-jane']).toMatch(/^\d+ memories/);

    // --include invalidated-facts imports them, flagged.
    const withStale = await run(served, account, config, { fresh: true }, { include: ['messages', 'facts', 'data', 'summaries', 'invalidated-facts'] });
    expect(withStale.report.totals).toMatchObject({ created: 2, updated: 0 });
    expect(withStale.report.tenants.find((tenant) => tenant.tenant === 'user-jane')?.flagged).toEqual({ 'invalidated-fact': 2 });
  });

  it('--include and --user-id narrow what is read', async () => {
    const account = smallAccount();
    const served = await fake(account);
    const config = sqliteTarget();
    const { report } = await run(served, account, config, {}, { userIds: ['user-0002', 'graph:graph-product-catalog'], include: ['facts'] });
    const currentFacts = [...(account.edges['user-0002'] ?? []), ...(account.edges['graph-product-catalog'] ?? [])].filter((edge) => !edge.invalid_at && !edge.expired_at);
    expect(await storedRows(config)).toEqual(expectedRows(account, 'v3').filter((line) => currentFacts.some((edge) => line.includes(` | ${edge.uuid} | `))));
    expect(currentFacts.length).toBeGreaterThan(3);
    expect(report.tenants.map((tenant) => tenant.tenant)).toEqual(['graph:graph-product-catalog', 'user-0002']);
    // No user listing, no thread, message, summary or episode request: the detection probe, the account, the facts.
    expect(served.requests.map((request) => `${request.method} ${request.path.split('?')[0]}`).sort()).toEqual([
      'GET /api/v2/threads',
      'GET /api/v2/users-ordered',
      'POST /api/v2/graph/edge/graph/graph-product-catalog',
      'POST /api/v2/graph/edge/user/user-0002',
      'POST /api/v2/graph/edge/user/user-0002',
    ]);
  });

  it('an incremental run reads the messages only of threads whose listing shows a change', async () => {
    const account = smallAccount();
    const served = await fake(account);
    const config = sqliteTarget();
    await run(served, account, config);
    const thread = account.threads.find((candidate) => candidate.thread_id === 'thread-user-0003-2')!;
    account.messages[thread.thread_id]!.push({ uuid: 'new-message-1', created_at: new Date().toISOString(), role: 'user', name: 'Amira', content: 'I adopted a cat named Pixel.' });
    thread.updated_at = new Date().toISOString();
    served.requests.length = 0;
    const { report } = await run(served, account, config);
    expect(report.totals).toMatchObject({ created: 1, updated: 0 });
    const messagePaths = new Set(served.requests.filter((request) => request.path.includes('/messages')).map((request) => request.path.split('?')[0]));
    // The changed thread, and the orphan threads, whose listing shows no updated_at.
    expect([...messagePaths].sort()).toEqual([
      '/api/v2/threads/orphan-session-1/messages',
      '/api/v2/threads/orphan-session-2/messages',
      '/api/v2/threads/thread-user-0003-2/messages',
    ]);
  });

  it('a users page count that disagrees with total_count is a warning in the report', async () => {
    const account = smallAccount();
    const served = await fake(account, { wrongTotalCount: true });
    const { report } = await run(served, account, sqliteTarget());
    expect(report.warnings).toEqual(['users: listed 5 users but the source announced 6; run again to pick up what changed during the run']);
    expect(report.totals.created).toBe(expectedRows(account, 'v3').length);
  });

  it('a run killed mid-way, then resumed, gives the rows of a clean run and keeps summaries fetched before the kill', async () => {
    const account = smallAccount();
    const served = await fake(account);
    const clean = sqliteTarget();
    await run(served, account, clean);

    const config = sqliteTarget();
    let seen = 0;
    const killAfter = (limit: number) => (source: Source): Source => ({
      name: source.name,
      filtersByUpdateTime: source.filtersByUpdateTime,
      ...(source.scope ? { scope: source.scope } : {}),
      account: () => source.account(),
      partitions: () => source.partitions(),
      async *items(partition, options) {
        for await (const item of source.items(partition, options)) {
          if (++seen > limit) throw new Error('killed');
          yield item;
        }
      },
    });
    // One partition at a time, small batches: user-0001 finishes, user-0002 is cut off half-way.
    await expect(run(served, account, config, { concurrency: 1, batchSize: 5 }, {}, killAfter(45))).rejects.toThrow('killed');
    const partial = await storedRows(config);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(expectedRows(account, 'v3').length);

    const resumed = await run(served, account, config, { concurrency: 1 });
    expect(resumed.report.resumed).toBe(true);
    // user-0001 was finished before the kill and is not read again: its counts in the whole run's report are the
    // first leg's alone (read again, they would count twice), and they are all the first leg finished.
    const finishedFirst = resumed.report.tenants.find((tenant) => tenant.tenant === 'user-0001')!;
    expect(finishedFirst.fetched).toBeGreaterThan(0);
    expect(resumed.report.resumedTotals).toMatchObject({ fetched: finishedFirst.fetched, created: finishedFirst.created });
    expect(await importedState(await open(config))).toEqual(await importedState(await open(clean)));
    const summaries = await userSummaries(config);
    expect(summaries['user-0001']).toBe(account.userNodes['user-0001']!.summary);
    expect(summaries['user-0002']).toBe(account.userNodes['user-0002']!.summary);
    expect(summaries).toEqual(await userSummaries(clean));
  });

  it('a fault storm (429 with and without Retry-After, 5xx, resets, slow pages) completes with nothing lost', async () => {
    const account = smallAccount();
    const served = await fake(account, { faults: { every: 4, kinds: ['429', '500', 'reset', '429-no-retry-after', '502', 'slow', '503'], retryAfterSeconds: 0.01, slowMs: 20 } });
    const config = sqliteTarget();
    const { report } = await run(served, account, config, {}, { concurrency: 8 });
    expect(report.warnings).toEqual([]);
    expect(served.stats.faults).toBeGreaterThan(10);
    expect(await storedRows(config)).toEqual(expectedRows(account, 'v3'));
  });

  it('paces itself by the X-RateLimit headers: a rate-limited account is read without a single 429', async () => {
    const account = smallAccount();
    const served = await fake(account, { rateLimitPerMinute: 60, rateLimitWindowMs: 500 });
    const config = sqliteTarget();
    const { report } = await run(served, account, config, {}, { concurrency: 4 });
    expect(served.stats.rateLimited).toBe(0);
    expect(served.stats.requests).toBeGreaterThan(60); // more than one window's worth
    expect(report.totals.created).toBe(expectedRows(account, 'v3').length);
  });

  it('--save-export, then --from-file on the snapshot, lands on the same memories offline', async () => {
    const account = smallAccount();
    const served = await fake(account);
    const live = sqliteTarget();
    const exportDir = tempDir();
    const { report } = await run(served, account, live, { saveExportDir: exportDir });
    expect(report.exportFile).not.toBeNull();
    const [file] = readdirSync(exportDir);

    const offline = sqliteTarget();
    const opened = zepSource({ fromFile: path.join(exportDir, file!) });
    const replay = await importFrom({ source: opened.source, target: offline, env: {} });
    expect(replay.account).toBe(account.projectUuid);
    expect(replay.api).toBe('snapshot of Zep Cloud v3 (threads)');
    expect(replay.totals).toMatchObject({ created: report.totals.created, skipped: report.totals.skipped });
    expect(await importedState(await open(offline))).toEqual(await importedState(await open(live)));
    expect(await userSummaries(offline)).toEqual(await userSummaries(live));
  });
});

describe('the same account on every API generation', () => {
  it('v2 (sessions) gives the memories of v3; CE gives its messages (it has no graph and no summaries)', async () => {
    const account = smallAccount();
    const results: Record<ZepGeneration, { rows: string[]; api: string | null; summaries: Record<string, string> }> = {} as never;
    for (const generation of ['v3', 'v2', 'ce'] as const) {
      const served = await fake(account, { generation });
      const config = sqliteTarget();
      const { report } = await run(served, account, config);
      results[generation] = { rows: await storedRows(config), api: report.api, summaries: await userSummaries(config) };
      expect(report.warnings).toEqual([]);
    }
    expect(results.v3.api).toBe('Zep Cloud v3 (threads)');
    expect(results.v2.api).toBe('Zep Cloud v2 (sessions)');
    expect(results.ce.api).toBe('Zep Community Edition 1.x');
    expect(results.v2.rows).toEqual(results.v3.rows);
    expect(results.ce.rows).toEqual(expectedRows(account, 'ce'));
    expect(results.ce.rows).toEqual(results.v3.rows.filter((line) => expectedRows(account, 'ce').includes(line)));
    expect(results.v2.summaries).toEqual(results.v3.summaries);
    for (const user of account.users) expect(results.ce.summaries[user.user_id]).toMatch(/^\d+ memories/); // OpenMemory's own
  });

  it('requests per user on v3: a user with 5 threads of 40 messages and 20 facts costs 14 requests', async () => {
    const account = generatedZepAccount({ users: 2, threadsPerUser: 5, messagesPerThread: 40, factsPerUser: 20 });
    const served = await fake(account);
    await run(served, account, sqliteTarget(), {}, { pageSize: 100 });
    const perUser = served.requests.filter((request) => request.path.includes('user-0001')).map((request) => `${request.method} ${request.path.split('?')[0]}`);
    // node 1, threads 1, messages 5 (one page each), thread summaries 1, facts 1, episodes 5 (200 message copies + 2 data, 50 a page).
    expect(perUser).toHaveLength(14);
    expect(served.requests.length).toBe(2 * 14 + 1 /* detection */ + 1 /* users */ + 1 /* threads */ + 1 /* graphs */);
  });

  it('--base-url as the SDK takes it; legacy and unknown servers are refused with a clear error', async () => {
    expect(zepBaseUrl(undefined)).toBe('https://api.getzep.com/api/v2');
    expect(zepBaseUrl('http://localhost:8000')).toBe('http://localhost:8000/api/v2');
    expect(zepBaseUrl('http://localhost:8000/')).toBe('http://localhost:8000/api/v2');
    expect(zepBaseUrl('https://zep.example.com/proxy/api/v2/')).toBe('https://zep.example.com/proxy/api/v2');
    expect(() => zepSource({ apiKey: 'k', baseUrl: 'http://localhost:8000/api/v1' })).toThrow(/legacy Zep 0\.x server.*not support/);
    const served = await fake(tinyZepAccount());
    const opened = zepSource({ apiKey: 'z_tiny-key-0000', baseUrl: `${served.url}/elsewhere` });
    await expect(importFrom({ source: opened.source, target: sqliteTarget(), env: {} })).rejects.toThrow(/no Zep API answers at .*\/elsewhere.*check --base-url/);
    await opened.http?.close();
    const refused = zepSource({ apiKey: 'wrong', baseUrl: served.url });
    await expect(importFrom({ source: refused.source, target: sqliteTarget(), env: {} })).rejects.toThrow(/refused \(HTTP 401\): check the Zep API key \(--api-key or ZEP_API_KEY\)/);
    await refused.http?.close();
  });
});
