// The self-hosted reader against a fake mem0 2.x server: X-API-Key (or Bearer for a JWT), never `Token`;
// `GET /entities` for users, agents and runs; `top_k=1000&show_expired=true`; a listing at a cap said incomplete.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mem0Source } from '../../../adapters/mem0/index.js';
import { openTarget, resolveTargetConfig } from '../../../src/database/open-target.js';
import { AuthenticationError, UsageError } from '../../../src/errors.js';
import { importFrom } from '../../../src/pipeline/import.js';
import type { Partition, Source, SourceItem } from '../../../src/records.js';
import { ownedMem0Memories, type Mem0Account } from '../../fakes/mem0/mem0-account.js';
import type { Mem0SelfHostedOptions } from '../../fakes/mem0/mem0-handlers.js';
import type { ServedHandlers } from '../../fakes/serve-handlers.js';
import { startMem0SelfHostedFake } from '../../support/mem0-fake.js';
import { tempDir } from '../../support/temp.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const adminKey = 'admin-key-for-tests-0001';
const userKey = 'm0sk_user-key-for-tests';
const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl';

/** A user of 25 memories (and one expired), one of 1,200, an agent-only and a run-only memory, a user memory of the agent. */
function selfHostedAccount(): Mem0Account {
  return {
    apiKey: adminKey,
    orgId: '-',
    projectId: '-',
    memories: [
      ...ownedMem0Memories({ user_id: 'alice' }, 25, 1),
      { ...ownedMem0Memories({ user_id: 'alice' }, 1, 100)[0], memory: 'Had a trial until 2020', expiration_date: '2020-01-31' },
      { ...ownedMem0Memories({ user_id: 'carol', agent_id: 'helper' }, 1, 200)[0], created_at: '2026-01-01T00:00:00-08:00', updated_at: null },
      ...ownedMem0Memories({ agent_id: 'helper' }, 1, 300),
      ...ownedMem0Memories({ run_id: 'session-7' }, 1, 400),
      ...ownedMem0Memories({ user_id: 'bulk' }, 1200, 10_000),
    ],
  };
}

async function serve(account: Mem0Account, options: Mem0SelfHostedOptions = { apiKeys: [adminKey, userKey], jwts: [jwt] }): Promise<ServedHandlers> {
  const served = await startMem0SelfHostedFake(account, options);
  cleanups.push(served.close);
  return served;
}

function open(served: ServedHandlers, extra: { apiKey?: string; userIds?: string[]; knownUsers?: string[] } = {}): Source {
  const { source, http } = mem0Source({ apiKey: adminKey, baseUrl: served.url, selfHosted: true, requestsPerSecond: 1000, ...extra });
  cleanups.push(async () => http?.close());
  return source;
}

async function readAll(source: Source): Promise<Map<string, SourceItem[]>> {
  const read = new Map<string, SourceItem[]>();
  for await (const partition of source.partitions()) {
    const items: SourceItem[] = [];
    for await (const item of source.items(partition as Partition, { updatedSince: null })) items.push(item);
    read.set(partition.key, items);
  }
  return read;
}

const count = (items: SourceItem[] | undefined, type: SourceItem['type']): number => (items ?? []).filter((item) => item.type === type).length;

describe('the fake self-hosted server', () => {
  it('returns 20 memories without top_k, at most 1000 with it (422 above), and expired ones only with show_expired=true', async () => {
    const served = await serve(selfHostedAccount(), {});
    const get = async (query: string): Promise<{ status: number; results: number }> => {
      const response = await fetch(`${served.url}/memories?${query}`);
      const body = (await response.json()) as { results?: unknown[] };
      return { status: response.status, results: body.results?.length ?? -1 };
    };
    expect(await get('user_id=alice')).toEqual({ status: 200, results: 20 });
    expect(await get('user_id=alice&top_k=1000')).toEqual({ status: 200, results: 25 });
    expect(await get('user_id=alice&top_k=1000&show_expired=true')).toEqual({ status: 200, results: 26 });
    expect(await get('user_id=bulk&top_k=1000')).toEqual({ status: 200, results: 1000 });
    expect((await get('user_id=bulk&top_k=1001')).status).toBe(422);
    expect((await fetch(`${served.url}/memories/?user_id=alice`)).status).toBe(404); // no trailing slashes
  });
});

describe('the Mem0 self-hosted reader', () => {
  it('sends the key as X-API-Key (a JWT as Authorization: Bearer), never Authorization: Token; a refused key says which header it went in', async () => {
    const account = selfHostedAccount();
    const served = await serve(account);
    for (const apiKey of [adminKey, userKey]) {
      const read = await readAll(open(served, { apiKey, userIds: ['carol'] }));
      expect(count(read.get('user:carol'), 'memory')).toBe(1);
    }
    expect(served.requests.every((request) => request.headers['x-api-key'] !== undefined && request.headers['authorization'] === undefined)).toBe(true);
    served.requests.splice(0);
    await readAll(open(served, { apiKey: jwt, userIds: ['carol'] }));
    expect(served.requests.map((request) => [request.headers['authorization'], request.headers['x-api-key']])).toEqual([
      [`Bearer ${jwt}`, undefined],
      [`Bearer ${jwt}`, undefined],
    ]);
    // What the adapter used to send is refused by the server.
    const token = await fetch(`${served.url}/memories?user_id=carol`, { headers: { authorization: `Token ${adminKey}` } });
    expect(token.status).toBe(401);
    const refused = readAll(open(served, { apiKey: 'wrong-key', userIds: ['carol'] }));
    await expect(refused).rejects.toThrow(AuthenticationError);
    await expect(readAll(open(served, { apiKey: 'wrong-key', userIds: ['carol'] }))).rejects.toThrow(/HTTP 401\): check the key .*sent as X-API-Key.*Authorization: Bearer/);
  });

  it('reads every user, agent and run GET /entities lists, with top_k=1000 and show_expired=true; the 1,200-memory user is said incomplete, the 25-memory one is whole', async () => {
    const served = await serve(selfHostedAccount());
    const source = open(served);
    const read = await readAll(source);
    expect([...read.keys()].sort()).toEqual(['agent:helper', 'run:session-7', 'user:alice', 'user:bulk', 'user:carol']);
    const alice = read.get('user:alice')!;
    expect(count(alice, 'memory')).toBe(25);
    expect(alice.filter((item) => item.type === 'skipped').map((item) => item.type === 'skipped' && item.skipped)).toEqual([
      { sourceId: expect.any(String), tenantKey: 'alice', reason: 'expired after 2020-01-31 (expiration_date); --include expired imports it', kind: 'expired' },
    ]);
    expect(count(alice, 'warning')).toBe(0);
    const bulk = read.get('user:bulk')!;
    expect(count(bulk, 'memory')).toBe(1000);
    expect(bulk.filter((item) => item.type === 'warning')).toEqual([
      {
        type: 'warning',
        warning: {
          tenantKey: 'bulk',
          message: expect.stringMatching(/^listed 1000 memories, the most GET \/memories returns \(top_k 1000\): the listing is incomplete; .*nothing of it is pruned$/),
        },
      },
    ]);
    // carol's memory is listed under her agent too: read under carol only; the agent's and the run's own are theirs.
    expect(read.get('agent:helper')!.map((item) => item.type === 'memory' && item.record.tenantKey)).toEqual(['agent:helper']);
    expect(read.get('run:session-7')!.map((item) => item.type === 'memory' && item.record.tenantKey)).toEqual(['run:session-7']);
    // A US/Pacific time and a null updated_at (older servers) are read.
    expect(read.get('user:carol')![0]).toMatchObject({ record: { createdAt: Date.UTC(2026, 0, 1, 8), updatedAt: Date.UTC(2026, 0, 1, 8) } });
    const listings = served.requests.filter((request) => request.path.startsWith('/memories'));
    expect(listings.map((request) => new URL(request.path, served.url).searchParams.toString()).sort()).toEqual([
      'agent_id=helper&top_k=1000&show_expired=true',
      'run_id=session-7&top_k=1000&show_expired=true',
      'user_id=alice&top_k=1000&show_expired=true',
      'user_id=bulk&top_k=1000&show_expired=true',
      'user_id=carol&top_k=1000&show_expired=true',
    ]);
    expect(source.scope).toEqual({ users: 'all', include: ['memories', 'superseded'] });
  });

  it('--user-id names users or agent:/run: entities, each checked against what GET /entities counts of it', async () => {
    const served = await serve(selfHostedAccount());
    const read = await readAll(open(served, { userIds: ['agent:helper', 'bulk'] }));
    expect([...read.keys()]).toEqual(['agent:helper', 'user:bulk']);
    expect(count(read.get('agent:helper'), 'memory')).toBe(1);
    expect(read.get('user:bulk')!.find((item) => item.type === 'warning')).toMatchObject({ warning: { tenantKey: 'bulk' } });
  });

  it('a mem0 2.0.0 server, which refuses every listing, stops the run with a hint to upgrade it', async () => {
    const served = await serve(selfHostedAccount(), { refusesListings: true, noEntities: true });
    await expect(readAll(open(served, { userIds: ['alice'] }))).rejects.toThrow(
      /GET \/memories \(tenant alice\) failed with HTTP 400: .*Top-level entity parameters .* \(a mem0 2\.0\.0 server refuses every listing .*upgrade the server to 2\.0\.1 or later/,
    );
  });

  it('a server without GET /entities (before mem0 2.0.1) reads the users named, else says to name them', async () => {
    const served = await serve(selfHostedAccount(), { noEntities: true });
    // The fix is to name the users: a usage error (exit 2).
    await expect(readAll(open(served))).rejects.toThrow(UsageError);
    await expect(readAll(open(served))).rejects.toThrow(/has no GET \/entities .*name them with --user-id \(or in --user-map\)/);
    const read = await readAll(open(served, { knownUsers: ['alice'] }));
    expect([...read.keys()]).toEqual(['user:alice']);
    expect(count(read.get('user:alice'), 'memory')).toBe(25);
  });

  it('a server that ignores top_k (before mem0 2.0.8) answers exactly 20: said probably incomplete, unless GET /entities counts 20; fewer than /entities counts: incomplete', async () => {
    const account = selfHostedAccount();
    const old = await serve(account, { ignoresTopK: true, noEntities: true });
    const read = await readAll(open(old, { userIds: ['alice', 'carol'] }));
    expect(count(read.get('user:alice'), 'memory')).toBe(20);
    expect(read.get('user:alice')!.find((item) => item.type === 'warning')).toMatchObject({
      warning: { tenantKey: 'alice', message: expect.stringMatching(/^listed exactly 20 memories, the most a server before mem0 2\.0\.8 returns/) },
    });
    expect(count(read.get('user:carol'), 'warning')).toBe(0);

    // With /entities (2.0.1–2.0.7): its count tells a whole listing of 20 from a cut one.
    const twenty: Mem0Account = { ...account, memories: [...ownedMem0Memories({ user_id: 'dora' }, 20, 1), ...ownedMem0Memories({ user_id: 'alice' }, 25, 100)] };
    const counted = await readAll(open(await serve(twenty, { ignoresTopK: true })));
    expect(count(counted.get('user:dora'), 'warning')).toBe(0);
    expect(counted.get('user:alice')!.find((item) => item.type === 'warning')).toMatchObject({
      warning: { tenantKey: 'alice', message: expect.stringMatching(/^listed 20 of the 25 memories GET \/entities counts/) },
    });
  });
});

describe('a self-hosted server: users deleted at the source', () => {
  it('an entity GET /entities no longer lists is gone: --prune removes it and its users row; a run naming users or a server without /entities prunes none', async () => {
    const account = selfHostedAccount();
    account.memories = account.memories.filter((memory) => (memory as { user_id?: string }).user_id !== 'bulk'); // a capped listing is never pruned anyway
    const served = await serve(account);
    const target = resolveTargetConfig({ db: path.join(tempDir(), 'om.sqlite') }, {});
    const importWith = async (extra: Parameters<typeof open>[1], prune: boolean) => importFrom({ source: open(served, extra), target, env: {}, prune });
    await importWith({}, false);
    const usersOf = async (): Promise<string[]> => {
      const opened = await openTarget(target);
      try {
        return (await opened.executor.all<{ user_id: string }>('select distinct user_id from memories order by user_id')).map((row) => row.user_id);
      } finally {
        await opened.close();
      }
    };
    expect(await usersOf()).toContain('carol');
    account.memories = account.memories.filter((memory) => (memory as { user_id?: string }).user_id !== 'carol');

    const named = await importWith({ userIds: ['alice'] }, true);
    expect(named.goneAtSource).toMatchObject({ memories: 0, usersRemoved: [] });
    expect(await usersOf()).toContain('carol');
    // A server without GET /entities lists the users it is told: it covers none.
    const withoutEntities = open(await serve(account, { apiKeys: [adminKey], noEntities: true }), { knownUsers: ['alice'] });
    for await (const partition of withoutEntities.partitions()) expect(partition.key).toBe('user:alice');
    expect(await withoutEntities.coversPartition?.('user:carol')).toBeFalsy();

    const counted = await importWith({}, false);
    expect(counted.goneAtSource).toMatchObject({ memories: 1, removed: false, byUser: { carol: 1 } });
    const pruned = await importWith({}, true);
    expect(pruned.goneAtSource).toMatchObject({ memories: 1, removed: true, usersRemoved: ['carol'] });
    expect(await usersOf()).not.toContain('carol');
    expect(await usersOf()).toEqual(expect.arrayContaining(['agent:helper', 'alice', 'run:session-7']));
  });

  it('GET /entities built from the first 10,000 memories only: an entity it no longer reaches is not gone, whatever --prune says', async () => {
    const account = selfHostedAccount();
    account.memories = account.memories.filter((memory) => (memory as { user_id?: string }).user_id !== 'bulk');
    const served = await serve(account);
    const target = resolveTargetConfig({ db: path.join(tempDir(), 'om.sqlite') }, {});
    await importFrom({ source: open(served), target, env: {}, prune: true });
    // A user adds 10,000 memories that the server scans first: carol, the agent and the run fall beyond the scan.
    account.memories.unshift(...ownedMem0Memories({ user_id: 'bulk' }, 10_000, 50_000));
    const pruned = await importFrom({ source: open(served), target, env: {}, prune: true });
    expect(pruned.goneAtSource).toMatchObject({ memories: 0, usersRemoved: [] });
    expect(pruned.warnings).toContainEqual(
      expect.stringMatching(/^user:carol: not listed by the source this time, but not known to be gone \(GET \/entities counts \d+ memories, and the server builds it from at most 10000: .*\): nothing of it was counted as gone or pruned$/),
    );
    const opened = await openTarget(target);
    try {
      const users = await opened.executor.all<{ user_id: string }>('select distinct user_id from memories order by user_id');
      expect(users.map((row) => row.user_id)).toEqual(expect.arrayContaining(['carol', 'agent:helper', 'run:session-7']));
    } finally {
      await opened.close();
    }
  }, 60_000);
});
