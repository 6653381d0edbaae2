// The fake Zep server on the wire, with raw fetch: what the official SDKs cannot catch (they camelCase whatever
// they get and drop nulls) — snake_case keys, headers, paging and cursor semantics, rate limiting, faults, and the
// generations' differences. The SDK contract tests are in test/adapters/zep/zep-contract.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { generatedZepAccount, tinyZepAccount, zepWireRoles, type ZepAccount } from './zep-account.js';
import type { ZepFakeOptions } from './zep-handlers.js';
import { startZepFake, type ServedZepFake } from '../../support/zep-fake.js';

const account = generatedZepAccount({ users: 4, threadsPerUser: 2, messagesPerThread: 9, factsPerUser: 12, orphanThreads: 2, graphs: 2 });
const firstUser = account.users[0]!;
const firstThread = account.threads.find((thread) => thread.user_id === firstUser.user_id)!;

const started: ServedZepFake[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((served) => served.close()));
});

async function fake(of: ZepAccount = account, options: Omit<ZepFakeOptions, 'stats'> = {}): Promise<ServedZepFake> {
  const served = await startZepFake(of, options);
  started.push(served);
  return served;
}

interface CallOptions {
  /** The Authorization header; `null` sends none. Default: the right `Api-Key`. */
  authorization?: string | null;
  body?: unknown;
}

function call(served: ServedZepFake, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  const authorization = options.authorization === undefined ? `Api-Key ${account.apiKey}` : options.authorization;
  if (authorization !== null) headers['authorization'] = authorization;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${served.baseUrl}${path}`, {
    method: options.body === undefined ? 'GET' : 'POST',
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
}

async function json(served: ServedZepFake, path: string, options: CallOptions = {}): Promise<Record<string, unknown>> {
  const response = await call(served, path, options);
  expect(response.status, `${path} → ${response.status}`).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function list(served: ServedZepFake, path: string, body: unknown): Promise<{ items: Record<string, unknown>[]; next: string | null }> {
  const response = await call(served, path, { body });
  expect(response.status, `${path} → ${response.status}`).toBe(200);
  return { items: (await response.json()) as Record<string, unknown>[], next: response.headers.get('zep-next-cursor') };
}

/** Every key on the wire, recursively, except inside user-supplied maps (metadata, attributes). */
function wireKeys(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => wireKeys(item, into));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      into.add(key);
      if (key !== 'metadata' && key !== 'attributes') wireKeys(inner, into);
    }
  }
  return into;
}

const uuidsOf = (items: Record<string, unknown>[]): unknown[] => items.map((item) => item['uuid']);

describe('the generated account', () => {
  it('is deterministic and realistic: times in every RFC 3339 flavour, summaries, invalidated and expired facts', () => {
    const again = generatedZepAccount({ users: 4, threadsPerUser: 2, messagesPerThread: 9, factsPerUser: 12, orphanThreads: 2, graphs: 2 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(account));

    const times = JSON.stringify(account).match(/"(?:created|updated|valid|invalid|expired|last_summarized)_at":"[^"]*"/g) ?? [];
    const values = times.map((field) => field.split('":"')[1]!.slice(0, -1));
    expect(values.length).toBeGreaterThan(200);
    for (const value of values) expect(value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|\+00:00)$/);
    const fractionDigits = new Set(values.map((value) => /\.(\d+)/.exec(value)?.[1]?.length ?? 0));
    expect([...fractionDigits].sort()).toEqual(expect.arrayContaining([0, 3, 4, 6, 9]));
    expect(values.some((value) => value.endsWith('+00:00'))).toBe(true);

    expect(account.users.every((user) => (account.userNodes[user.user_id]?.summary ?? '').length > 20)).toBe(true);
    const summarized = account.threads.map((thread) => thread.thread_id in account.threadSummaries);
    expect(summarized).toEqual(account.threads.map((_, index) => (index + 1) % 3 !== 0));
    const edges = account.edges[firstUser.user_id]!;
    expect(edges.filter((edge) => edge.invalid_at).length).toBe(2);
    expect(edges.filter((edge) => edge.expired_at).length).toBe(1);
    expect(edges.filter((edge) => edge.valid_at).length).toBe(10);

    const episodes = account.episodes[firstUser.user_id]!;
    const messageUuids = account.threads.filter((thread) => thread.user_id === firstUser.user_id).flatMap((thread) => account.messages[thread.thread_id]!.map((m) => m.uuid));
    expect(episodes.filter((episode) => episode.source === 'message').map((episode) => episode.uuid)).toEqual(messageUuids);
    expect(episodes.filter((episode) => episode.source !== 'message').map((episode) => episode.source)).toEqual(['text', 'json']);
    expect(account.threads.filter((thread) => !thread.user_id).map((thread) => thread.user_id)).toEqual([null, '']);
    expect(account.graphs.map((graph) => account.edges[graph.graph_id]!.length)).toEqual([3, 3]);
  });

  it('the tiny account has every role, an empty message and unicode', () => {
    const tiny = tinyZepAccount();
    const messages = Object.values(tiny.messages).flat();
    expect(new Set(messages.map((message) => message.role))).toEqual(new Set(zepWireRoles));
    expect(messages.some((message) => message.content === '')).toBe(true);
    expect(messages.map((message) => message.content).join('')).toMatch(/🎉[\s\S]*東京[\s\S]*مرحبا/);
  });
});

describe('the fake Zep Cloud (v3) on the wire', () => {
  it('speaks snake_case in every listing', async () => {
    const served = await fake();
    const userId = encodeURIComponent(firstUser.user_id);
    const bodies = [
      await json(served, '/users-ordered?pageNumber=1&pageSize=10'),
      await json(served, `/users/${userId}/threads`),
      await json(served, '/threads?page_number=1&page_size=50'),
      await json(served, `/threads/${firstThread.thread_id}/messages?limit=20&cursor=1`),
      await json(served, `/threads/${firstThread.thread_id}/summary`),
      await json(served, `/users/${userId}/node`),
      await json(served, `/graph/edge/user/${userId}`, { body: {} }),
      await json(served, `/graph/node/user/${userId}`, { body: {} }),
      await json(served, `/graph/episodes/user/${userId}?lastn=30`),
      await json(served, '/graph/list-all?pageNumber=1&pageSize=10'),
    ];
    const keys = wireKeys(bodies);
    for (const key of keys) expect(key).toMatch(/^[a-z][a-z0-9_]*$/);
    expect([...keys]).toEqual(expect.arrayContaining([
      'total_count', 'row_count', 'response_count', 'user_id', 'thread_id', 'created_at', 'thread_created_at', 'user_uuid',
      'project_uuid', 'session_count', 'source_node_uuid', 'target_node_name', 'valid_at', 'invalid_at', 'role_type', 'last_summarized_at', 'graph_id',
    ]));
    const messages = (bodies[3]!['messages'] as Record<string, unknown>[]);
    expect(Object.keys(messages[0]!).sort()).toEqual(['content', 'created_at', 'metadata', 'name', 'processed', 'role', 'uuid']);
  });

  it('wants `Authorization: Api-Key <key>` exactly and answers 401 {"message"} otherwise', async () => {
    const served = await fake();
    for (const authorization of [null, `Bearer ${account.apiKey}`, `Api-Key wrong`, `api-key ${account.apiKey}`]) {
      const response = await call(served, '/users-ordered?pageNumber=1&pageSize=1', { authorization });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: 'unauthorized' });
    }
    expect((await call(served, '/users-ordered?pageNumber=1&pageSize=1')).status).toBe(200);
  });

  it('decodes path ids and answers 404 {"message"} for unknown users, threads and routes', async () => {
    const tiny = tinyZepAccount();
    const served = await fake(tiny);
    const key = { authorization: `Api-Key ${tiny.apiKey}` };
    expect((await json(served, '/users/a%2Fb%20c%40d', key))['user_id']).toBe('a/b c@d');
    for (const path of ['/users/nobody', '/users/nobody/threads', '/threads/nothing/messages', '/threads/tiny-thread-2/summary', '/sessions-ordered', '/no/such/route']) {
      const response = await call(served, path, key);
      expect(response.status, path).toBe(404);
      expect(Object.keys((await response.json()) as object), path).toEqual(['message']);
    }
    expect((await call(served, '/graph/edge/user/nobody', { ...key, body: {} })).status).toBe(404);
    // A user without threads still has a node, with an empty summary.
    expect(await json(served, '/users/user-without-threads/node', key)).toEqual({ node: expect.objectContaining({ summary: '' }) });
  });

  it('pages messages by 1-based page number; no parameters → all; limit without cursor → 500; lastn → the last N', async () => {
    const served = await fake();
    const all = account.messages[firstThread.thread_id]!.map((message) => message.uuid);
    const page = async (query: string): Promise<Record<string, unknown>> => json(served, `/threads/${firstThread.thread_id}/messages${query}`);
    const uuids = (body: Record<string, unknown>): unknown[] => uuidsOf(body['messages'] as Record<string, unknown>[]);

    expect(uuids(await page('?limit=4&cursor=1'))).toEqual(all.slice(0, 4));
    expect(uuids(await page('?limit=4&cursor=2'))).toEqual(all.slice(4, 8));
    const last = await page('?limit=4&cursor=3');
    expect(uuids(last)).toEqual(all.slice(8));
    expect(last).toMatchObject({ row_count: 1, total_count: 9, user_id: firstUser.user_id, thread_created_at: firstThread.created_at });
    expect(await page('?limit=4&cursor=4')).toMatchObject({ messages: [], row_count: 0, total_count: 9 });
    expect(uuids(await page(''))).toEqual(all);
    expect(uuids(await page('?cursor=2'))).toEqual(all);
    expect(uuids(await page('?lastn=2'))).toEqual(all.slice(-2));
    expect(uuids(await page('?lastn=2&limit=4&cursor=1'))).toEqual(all.slice(-2));
    expect((await call(served, `/threads/${firstThread.thread_id}/messages?limit=4`)).status).toBe(500);
    expect((await call(served, `/threads/${firstThread.thread_id}/messages?limit=4&cursor=0`)).status).toBe(500);
    expect((await call(served, `/threads/${firstThread.thread_id}/messages?lastn=-1`)).status).toBe(400);
  });

  it('pages /users-ordered (pageNumber, order_by, asc) and /threads (snake_case, camelCase tolerated)', async () => {
    const served = await fake();
    const ids = (body: Record<string, unknown>, field: string, key: string): unknown[] => (body[field] as Record<string, unknown>[]).map((item) => item[key]);
    const ascending = account.users.map((user) => user.user_id);
    expect(ids(await json(served, '/users-ordered?pageNumber=2&pageSize=3&order_by=created_at&asc=true'), 'users', 'user_id')).toEqual(ascending.slice(3));
    expect(ids(await json(served, '/users-ordered?pageNumber=1&pageSize=2&order_by=user_id&asc=false'), 'users', 'user_id')).toEqual([...ascending].reverse().slice(0, 2));
    expect(await json(served, '/users-ordered?pageNumber=1&pageSize=3&search=kenji')).toMatchObject({ total_count: 1, row_count: 1 });
    expect((await call(served, '/users-ordered?pageNumber=0&pageSize=3')).status).toBe(400);

    const snake = await json(served, '/threads?page_number=2&page_size=4&order_by=created_at&asc=true');
    const camel = await json(served, '/threads?pageNumber=2&pageSize=4&order_by=created_at&asc=true');
    expect(snake).toEqual(camel);
    expect(snake).toMatchObject({ total_count: 10, response_count: 4 });
    const byCreation = [...account.threads].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at)).map((thread) => thread.thread_id);
    expect(ids(snake, 'threads', 'thread_id')).toEqual(byCreation.slice(4, 8));
    expect(ids(snake, 'threads', 'id')).toEqual([undefined, undefined, undefined, undefined]); // v3 threads hide the internal id
  });

  it('pages graph listings with Zep-Next-Cursor (absent on the last page) or uuid_cursor, and rejects a foreign cursor', async () => {
    const served = await fake();
    const path = `/graph/edge/user/${firstUser.user_id}`;
    const byCreation = [...account.edges[firstUser.user_id]!].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at)).map((edge) => edge.uuid);

    const pages: unknown[][] = [];
    const cursors: (string | null)[] = [];
    let body: Record<string, unknown> = { limit: 5, order_by: 'created_at', direction: 'asc' };
    for (let count = 0; count < 5; count++) {
      const { items, next } = await list(served, path, body);
      pages.push(uuidsOf(items));
      cursors.push(next);
      if (!next) break;
      body = { limit: 5, order_by: 'created_at', direction: 'asc', cursor: next };
    }
    expect(pages.map((items) => items.length)).toEqual([5, 5, 2]);
    expect(pages.flat()).toEqual(byCreation);
    expect(cursors[2]).toBeNull();

    const viaUuid = await list(served, path, { limit: 5, order_by: 'created_at', direction: 'asc', uuid_cursor: byCreation[4] });
    expect(uuidsOf(viaUuid.items)).toEqual(byCreation.slice(5, 10));
    expect(viaUuid.next).not.toBeNull();
    const exact = await list(served, path, { limit: 12 });
    expect(exact.items).toHaveLength(12);
    expect(exact.next).toBeNull(); // nothing remains: no header, not an empty one

    expect((await call(served, path, { body: { limit: 5, cursor: cursors[0] } })).status).toBe(400); // made for created_at/asc
    expect((await call(served, path, { body: { limit: 5, cursor: 'not-a-cursor' } })).status).toBe(400);
    expect((await call(served, path, { body: { limit: 5, order_by: 'popularity' } })).status).toBe(400);
  });

  it('clamps an explicit episode limit to 50 and defaults to 100', async () => {
    const big = generatedZepAccount({ users: 1, threadsPerUser: 1, messagesPerThread: 60, factsPerUser: 1, dataEpisodesPerUser: 2 });
    const served = await fake(big, {});
    const path = `/graph/episodes/user/${big.users[0]!.user_id}`;
    const key = { authorization: `Api-Key ${big.apiKey}` };
    const explicit = await call(served, path, { ...key, body: { limit: 80 } });
    expect(((await explicit.json()) as unknown[]).length).toBe(50);
    expect(explicit.headers.get('zep-next-cursor')).not.toBeNull();
    const byDefault = await call(served, path, { ...key, body: {} });
    expect(((await byDefault.json()) as unknown[]).length).toBe(62);
    expect(byDefault.headers.get('zep-next-cursor')).toBeNull();
    expect(((await (await call(served, `${path}?lastn=5`, key)).json()) as { episodes: unknown[] }).episodes).toHaveLength(5);
  });

  it('limits requests per fixed window with X-RateLimit-* on every answer and 429 + Retry-After past the limit', async () => {
    const served = await fake(account, { rateLimitPerMinute: 3, rateLimitWindowMs: 400 });
    const startedAt = Date.now();
    const answers = [];
    for (let count = 0; count < 4; count++) answers.push(await call(served, '/users-ordered?pageNumber=1&pageSize=1'));
    expect(answers.map((response) => response.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((response) => response.headers.get('x-ratelimit-remaining'))).toEqual(['2', '1', '0', '0']);
    for (const response of answers) {
      expect(response.headers.get('x-ratelimit-limit')).toBe('3');
      expect(response.headers.get('x-ratelimit-increment')).toBe('1');
      const reset = Number(response.headers.get('x-ratelimit-reset'));
      expect(reset).toBe(Math.ceil(reset)); // unix seconds
      expect(reset * 1000).toBeGreaterThanOrEqual(startedAt + 400);
      expect(reset * 1000).toBeLessThan(startedAt + 400 + 1000 + 200);
    }
    expect(answers[0]!.headers.get('retry-after')).toBeNull(); // only on 429
    expect(answers[3]!.headers.get('retry-after')).toBe('1'); // 400 ms rounded up
    expect(await answers[3]!.json()).toEqual({ message: 'rate limit exceeded' });
    const refused = await call(served, '/users-ordered', { authorization: null });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-ratelimit-limit')).toBe('3');
    expect(served.stats.rateLimited).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 420 - (Date.now() - startedAt)));
    const afterReset = await call(served, '/users-ordered?pageNumber=1&pageSize=1');
    expect(afterReset.status).toBe(200);
    expect(afterReset.headers.get('x-ratelimit-remaining')).toBe('2');

    const quiet = await fake(account, { rateLimitPerMinute: 1, omitRetryAfter: true });
    await call(quiet, '/users-ordered');
    const limited = await call(quiet, '/users-ordered');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeNull();
    const unlimited = await call(await fake(), '/users-ordered');
    expect(unlimited.headers.get('x-ratelimit-limit')).toBe('1000000'); // headers even when no limit was asked for
  });

  it('injects faults in turn without changing data, counts them, and flags a wrong total count', async () => {
    const served = await fake(account, { faults: { every: 2, kinds: ['503', '429', 'reset', 'slow'], retryAfterSeconds: 3, slowMs: 30 }, wrongTotalCount: true });
    const outcomes: (number | string)[] = [];
    const bodies: string[] = [];
    for (let count = 0; count < 8; count++) {
      try {
        const response = await call(served, '/users-ordered?pageNumber=1&pageSize=10');
        outcomes.push(response.status === 429 ? `429 after ${response.headers.get('retry-after')}` : response.status);
        if (response.status === 200) bodies.push(await response.text());
      } catch {
        outcomes.push('reset');
      }
    }
    expect(outcomes).toEqual([200, 503, 200, '429 after 3', 200, 'reset', 200, 200]);
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toMatchObject({ total_count: 5, row_count: 4 }); // 4 users, announced as 5
    expect(served.stats).toMatchObject({ requests: 8, faults: 4, rateLimited: 1 });
    expect(served.stats.byRoute.users).toBe(8);
  });

  it('delays message pages by pageDelayMs and counts requests per route kind', async () => {
    const served = await fake(account, { pageDelayMs: 150 });
    const before = Date.now();
    await json(served, '/users-ordered?pageNumber=1&pageSize=1');
    expect(Date.now() - before).toBeLessThan(150);
    await json(served, `/threads/${firstThread.thread_id}/messages?limit=2&cursor=1`);
    expect(Date.now() - before).toBeGreaterThanOrEqual(150);
    await call(served, '/nowhere');
    expect(served.stats.byRoute).toMatchObject({ users: 1, messages: 1, 'not-found': 1, edges: 0 });
    expect(served.stats.requests).toBe(3);
  });
});

describe('the fake Zep Cloud v2 (sessions) on the wire', () => {
  it('answers sessions with role = speaker, role_type = enum, token_count; v3-only routes 404', async () => {
    const served = await fake(account, { generation: 'v2' });
    const messages = (await json(served, `/sessions/${firstThread.thread_id}/messages?limit=2&cursor=1`))['messages'] as Record<string, unknown>[];
    const first = account.messages[firstThread.thread_id]![0]!;
    expect(messages[0]).toEqual({
      uuid: first.uuid, created_at: first.created_at, updated_at: first.created_at, role: first.name, role_type: first.role,
      content: first.content, metadata: first.metadata, token_count: 0, processed: true,
    });
    const sessions = await json(served, '/sessions-ordered?page_number=1&page_size=3&order_by=session_id&asc=true');
    expect(sessions).toMatchObject({ total_count: 10, response_count: 3 });
    expect(Object.keys((sessions['sessions'] as Record<string, unknown>[])[0]!)).toEqual(expect.arrayContaining(['session_id', 'id', 'deleted_at', 'ended_at']));
    expect(wireKeys(sessions).has('thread_id')).toBe(false);

    for (const [path, body] of [['/threads', undefined], [`/users/${firstUser.user_id}/threads`, undefined], ['/graph/list-all', undefined],
      [`/graph/episodes/user/${firstUser.user_id}`, {}], [`/graph/thread-summary/user/${firstUser.user_id}`, {}], [`/threads/${firstThread.thread_id}/messages`, undefined]] as const) {
      const response = await call(served, path, body === undefined ? {} : { body });
      expect(response.status, path).toBe(404);
      expect(await response.json()).toEqual({ message: 'not found' });
    }
  });

  it('pages edges by uuid_cursor only, ascending, without Zep-Next-Cursor or node names', async () => {
    const served = await fake(account, { generation: 'v2' });
    const path = `/graph/edge/user/${firstUser.user_id}`;
    const sorted = account.edges[firstUser.user_id]!.map((edge) => edge.uuid).sort();
    const first = await list(served, path, { limit: 5, order_by: 'created_at', direction: 'desc' });
    expect(uuidsOf(first.items)).toEqual(sorted.slice(0, 5)); // order_by/direction are not v2 fields
    expect(first.next).toBeNull();
    expect(wireKeys(first.items).has('source_node_name')).toBe(false);
    expect(uuidsOf((await list(served, path, { limit: 5, uuid_cursor: sorted[4] })).items)).toEqual(sorted.slice(5, 10));
    expect((await list(served, path, {})).items).toHaveLength(12); // no limit: every edge, as before 2.10
  });
});

describe('the fake Community Edition on the wire', () => {
  it('reads only camelCase paging on sessions-ordered and users-ordered, newest id first', async () => {
    const served = await fake(account, { generation: 'ce' });
    const byIdDesc = [...account.threads].sort((a, b) => b.id! - a.id!).map((thread) => thread.thread_id);
    const sessionIds = (body: Record<string, unknown>): unknown[] => (body['sessions'] as Record<string, unknown>[]).map((session) => session['session_id']);

    const snake = await json(served, '/sessions-ordered?page_number=1&page_size=3');
    expect(sessionIds(snake)).toEqual(byIdDesc); // the SDK's snake_case paging is ignored: everything comes back
    expect(snake).toMatchObject({ total_count: 10, response_count: 10 });
    expect(sessionIds(await json(served, '/sessions-ordered?pageNumber=2&pageSize=3'))).toEqual(byIdDesc.slice(3, 6));
    expect((await call(served, '/sessions-ordered?pageSize=3')).status).toBe(500);

    const users = await json(served, '/users-ordered?order_by=user_id&asc=true');
    expect((users['users'] as Record<string, unknown>[]).map((user) => user['user_id'])).toEqual(account.users.map((user) => user.user_id).reverse());
    expect((await call(served, '/users-ordered?pageSize=2')).status).toBe(500);
    expect(await json(served, '/users-ordered?pageNumber=2&pageSize=3')).toMatchObject({ row_count: 1, total_count: 4 });
  });

  it('has no graph, summaries or user node, answers plain-text 401s, and no rate-limit headers', async () => {
    const served = await fake(account, { generation: 'ce' });
    for (const [path, body] of [[`/users/${firstUser.user_id}/node`, undefined], [`/graph/edge/user/${firstUser.user_id}`, {}], [`/sessions/${firstThread.thread_id}/summary`, undefined], ['/threads', undefined]] as const) {
      expect((await call(served, path, body === undefined ? {} : { body })).status, path).toBe(404);
    }
    const refused = await call(served, '/users-ordered', { authorization: 'Api-Key wrong' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toMatch(/^text\/plain/);
    expect((await refused.text()).trim()).toBe('unauthorized');
    const health = await fetch(`${served.url}/healthz`);
    expect(health.status).toBe(200);

    const page = await call(served, `/sessions/${firstThread.thread_id}/messages?limit=3&cursor=1`);
    expect(page.headers.get('x-ratelimit-limit')).toBeNull();
    const [message] = ((await page.json()) as { messages: Record<string, unknown>[] }).messages;
    expect(Object.keys(message!).sort()).toEqual(['content', 'created_at', 'metadata', 'role', 'role_type', 'token_count', 'updated_at', 'uuid']);
    const memory = await json(served, `/sessions/${firstThread.thread_id}/memory`);
    expect((memory['messages'] as unknown[]).length).toBe(6);
  });
});
