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
async function importBeside(openMemory: Target, config: TargetConfig): Promise<{ theirs: StoredRows; ours: StoredRows }> {
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
  const env = { OM_USE_SUMMARY_ONLY: 'true' };
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
