import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mem0Source } from '../../adapters/mem0/index.js';
import { importFrom, type ImportOptions } from '../../src/pipeline/import.js';
import { loadTenantMap } from '../../src/pipeline/tenant-map.js';
import { openTarget, type TargetConfig } from '../../src/database/open-target.js';
import type { Target } from '../../src/database/target.js';
import { generatedMem0Account, type Mem0Account, type Mem0WireMemory } from '../fakes/mem0/mem0-account.js';
import type { Mem0FakeOptions } from '../fakes/mem0/mem0-handlers.js';
import type { ServedHandlers } from '../fakes/serve-handlers.js';
import { importedState } from '../support/database-snapshot.js';
import { startMem0Fake } from '../support/mem0-fake.js';
import { backends } from '../support/targets.js';
import { tempDir } from '../support/temp.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function fake(account: Mem0Account, options: Mem0FakeOptions = {}): Promise<ServedHandlers> {
  const served = await startMem0Fake(account, options);
  cleanups.push(served.close);
  return served;
}

async function open(config: TargetConfig): Promise<Target> {
  const target = await openTarget(config);
  cleanups.push(() => target.close());
  return target;
}

/** One import from the fake API; fast retries so fault storms take milliseconds. */
async function run(served: ServedHandlers, account: Mem0Account, target: TargetConfig, extra: Partial<ImportOptions> = {}) {
  const { source, http } = mem0Source({ apiKey: account.apiKey, baseUrl: served.url, requestsPerSecond: 1000, concurrency: 4, pageSize: 7 });
  try {
    return await importFrom({ source, target, env: {}, ...extra });
  } finally {
    await http?.close();
  }
}

function smallAccount(): Mem0Account {
  const account = generatedMem0Account({ users: 3, perUser: 12 });
  const agentOnly: Mem0WireMemory = {
    id: 'agent-only-1',
    memory: 'The support bot answers in English',
    agent_id: 'support-bot',
    created_at: '2026-01-02T00:00:00Z',
    updated_at: '2026-01-02T00:00:00Z',
  };
  const sharedWithAgent = { ...(account.memories[0] as Mem0WireMemory), agent_id: 'support-bot' };
  account.memories[0] = sharedWithAgent;
  account.memories.push(agentOnly, { id: 'broken-1', user_id: 'user-1', created_at: 'x' });
  return account;
}

describe.each(backends)('import from the Mem0 API into %s', (_name, makeTarget) => {
  it('lands every memory under its tenant with vectors, waypoints and a summary; a second run writes nothing', async () => {
    const account = smallAccount();
    const served = await fake(account);
    const config = await makeTarget();
    const first = await run(served, account, config);
    expect(first.totals).toMatchObject({ created: 37, updated: 0, unchanged: 0, skipped: 1 });
    expect(first.tenants.find((t) => t.tenant === 'user-1')?.skippedReasons).toEqual([{ sourceId: 'broken-1', reason: 'no text in `memory`', kind: 'no-text' }]);

    const target = await open(config);
    const perUser = await target.executor.all<{ user_id: string; n: number }>(
      `select user_id, count(*) as n from ${target.dialect.qualified(target.dialect.tables.memories)} group by user_id order by user_id`,
    );
    expect(perUser.map((row) => [row.user_id, Number(row.n)])).toEqual([['agent:support-bot', 1], ['user-0', 12], ['user-1', 12], ['user-2', 12]]);
    const { tables, qualified } = target.dialect;
    const vectorsWithoutMemory = await target.executor.all(
      `select v.id from ${qualified(tables.vectors)} v left join ${qualified(tables.memories)} m on cast(m.id as text) = cast(v.id as text) where m.id is null or m.user_id <> v.user_id`,
    );
    expect(vectorsWithoutMemory).toEqual([]);
    const crossUser = await target.executor.all(
      `select w.src_id from ${qualified(tables.waypoints)} w join ${qualified(tables.memories)} s on cast(s.id as text) = w.src_id
        join ${qualified(tables.memories)} d on cast(d.id as text) = w.dst_id where s.user_id <> d.user_id or w.user_id <> s.user_id`,
    );
    expect(crossUser).toEqual([]);
    const [waypointCount] = await target.executor.all<{ n: number }>(`select count(*) as n from ${qualified(tables.waypoints)}`);
    expect(Number(waypointCount!.n)).toBe(37);
    const users = await target.executor.all<{ user_id: string; summary: string }>(`select user_id, summary from ${qualified(tables.users)} order by user_id`);
    expect(users.map((u) => u.user_id)).toEqual(['agent:support-bot', 'user-0', 'user-1', 'user-2']);
    expect(users[1]!.summary).toMatch(/^12 memories, \d+ patterns \| /);
    const before = await importedState(target);

    // Everything fetched again (--fresh): all unchanged, nothing written.
    const second = await run(served, account, config, { fresh: true });
    expect(second.totals).toMatchObject({ created: 0, updated: 0, unchanged: 37, skipped: 1 });
    expect(second.users).toEqual([]);
    expect(await importedState(target)).toEqual(before);
    // An incremental run fetches nothing that did not change.
    const third = await run(served, account, config);
    expect(third.totals).toMatchObject({ fetched: 0, created: 0, updated: 0 });
    expect(await importedState(target)).toEqual(before);
  });

  it('incremental runs ask only for what changed; a changed record is rebuilt, a remapped tenant moves', async () => {
    const account = smallAccount();
    const served = await fake(account);
    const config = await makeTarget();
    await run(served, account, config);

    const changed = account.memories[5] as Mem0WireMemory;
    changed.memory = 'Now prefers light mode, after all';
    changed.updated_at = new Date(Date.now() + 60_000).toISOString();
    served.requests.length = 0;
    const second = await run(served, account, config);
    expect(second.incrementalSince).not.toBeNull();
    expect(second.totals).toMatchObject({ created: 0, updated: 1 });
    const listing = served.requests.find((r) => r.path.startsWith('/v3/memories/'));
    expect(JSON.parse(listing!.body)).toMatchObject({ filters: { AND: [expect.any(Object), { updated_at: { gte: expect.any(String) } }] } });

    const target = await open(config);
    const { tables, qualified } = target.dialect;
    const [row] = await target.executor.all<{ content: string }>(`select content from ${qualified(tables.memories)} where content like 'Now prefers%'`);
    expect(row?.content).toBe('Now prefers light mode, after all');

    // user-2 now maps onto user-0: its memories move with every row.
    const mapFile = path.join(tempDir(), 'map.json');
    writeFileSync(mapFile, JSON.stringify({ 'user-2': 'user-0' }));
    const third = await run(served, account, config, { tenantMap: loadTenantMap(mapFile), fresh: true });
    expect(third.totals).toMatchObject({ updated: 12, created: 0 });
    const owners = await target.executor.all<{ user_id: string; n: number }>(
      `select user_id, count(*) as n from ${qualified(tables.vectors)} group by user_id order by user_id`,
    );
    expect(owners.map((o) => o.user_id)).toEqual(['agent:support-bot', 'user-0', 'user-1']);
    const stale = await target.executor.all(`select src_id from ${qualified(tables.waypoints)} where user_id = 'user-2'`);
    expect(stale).toEqual([]);
    const crossUser = await target.executor.all(
      `select w.src_id from ${qualified(tables.waypoints)} w join ${qualified(tables.memories)} d on cast(d.id as text) = w.dst_id where d.user_id <> w.user_id`,
    );
    expect(crossUser).toEqual([]);
  });

  it('a fault storm (429 with Retry-After, 5xx, resets, slow and malformed pages) completes with nothing lost', async () => {
    const account = smallAccount();
    const clean = await fake(account);
    const cleanConfig = await makeTarget();
    await run(clean, account, cleanConfig);

    const stormy = await fake(account, {
      faults: { every: 2, kinds: ['429', '500', 'reset', '502', 'malformed', '503', 'slow'], retryAfterSeconds: 0.01, slowMs: 50 },
    });
    const stormConfig = await makeTarget();
    const report = await run(stormy, account, stormConfig);
    expect(report.totals).toMatchObject({ created: 37, skipped: 1 });
    expect(await importedState(await open(stormConfig))).toEqual(await importedState(await open(cleanConfig)));
  });

  it('a dry run reports what would change and writes nothing', async () => {
    const account = smallAccount();
    const served = await fake(account);
    const config = await makeTarget();
    await run(served, account, config);
    (account.memories[3] as Mem0WireMemory).memory = 'changed text';
    const target = await open(config);
    const before = await importedState(target);
    const report = await run(served, account, config, { dryRun: true, fresh: true });
    expect(report.totals).toMatchObject({ updated: 1, unchanged: 36 });
    expect(await importedState(target)).toEqual(before);
  });

  it('two users with identical content get separate memories, vectors and waypoints', async () => {
    const at = '2026-02-01T00:00:00Z';
    const same = (id: string, user: string): Mem0WireMemory => ({ id, memory: 'Loves hiking in the Alps', user_id: user, created_at: at, updated_at: at });
    const account: Mem0Account = {
      ...generatedMem0Account({ users: 0, perUser: 0 }),
      memories: [same('a1', 'ann'), same('b1', 'ben'), { ...same('a2', 'ann'), memory: 'Loves hiking in the Alps, every summer' }],
    };
    const served = await fake(account);
    const config = await makeTarget();
    await run(served, account, config);
    const target = await open(config);
    const { tables, qualified } = target.dialect;
    const memories = await target.executor.all<{ id: string; user_id: string }>(`select id, user_id from ${qualified(tables.memories)}`);
    expect(memories).toHaveLength(3);
    const owner = new Map(memories.map((m) => [String(m.id), m.user_id]));
    const waypoints = await target.executor.all<{ src_id: string; dst_id: string; user_id: string }>(`select src_id, dst_id, user_id from ${qualified(tables.waypoints)}`);
    expect(waypoints).toHaveLength(3);
    for (const waypoint of waypoints) {
      expect(owner.get(waypoint.src_id)).toBe(waypoint.user_id);
      expect(owner.get(waypoint.dst_id)).toBe(waypoint.user_id);
    }
    const vectors = await target.executor.all<{ id: string; user_id: string }>(`select id, user_id from ${qualified(tables.vectors)}`);
    for (const vector of vectors) expect(vector.user_id).toBe(owner.get(String(vector.id)));
  });

  it('refuses to mix vector dimensions, naming both and the variable to set', async () => {
    const account = smallAccount();
    const served = await fake(account);
    const config = await makeTarget();
    await run(served, account, config);
    await expect(run(served, account, config, { env: { OM_VEC_DIM: '384' }, fresh: true })).rejects.toThrow(
      /already holds 256-dimensional vectors.*give 384.*OM_VEC_DIM=256/,
    );
  });

  it('--user-id reads only the named users', async () => {
    const account = smallAccount();
    const served = await fake(account);
    const { source, http } = mem0Source({ apiKey: account.apiKey, baseUrl: served.url, userIds: ['user-2'], requestsPerSecond: 1000 });
    const report = await importFrom({ source, target: await makeTarget(), env: {} });
    await http?.close();
    expect(report.tenants.map((t) => [t.tenant, t.created])).toEqual([['user-2', 12]]);
    expect(served.requests.some((r) => r.path.startsWith('/v1/entities/'))).toBe(false);
  });

  it('--unmapped fail stops before writing anything', async () => {
    const account = smallAccount();
    const served = await fake(account);
    const config = await makeTarget();
    const mapFile = path.join(tempDir(), 'map.json');
    writeFileSync(mapFile, JSON.stringify({ 'user-0': 'zero' }));
    await expect(run(served, account, config, { tenantMap: loadTenantMap(mapFile, 'fail') })).rejects.toThrow(/not in --user-map/);
    // An export file does not list its users up front: it is checked whole before anything is written.
    const exportFile = path.join(tempDir(), 'export.json');
    writeFileSync(exportFile, JSON.stringify(account.memories));
    await expect(
      importFrom({ source: mem0Source({ fromFile: exportFile }).source, target: config, env: {}, tenantMap: loadTenantMap(mapFile, 'fail'), batchSize: 2 }),
    ).rejects.toThrow(/source user "user-1" is not in --user-map/);
    // Not even migrated: the source was checked before the target was touched.
    const target = await open(config);
    expect(['missing', 'empty']).toContain((await target.inspect()).state.name);
  });
});
