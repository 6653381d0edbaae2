// The Platform reader against the fake Platform as it is today: run ids as session_id, expired memories hidden
// unless asked for, superseded ones listed, merged ones hidden, page_size at most 200, a page past the end a 404.
import { http as route, type RequestHandler } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { mem0Source } from '../../../adapters/mem0/index.js';
import { mem0Item } from '../../../adapters/mem0/mem0-memory.js';
import type { Partition, Source, SourceItem } from '../../../src/records.js';
import { ownedMem0Memories, type Mem0Account } from '../../fakes/mem0/mem0-account.js';
import { mem0Handlers, type Mem0FakeOptions } from '../../fakes/mem0/mem0-handlers.js';
import { serveHandlers, type ServedHandlers } from '../../fakes/serve-handlers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const at = '2026-01-01T00:00:00Z';

/** Every case of §7 the reader must meet, on one account. */
function platformAccount(): Mem0Account {
  return {
    apiKey: 'm0-platform-key',
    orgId: 'org_1',
    projectId: 'proj_1',
    memories: [
      { id: 'a1', memory: 'Likes tea', user_id: 'alice', created_at: at, updated_at: at },
      { id: 'a2', memory: 'Lived in Paris', user_id: 'alice', replaced_by: 'a3', created_at: at, updated_at: at },
      { id: 'a3', memory: 'Lives in Berlin', user_id: 'alice', created_at: at, updated_at: at },
      { id: 'a4', memory: 'Has a trial until January', user_id: 'alice', expiration_date: '2020-01-31', created_at: at, updated_at: at },
      { id: 'a5', memory: 'Likes green tea', user_id: 'alice', created_at: at, updated_at: at }, // merged into a1: hidden
      { id: 'a6', memory: 'Tends to plan trips in spring', user_id: 'alice', synthesized: true, metadata: null, categories: null, created_at: at },
      { id: 'a7', memory: 'Booked the Lisbon flight', user_id: 'alice', agent_id: 'travel-bot', run_id: 'trip-9', created_at: at, updated_at: at },
      { id: 'r1', memory: 'Asked for a refund of order 42', run_id: 'trip-9', created_at: at, updated_at: at },
      { id: 'g1', memory: 'Answers in English', agent_id: 'travel-bot', created_at: at, updated_at: at },
      { id: 'p1', memory: 'The CRM app syncs nightly', app_id: 'crm', created_at: at, updated_at: at },
    ],
    mergedIds: ['a5'],
  };
}

async function serve(account: Mem0Account, options: Mem0FakeOptions = {}, before: RequestHandler[] = []): Promise<ServedHandlers> {
  const served = await serveHandlers([...before, ...mem0Handlers(account, options)]);
  cleanups.push(served.close);
  return served;
}

async function readAll(source: Source): Promise<{ partition: Partition; items: SourceItem[] }[]> {
  const read: { partition: Partition; items: SourceItem[] }[] = [];
  for await (const partition of source.partitions()) {
    const items: SourceItem[] = [];
    for await (const item of source.items(partition, { updatedSince: null })) items.push(item);
    read.push({ partition, items });
  }
  return read;
}

function summary(item: SourceItem): string {
  if (item.type === 'memory') return `${item.record.sourceId}@${item.record.tenantKey}${item.record.flags ? ` [${item.record.flags.join(',')}]` : ''}`;
  if (item.type === 'skipped') return `skipped ${item.skipped.sourceId}@${item.skipped.tenantKey}${item.skipped.gone ? ' gone' : ''}: ${item.skipped.reason}`;
  return item.type === 'warning' ? `warning ${item.warning.message}` : item.type;
}

describe('the Mem0 Platform reader', () => {
  it('reads every entity; run-only memories by their session_id; expired ones counted, not imported; superseded ones flagged; merged ones hidden', async () => {
    const account = platformAccount();
    const served = await serve(account, { entitiesAsArray: false });
    const { source, http } = mem0Source({ apiKey: account.apiKey, baseUrl: served.url, requestsPerSecond: 1000 });
    cleanups.push(async () => http?.close());
    const read = await readAll(source);
    expect(Object.fromEntries(read.map(({ partition, items }) => [partition.key, items.map(summary)]))).toEqual({
      'user:alice': [
        'a1@alice',
        'a2@alice [superseded]',
        'a3@alice',
        'skipped a4@alice: expired after 2020-01-31 (expiration_date); --include expired imports it',
        'a6@alice',
        'a7@alice',
      ],
      // a7 is alice's: listed under her agent and run too, it is read under alice only
      'agent:travel-bot': ['g1@agent:travel-bot'],
      'run:trip-9': ['r1@run:trip-9'],
      'app:crm': ['p1@app:crm'],
    });
    // Expired memories are asked for, so that they are counted (and an earlier run's memory of them is not taken as gone).
    const listings = served.requests.filter((request) => request.path.startsWith('/v3/memories/'));
    expect(listings.map((request) => JSON.parse(request.body))).toContainEqual({ filters: { run_id: 'trip-9' }, show_expired: true });
    expect(read.find(({ partition }) => partition.key === 'run:trip-9')?.items[0]).toMatchObject({ record: { sourceFields: { run_id: 'trip-9' } } });
  });

  it('with --include memories,expired: expired memories imported and flagged; superseded ones skipped (never as gone)', async () => {
    const account = platformAccount();
    const served = await serve(account, { entitiesAsArray: true }); // the bare array of the older spec
    const { source, http } = mem0Source({ apiKey: account.apiKey, baseUrl: served.url, requestsPerSecond: 1000, include: ['memories', 'expired'] });
    cleanups.push(async () => http?.close());
    const alice = (await readAll(source)).find(({ partition }) => partition.key === 'user:alice')!.items.map(summary);
    expect(alice).toContain('a4@alice [expired]');
    expect(alice).toContain('skipped a2@alice: superseded by a3 (replaced_by); --include superseded imports it');
    expect(source.scope).toEqual({ users: 'all', include: ['expired', 'memories'] });
  });

  it('--user-id names users, or agent:/app:/run: entities by their tenant key', async () => {
    const account = platformAccount();
    const served = await serve(account);
    const { source, http } = mem0Source({ apiKey: account.apiKey, baseUrl: served.url, requestsPerSecond: 1000, userIds: ['run:trip-9', 'app:crm', 'alice'] });
    cleanups.push(async () => http?.close());
    const read = await readAll(source);
    expect(read.map(({ partition, items }) => [partition.key, items.filter((item) => item.type === 'memory').length])).toEqual([
      ['run:trip-9', 1],
      ['app:crm', 1],
      ['user:alice', 5],
    ]);
    expect(served.requests.filter((r) => r.path.startsWith('/v1/entities/'))).toEqual([]);
  });

  it('the run id of the v2 listing and of GET /v1/memories/{id}/ (session_id there too) is read as the run', async () => {
    const account = platformAccount();
    const served = await serve(account);
    const headers = { authorization: `Token ${account.apiKey}`, 'content-type': 'application/json' };
    const v2 = (await (await fetch(`${served.url}/v2/memories/`, { method: 'POST', headers, body: JSON.stringify({ filters: { run_id: 'trip-9' } }) })).json()) as unknown[];
    const one: unknown = await (await fetch(`${served.url}/v1/memories/r1/`, { headers })).json();
    for (const raw of [v2.find((memory) => (memory as { id: string }).id === 'r1'), one]) {
      expect(raw).toMatchObject({ session_id: 'trip-9' });
      expect(raw).not.toHaveProperty('run_id');
      expect(mem0Item(raw)).toMatchObject({ type: 'memory', record: { tenantKey: 'run:trip-9' } });
    }
  });

  it('keeps page_size within 1–200, whatever it is asked', async () => {
    const account: Mem0Account = { ...platformAccount(), memories: ownedMem0Memories({ user_id: 'bulk' }, 450, 1) };
    const served = await serve(account);
    const { source, http } = mem0Source({ apiKey: account.apiKey, baseUrl: served.url, requestsPerSecond: 1000, pageSize: 500 });
    cleanups.push(async () => http?.close());
    const [bulk] = await readAll(source);
    expect(bulk!.items.filter((item) => item.type === 'memory')).toHaveLength(450);
    const sizes = served.requests.filter((r) => r.path.startsWith('/v3/memories/')).map((r) => new URL(r.path, served.url).searchParams.get('page_size'));
    expect(sizes).toEqual(['200', '200', '200']);
  });

  it('a page past the end (404 "Invalid page." after deletions mid-run) ends the listing; a memory shifted onto the next page is read once, and the drift is a warning', async () => {
    const account: Mem0Account = { ...platformAccount(), memories: ownedMem0Memories({ user_id: 'bulk' }, 25, 1) };
    let listed = 0;
    // Before page 2: five memories deleted at the head (page 2 is now past the end) …
    const deleting = route.post('*/v3/memories/', () => {
      if (++listed === 2) account.memories.splice(0, 5);
      return undefined;
    });
    const served = await serve(account, {}, [deleting]);
    const { source, http } = mem0Source({ apiKey: account.apiKey, baseUrl: served.url, requestsPerSecond: 1000, pageSize: 20 });
    cleanups.push(async () => http?.close());
    const [bulk] = await readAll(source);
    expect(bulk!.items.filter((item) => item.type === 'memory')).toHaveLength(20);
    expect(served.requests.filter((r) => r.path.startsWith('/v3/memories/')).map((r) => r.path)).toEqual(['/v3/memories/?page=1&page_size=20', '/v3/memories/?page=2&page_size=20']);

    // … or one added at the head: the last memory of page 1 comes again on page 2.
    const growing: Mem0Account = { ...platformAccount(), memories: ownedMem0Memories({ user_id: 'bulk' }, 25, 1) };
    let calls = 0;
    const adding = route.post('*/v3/memories/', () => {
      if (++calls === 2) growing.memories.unshift(...ownedMem0Memories({ user_id: 'bulk' }, 1, 1000));
      return undefined;
    });
    const servedAgain = await serve(growing, {}, [adding]);
    const again = mem0Source({ apiKey: growing.apiKey, baseUrl: servedAgain.url, requestsPerSecond: 1000, pageSize: 20 });
    cleanups.push(async () => again.http?.close());
    const [grown] = await readAll(again.source);
    const ids = grown!.items.flatMap((item) => (item.type === 'memory' ? [item.record.sourceId] : []));
    expect(ids).toHaveLength(new Set(ids).size);
    expect(ids).toHaveLength(25);
    expect(grown!.items.filter((item) => item.type === 'warning').map(summary)).toEqual([
      'warning memories of user:bulk: listed 25 memories of user:bulk but the source announced 26 (1 listed twice as pages shifted, counted once); run again to pick up what changed during the run',
    ]);
  });
});
