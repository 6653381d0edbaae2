import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SupermemorySnapshotFile } from '../../../adapters/supermemory/supermemory-snapshot-file.js';
import { snapshotHeaderLine } from '../../../src/pipeline/snapshot.js';
import type { SourceItem } from '../../../src/records.js';
import { tempDir } from '../../support/temp.js';

const document = (id: string, tag: string) => ({
  supermemory: 'document',
  tag,
  multiTag: 'all',
  document: { id, status: 'done', containerTags: [tag] },
  text: `text of ${id}`,
  textFrom: 'list',
});

function snapshot(): string {
  const file = path.join(tempDir(), 'supermemory.jsonl');
  const lines = [
    document('d1', 'alice'),
    document('d2', 'bob'),
    { supermemory: 'memory', tag: 'bob', firstTag: 'bob', multiTag: 'all', via: 'list', entry: { id: 'e1', memory: 'Likes tea' } },
    { supermemory: 'profile', tag: 'bob', profile: { profile: { static: ['Lives in Berlin'], dynamic: [] } } },
    document('d3', '(untagged)'),
  ];
  writeFileSync(file, snapshotHeaderLine({ source: 'supermemory', account: 'acct', saved_at: '2026-11-25T00:00:00Z' }) + lines.map((l) => JSON.stringify(l)).join('\n'));
  return file;
}

async function read(source: SupermemorySnapshotFile): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const _partition of source.partitions()) for await (const item of source.items()) items.push(item);
  return items;
}

const tenants = (items: SourceItem[]): (string | null)[] =>
  items.map((item) => (item.type === 'memory' ? item.record.tenantKey : item.type === 'tenant' ? `summary:${item.tenant.tenantKey}` : null));

describe('a Supermemory snapshot read with --user-id', () => {
  it('reads only the named container tags', async () => {
    const file = snapshot();
    expect(tenants(await read(new SupermemorySnapshotFile(file)))).toEqual(['alice', 'bob', 'bob', 'summary:bob', '(untagged)']);
    expect(tenants(await read(new SupermemorySnapshotFile(file, { tags: ['bob'] })))).toEqual(['bob', 'bob', 'summary:bob']);
    expect(tenants(await read(new SupermemorySnapshotFile(file, { tags: ['alice', '(untagged)'] })))).toEqual(['alice', '(untagged)']);
  });
});
