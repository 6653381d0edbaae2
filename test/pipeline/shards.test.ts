// Shards (issue 10, items 2 and 3): n processes import one account into one database, each the OpenMemory users of
// its shard, and together write exactly what one unsharded run writes; a second run of a running shard is refused.
import path from 'node:path';
import { readdirSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { mem0Source } from '../../adapters/mem0/index.js';
import { UsageError } from '../../src/errors.js';
import { importFrom } from '../../src/pipeline/import.js';
import { ownsUser, resolveShard, shardOfUser, type Shard } from '../../src/pipeline/shard.js';
import { TenantMap } from '../../src/pipeline/tenant-map.js';
import type { Source, SourceItem } from '../../src/records.js';
import { verifyDatabase } from '../../src/verify.js';
import { openTarget, resolveTargetConfig, type TargetConfig } from '../../src/database/open-target.js';
import { acquireRunLock } from '../../src/database/run-lock.js';
import { generatedMem0Account } from '../fakes/mem0/mem0-account.js';
import type { ServedHandlers } from '../fakes/serve-handlers.js';
import { cleanEnv, runCliProcess, startCli } from '../support/cli.js';
import { cleanAndResumedRuns, importedUsers, killTargets, stateOf } from '../support/kill-targets.js';
import { startMem0Fake } from '../support/mem0-fake.js';
import { createTestDatabase } from '../support/postgres.js';
import { tempDir } from '../support/temp.js';
import { testSource } from '../support/test-source.js';

const servers: ServedHandlers[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

const apiKey = 'm0-secret-key-for-shard-tests';
/** 12 users; three of them mapped onto one OpenMemory user, which must stay whole in one shard. */
const account = generatedMem0Account({ users: 12, perUser: 6, apiKey });
const manyToOne = () => new TenantMap(new Map([['user-1', 'household'], ['user-5', 'household'], ['user-9', 'household']]));

async function importShards(served: ServedHandlers, target: TargetConfig, shards: (Shard | null)[]): Promise<void> {
  // All shards at once, each with its own connection, as separate processes would.
  await Promise.all(
    shards.map(async (shard) => {
      const { source, http } = mem0Source({ apiKey, baseUrl: served.url, requestsPerSecond: 1000, pageSize: 4 });
      try {
        await importFrom({ source, target, env: {}, tenantMap: manyToOne(), shard });
      } finally {
        await http?.close();
      }
    }),
  );
}

describe('which shard a user belongs to', () => {
  it('is stable, covers every user exactly once, and --shard / --shards with JOB_COMPLETION_INDEX name it', () => {
    const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    for (const count of [1, 2, 4, 7]) {
      for (const user of users) {
        const owners = Array.from({ length: count }, (_, index) => index).filter((index) => ownsUser({ index, count }, user));
        expect(owners).toEqual([shardOfUser(user, count)]);
      }
    }
    expect(shardOfUser('alice', 4)).toBe(shardOfUser('alice', 4));
    expect(resolveShard({ shard: '2/4' }, {})).toEqual({ index: 2, count: 4 });
    expect(resolveShard({ shards: 3 }, { JOB_COMPLETION_INDEX: '1' })).toEqual({ index: 1, count: 3 });
    expect(resolveShard({}, { JOB_COMPLETION_INDEX: '1' })).toBeNull();
    for (const [flags, env, message] of [
      [{ shard: '4/4' }, {}, /index must be 0 to 3/],
      [{ shard: 'two' }, {}, /expected i\/n/],
      [{ shards: 3 }, {}, /JOB_COMPLETION_INDEX/],
      [{ shard: '0/2', shards: 2 }, {}, /exclude each other/],
    ] as const) {
      expect(() => resolveShard(flags, env)).toThrow(UsageError);
      expect(() => resolveShard(flags, env)).toThrow(message);
    }
  });
});

describe('sharded imports into one PostgreSQL database, all shards at once', () => {
  it('1, 2 and 4 shards write exactly what one unsharded run writes, a many-to-one user included', async () => {
    const served = await startMem0Fake(account);
    servers.push(served);
    const unsharded = resolveTargetConfig({ pg: await createTestDatabase() }, {});
    await importShards(served, unsharded, [null]);
    const expected = await stateOf(unsharded);
    expect((await importedUsers(unsharded)).get('household')!.contents).toHaveLength(18);
    for (const count of [1, 2, 4]) {
      const sharded = resolveTargetConfig({ pg: await createTestDatabase() }, {});
      await importShards(served, sharded, Array.from({ length: count }, (_, index) => ({ index, count })));
      expect({ count, state: await stateOf(sharded) }).toEqual({ count, state: expected });
      expect(await importedUsers(sharded)).toEqual(await importedUsers(unsharded));
    }
  });

  it('each shard resumes and reads incrementally on its own', async () => {
    const served = await startMem0Fake(account);
    servers.push(served);
    const target = resolveTargetConfig({ pg: await createTestDatabase() }, {});
    await importShards(served, target, [{ index: 0, count: 2 }, { index: 1, count: 2 }]);
    const { source, http } = mem0Source({ apiKey, baseUrl: served.url, requestsPerSecond: 1000 });
    const again = await importFrom({ source, target, env: {}, tenantMap: manyToOne(), shard: { index: 1, count: 2 } });
    await http?.close();
    expect(again.incrementalSince).not.toBeNull(); // shard 1's own last completed run
    expect(again.tenants.every((tenant) => ownsUser({ index: 1, count: 2 }, tenant.userId ?? ''))).toBe(true);
  });
});

describe('runs of two shards, one after the other', () => {
  it('neither abandon the other shard’s interrupted run nor make its next run read everything', async () => {
    const target: TargetConfig = { kind: 'sqlite', path: path.join(tempDir(), 'openmemory.sqlite'), vectorTable: undefined };
    const users = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'];
    const [first, second] = [{ index: 0, count: 2 }, { index: 1, count: 2 }];
    const failing = users.filter((user) => shardOfUser(user, 2) === 0)[1]!;
    const notes = (failIn: string | null): Source => ({
      ...testSource(users, function* (user) {
        for (let i = 0; i < 3; i++) {
          const record = {
            sourceKind: 'test.note', sourceId: `${user}-${i}`, tenantKey: user, content: `${user} note ${i}`, role: null,
            tags: [], metadata: {}, sourceFields: {}, createdAt: Date.UTC(2026, 0, 1 + i), updatedAt: Date.UTC(2026, 0, 1 + i),
          };
          yield { type: 'memory', record, raw: record };
        }
        if (user === failIn) throw new Error(`the source failed while reading ${user}`);
      }),
      filtersByUpdateTime: true,
    });
    const run = (shard: Shard, failIn: string | null = null) => importFrom({ source: notes(failIn), target, env: {}, concurrency: 1, shard });

    await expect(run(first, failing)).rejects.toThrow(/while reading/);
    await run(second); // starts, and completes, after shard 0's interrupted run
    const resumed = await run(first);
    expect(resumed).toMatchObject({ resumed: true });
    expect(resumed.incrementalSince).toBeNull(); // shard 0 never completed before
    // Each shard's next run builds on its own last completed run, whatever the other shard did since.
    const againSecond = await run(second);
    expect(againSecond).toMatchObject({ resumed: false, fullFetchReason: null });
    expect(againSecond.incrementalSince).not.toBeNull();
    const againFirst = await run(first);
    expect(againFirst).toMatchObject({ resumed: false, fullFetchReason: null });
    expect(againFirst.incrementalSince).not.toBeNull();
  });
});

describe('shards starting at the same moment on a new PostgreSQL database', () => {
  it('all get their claim: om-import creates its tables once, the others wait for it', async () => {
    // Unguarded, `create table if not exists` of two shards at once fails one of them now and then: 20 rounds.
    for (let round = 0; round < 20; round++) {
      const config = resolveTargetConfig({ pg: await createTestDatabase() }, {});
      const targets = await Promise.all([0, 1, 2, 3].map(() => openTarget(config)));
      try {
        const releases = await Promise.all(
          targets.map((target, index) => acquireRunLock(target, { targetKey: 'openmemory_memories', shard: { index, count: 4 }, source: 'mem0', account: 'a', now: 0 })),
        );
        for (const release of releases) await release();
      } finally {
        for (const target of targets) await target.close();
      }
    }
  });
});

describe('sharded imports into one SQLite file, one shard after another', () => {
  it('write what one unsharded run writes', async () => {
    const file = path.join(tempDir(), 'export.json');
    writeFileSync(file, JSON.stringify(account.memories));
    const unsharded = resolveTargetConfig({ db: path.join(tempDir(), 'om.sqlite') }, {});
    await importFrom({ source: mem0Source({ fromFile: file }).source, target: unsharded, env: {}, tenantMap: manyToOne() });
    const sharded = resolveTargetConfig({ db: path.join(tempDir(), 'om.sqlite') }, {});
    for (const index of [0, 1, 2]) {
      await importFrom({ source: mem0Source({ fromFile: file }).source, target: sharded, env: {}, tenantMap: manyToOne(), shard: { index, count: 3 } });
    }
    expect(await stateOf(sharded)).toEqual(await stateOf(unsharded));
  });
});

describe.each(killTargets)('a running shard (%s)', (_name, backend) => {
  it('refuses a second run of the same shard (and an unsharded one), naming the running one; another shard runs beside it', async () => {
    // Pages of 100 memories, each taking a second: the first run holds its shard for several seconds.
    const slow = generatedMem0Account({ users: 6, perUser: 250, apiKey });
    const served = await startMem0Fake(slow, { pageDelayMs: 1000 });
    servers.push(served);
    const cwd = tempDir();
    const flags = await backend.flags(cwd);
    const env = cleanEnv({ MEM0_API_KEY: apiKey });
    const first = startCli(['mem0', '--base-url', served.url, '--shard', '0/2', '--concurrency', '1', ...flags], { cwd, env });
    // Wait until the first run holds its claim (it has written something).
    for (let i = 0; i < 200 && (await backend.memories(flags, cwd)) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const same = await runCliProcess(['mem0', '--base-url', served.url, '--shard', '0/2', ...flags], { cwd, env });
    expect(same.code).toBe(1);
    expect(same.stderr.trim().split('\n')).toHaveLength(1);
    expect(same.stderr).toMatch(/another om-import run is importing shard 0\/2 of .*: mem0 \(.*\), shard 0\/2, started .* by [^:]+:\d+/);
    const whole = await runCliProcess(['mem0', '--base-url', served.url, ...flags], { cwd, env });
    expect(whole.code).toBe(1);
    expect(whole.stderr).toMatch(/another om-import run is importing into/);
    const other = await runCliProcess(['mem0', '--base-url', served.url, '--shard', '1/2', ...flags], { cwd, env });
    expect(other.stderr).toBe('');
    expect(other.code).toBe(0);
    expect((await first.done).code).toBe(0);
    expect(same.stdout + whole.stdout).toBe('');
  });

  it('kill -9 of a shard, then a re-run of that shard, gives what one clean run of it gives', async () => {
    const slow = generatedMem0Account({ users: 8, perUser: 30, apiKey });
    const served = await startMem0Fake(slow, { pageDelayMs: 150 });
    servers.push(served);
    const env = cleanEnv({ MEM0_API_KEY: apiKey });
    const total = slow.memories.filter((memory) => ownsUser({ index: 1, count: 2 }, (memory as { user_id: string }).user_id)).length;
    const { clean, resumed } = await cleanAndResumedRuns(backend, ['mem0', '--base-url', served.url, '--shard', '1/2'], env, total);
    expect(await stateOf(resumed)).toEqual(await stateOf(clean));
  });
});

describe('shards saving snapshots', () => {
  it('shards started together with --save-export into one folder each save their own file (the same name made one refuse to start)', async () => {
    const served = await startMem0Fake(account);
    servers.push(served);
    const target = resolveTargetConfig({ db: path.join(tempDir(), 'om.sqlite') }, {});
    const folder = path.join(tempDir(), 'exports');
    const now = () => Date.UTC(2026, 11, 6, 12, 0, 0);
    const reports = await Promise.all(
      [0, 1].map(async (index) => {
        const { source, http } = mem0Source({ apiKey, baseUrl: served.url, requestsPerSecond: 1000, pageSize: 4 });
        try {
          return await importFrom({ source, target, env: {}, shard: { index, count: 2 }, saveExportDir: folder, now });
        } finally {
          await http?.close();
        }
      }),
    );
    expect(readdirSync(folder).sort()).toEqual(reports.map((report) => path.basename(report.exportFile!)).sort());
    expect(readdirSync(folder).map((name) => name.replace(/^mem0-.*-(shard-\d-of-2)-\d{8}T\d{6}Z\.jsonl$/, '$1')).sort()).toEqual(['shard-0-of-2', 'shard-1-of-2']);
  });
});

describe('a shard that moves records away from another shard’s user', () => {
  it('leaves that user right itself (waypoints, summary), without waiting for the other shard’s next run', async () => {
    const memory = (id: string, tenantKey: string, text: string, day: number): SourceItem => ({
      type: 'memory',
      record: { sourceKind: 'test.memory', sourceId: id, tenantKey, content: text, role: null, tags: [], metadata: {}, sourceFields: {}, createdAt: Date.UTC(2026, 0, day), updatedAt: null },
      raw: null,
    });
    const itemsOf = (user: string): SourceItem[] =>
      user === 'alice'
        ? [{ type: 'tenant', tenant: { tenantKey: 'alice', summary: 'alice: a cellist' } }, memory('a1', 'alice', 'Plays the cello in an orchestra', 1), memory('a2', 'alice', 'Practises the cello every morning', 3)]
        : [{ type: 'tenant', tenant: { tenantKey: 'Alice', summary: 'Alice: a sailor' } }, memory('b1', 'Alice', 'Sails a small boat on weekends', 2), memory('b2', 'Alice', 'Sails to the islands in summer', 4)];
    const source = (): Source => testSource(['alice', 'Alice'], itemsOf);
    // Two users that fall into different shards of two.
    const kept = 'u0';
    const split = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'].find((name) => shardOfUser(name, 2) !== shardOfUser(kept, 2))!;
    const target = resolveTargetConfig({ db: path.join(tempDir(), 'om.sqlite') }, {});
    await importFrom({ source: source(), target, env: {}, tenantMap: new TenantMap(new Map([['alice', kept], ['Alice', kept]])) });
    // The map splits them; only the shard of the new user runs.
    const splitMap = new TenantMap(new Map([['alice', kept], ['Alice', split]]));
    await importFrom({ source: source(), target, env: {}, tenantMap: splitMap, shard: { index: shardOfUser(split, 2), count: 2 } });
    expect((await verifyDatabase(target, { env: {} })).violations).toEqual([]);
    const users = await importedUsers(target);
    expect(users.get(kept)).toEqual({ contents: ['Plays the cello in an orchestra', 'Practises the cello every morning'], summary: 'alice: a cellist' });
    expect(users.get(split)).toEqual({ contents: ['Sails a small boat on weekends', 'Sails to the islands in summer'], summary: 'Alice: a sailor' });
  });
});
