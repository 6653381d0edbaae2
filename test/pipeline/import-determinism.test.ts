import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mem0Source } from '../../adapters/mem0/index.js';
import { importFrom } from '../../src/pipeline/import.js';
import type { Partition, Source, SourceItem } from '../../src/records.js';
import { openTarget, resolveTargetConfig } from '../../src/target/open-target.js';
import { generatedMem0Account } from '../fakes/mem0/mem0-account.js';
import { importedState } from '../support/database-snapshot.js';
import { tempDir } from '../support/temp.js';

async function stateAfterImport(memories: unknown[], options: { batchSize: number; concurrency: number }): Promise<Record<string, unknown>> {
  const dir = tempDir();
  const file = path.join(dir, 'export.json');
  writeFileSync(file, JSON.stringify(memories));
  const target = resolveTargetConfig({ db: path.join(dir, 'om.sqlite') }, {});
  await importFrom({ source: mem0Source({ fromFile: file }).source, target, env: {}, ...options });
  const opened = await openTarget(target);
  try {
    return await importedState(opened);
  } finally {
    await opened.close();
  }
}

/** A deterministic shuffle. */
function shuffled<T>(items: T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe('import results do not depend on order or batching', () => {
  it('the same records in another order, batch size and concurrency give the same rows, waypoints included', async () => {
    const { memories } = generatedMem0Account({ users: 4, perUser: 25 });
    const inOrder = await stateAfterImport(memories, { batchSize: 1000, concurrency: 1 });
    const reordered = await stateAfterImport(shuffled(memories, 7), { batchSize: 7, concurrency: 4 });
    expect(reordered).toEqual(inOrder);
  });
});

describe('incremental waypoints', () => {
  it('a change deep in a long history (past one window) gives the waypoints a clean import of the new data gives', async () => {
    const { memories } = generatedMem0Account({ users: 1, perUser: 1100 });
    const dir = tempDir();
    const file = path.join(dir, 'export.json');
    writeFileSync(file, JSON.stringify(memories));
    const target = resolveTargetConfig({ db: path.join(dir, 'om.sqlite') }, {});
    await importFrom({ source: mem0Source({ fromFile: file }).source, target, env: {} });

    const changed = memories.map((memory, i) => (i === 1050 ? { ...(memory as object), memory: 'Completely different: loves sailing now' } : memory));
    writeFileSync(file, JSON.stringify(changed));
    const report = await importFrom({ source: mem0Source({ fromFile: file }).source, target, env: {} });
    expect(report.totals).toMatchObject({ updated: 1, unchanged: 1099 });
    expect(report.users[0]?.waypointsWritten).toBe(50); // the changed memory and the 49 after it

    const opened = await openTarget(target);
    const incremental = await importedState(opened);
    await opened.close();
    expect(incremental).toEqual(await stateAfterImport(changed, { batchSize: 1000, concurrency: 1 }));
  });
});

describe('user summaries', () => {
  it('a summary the source provides wins; OpenMemory’s generated one is kept in the report', async () => {
    const source: Source = {
      name: 'test',
      filtersByUpdateTime: false,
      account: async () => 'account-1',
      async *partitions(): AsyncIterable<Partition> {
        yield { key: 'user:dana', tenantKey: 'dana' };
      },
      async *items(): AsyncIterable<SourceItem> {
        yield { type: 'tenant', tenant: { tenantKey: 'dana', summary: 'Dana is a marathon runner who likes tea.' } };
        for (let i = 0; i < 3; i++) {
          const record = {
            sourceKind: 'test.note', sourceId: `n${i}`, tenantKey: 'dana', content: `Dana note ${i} about tea`, role: null,
            tags: [], metadata: {}, sourceFields: {}, createdAt: Date.UTC(2026, 0, 1 + i), updatedAt: Date.UTC(2026, 0, 1 + i),
          };
          yield { type: 'memory', record, raw: record };
        }
      },
    };
    const target = resolveTargetConfig({ db: path.join(tempDir(), 'om.sqlite') }, {});
    const report = await importFrom({ source, target, env: {} });
    expect(report.users).toEqual([
      { userId: 'dana', waypointsWritten: 3, summarySource: 'source', generatedSummary: expect.stringMatching(/^3 memories, \d+ patterns/) },
    ]);
    const opened = await openTarget(target);
    const rows = await opened.executor.all<{ summary: string }>('select summary from users');
    await opened.close();
    expect(rows).toEqual([{ summary: 'Dana is a marathon runner who likes tea.' }]);
  });
});
