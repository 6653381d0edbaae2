import { describe, expect, it } from 'vitest';
import { zepDefaultInclude, zepIncludeChoices } from '../../../adapters/zep/index.js';
import {
  episodeEnvelope,
  factEnvelope,
  factEnvelopes,
  hyperedgeMembersLast,
  messageEnvelope,
  threadSummaryEnvelope,
  userSummaryEnvelope,
  zepItem,
  zepNamedOwner,
  zepTenantKey,
  zepUserTenantKey,
  type ZepEnvelope,
} from '../../../adapters/zep/zep-records.js';
import type { MemoryRecord, SourceItem } from '../../../src/records.js';

const defaults = { include: zepDefaultInclude };
const everything = { include: zepIncludeChoices };

function memory(item: SourceItem | null): MemoryRecord {
  if (item?.type !== 'memory') throw new Error(`expected a memory, got ${JSON.stringify(item)}`);
  return item.record;
}

function skipped(item: SourceItem | null): { sourceId: string | null; tenantKey: string | null; reason: string } {
  if (item?.type !== 'skipped') throw new Error(`expected a skipped record, got ${JSON.stringify(item)}`);
  return item.skipped;
}

const v3Message = {
  uuid: 'c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4a5b',
  created_at: '2025-08-14T09:22:05.118Z',
  role: 'user',
  name: 'Jane Doe',
  content: '  I just moved to Lisbon for a job at Acme.\n',
  metadata: { channel: 'web' },
  processed: true,
};

const v2Message = {
  uuid: 'c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4a5c',
  created_at: '2024-11-02T14:03:15.2201Z',
  updated_at: '2024-11-02T14:05:00Z',
  role: 'Jane',
  role_type: 'user',
  content: 'I just moved to Lisbon.',
  metadata: { channel: 'web' },
  token_count: 7,
  processed: true,
};

const edge = {
  uuid: '9b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
  name: 'WORKS_AT',
  fact: 'Jane Doe works at Acme.',
  source_node_uuid: '3c2a9e1f-7b4d-4c8a-b6e2-1f0d9c8b7a65',
  target_node_uuid: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d',
  source_node_name: 'Jane Doe',
  target_node_name: 'Acme',
  created_at: '2025-08-14T09:22:12.553Z',
  valid_at: '2025-08-14T09:22:05.118Z',
  invalid_at: null,
  expired_at: null,
  episodes: ['e0f1a2b3-c4d5-4e6f-8a7b-9c0d1e2f3a4b'],
  attributes: { since: 2025 },
};

describe('Zep messages', () => {
  it('v3: content exactly as sent, `role` the enum, `name` the speaker, everything else kept', () => {
    const record = memory(zepItem(messageEnvelope('v3', { user_id: 'user_8f3a' }, 'thread-a', v3Message), defaults));
    expect(record).toEqual({
      sourceKind: 'zep.message',
      sourceId: v3Message.uuid,
      tenantKey: 'user_8f3a',
      content: v3Message.content,
      role: 'user',
      tags: ['zep.message', 'user'],
      metadata: { channel: 'web' },
      sourceFields: { thread_id: 'thread-a', speaker: 'Jane Doe', created_at: v3Message.created_at, role: 'user', name: 'Jane Doe', processed: true },
      createdAt: Date.parse('2025-08-14T09:22:05.118Z'),
      updatedAt: Date.parse('2025-08-14T09:22:05.118Z'),
    });
  });

  it('v2 and CE: `role_type` is the enum and `role` the speaker; token_count and updated_at kept', () => {
    for (const api of ['v2', 'ce'] as const) {
      const record = memory(zepItem(messageEnvelope(api, { user_id: 'user_8f3a' }, 'session-a', v2Message), defaults));
      expect(record.role).toBe('user');
      expect(record.tags).toEqual(['zep.message', 'user']);
      expect(record.sourceFields).toMatchObject({ thread_id: 'session-a', speaker: 'Jane', role: 'Jane', role_type: 'user', token_count: 7, processed: true });
      expect(record.createdAt).toBe(Date.parse('2024-11-02T14:03:15.220Z'));
      expect(record.updatedAt).toBe(Date.parse('2024-11-02T14:05:00Z'));
    }
  });

  it('CE without `role_type` (omitempty): `role` is all there is, and becomes the role', () => {
    const { role_type: _enum, ...withoutEnum } = v2Message;
    const record = memory(zepItem(messageEnvelope('ce', { user_id: 'u' }, 's', { ...withoutEnum, role: 'human' }), defaults));
    expect(record.role).toBe('human');
    expect(record.sourceFields['speaker']).toBeNull();
  });

  it('a message without metadata has {}; one of a thread without user belongs to `thread:<thread_id>`', () => {
    const { metadata: _metadata, ...bare } = v3Message;
    const record = memory(zepItem(messageEnvelope('v3', {}, 'orphan-session-a', bare), defaults));
    expect(record.metadata).toEqual({});
    expect(record.tenantKey).toBe('thread:orphan-session-a');
  });

  it('malformed messages are skipped with the reason, never thrown', () => {
    const owner = { user_id: 'u1' };
    expect(skipped(zepItem(messageEnvelope('v3', owner, 't', 'hello'), defaults))).toEqual({ sourceId: null, tenantKey: 'u1', reason: 'message is not a JSON object', kind: 'malformed' });
    expect(skipped(zepItem(messageEnvelope('v3', owner, 't', { ...v3Message, uuid: '' }), defaults)).reason).toBe('message has no uuid');
    expect(skipped(zepItem(messageEnvelope('v3', owner, 't', { ...v3Message, content: null }), defaults))).toEqual({
      sourceId: v3Message.uuid,
      tenantKey: 'u1',
      reason: 'message has no text in `content`',
      kind: 'no-text',
    });
    expect(skipped(zepItem(messageEnvelope('v3', owner, 't', { ...v3Message, content: ' \n ' }), defaults)).reason).toBe('empty message text');
    expect(skipped(zepItem(messageEnvelope('v3', {}, '', v3Message), defaults)).reason).toBe('message has no user, graph or thread');
  });
});

describe('Zep facts', () => {
  it('a hyperedge is one memory on every API: its first member listed carries the fact, the others are copies whose earlier memories are gone', () => {
    for (const api of ['v3', 'v4'] as const) {
      const envelopes = factEnvelopes(api, { user_id: 'user_8f3a' });
      const members = ['e-1', 'e-2', 'e-3'].map((uuid) => zepItem(envelopes({ ...edge, uuid, hyperedge_uuid: 'h-1' }), defaults));
      expect(memory(members[0]!).sourceId).toBe('e-1');
      for (const copy of members.slice(1)) {
        expect(copy).toMatchObject({ type: 'skipped', skipped: { kind: 'copy', gone: true, reason: expect.stringContaining('imported once (as e-1)') } });
      }
      // An edge of no hyperedge stays a memory of its own.
      expect(memory(zepItem(envelopes({ ...edge, uuid: 'e-9' }), defaults)).sourceId).toBe('e-9');
    }
  });

  it('hyperedge members are read last and by uuid, whatever order the API lists them in (v3: newest first)', async () => {
    const listed = [
      { ...edge, uuid: 'e-3', hyperedge_uuid: 'h-1' },
      { ...edge, uuid: 'e-8' },
      { ...edge, uuid: 'e-1', hyperedge_uuid: 'h-1' },
      { ...edge, uuid: 'e-2', hyperedge_uuid: 'h-1' },
    ];
    async function* events() {
      for (const entry of listed) yield { type: 'entry' as const, entry };
      yield { type: 'warning' as const, warning: { tenantKey: 'user_8f3a', message: 'cut short' } };
    }
    const read: string[] = [];
    for await (const event of hyperedgeMembersLast(events())) read.push(event.type === 'entry' ? String((event.entry as { uuid: string }).uuid) : event.type);
    expect(read).toEqual(['e-8', 'warning', 'e-1', 'e-2', 'e-3']);
  });

  it('content is the fact, time is valid_at, edge name tagged, every edge field kept', () => {
    const record = memory(zepItem(factEnvelope('v3', { user_id: 'user_8f3a' }, edge), defaults));
    expect(record).toMatchObject({
      sourceKind: 'zep.fact',
      sourceId: edge.uuid,
      tenantKey: 'user_8f3a',
      content: 'Jane Doe works at Acme.',
      role: 'fact',
      tags: ['zep.fact', 'WORKS_AT'],
      metadata: {},
      createdAt: Date.parse(edge.valid_at),
    });
    const { uuid: _uuid, fact: _fact, ...rest } = edge;
    expect(record.sourceFields).toEqual(rest);
    expect(record.flags).toBeUndefined();
  });

  it('without valid_at the time is created_at; a standalone graph owns `graph:<graph_id>`', () => {
    const record = memory(zepItem(factEnvelope('v2', { graph_id: 'handbook' }, { ...edge, valid_at: null }), defaults));
    expect(record.createdAt).toBe(Date.parse(edge.created_at));
    expect(record.tenantKey).toBe('graph:handbook');
  });

  it('invalidated and expired facts are skipped with the reason and the time, unless --include invalidated-facts', () => {
    const invalidated = factEnvelope('v3', { user_id: 'u' }, { ...edge, invalid_at: '2024-11-02T14:03:15.2201Z' });
    const expired = factEnvelope('v3', { user_id: 'u' }, { ...edge, expired_at: '2024-11-02T14:03:20+00:00' });
    const both = factEnvelope('v3', { user_id: 'u' }, { ...edge, invalid_at: '2024-11-02T14:03:15Z', expired_at: '2024-11-03T00:00:00Z' });
    expect(skipped(zepItem(invalidated, defaults))).toEqual({
      sourceId: edge.uuid,
      tenantKey: 'u',
      reason: 'fact invalidated at 2024-11-02T14:03:15.220Z; --include invalidated-facts imports it',
      gone: true,
      kind: 'invalidated',
    });
    expect(skipped(zepItem(expired, defaults)).reason).toBe('fact expired at 2024-11-02T14:03:20.000Z; --include invalidated-facts imports it');
    expect(skipped(zepItem(both, defaults)).reason).toBe(
      'fact invalidated at 2024-11-02T14:03:15.000Z and expired at 2024-11-03T00:00:00.000Z; --include invalidated-facts imports it',
    );
    for (const envelope of [invalidated, expired, both]) {
      const record = memory(zepItem(envelope, everything));
      expect(record.flags).toEqual(['invalidated-fact']);
      expect(record.content).toBe(edge.fact);
    }
    // history for LongMemory's migration: superseded by a newer fact (expired_at), or no longer true (invalid_at)
    expect([invalidated, expired, both].map((envelope) => memory(zepItem(envelope, everything)).status)).toEqual(['expired', 'superseded', 'superseded']);
    expect(memory(zepItem(factEnvelope('v3', { user_id: 'u' }, edge), everything)).status).toBeUndefined();
  });

  it('malformed edges are skipped', () => {
    expect(skipped(zepItem(factEnvelope('v3', { user_id: 'u' }, [edge]), defaults)).reason).toBe('fact is not a JSON object');
    expect(skipped(zepItem(factEnvelope('v3', { user_id: 'u' }, { ...edge, fact: 42 }), defaults)).reason).toBe('fact has no text in `fact`');
  });
});

describe('Zep episodes, summaries and the user summary', () => {
  it('a data episode: its content, tagged with its source, its metadata kept', () => {
    const episode = {
      uuid: 'e0f1a2b3-c4d5-4e6f-8a7b-9c0d1e2f3a01',
      content: '{"employer":"Initech"}',
      created_at: '2024-11-03T08:00:00Z',
      source: 'json',
      source_description: 'HR sync',
      processed: true,
      metadata: { author: 'hr' },
    };
    const record = memory(zepItem(episodeEnvelope('v3', { user_id: 'user-jane' }, episode), defaults));
    expect(record).toMatchObject({
      sourceKind: 'zep.episode',
      sourceId: episode.uuid,
      tenantKey: 'user-jane',
      content: episode.content,
      role: null,
      tags: ['zep.data', 'json'],
      metadata: { author: 'hr' },
      sourceFields: { created_at: episode.created_at, source: 'json', source_description: 'HR sync', processed: true },
      createdAt: Date.parse(episode.created_at),
    });
  });

  it('a thread summary: v3 `summary`, v2 `content`; thread_id kept', () => {
    const v3 = { uuid: 's-3', thread_id: 'thread-a', summary: 'Jane relocated to Lisbon.', created_at: '2025-08-14T09:25:00Z', last_summarized_at: '2025-08-14T09:26:00Z' };
    const record = memory(zepItem(threadSummaryEnvelope('v3', { user_id: 'u' }, 'thread-a', v3), defaults));
    expect(record).toMatchObject({
      sourceKind: 'zep.thread-summary',
      sourceId: 's-3',
      content: 'Jane relocated to Lisbon.',
      tags: ['zep.thread-summary'],
      sourceFields: { thread_id: 'thread-a', created_at: v3.created_at, last_summarized_at: v3.last_summarized_at },
      createdAt: Date.parse(v3.created_at),
      updatedAt: Date.parse(v3.last_summarized_at),
    });
    const v2 = { uuid: 's-2', created_at: '2024-11-02T14:10:00Z', content: 'Jane changed jobs.', token_count: 0, related_message_uuids: ['m1'], metadata: {} };
    const older = memory(zepItem(threadSummaryEnvelope('v2', {}, 'session-b', v2), defaults));
    expect(older).toMatchObject({ content: 'Jane changed jobs.', tenantKey: 'thread:session-b', sourceFields: { thread_id: 'session-b', related_message_uuids: ['m1'] } });
  });

  it('the user summary is a tenant item with its raw envelope; none (404, empty) is null so a stale one is forgotten', () => {
    const node = { uuid: 'n1', name: 'Jane Doe', summary: 'Jane Doe moved to Lisbon.', created_at: '2025-08-14T09:21:38.001Z' };
    const envelope = userSummaryEnvelope('v3', 'user_8f3a', node);
    expect(zepItem(envelope, defaults)).toEqual({ type: 'tenant', tenant: { tenantKey: 'user_8f3a', summary: 'Jane Doe moved to Lisbon.' }, raw: envelope });
    expect(zepItem(userSummaryEnvelope('v3', 'u', null), defaults)).toMatchObject({ type: 'tenant', tenant: { tenantKey: 'u', summary: null } });
    expect(zepItem(userSummaryEnvelope('v2', 'u', { ...node, summary: '' }), defaults)).toMatchObject({ tenant: { summary: null } });
  });

  it('--include leaves families out: summaries cover thread summaries and the user summary', () => {
    const onlyFacts = { include: ['facts'] as const };
    expect(zepItem(messageEnvelope('v3', { user_id: 'u' }, 't', v3Message), onlyFacts)).toBeNull();
    expect(zepItem(episodeEnvelope('v3', { user_id: 'u' }, { uuid: 'e', content: 'x', source: 'text' }), onlyFacts)).toBeNull();
    expect(zepItem(threadSummaryEnvelope('v3', { user_id: 'u' }, 't', { uuid: 's', summary: 'x' }), onlyFacts)).toBeNull();
    expect(zepItem(userSummaryEnvelope('v3', 'u', null), onlyFacts)).toBeNull();
    expect(zepItem(factEnvelope('v3', { user_id: 'u' }, edge), onlyFacts)?.type).toBe('memory');
  });
});

describe('Zep snapshot envelopes', () => {
  const envelopes: ZepEnvelope[] = [
    messageEnvelope('v3', { user_id: 'a/b c@d' }, 'thread-a', v3Message),
    messageEnvelope('v2', {}, 'orphan', v2Message),
    factEnvelope('v3', { user_id: 'u' }, edge),
    factEnvelope('v3', { user_id: 'u' }, { ...edge, invalid_at: '2025-01-01T00:00:00Z' }),
    episodeEnvelope('v3', { graph_id: 'g' }, { uuid: 'e', content: 'Employees get 25 days.', source: 'text', created_at: '2025-01-10T08:00:00Z' }),
    threadSummaryEnvelope('v3', { user_id: 'u' }, 't', { uuid: 's', thread_id: 't', summary: 'x', created_at: '2025-08-14T09:25:00Z' }),
    userSummaryEnvelope('v3', 'u', { uuid: 'n', summary: 'Summary.' }),
    messageEnvelope('v3', { user_id: 'u' }, 't', { ...v3Message, content: '' }),
  ];

  it('every item is rebuilt identically from its saved `raw` (a JSON line)', () => {
    for (const include of [defaults, everything]) {
      for (const envelope of envelopes) {
        const live = zepItem(envelope, include);
        expect(live).not.toBeNull();
        const saved = JSON.parse(JSON.stringify((live as { raw: unknown }).raw)) as unknown;
        expect(zepItem(saved, include)).toEqual(live);
      }
    }
  });

  it('the owner decides the tenant: user, else graph:<id>, else thread:<id>', () => {
    expect(zepTenantKey(messageEnvelope('v3', { user_id: 'u' }, 't', {}))).toBe('u');
    expect(zepTenantKey(factEnvelope('v3', { graph_id: 'g' }, {}))).toBe('graph:g');
    expect(zepTenantKey(messageEnvelope('v3', {}, 't', {}))).toBe('thread:t');
  });

  it('lines that are not Zep envelopes are skipped, not thrown', () => {
    for (const line of [null, 42, 'text', [], { zep: 'memory', api: 'v3' }, { zep: 'message', api: 'v9', message: v3Message }, { id: 'mem0-like', memory: 'x' }]) {
      expect(skipped(zepItem(line, defaults))).toEqual({ sourceId: null, tenantKey: null, reason: 'not a Zep snapshot record', kind: 'malformed' });
    }
  });
});

describe('a v4 object is read as the v3 object it is (zep-v4.md §4–§6, §9)', () => {
  const owner = { user_id: 'user_8f3a' };
  const same = (v3: ZepEnvelope, v4: ZepEnvelope): void => {
    const viaV3 = zepItem(v3, everything);
    const viaV4 = zepItem(v4, everything);
    expect(viaV4 && 'record' in viaV4 ? viaV4.record : viaV4).toEqual(viaV3 && 'record' in viaV3 ? viaV3.record : viaV3);
    expect(viaV4 && 'raw' in viaV4 ? viaV4.raw : null).toBe(v4); // --save-export keeps what v4 sent
  };

  it('a message: the thread uuid and a reference time equal to created_at add nothing', () => {
    const v4 = { ...v3Message, thread_uuid: '1b7e4d2a-9c3f-4a8e-b5d1-6f2e8a0c4b97', reference_time: '2025-08-14T09:22:05.118000Z', score: 0.3 };
    same(messageEnvelope('v3', owner, 'thread_a', v3Message), messageEnvelope('v4', owner, 'thread_a', v4));
    // A back-filled message's reference time is news v3 did not send: kept.
    const backFilled = memory(zepItem(messageEnvelope('v4', owner, 'thread_a', { ...v4, reference_time: '2024-01-01T00:00:00Z' }), everything));
    expect(backFilled.sourceFields['reference_time']).toBe('2024-01-01T00:00:00Z');
    expect(backFilled.createdAt).toBe(Date.parse(v3Message.created_at));
  });

  it('a fact: episode_uuids is v3 episodes, unset times are null as v3 sent them, the graph uuid goes', () => {
    const v3 = {
      uuid: '9b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e', name: 'WORKS_AT', fact: 'Jane Doe works at Acme.', source_node_uuid: 'a', target_node_uuid: 'b',
      source_node_name: 'Jane Doe', target_node_name: 'Acme', created_at: '2025-08-14T09:22:12.553Z', valid_at: null, invalid_at: null, expired_at: null,
      episodes: ['e0f1a2b3-c4d5-4e6f-8a7b-9c0d1e2f3a4b'], attributes: {},
    };
    const { episodes, valid_at: _v, invalid_at: _i, expired_at: _e, ...rest } = v3;
    const v4 = { ...rest, graph_uuid: 'a4e2b7c9-1d3f-4e5a-8b6c-7d9e0f1a2b3c', episode_uuids: episodes, relevance: 0.9 };
    same(factEnvelope('v3', owner, v3), factEnvelope('v4', owner, v4));
    const stale = skipped(zepItem(factEnvelope('v4', owner, { ...v4, invalid_at: '2025-09-01T00:00:00Z' }), defaults));
    expect(stale.reason).toMatch(/^fact invalidated at 2025-09-01T00:00:00.000Z; --include invalidated-facts imports it$/);
  });

  it('an episode: v4 role/role_name are v3 role_type/role, thread_uuid is thread_id; wait_status is kept', () => {
    const v3 = { uuid: 'e1', content: 'Jane Doe: hi', created_at: '2025-08-14T09:22:05.118Z', processed: true, role: 'Jane Doe', role_type: 'user', source: 'message', source_description: '', thread_id: 't-uuid', metadata: {} };
    const v4 = { uuid: 'e1', content: 'Jane Doe: hi', created_at: '2025-08-14T09:22:05.118Z', processed: true, role: 'user', role_name: 'Jane Doe', source: 'message', source_description: '', thread_uuid: 't-uuid', metadata: {}, graph_uuid: 'g', reference_time: '2025-08-14T09:22:05.118Z' };
    same(episodeEnvelope('v3', { graph_id: 'kb' }, v3), episodeEnvelope('v4', { graph_id: 'kb' }, v4));
    const delayed = memory(zepItem(episodeEnvelope('v4', owner, { uuid: 'e2', content: '{"a":1}', source: 'json', created_at: '2026-11-20T12:00:00Z', processed: false, wait_status: 'processing_delayed' }), everything));
    expect(delayed.sourceFields).toMatchObject({ wait_status: 'processing_delayed', processed: false });
  });

  it('a thread summary: thread_uuid goes, the thread is the envelope’s', () => {
    const v3 = { uuid: 's1', thread_id: 'thread_a', summary: 'Jane moved.', created_at: '2025-08-14T09:25:00Z', last_summarized_at: '2025-08-14T09:25:00Z' };
    const { thread_id: _t, ...rest } = v3;
    same(threadSummaryEnvelope('v3', owner, 'thread_a', v3), threadSummaryEnvelope('v4', owner, 'thread_a', { ...rest, thread_uuid: '1b7e4d2a-9c3f-4a8e-b5d1-6f2e8a0c4b97' }));
  });
});

describe('Zep tenant keys: one per owner, whatever its kind (issue 19 item 8)', () => {
  it('a user keeps its id as its key unless the id reads as another kind\'s key; then it is `user:<id>`', () => {
    expect(zepUserTenantKey('alice')).toBe('alice');
    expect(zepUserTenantKey('6f1a2c3e-8a4b-4c1e-9d2f-0b5e7a9c1d23')).toBe('6f1a2c3e-8a4b-4c1e-9d2f-0b5e7a9c1d23');
    expect(zepUserTenantKey('agent:bot')).toBe('agent:bot'); // not a Zep kind
    expect(zepUserTenantKey('thread:t1')).toBe('user:thread:t1');
    expect(zepUserTenantKey('graph:g1')).toBe('user:graph:g1');
    expect(zepUserTenantKey('user:bob')).toBe('user:user:bob');
    expect(zepTenantKey({ user_id: 'thread:t1' })).toBe('user:thread:t1');
    expect(zepTenantKey({ thread_id: 't1' })).toBe('thread:t1');
    expect(zepTenantKey({ graph_id: 'g1' })).toBe('graph:g1');
    const summary = zepItem(userSummaryEnvelope('v3', 'graph:g1', { summary: 'A user named like a graph.' }), defaults);
    expect(summary).toMatchObject({ type: 'tenant', tenant: { tenantKey: 'user:graph:g1' } });
  });

  it('a name given to --user-id reads back as the owner whose key it is', () => {
    expect(zepNamedOwner('alice')).toEqual({ kind: 'user', id: 'alice', tenantKey: 'alice', partitionKey: 'user:alice' });
    expect(zepNamedOwner('user:thread:t1')).toEqual({ kind: 'user', id: 'thread:t1', tenantKey: 'user:thread:t1', partitionKey: 'user:thread:t1' });
    expect(zepNamedOwner('user:user:bob')).toEqual({ kind: 'user', id: 'user:bob', tenantKey: 'user:user:bob', partitionKey: 'user:user:bob' });
    expect(zepNamedOwner('thread:t1')).toEqual({ kind: 'thread', id: 't1', tenantKey: 'thread:t1', partitionKey: 'thread:t1' });
    expect(zepNamedOwner('graph:g1')).toEqual({ kind: 'graph', id: 'g1', tenantKey: 'graph:g1', partitionKey: 'graph:g1' });
    for (const id of ['alice', 'thread:t1', 'graph:g1', 'user:bob', 'user:', 'thread:']) expect(zepNamedOwner(zepUserTenantKey(id))).toMatchObject({ kind: 'user', id });
  });
});
