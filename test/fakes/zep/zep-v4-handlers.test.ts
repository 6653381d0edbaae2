// The fake Zep v4 API on the wire, with raw fetch: the shapes and rules of /work/shared/sources/zep-v4.md that the
// v4 reader relies on (§2 paging and errors, §3 the bare user node, §9 the same uuids as v3, §11 tricky cases). No
// v4 SDK or server was reachable in this session to check them against; these tests hold the fake to the note.
import { afterEach, describe, expect, it } from 'vitest';
import { tinyZepAccount, withV4Objects } from './zep-account.js';
import type { ZepV4FakeOptions } from './zep-v4-handlers.js';
import { startZepFake, type ServedZepFake } from '../../support/zep-fake.js';

const account = withV4Objects(tinyZepAccount());
const started: ServedZepFake[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((served) => served.close()));
});

async function fake(options: Omit<ZepV4FakeOptions, 'stats'> = {}): Promise<ServedZepFake> {
  const served = await startZepFake(account, { v4: options });
  started.push(served);
  return served;
}

async function v4(served: ServedZepFake, path: string, body?: unknown, key = account.apiKey): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${served.url}/api/v4${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Api-Key ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

describe('fake Zep v4 on the wire', () => {
  it('pages {items, next_cursor, total_size} by page_size and an opaque cursor; the last page has no next_cursor', async () => {
    const served = await fake();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await v4(served, `/users/list?page_size=2&order_by=created_at&order=asc${cursor ? `&cursor=${cursor}` : ''}`, {});
      expect(page.status).toBe(200);
      expect(page.json['total_size']).toBe(account.users.length + account.v4!.users.length);
      for (const user of page.json['items'] as { uuid: string }[]) seen.push(user.uuid);
      cursor = page.json['next_cursor'] as string | undefined;
      expect(page.headers.get('x-ratelimit-remaining')).not.toBeNull();
    } while (cursor);
    expect(seen.sort()).toEqual([...account.users.map((user) => user.uuid), ...account.v4!.users.map((user) => user.uuid)].sort());
  });

  it('a v4-born user has no user_id; a v3 thread keeps its uuid and thread_id; a v3 graph is addressed by its canonical_graph_uuid', async () => {
    const served = await fake();
    const users = (await v4(served, '/users/list?page_size=200', {})).json['items'] as Record<string, unknown>[];
    expect(users.find((user) => user['uuid'] === account.v4!.users[0]!.uuid)).not.toHaveProperty('user_id');
    const threads = (await v4(served, '/threads?page_size=200')).json['items'] as Record<string, unknown>[];
    const v3Thread = account.threads.find((thread) => thread.thread_id === 'tiny-thread-1')!;
    expect(threads.find((thread) => thread['uuid'] === v3Thread.uuid)).toMatchObject({ thread_id: 'tiny-thread-1', user_uuid: account.users[0]!.uuid });
    const graphs = (await v4(served, '/graphs/list?page_size=200', {})).json['items'] as Record<string, unknown>[];
    expect(graphs.map((graph) => graph['uuid'])).toContain(account.graphs[0]!.canonical_graph_uuid);
    expect(graphs.map((graph) => graph['uuid'])).not.toContain(account.graphs[0]!.uuid);
  });

  it('the user node is the node itself; a fact leaves unset times out and names its episodes episode_uuids', async () => {
    const served = await fake();
    const node = await v4(served, `/users/${account.users[1]!.uuid}/node`);
    expect(node.json).toMatchObject({ name: 'Jane Doe', summary: expect.any(String), episode_uuids: [] });
    const edges = (await v4(served, `/graphs/${account.users[1]!.uuid}/edges/list?page_size=100`, {})).json['items'] as Record<string, unknown>[];
    const current = edges.find((edge) => edge['uuid'] === '9b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d04')!;
    expect(current).toHaveProperty('episode_uuids');
    expect(current).not.toHaveProperty('episodes');
    expect(current).not.toHaveProperty('invalid_at');
  });

  it('errors are {"error":{code,…}}: invalid_identifier, unsupported_filter, a refused page-size name, a page over the maximum, a tampered cursor, a bad key', async () => {
    const served = await fake();
    const code = (answer: { status: number; json: Record<string, unknown> }): string => `${answer.status} ${(answer.json['error'] as { code: string }).code}`;
    expect(code(await v4(served, '/users/user-jane/node'))).toBe('400 invalid_identifier');
    expect(code(await v4(served, `/graphs/${account.users[1]!.uuid}/edges/list`, { filters: { gossip: true } }))).toBe('400 unsupported_filter');
    expect(code(await v4(served, '/threads?limit=5'))).toBe('400 invalid_parameter');
    expect(code(await v4(served, '/threads?page_size=201'))).toBe('400 invalid_parameter');
    expect(code(await v4(served, '/threads?page_size=2&cursor=bm90LWEtY3Vyc29y'))).toBe('400 invalid_cursor');
    expect(code(await v4(served, '/project', undefined, 'wrong'))).toBe('401 unauthorized');
    const older = await fake({ pageSizeParam: 'limit' });
    expect((await v4(older, '/threads?limit=5')).status).toBe(200);
    expect(code(await v4(older, '/threads?page_size=5'))).toBe('400 invalid_parameter');
  });
});
