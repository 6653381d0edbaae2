// Every adapter that reads a time flags one it was sent but cannot read: the record is imported without it, and
// the report counts it (Mem0's are in mem0/mem0-memory.test.ts).
import { describe, expect, it } from 'vitest';
import { supermemoryItem } from '../../adapters/supermemory/supermemory-records.js';
import { zepItem } from '../../adapters/zep/zep-records.js';
import type { SourceItem } from '../../src/records.js';

const include = ['messages', 'facts', 'data', 'summaries'] as const;
const zep = (envelope: Record<string, unknown>): SourceItem | null => zepItem({ api: 'v3', user_id: 'alice', ...envelope }, { include: [...include] });
const record = (item: SourceItem | null) => (item?.type === 'memory' ? item.record : null);

describe('times a source sent that cannot be read', () => {
  it('Zep: messages, facts, data and thread summaries are imported without them, flagged', () => {
    const message = record(zep({ zep: 'message', thread_id: 't', message: { uuid: 'm', content: 'hi', role: 'user', created_at: 1e25 } }));
    expect(message).toMatchObject({ createdAt: null, updatedAt: null, flags: ['unreadable-time'] });
    const fact = record(zep({ zep: 'fact', edge: { uuid: 'f', fact: 'Alice likes tea', valid_at: 'someday', created_at: '2026-01-01T00:00:00Z' } }));
    expect(fact).toMatchObject({ createdAt: Date.UTC(2026, 0, 1), flags: ['unreadable-time'] });
    const episode = record(zep({ zep: 'episode', episode: { uuid: 'e', content: 'data', source: 'text', created_at: '+300000-01-01T00:00:00Z' } }));
    expect(episode).toMatchObject({ createdAt: null, flags: ['unreadable-time'] });
    const summary = record(zep({ zep: 'thread-summary', thread_id: 't', summary: { uuid: 's', summary: 'sum', created_at: '2026-01-01T00:00:00Z', last_summarized_at: 'x' } }));
    expect(summary).toMatchObject({ createdAt: Date.UTC(2026, 0, 1), updatedAt: Date.UTC(2026, 0, 1), flags: ['unreadable-time'] });
    const readable = record(zep({ zep: 'message', thread_id: 't', message: { uuid: 'm', content: 'hi', created_at: 1_767_225_600_000_000 } }));
    expect(readable).toMatchObject({ createdAt: Date.UTC(2026, 0, 1) });
    expect(readable?.flags).toBeUndefined();
  });

  it('Supermemory: documents and memory entries are imported without them, flagged', () => {
    const document = record(
      supermemoryItem({ supermemory: 'document', tag: 'alice', multiTag: 'all', document: { id: 'd', status: 'done', createdAt: 'never', updatedAt: '2026-01-01T00:00:00Z' }, text: 'text', textFrom: 'list' }),
    );
    expect(document).toMatchObject({ createdAt: null, updatedAt: Date.UTC(2026, 0, 1), flags: ['unreadable-time'] });
    const entry = record(
      supermemoryItem({ supermemory: 'memory', tag: 'alice', firstTag: 'alice', multiTag: 'all', via: 'list', entry: { id: 'e', memory: 'Likes tea', createdAt: 1e30 } }),
    );
    expect(entry).toMatchObject({ createdAt: null, updatedAt: null, flags: ['unreadable-time'] });
  });
});
