import { describe, expect, it } from 'vitest';
import { mem0Item, mem0MemoryList, mem0Partition, mem0ReadPolicy, mem0TenantKey } from '../../../adapters/mem0/mem0-memory.js';

describe('Mem0 memory objects', () => {
  it('take the tenant from user_id, else agent:, app:, run:', () => {
    expect(mem0TenantKey({ user_id: 'alice', agent_id: 'bot' })).toBe('alice');
    expect(mem0TenantKey({ user_id: '', agent_id: 'bot', app_id: 'app' })).toBe('agent:bot');
    expect(mem0TenantKey({ app_id: 'crm', run_id: 'r1' })).toBe('app:crm');
    expect(mem0TenantKey({ run_id: 'r1' })).toBe('run:r1');
    expect(mem0TenantKey({})).toBeNull();
  });

  it('read the run id from session_id, as the Platform v3 and v2 listings and GET /v1/memories/{id}/ name it', () => {
    expect(mem0TenantKey({ session_id: 'r7' })).toBe('run:r7');
    expect(mem0TenantKey({ run_id: 'r1', session_id: 'r7' })).toBe('run:r1');
    expect(mem0TenantKey({ agent_id: 'bot', session_id: 'r7' })).toBe('agent:bot');
    expect(mem0TenantKey({ user_id: 'alice', agent_id: 'bot', session_id: 'r7' })).toBe('alice');
    const runOnly = mem0Item({ id: 'm', memory: 'Asked about the refund', session_id: 'r7', created_at: '2026-01-01T00:00:00Z' });
    // kept as run_id, so the same memory read from a listing that says run_id has the same fields (and is unchanged)
    expect(runOnly).toMatchObject({ type: 'memory', record: { tenantKey: 'run:r7', sourceFields: { run_id: 'r7' } } });
    expect(runOnly.type === 'memory' && 'session_id' in runOnly.record.sourceFields).toBe(false);
    expect(mem0Item({ id: 'm', memory: 'x', run_id: 'r1', session_id: 'r7' })).toMatchObject({ record: { sourceFields: { run_id: 'r1', session_id: 'r7' } } });
  });

  describe('memories Mem0 marks', () => {
    const today = mem0ReadPolicy(undefined, Date.UTC(2026, 5, 15, 23, 59)); // 2026-06-15, UTC
    const memory = (fields: Record<string, unknown>): Record<string, unknown> => ({ id: 'm', memory: 'Likes tea', user_id: 'alice', ...fields });

    it('an expired memory (expiration_date before today, UTC) is skipped with the date, never as gone; one expiring today is not expired', () => {
      const item = mem0Item(memory({ expiration_date: '2026-06-14' }), today);
      expect(item).toEqual({
        type: 'skipped',
        skipped: { sourceId: 'm', tenantKey: 'alice', reason: 'expired after 2026-06-14 (expiration_date); --include expired imports it', kind: 'expired' },
        raw: memory({ expiration_date: '2026-06-14' }),
      });
      expect(item.type === 'skipped' && item.skipped.gone).toBeUndefined();
      for (const date of ['2026-06-15', '2026-12-31', 'someday', null, '2026-13-45']) {
        expect(mem0Item(memory({ expiration_date: date }), today)).toMatchObject({ type: 'memory', record: { sourceFields: { expiration_date: date } } });
      }
    });

    it('with expired included, an expired memory is imported, flagged, its expiration_date kept in meta', () => {
      const item = mem0Item(memory({ expiration_date: '2026-01-31' }), mem0ReadPolicy(['memories', 'superseded', 'expired'], Date.UTC(2026, 5, 15)));
      expect(item).toMatchObject({ type: 'memory', record: { flags: ['expired'], sourceFields: { expiration_date: '2026-01-31' } } });
    });

    it('a superseded memory (replaced_by) is imported by default, flagged, replaced_by kept; left out when superseded is not included', () => {
      expect(mem0Item(memory({ replaced_by: 'm2' }), today)).toMatchObject({ type: 'memory', record: { flags: ['superseded'], sourceFields: { replaced_by: 'm2' } } });
      const left = mem0Item(memory({ replaced_by: 'm2' }), mem0ReadPolicy(['memories'], Date.UTC(2026, 5, 15)));
      expect(left).toMatchObject({ type: 'skipped', skipped: { sourceId: 'm', reason: 'superseded by m2 (replaced_by); --include superseded imports it', kind: 'superseded' } });
      expect(left.type === 'skipped' && left.skipped.gone).toBeUndefined();
      expect(mem0Item(memory({ replaced_by: null }), today)).toMatchObject({ type: 'memory' });
      expect(mem0Item(memory({}), today)).not.toHaveProperty('record.flags');
    });

    it('an imported superseded or expired memory says so in its status (history for LongMemory); a current one has none', () => {
      const everything = mem0ReadPolicy(['memories', 'superseded', 'expired'], Date.UTC(2026, 5, 15));
      expect(mem0Item(memory({ replaced_by: 'm2' }), everything)).toMatchObject({ record: { status: 'superseded' } });
      expect(mem0Item(memory({ expiration_date: '2026-01-31' }), everything)).toMatchObject({ record: { status: 'expired' } });
      expect(mem0Item(memory({ expiration_date: '2026-01-31', replaced_by: 'm2' }), everything)).toMatchObject({ record: { status: 'superseded' } });
      expect(mem0Item(memory({ expiration_date: '2026-12-31' }), everything)).not.toHaveProperty('record.status');
      expect(mem0Item(memory({}), everything)).not.toHaveProperty('record.status');
    });
  });

  it('name the partition of a tenant key (what --user-id takes): agent:, app:, run: entities, any other key a user', () => {
    expect(['alice', 'agent:bot', 'app:crm', 'run:r1', 'agent:', 'carol@example.com', 'team:x'].map((key) => mem0Partition(key).key)).toEqual([
      'user:alice', 'agent:bot', 'app:crm', 'run:r1', 'user:agent:', 'user:carol@example.com', 'user:team:x',
    ]);
    expect(mem0Partition('run:r1').tenantKey).toBe('run:r1');
  });

  it('read owner ids sent as numbers as ids', () => {
    expect(mem0TenantKey({ user_id: 42 })).toBe('42');
    expect(mem0TenantKey({ user_id: 42, agent_id: 'bot' })).toBe('42');
    expect(mem0TenantKey({ user_id: 0 })).toBe('0');
    expect(mem0TenantKey({ agent_id: 7 })).toBe('agent:7');
    expect(mem0TenantKey({ app_id: 8, run_id: 'r' })).toBe('app:8');
    expect(mem0TenantKey({ run_id: 9 })).toBe('run:9');
    expect(mem0TenantKey({ user_id: Number.NaN, agent_id: true })).toBeNull();
    expect(mem0Item({ id: 5, memory: 'Likes tea', user_id: 42 })).toMatchObject({ type: 'memory', record: { sourceId: '5', tenantKey: '42' } });
  });

  it('leave out a time they cannot read, flagged; read epoch times by magnitude', () => {
    const unreadable = mem0Item({ id: 'm', memory: 'x', user_id: 'a', created_at: 1e25, updated_at: '2026-01-02T00:00:00Z' });
    expect(unreadable).toMatchObject({ type: 'memory', record: { createdAt: null, updatedAt: Date.UTC(2026, 0, 2), flags: ['unreadable-time'] } });
    const garbled = mem0Item({ id: 'm', memory: 'x', user_id: 'a', created_at: 'soon' });
    expect(garbled).toMatchObject({ record: { createdAt: null, updatedAt: null, flags: ['unreadable-time'] } });
    const micro = mem0Item({ id: 'm', memory: 'x', user_id: 'a', created_at: 1_767_225_600_000_000 });
    expect(micro).toMatchObject({ record: { createdAt: Date.UTC(2026, 0, 1), updatedAt: Date.UTC(2026, 0, 1) } });
    expect(micro.type === 'memory' && micro.record.flags).toBeUndefined();
  });

  it('keep everything the source sent: text, metadata, categories as tags, times, and the rest as source fields', () => {
    const item = mem0Item({
      id: 'm1',
      memory: 'Likes tea',
      user_id: 'alice',
      hash: 'abc',
      metadata: { mood: 'calm' },
      categories: ['food', 7],
      created_at: '2026-01-01T10:00:00+02:00',
      updated_at: '2026-01-02T00:00:00Z',
      immutable: true,
    });
    expect(item).toMatchObject({
      type: 'memory',
      record: {
        sourceKind: 'mem0.memory',
        sourceId: 'm1',
        tenantKey: 'alice',
        content: 'Likes tea',
        tags: ['food'],
        metadata: { mood: 'calm' },
        createdAt: Date.UTC(2026, 0, 1, 8),
        updatedAt: Date.UTC(2026, 0, 2),
        sourceFields: { user_id: 'alice', hash: 'abc', categories: ['food', 7], immutable: true, created_at: '2026-01-01T10:00:00+02:00' },
      },
    });
  });

  it.each([
    [{ memory: 'x', user_id: 'a' }, 'no id'],
    [{ id: 'm', user_id: 'a' }, 'no text in `memory`'],
    [{ id: 'm', memory: '   ', user_id: 'a' }, 'empty `memory` text'],
    [{ id: 'm', memory: 'x' }, 'no user_id, agent_id, app_id or run_id'],
    [{ id: 'm', memory: 'x', user_id: 'a', metadata: 'oops' }, '`metadata` is not an object'],
    [null, 'not a JSON object'],
  ])('skips %j with a reason', (raw, reason) => {
    const item = mem0Item(raw);
    expect(item.type).toBe('skipped');
    expect(item.type === 'skipped' && item.skipped.reason).toBe(reason);
  });

  it('read listings as {results, next}, bare arrays, or {memories}', () => {
    expect(mem0MemoryList({ results: [1], next: 'http://x/?page=2' })).toEqual({ memories: [1], next: 'http://x/?page=2' });
    expect(mem0MemoryList([1, 2])).toEqual({ memories: [1, 2], next: null });
    expect(mem0MemoryList({ memories: [3] })).toEqual({ memories: [3], next: null });
    expect(mem0MemoryList({ detail: 'x' })).toBeNull();
  });
});

describe('tenant keys of different kinds', () => {
  it('a user whose id reads as another kind of key is user:<id>, apart from that kind, and its partition reads it back', () => {
    expect(mem0TenantKey({ user_id: 'agent:support-bot' })).toBe('user:agent:support-bot');
    expect(mem0TenantKey({ agent_id: 'support-bot' })).toBe('agent:support-bot');
    expect(mem0TenantKey({ user_id: 'user:x' })).toBe('user:user:x');
    expect(mem0TenantKey({ user_id: 'alice' })).toBe('alice');
    expect(mem0Partition('user:agent:support-bot')).toEqual({ key: 'user:agent:support-bot', tenantKey: 'user:agent:support-bot' });
    expect(mem0Partition('agent:support-bot')).toEqual({ key: 'agent:support-bot', tenantKey: 'agent:support-bot' });
    expect(mem0Partition('alice')).toEqual({ key: 'user:alice', tenantKey: 'alice' });
  });
});
