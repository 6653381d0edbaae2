// The official `mem0ai` client against our fake: if the fake drifted from the wire the client speaks, this fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedMem0Account } from '../../fakes/mem0/mem0-account.js';
import type { ServedHandlers } from '../../fakes/serve-handlers.js';
import { startMem0Fake } from '../../support/mem0-fake.js';

process.env['MEM0_TELEMETRY'] = 'false'; // the client must not call home from a test

const account = generatedMem0Account({ users: 2, perUser: 30 });
let served: ServedHandlers;
let MemoryClient: typeof import('mem0ai').MemoryClient;

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

    // What the client sent is what our adapter sends: Token auth, trailing slashes, page/page_size, filters body.
    const listing = served.requests.find((r) => r.method === 'POST' && r.path.startsWith('/v3/memories/?'));
    expect(listing?.headers['authorization']).toBe(`Token ${account.apiKey}`);
    expect(JSON.parse(listing!.body)).toEqual({ filters: { user_id: 'user-1' } });
    expect(served.requests.some((r) => r.path === '/v1/ping/')).toBe(true);
  });

  it('gets one memory by id, and a wrong key is refused', async () => {
    const client = new MemoryClient({ apiKey: account.apiKey, host: served.url });
    const memory = await client.get((account.memories[3] as { id: string }).id);
    expect(memory.memory).toBe((account.memories[3] as { memory: string }).memory);

    const wrong = new MemoryClient({ apiKey: 'wrong-key-0000', host: served.url });
    await expect(wrong.getAll({ filters: { user_id: 'user-0' } })).rejects.toThrow();
  });
});
