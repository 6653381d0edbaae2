import { describe, expect, it } from 'vitest';
import { RecordIdSet } from '../../src/pipeline/record-id-set.js';
import { SeenRecords } from '../../src/pipeline/record-intake.js';
import type { MemoryRecord } from '../../src/records.js';

const record = (sourceId: string, tenantKey: string | null, content: string): MemoryRecord => ({
  sourceKind: 'test', sourceId, tenantKey, content, role: null, tags: [], metadata: {}, sourceFields: {}, createdAt: null, updatedAt: null,
});

describe('SeenRecords', () => {
  it('tells a first read, the same record again, and another record under a known id — across many records and growth', () => {
    const seen = new SeenRecords();
    for (let i = 0; i < 50_000; i++) expect(seen.check(record(`id-${i}`, `user-${i % 97}`, `text ${i}`))).toBeNull();
    for (let i = 0; i < 50_000; i += 7) expect(seen.check(record(`id-${i}`, `user-${i % 97}`, `text ${i}`))).toBe('same');
    expect(seen.check(record('id-3', 'someone-else', 'text 3'))).toEqual({ firstTenant: 'user-3' });
    expect(seen.check(record('id-4', 'user-4', 'other text'))).toEqual({ firstTenant: 'user-4' });
    expect(seen.check(record('no-owner', null, 'x'))).toBeNull();
    expect(seen.check(record('no-owner', 'alice', 'x'))).toEqual({ firstTenant: null });
    expect(seen.check(record('id-50000', 'user-1', 'new'))).toBeNull();
  });
});

describe('RecordIdSet', () => {
  it('keeps every id added, and only those, with entry numbers in the order they came, through growth', () => {
    const ids = new RecordIdSet();
    for (let i = 0; i < 20_000; i++) expect(ids.add(`record-${i}`)).toEqual({ entry: i, added: true });
    expect(ids.size).toBe(20_000);
    expect(ids.add('record-123')).toEqual({ entry: 123, added: false });
    for (let i = 0; i < 20_000; i += 13) expect(ids.entry(`record-${i}`)).toBe(i);
    for (let i = 20_000; i < 21_000; i++) expect(ids.has(`record-${i}`)).toBe(false);
    expect(ids.has('record-1')).toBe(true);
    expect(ids.has('record-')).toBe(false);
  });
});
