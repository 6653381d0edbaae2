// The official `mem0ai` client against our fake: if the fake drifted from the wire the client speaks, this fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedMem0Account, type Mem0Account } from '../../fakes/mem0/mem0-account.js';
import type { ServedHandlers } from '../../fakes/serve-handlers.js';
import { startMem0Fake } from '../../support/mem0-fake.js';

process.env['MEM0_TELEMETRY'] = 'false'; // the client must not call home from a test

const account = generatedMem0Account({ users: 2, perUser: 30 });
let served: ServedHandlers;
let MemoryClient: typeof import('mem0ai').MemoryClient;
/** A memory as the client answers it, with the fields its type does not name (sessionId, replacedBy). */
const fields = (memory: object): Record<string, unknown> => ({ ...memory });

beforeAll(async () => {
  served = await startMem0Fake(account);
  ({ MemoryClient } = await import('mem0ai'));
});
afterAll(() => served.close());

describe('the official mem0ai MemoryClient against the fake Mem0 Platform', () => {
  it('lists entities and pages through a user’s memories with the v3 filtered listing', async () => {
    const client = new MemoryClient({ apiKey: account.apiKey, host: served.url });
    const users = await client.users({ page: 1, pageSize: 50 });
    expect(users.results.map((u) => [u.name, u.type, u.totalMemories])).toEqual([
      ['user-0', 'user', 30],
      ['user-1', 'user', 30],
    ]);
    const first = await client.getAll({ filters: { user_id: 'user-1' }, page: 1, pageSize: 20 });
    expect(first.count).toBe(30);
    expect(first.results).toHaveLength(20);
    expect(first.next).toMatch(/page=2/);
    expect(first.results[0]).toMatchObject({ userId: 'user-1', memory: expect.stringContaining('User 1') });
    const second = await client.getAll({ filters: { user_id: 'user-1' }, page: 2, pageSize: 20 });
    expect(second.results).toHaveLength(10);
    expect(second.next).toBeNull();

    // What the client sent is what our adapter sends: Token auth, trailing slashes, page/page_size, filters body
    // (ours adds show_expired: true, as the client sends it for showExpired: see below).
    const listing = served.requests.find((r) => r.method === 'POST' && r.path.startsWith('/v3/memories/?'));
    expect(listing?.headers['authorization']).toBe(`Token ${account.apiKey}`);
    expect(JSON.parse(listing!.body)).toEqual({ filters: { user_id: 'user-1' } });
    expect(served.requests.some((r) => r.path === '/v1/ping/')).toBe(true);
  });

  it('today’s Platform: session_id, expired memories only with showExpired, replaced_by listed, merged hidden, page_size at most 200', async () => {
    const at = '2026-01-01T00:00:00Z';
    const today: Mem0Account = {
      apiKey: 'm0-today-key',
      orgId: 'org_t',
      projectId: 'proj_t',
      memories: [
        { id: 't1', memory: 'Asked for a refund', run_id: 'run-1', created_at: at, updated_at: at },
        { id: 't2', memory: 'Trial ends', run_id: 'run-1', expiration_date: '2020-01-01', created_at: at, updated_at: at },
        { id: 't3', memory: 'Old address', run_id: 'run-1', replaced_by: 't1', created_at: at, updated_at: at },
        { id: 't4', memory: 'Near-duplicate', run_id: 'run-1', created_at: at, updated_at: at },
      ],
      mergedIds: ['t4'],
    };
    const fake = await startMem0Fake(today);
    try {
      const client = new MemoryClient({ apiKey: today.apiKey, host: fake.url });
      const current = await client.getAll({ filters: { run_id: 'run-1' } });
      // The client camel-cases answers: the wire's session_id and replaced_by arrive as sessionId and replacedBy.
      expect(current.results.map(fields).map((m) => [m['id'], m['sessionId'], m['replacedBy'] ?? null])).toEqual([
        ['t1', 'run-1', null],
        ['t3', 'run-1', 't1'],
      ]);
      const all = await client.getAll({ filters: { run_id: 'run-1' }, showExpired: true });
      expect(all.results.map(fields).map((m) => [m['id'], m['expirationDate'] ?? null])).toEqual([
        ['t1', null],
        ['t2', '2020-01-01'],
        ['t3', null],
      ]);
      const sent = fake.requests.filter((r) => r.path.startsWith('/v3/memories/')).map((r) => JSON.parse(r.body));
      expect(sent).toEqual([{ filters: { run_id: 'run-1' } }, { show_expired: true, filters: { run_id: 'run-1' } }]);
      // One memory by id is returned expired or not, its run id as session_id too.
      expect(await client.get('t2')).toMatchObject({ id: 't2', sessionId: 'run-1', expirationDate: '2020-01-01' });
      await expect(client.getAll({ filters: { run_id: 'run-1' }, page: 1, pageSize: 201 })).rejects.toThrow(/page_size must be between 1 and 200/);
      await expect(client.getAll({ filters: { run_id: 'run-1' }, page: 9, pageSize: 50 })).rejects.toThrow(/Invalid page/);
    } finally {
      await fake.close();
    }
  });

  it('gets one memory by id, and a wrong key is refused', async () => {
    const client = new MemoryClient({ apiKey: account.apiKey, host: served.url });
    const memory = await client.get((account.memories[3] as { id: string }).id);
    expect(memory.memory).toBe((account.memories[3] as { memory: string }).memory);

    const wrong = new MemoryClient({ apiKey: 'wrong-key-0000', host: served.url });
    await expect(wrong.getAll({ filters: { user_id: 'user-0' } })).rejects.toThrow();
  });
});
