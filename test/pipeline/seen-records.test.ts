import { describe, expect, it } from 'vitest';
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
