import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mem0Source } from '../../adapters/mem0/index.js';
import { importFrom } from '../../src/pipeline/import.js';
import type { Source, SourceItem } from '../../src/records.js';
import { testSource } from '../support/test-source.js';
import { openTarget, resolveTargetConfig } from '../../src/database/open-target.js';
import { generatedMem0Account } from '../fakes/mem0/mem0-account.js';
import { importedState, tableChecksum } from '../support/database-snapshot.js';
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
    // As OpenMemory's own update does, the changed memory's version went up by one; the rest is a clean import's.
    const versions = await opened.executor.all<{ content: string; version: number }>('select content, version from memories where version <> 1');
    expect(versions).toEqual([{ content: 'Completely different: loves sailing now', version: 2 }]);
    await opened.executor.run('update memories set version = 1');
    const incremental = await importedState(opened);
    await opened.close();
    expect(incremental).toEqual(await stateAfterImport(changed, { batchSize: 1000, concurrency: 1 }));
  });
});

describe('a record whose time moved', () => {
  it('later: the waypoint of the memory before its old place no longer points at it, as in a clean import of the new data', async () => {
    const { memories } = generatedMem0Account({ users: 1, perUser: 40 });
    // The 11th memory says what the 10th says, so it points at the 10th (the most similar before it).
    (memories[11] as { memory: string }).memory = (memories[10] as { memory: string }).memory;
    const dir = tempDir();
    const file = path.join(dir, 'export.json');
    writeFileSync(file, JSON.stringify(memories));
    const target = resolveTargetConfig({ db: path.join(dir, 'om.sqlite') }, {});
    await importFrom({ source: mem0Source({ fromFile: file }).source, target, env: {} });

    // The 10th memory's time moves past the last one's: it leaves its place in the user's history.
    const last = memories[memories.length - 1] as { created_at: string };
    const later = new Date(Date.parse(last.created_at) + 3_600_000).toISOString();
    const moved = memories.map((memory, i) => (i === 10 ? { ...(memory as object), created_at: later, updated_at: later } : memory));
    writeFileSync(file, JSON.stringify(moved));
    const report = await importFrom({ source: mem0Source({ fromFile: file }).source, target, env: {} });
    expect(report.totals).toMatchObject({ updated: 1, unchanged: 39 });

    const opened = await openTarget(target);
    const incremental = await importedState(opened);
    // What OpenMemory's own update keeps of a memory (update_memory): its segment, what it learnt from use, its version.
    const kept = ['segment', 'version', 'salience', 'last_seen_at', 'feedback_score'];
    const incrementalMemories = await tableChecksum(opened, 'memories', kept);
    await opened.close();
    const cleanDir = tempDir();
    writeFileSync(path.join(cleanDir, 'export.json'), JSON.stringify(moved));
    const cleanTarget = resolveTargetConfig({ db: path.join(cleanDir, 'om.sqlite') }, {});
    await importFrom({ source: mem0Source({ fromFile: path.join(cleanDir, 'export.json') }).source, target: cleanTarget, env: {} });
    const clean = await openTarget(cleanTarget);
    const cleanState = await importedState(clean);
    const cleanMemories = await tableChecksum(clean, 'memories', kept);
    await clean.close();
    expect({ ...incremental, memories: incrementalMemories }).toEqual({ ...cleanState, memories: cleanMemories });
  });
});

describe('user summaries', () => {
  it('a summary the source provides wins; OpenMemory’s generated one is kept in the report', async () => {
    const source = testSource(['dana'], function* (): Iterable<SourceItem> {
      yield { type: 'tenant', tenant: { tenantKey: 'dana', summary: 'Dana is a marathon runner who likes tea.' } };
      for (let i = 0; i < 3; i++) {
        const record = {
          sourceKind: 'test.note', sourceId: `n${i}`, tenantKey: 'dana', content: `Dana note ${i} about tea`, role: null,
          tags: [], metadata: {}, sourceFields: {}, createdAt: Date.UTC(2026, 0, 1 + i), updatedAt: Date.UTC(2026, 0, 1 + i),
        };
        yield { type: 'memory', record, raw: record };
      }
    });
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

describe('source summaries across runs', () => {
  const note = (user: string, i: number): SourceItem => {
    const record = {
      sourceKind: 'test.note', sourceId: `${user}-${i}`, tenantKey: user, content: `${user} note ${i} about tea and running`, role: null,
      tags: [], metadata: {}, sourceFields: {}, createdAt: Date.UTC(2026, 0, 1 + i), updatedAt: Date.UTC(2026, 0, 1 + i),
    };
    return { type: 'memory', record, raw: record };
  };

  /** Two users; `summaries` says what each user's summary is this time; `failAfter` kills the run in that partition. */
  function summarySource(summaries: Record<string, string | null>, failIn: string | null = null): Source {
    return testSource(['ana', 'ben'], function* (user): Iterable<SourceItem> {
      yield { type: 'tenant', tenant: { tenantKey: user, summary: summaries[user] ?? null }, raw: { user } };
      for (let i = 0; i < 3; i++) yield note(user, i);
      if (failIn === user) throw new Error(`the source failed while reading ${user}`);
    });
  }

  async function summaries(target: ReturnType<typeof resolveTargetConfig>): Promise<Record<string, string>> {
    const opened = await openTarget(target);
    const rows = await opened.executor.all<{ user_id: string; summary: string }>('select user_id, summary from users order by user_id');
    await opened.close();
    return Object.fromEntries(rows.map((row) => [row.user_id, row.summary]));
  }

  it('a summary fetched before a kill is still written by the resumed run, which skips that user and reports both legs', async () => {
    const target = resolveTargetConfig({ db: path.join(tempDir(), 'om.sqlite') }, {});
    const given = { ana: 'Ana runs marathons.', ben: 'Ben drinks tea.' };
    await expect(importFrom({ source: summarySource(given, 'ben'), target, env: {}, concurrency: 1 })).rejects.toThrow(/while reading ben/);
    const resumed = await importFrom({ source: summarySource({ ana: 'never fetched again', ben: 'Ben drinks tea.' }), target, env: {}, concurrency: 1 });
    expect(resumed.resumed).toBe(true);
    // ana's partition was finished before the kill: not read again (her summary stays the one given), yet the report
    // covers the whole run, both legs, and says what the first leg counted.
    expect(resumed.tenants.map((tenant) => [tenant.tenant, tenant.fetched, tenant.created])).toEqual([['ana', 3, 3], ['ben', 3, 3]]);
    expect(resumed.resumedTotals).toEqual({ fetched: 3, created: 3, updated: 0, unchanged: 0, skipped: 0 });
    expect(resumed.totals.fetched).toBe(6);
    expect(await summaries(target)).toEqual(given);
  });

  it('a summary the source no longer has gives way to the generated one; many-to-one keeps one summary whatever the order', async () => {
    const target = resolveTargetConfig({ db: path.join(tempDir(), 'om.sqlite') }, {});
    await importFrom({ source: summarySource({ ana: 'Ana runs marathons.', ben: 'Ben drinks tea.' }), target, env: {} });
    await importFrom({ source: summarySource({ ana: null, ben: 'Ben drinks tea.' }), target, env: {} });
    const after = await summaries(target);
    expect(after['ana']).toMatch(/^3 memories, \d+ patterns/);
    expect(after['ben']).toBe('Ben drinks tea.');

    const { TenantMap } = await import('../../src/pipeline/tenant-map.js');
    const oneUser = new TenantMap(new Map([['ana', 'household'], ['ben', 'household']]));
    const both = { ana: 'Ana runs marathons.', ben: 'Ben drinks tea.' };
    for (const concurrency of [1, 2]) {
      const merged = resolveTargetConfig({ db: path.join(tempDir(), 'om.sqlite') }, {});
      await importFrom({ source: summarySource(both), target: merged, env: {}, tenantMap: oneUser, concurrency });
      expect(await summaries(merged)).toEqual({ household: 'Ana runs marathons.' });
    }
  });
});
