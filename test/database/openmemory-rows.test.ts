// The rows om-import writes, column by column, against the rows OpenMemory 1.2.3 itself wrote for the same inputs
// (fixtures/openmemory/databases/om-v1.2.3.*: the inputs of golden/waypoints.json, added one by one through its API),
// and what an update does to a memory. Where om-import differs on purpose, the test says so.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importFrom } from '../../src/pipeline/import.js';
import type { Source, SourceItem } from '../../src/records.js';
import { testSource } from '../support/test-source.js';
import { openTarget, resolveTargetConfig, type TargetConfig } from '../../src/database/open-target.js';
import type { Target } from '../../src/database/target.js';
import { fixturePath } from '../support/fixtures.js';
import { createTestDatabase, runSql } from '../support/postgres.js';
import { backends } from '../support/targets.js';
import { copyFixtureDatabase } from '../support/temp.js';

interface GoldenInput {
  content: string;
  tags: string[];
  metadata: { seq: number };
  user_id: string;
}

const inputs = (JSON.parse(readFileSync(fixturePath('openmemory', 'golden', 'waypoints.json'), 'utf8')) as { inputs: GoldenInput[] }).inputs;

/** The golden inputs as a source, one partition per user, each memory at the time `timeOf` gives its seq. */
function goldenSource(timeOf: (seq: number) => number): Source {
  return testSource([...new Set(inputs.map((input) => input.user_id))], function* (user): Iterable<SourceItem> {
    for (const input of inputs.filter((candidate) => candidate.user_id === user)) {
      const at = timeOf(input.metadata.seq);
      const record = {
        sourceKind: 'test.memory', sourceId: `seq-${input.metadata.seq}`, tenantKey: input.user_id, content: input.content, role: null,
        tags: input.tags, metadata: input.metadata, sourceFields: {}, createdAt: at, updatedAt: at,
      };
      yield { type: 'memory', record, raw: record };
    }
  });
}

type Row = Record<string, unknown>;

function comparable(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return `hex:${value.toString('hex')}`;
  if (typeof value === 'bigint') return Number(value);
  return value;
}

interface StoredRows {
  /** Memory rows by the input's seq, `meta` without om-import's own key, with their vectors and embed log. */
  bySeq: Map<number, Row>;
  reflections: Record<string, number>;
}

async function storedRows(target: Target): Promise<StoredRows> {
  const { qualified, tables } = target.dialect;
  const waypoints = await target.executor.all<Row>(`select src_id, dst_id, weight from ${qualified(tables.waypoints)}`);
  const rows = await memoryRows(target);
  const seqOf = new Map([...rows.bySeq].map(([seq, row]) => [String(row['id']), seq]));
  for (const waypoint of waypoints) {
    const row = rows.bySeq.get(seqOf.get(String(waypoint['src_id']))!);
    if (row) row['waypoint'] = { to: seqOf.get(String(waypoint['dst_id'])), weight: Number(waypoint['weight']) };
  }
  return rows;
}

async function memoryRows(target: Target): Promise<StoredRows> {
  const { qualified, tables } = target.dialect;
  const memories = await target.executor.all<Row>(`select * from ${qualified(tables.memories)}`);
  const vectors = await target.executor.all<Row>(`select id, sector, user_id, v, dim from ${qualified(tables.vectors)} order by sector`);
  const logs = await target.executor.all<Row>(`select id, model, status, err from ${qualified(tables.embedLogs)}`);
  const bySeq = new Map<number, Row>();
  for (const memory of memories) {
    const id = String(memory['id']);
    const { om_import: _provenance, ...meta } = JSON.parse(String(memory['meta'])) as { seq: number; om_import?: unknown };
    const row: Row = Object.fromEntries(Object.entries(memory).map(([column, value]) => [column, comparable(value)]));
    row['meta'] = meta;
    row['vectors'] = vectors
      .filter((vector) => String(vector['id']) === id)
      .map((vector) => ({ sector: vector['sector'], user_id: vector['user_id'], dim: Number(vector['dim']), v: comparable(vector['v']) }));
    const log = logs.find((candidate) => String(candidate['id']) === id);
    row['embed_log'] = log ? { model: log['model'], status: log['status'], err: log['err'] } : null;
    bySeq.set(meta.seq, row);
  }
  const users = await target.executor.all<{ user_id: string; reflection_count: number }>(`select user_id, reflection_count from ${qualified(tables.users)}`);
  return { bySeq, reflections: Object.fromEntries(users.map((user) => [user.user_id, Number(user.reflection_count)])) };
}

function pick(row: Row | undefined, columns: readonly string[]): Row {
  return Object.fromEntries(columns.map((column) => [column, row?.[column]]));
}

/** Imports the golden inputs into `config` at the times OpenMemory stored them; answers both sets of rows. */
async function importBeside(openMemory: Target, config: TargetConfig, version: '1.2' | '1.3' = '1.2'): Promise<{ theirs: StoredRows; ours: StoredRows }> {
  const theirs = await storedRows(openMemory);
  // OpenMemory's times for the memories it kept; one millisecond after the previous input for the 7 its dedup swallowed.
  const times = new Map<number, number>();
  let last = 0;
  for (const input of inputs) {
    const stored = theirs.bySeq.get(input.metadata.seq);
    last = stored ? Number(stored['created_at']) : last + 1;
    times.set(input.metadata.seq, last);
  }
  // OpenMemory's default, which these databases were written with; om-import stores the full text unless told.
  const env = { OM_USE_SUMMARY_ONLY: 'true', OM_IMPORT_OPENMEMORY: version };
  await importFrom({ source: goldenSource((seq) => times.get(seq)!), target: config, env });
  const target = await openTarget(config);
  try {
    return { theirs, ours: await storedRows(target) };
  } finally {
    await target.close();
  }
}

/** Columns OpenMemory computes from the input alone, the same on both of its backends. */
const inputColumns = ['user_id', 'segment', 'content', 'simhash', 'primary_sector', 'tags', 'meta', 'created_at', 'decay_lambda', 'version', 'compressed_vec', 'feedback_score', 'vectors'];

describe('rows as OpenMemory 1.2.3 writes them, for the same inputs', () => {
  it('SQLite: every column of every memory, its vectors and its embed log', async () => {
    const openMemory = await openTarget(resolveTargetConfig({ db: copyFixtureDatabase('om-v1.2.3.sqlite') }, {}));
    const config = await backends[0]![1]();
    const { theirs, ours } = await importBeside(openMemory, config).finally(() => openMemory.close());
    expect(theirs.bySeq.size).toBe(33);
    // OpenMemory's SQLite database saw no decay or reinforcement: its times and salience are those of the add.
    const columns = [...inputColumns, 'updated_at', 'last_seen_at', 'salience', 'embed_log'];
    for (const [seq, row] of theirs.bySeq) expect({ seq, ...pick(ours.bySeq.get(seq), columns) }).toEqual({ seq, ...pick(row, columns) });

    // On purpose: OpenMemory 1.2.3 on SQLite never stores the mean vector (parameters in the wrong order), so its
    // waypoints there are all self-waypoints; om-import stores it (compared with its PostgreSQL rows below).
    expect([...theirs.bySeq.values()].every((row) => row['mean_vec'] === null && row['mean_dim'] === null)).toBe(true);
    expect([...ours.bySeq.values()].every((row) => row['mean_dim'] === 256)).toBe(true);
    // On purpose: its SQLite path never updates a user's summary (same bug), so reflection_count stays 0 there;
    // om-import counts one per memory added, as OpenMemory's PostgreSQL path does (below).
    expect(theirs.reflections).toEqual({ alice: 0, bob: 0, 'carol@example.com': 0 });
    expect(ours.reflections).toEqual({ alice: 14, bob: 13, 'carol@example.com': 13 });
  });

  it('PostgreSQL: the same, with the mean vectors and the users’ reflection counts', async () => {
    const url = await createTestDatabase();
    await runSql(url, readFileSync(fixturePath('openmemory', 'databases', 'om-v1.2.3.pg.sql'), 'utf8'));
    const openMemory = await openTarget(resolveTargetConfig({ pg: url }, {}));
    const config = await backends[1]![1]();
    const { theirs, ours } = await importBeside(openMemory, config).finally(() => openMemory.close());
    expect(theirs.bySeq.size).toBe(33);
    // This database ran OpenMemory's decay and its dedup boosts: salience, updated_at and last_seen_at moved since.
    const columns = [...inputColumns, 'mean_dim', 'mean_vec'];
    for (const [seq, row] of theirs.bySeq) expect({ seq, ...pick(ours.bySeq.get(seq), columns) }).toEqual({ seq, ...pick(row, columns) });
    // One reflection per memory added, including the 7 OpenMemory's dedup folded into others (the add still
    // regenerated the summary); om-import does not dedup, so it has those 7 as memories.
    expect(ours.reflections).toEqual(theirs.reflections);
    expect(ours.reflections).toEqual({ alice: 14, bob: 13, 'carol@example.com': 13 });
    // On purpose: OpenMemory 1.2.3 on PostgreSQL leaves its embed logs 'pending' (its status update binds the id to
    // the wrong parameter); the embedding is done, so om-import says 'completed', as OpenMemory does on SQLite.
    for (const [seq, row] of theirs.bySeq) {
      expect({ seq, log: row['embed_log'] }).toEqual({ seq, log: { model: 'multi-sector', status: 'pending', err: null } });
      expect({ seq, log: ours.bySeq.get(seq)?.['embed_log'] }).toEqual({ seq, log: { model: 'multi-sector', status: 'completed', err: null } });
    }
  });
});

describe('rows as OpenMemory 1.3.0 writes them, for the same inputs', () => {
  // fixtures/openmemory/databases/om-v1.3.0.sqlite: written by 1.3.0's own server, default configuration, from the
  // same inputs (scripts/openmemory-1.3.0/server-database.mjs).
  it('SQLite with --openmemory 1.3: every column 1.3.0 computes, its vectors at the dimension it queries with, its waypoints', async () => {
    const openMemory = await openTarget(resolveTargetConfig({ db: copyFixtureDatabase('om-v1.3.0.sqlite') }, {}));
    const config = await backends[0]![1]();
    const { theirs, ours } = await importBeside(openMemory, config, '1.3').finally(() => openMemory.close());
    expect(theirs.bySeq.size).toBe(33);
    // 1.3.0 stores the mean vector on SQLite (1.2.3 did not), so the mean vector and the waypoints chosen from it compare too.
    const columns = [...inputColumns, 'mean_dim', 'mean_vec', 'embed_log'];
    for (const [seq, row] of theirs.bySeq) expect({ seq, ...pick(ours.bySeq.get(seq), columns) }).toEqual({ seq, ...pick(row, columns) });
    // Each memory's waypoint: the same target and weight, except where om-import's best match is an input 1.3.0's
    // simhash dedup folded into another memory (om-import keeps it as a memory of its own, on purpose).
    let toFolded = 0;
    for (const [seq, row] of theirs.bySeq) {
      const ourWaypoint = ours.bySeq.get(seq)?.['waypoint'] as { to: number; weight: number };
      if (theirs.bySeq.has(ourWaypoint.to)) expect({ seq, waypoint: ourWaypoint }).toEqual({ seq, waypoint: row['waypoint'] });
      else toFolded++;
    }
    expect(toFolded).toBeLessThan(theirs.bySeq.size / 4);
    // The vectors of both are 1536-d: what a default 1.3.0 server embeds its queries at (every tier, core/cfg.ts).
    for (const rows of [theirs, ours]) {
      expect(new Set([...rows.bySeq.values()].flatMap((row) => (row['vectors'] as { dim: number }[]).map((vector) => vector.dim)))).toEqual(new Set([1536]));
    }
    // Salience and times are the add's, except on the 4 memories 1.3.0's simhash dedup boosted later (om-import does not dedup).
    const untouched = [...theirs.bySeq].filter(([, row]) => row['updated_at'] === row['created_at']);
    expect(untouched).toHaveLength(29);
    const times = ['updated_at', 'last_seen_at', 'salience'];
    for (const [seq, row] of untouched) expect({ seq, ...pick(ours.bySeq.get(seq), times) }).toEqual({ seq, ...pick(row, times) });
    // On purpose, as for 1.2.3: its SQLite path never updates a user's summary; om-import counts one reflection per memory added.
    expect(theirs.reflections).toEqual({ alice: 0, bob: 0, 'carol@example.com': 0 });
    expect(ours.reflections).toEqual({ alice: 14, bob: 13, 'carol@example.com': 13 });
  });

  it("the same inputs with 1.2.3's rows differ where the versions do: the dimension, and the sectors of some memories", async () => {
    const openMemory = await openTarget(resolveTargetConfig({ db: copyFixtureDatabase('om-v1.3.0.sqlite') }, {}));
    const theirs = await storedRows(openMemory).finally(() => openMemory.close());
    const config = await backends[0]![1]();
    await importFrom({ source: goldenSource((seq) => Date.UTC(2026, 0, 1) + seq), target: config, env: { OM_USE_SUMMARY_ONLY: 'true' } });
    const target = await openTarget(config);
    const ours = await storedRows(target).finally(() => target.close());
    const sectorChanged = [...theirs.bySeq].filter(([seq, row]) => ours.bySeq.get(seq)?.['primary_sector'] !== row['primary_sector']).map(([seq]) => seq);
    expect(sectorChanged.length).toBeGreaterThan(0);
    expect(new Set([...ours.bySeq.values()].map((row) => row['mean_dim']))).toEqual(new Set([256]));
  });
});

describe.each(backends)('a database of one OpenMemory version, imported into as the other (%s)', (_name, makeTarget) => {
  const oneMemory = (content: string): Source =>
    testSource(['erin'], function* (): Iterable<SourceItem> {
      const record = {
        sourceKind: 'test.note', sourceId: `note-${content.length}`, tenantKey: 'erin', content, role: null,
        tags: [], metadata: {}, sourceFields: {}, createdAt: Date.UTC(2026, 0, 1), updatedAt: Date.UTC(2026, 0, 1),
      };
      yield { type: 'memory', record, raw: record };
    });

  async function withServerRows(version: '1.2' | '1.3', vectorDimension: number): Promise<TargetConfig> {
    // Rows as that version's server writes them: not om-import's (no meta.om_import), a sector only its patterns give.
    const config = await makeTarget();
    await importFrom({ source: oneMemory('Dana is here'), target: config, env: {} }); // creates the tables
    const target = await openTarget(config);
    try {
      const { qualified, tables } = target.dialect;
      const vector = Buffer.alloc(vectorDimension * 4);
      // the same text in the sector each version's patterns give it
      const facts: [string, string] = ['Went to Paris last month', version === '1.2' ? 'semantic' : 'episodic'];
      await target.executor.run(`delete from ${qualified(tables.vectors)}`);
      await target.executor.run(`update ${qualified(tables.memories)} set content = ?, primary_sector = ?, meta = '{}'`, [facts[0], facts[1]]);
      const [memory] = await target.executor.all<{ id: string }>(`select id from ${qualified(tables.memories)}`);
      await target.executor.run(`insert into ${qualified(tables.vectors)} (id, sector, user_id, v, dim) values (?, ?, 'erin', ?, ?)`, [memory!.id, facts[1], vector, vectorDimension]);
    } finally {
      await target.close();
    }
    return config;
  }

  it('refuses --openmemory 1.3 on 1.2.3-default vectors, naming both versions and the way to choose', async () => {
    const config = await withServerRows('1.2', 256);
    await expect(importFrom({ source: oneMemory('Erin likes tea'), target: config, env: { OM_IMPORT_OPENMEMORY: '1.3' } })).rejects.toThrow(
      /already holds 256-dimensional vectors, as OpenMemory 1\.2\.x \(1\.2\.3\) writes them \(OM_TIER=hybrid\), but OpenMemory 1\.3\.0 writes 1536.*--openmemory 1\.2/,
    );
  });

  it('refuses the default (1.2) on 1.3.0-default vectors', async () => {
    const config = await withServerRows('1.3', 1536);
    await expect(importFrom({ source: oneMemory('Erin likes tea'), target: config, env: {} })).rejects.toThrow(
      /as OpenMemory 1\.3\.0 writes them .*but OpenMemory 1\.2\.x \(1\.2\.3\) writes 256.*--openmemory 1\.3/,
    );
  });

  it.each([
    ['1.2', '1.3'],
    ['1.3', '1.2'],
  ] as const)('with one OM_VEC_DIM for both, refuses a %s-classified database for rows of %s', async (stored, chosen) => {
    const config = await withServerRows(stored, 300);
    const run = importFrom({ source: oneMemory('Erin likes tea'), target: config, env: { OM_IMPORT_OPENMEMORY: chosen, OM_VEC_DIM: '300' } });
    await expect(run).rejects.toThrow(`--openmemory ${stored}`);
    await expect(run).rejects.toThrow(/holds memories OpenMemory classified with OpenMemory 1\.[23]/);
    // the version that wrote it is accepted
    const report = await importFrom({ source: oneMemory('Erin likes tea'), target: config, env: { OM_IMPORT_OPENMEMORY: stored, OM_VEC_DIM: '300' } });
    expect(report.totals.created).toBe(1);
  });
});

describe.each(backends)('a re-run for another OpenMemory version (%s)', (_name, makeTarget) => {
  it('counts every record as changed and rewrites its rows; the same version again finds them unchanged', async () => {
    const config = await makeTarget();
    const source = (): Source => goldenSource((seq) => Date.UTC(2026, 0, 1) + seq);
    const sectors = async (): Promise<string[]> => {
      const target = await openTarget(config);
      try {
        const rows = await target.executor.all<{ primary_sector: string }>(`select primary_sector from ${target.dialect.qualified(target.dialect.tables.memories)} order by id`);
        return rows.map((row) => row.primary_sector);
      } finally {
        await target.close();
      }
    };
    const first = await importFrom({ source: source(), target: config, env: {} });
    expect(first.totals).toMatchObject({ created: 40, updated: 0 });
    const older = await sectors();
    // Fingerprints of runs before --openmemory existed hold no version: an explicit 1.2 finds them unchanged.
    expect((await importFrom({ source: source(), target: config, env: { OM_IMPORT_OPENMEMORY: '1.2' } })).totals).toMatchObject({ unchanged: 40, updated: 0 });
    // One dimension for both (OM_VEC_DIM), so that only the classifier differs.
    const newer = await importFrom({ source: source(), target: config, env: { OM_IMPORT_OPENMEMORY: '1.3', OM_VEC_DIM: '256' } });
    expect(newer.totals).toMatchObject({ updated: 40, unchanged: 0 });
    expect(newer.openMemory.version).toBe('1.3');
    expect(await sectors()).not.toEqual(older);
    expect((await importFrom({ source: source(), target: config, env: { OM_IMPORT_OPENMEMORY: '1.3', OM_VEC_DIM: '256' } })).totals).toMatchObject({ unchanged: 40 });
  });
});

describe.each(backends)('history at the source (%s)', (_name, makeTarget) => {
  it('a record the source calls superseded or expired has meta.status so (what LongMemory migrates as history); a current one has none', async () => {
    const config = await makeTarget();
    const record = (sourceId: string, content: string, extra: { status?: 'superseded' | 'expired'; metadata?: Record<string, unknown> }): SourceItem => {
      const at = Date.UTC(2026, 0, 1);
      const built = {
        sourceKind: 'test.note', sourceId, tenantKey: 'fay', content, role: null, tags: [], metadata: extra.metadata ?? {}, sourceFields: {},
        createdAt: at, updatedAt: at, ...(extra.status ? { status: extra.status } : {}),
      };
      return { type: 'memory', record: built, raw: built };
    };
    await importFrom({
      source: testSource(['fay'], () => [
        record('old', 'Fay lives in Lyon', { status: 'superseded', metadata: { status: 'draft' } }),
        record('gone', 'Fay has a trial subscription', { status: 'expired' }),
        record('now', 'Fay lives in Nantes', {}),
      ]),
      target: config,
      env: {},
    });
    const target = await openTarget(config);
    try {
      const rows = await target.executor.all<{ content: string; meta: string }>(`select content, meta from ${target.dialect.qualified(target.dialect.tables.memories)}`);
      const meta = Object.fromEntries(rows.map((row) => [row.content, JSON.parse(row.meta) as { status?: string; om_import: { source_status?: unknown } }]));
      expect(meta['Fay lives in Lyon']).toMatchObject({ status: 'superseded', om_import: { source_status: 'draft' } });
      expect(meta['Fay has a trial subscription']?.status).toBe('expired');
      expect(meta['Fay lives in Nantes']).not.toHaveProperty('status');
      expect(meta['Fay has a trial subscription']?.om_import).not.toHaveProperty('source_status');
    } finally {
      await target.close();
    }
  });
});

describe.each(backends)('an updated memory (%s)', (_name, makeTarget) => {
  const note = (content: string, at: number): SourceItem => {
    const record = {
      sourceKind: 'test.note', sourceId: 'note-1', tenantKey: 'dana', content, role: null,
      tags: ['first'], metadata: {}, sourceFields: {}, createdAt: Date.UTC(2026, 0, 1), updatedAt: at,
    };
    return { type: 'memory', record, raw: record };
  };
  const other = (i: number): SourceItem => {
    const at = Date.UTC(2026, 0, 2 + i);
    const record = {
      sourceKind: 'test.note', sourceId: `other-${i}`, tenantKey: 'dana', content: `Dana also likes tea number ${i}`, role: null,
      tags: [], metadata: {}, sourceFields: {}, createdAt: at, updatedAt: at,
    };
    return { type: 'memory', record, raw: record };
  };
  const source = (items: SourceItem[]): Source => testSource(['dana'], () => items);

  async function row(config: TargetConfig): Promise<{ memory: Row; reflections: number }> {
    const target = await openTarget(config);
    try {
      const { qualified, tables } = target.dialect;
      const [memory] = await target.executor.all<Row>(
        `select content, simhash, primary_sector, version, salience, last_seen_at, updated_at, feedback_score, segment from ${qualified(tables.memories)}
          where content like 'Dana%' and content not like 'Dana also%'`,
      );
      const [user] = await target.executor.all<{ reflection_count: number }>(`select reflection_count from ${qualified(tables.users)} where user_id = 'dana'`);
      return { memory: Object.fromEntries(Object.entries(memory!).map(([column, value]) => [column, comparable(value)])), reflections: Number(user!.reflection_count) };
    } finally {
      await target.close();
    }
  }

  it('goes up one version per change, keeps what OpenMemory learnt from use, and takes the new text', async () => {
    const config = await makeTarget();
    const first = Date.UTC(2026, 0, 1);
    await importFrom({ source: source([note('Dana runs marathons', first), other(0)]), target: config, env: {} });
    const created = await row(config);
    expect(created.memory).toMatchObject({ version: 1, salience: 0.4, last_seen_at: first, feedback_score: 0 });
    expect(created.reflections).toBe(2);

    // OpenMemory, running, reinforced the memory and got feedback on it.
    const target = await openTarget(config);
    const { qualified, tables } = target.dialect;
    await target.executor.run(`update ${qualified(tables.memories)} set salience = 0.9, last_seen_at = 1800000000000, feedback_score = 0.5, segment = 3
      where content = 'Dana runs marathons'`);
    await target.close();

    const second = Date.UTC(2026, 1, 1);
    const changed = await importFrom({ source: source([note('Dana feels happy about her first marathon!!', second), other(0)]), target: config, env: {} });
    expect(changed.totals).toMatchObject({ updated: 1, unchanged: 1 });
    const updated = await row(config);
    expect(updated.memory).toEqual({
      content: 'Dana feels happy about her first marathon!!',
      simhash: expect.any(String),
      primary_sector: 'emotional',
      version: 2,
      salience: 0.9,
      last_seen_at: 1800000000000,
      updated_at: second,
      feedback_score: 0.5,
      segment: 3,
    });
    expect(updated.memory['simhash']).not.toBe(created.memory['simhash']);
    expect(updated.reflections).toBe(2); // an update regenerates no summary in OpenMemory

    // Unchanged: not written again; changed again: one more version; a new memory: one more reflection.
    await importFrom({ source: source([note('Dana feels happy about her first marathon!!', second), other(0)]), target: config, env: {} });
    expect((await row(config)).memory['version']).toBe(2);
    await importFrom({ source: source([note('Dana runs ultramarathons now', second + 1), other(0), other(1)]), target: config, env: {} });
    const third = await row(config);
    expect(third.memory).toMatchObject({ content: 'Dana runs ultramarathons now', version: 3, salience: 0.9 });
    expect(third.reflections).toBe(3);
  });
});
