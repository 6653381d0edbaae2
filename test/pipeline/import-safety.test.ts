import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mem0Source } from '../../adapters/mem0/index.js';
import { importFrom } from '../../src/pipeline/import.js';
import { openTarget, resolveTargetConfig } from '../../src/database/open-target.js';
import { generatedMem0Account, type Mem0WireMemory } from '../fakes/mem0/mem0-account.js';
import { startMem0SelfHostedFake } from '../support/mem0-fake.js';
import { fixturePath } from '../support/fixtures.js';
import { copyFixtureDatabase } from '../support/temp.js';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { tempDir } from '../support/temp.js';

/** Row count and a checksum of every column of a table's rows, leaving out those whose `key` is in `leaveOut`. */
function rowsChecksum(db: Database.Database, table: string, key: string, leaveOut: Set<string>): { rows: number; sha256: string } {
  const rows = (db.prepare(`select * from ${table}`).all() as Record<string, unknown>[]).filter((row) => !leaveOut.has(String(row[key])));
  const lines = rows
    .map((row) => JSON.stringify(Object.keys(row).sort().map((column) => [column, Buffer.isBuffer(row[column]) ? (row[column] as Buffer).toString('hex') : row[column]])))
    .sort();
  return { rows: rows.length, sha256: createHash('sha256').update(lines.join('\n')).digest('hex') };
}

function exportOf(memories: unknown[]): string {
  const file = path.join(tempDir(), 'export.json');
  writeFileSync(file, JSON.stringify(memories));
  return file;
}

describe('writing safely into real OpenMemory databases', () => {
  it('imports next to an OpenMemory 1.2.3 database’s own memories without touching them', async () => {
    const file = copyFixtureDatabase('om-v1.2.3.sqlite');
    const config = resolveTargetConfig({ db: file }, {});
    const tables: [string, string][] = [['memories', 'id'], ['vectors', 'id'], ['waypoints', 'src_id'], ['embed_logs', 'id']];
    const beforeDb = new Database(file, { readonly: true });
    const ownRows = Object.fromEntries(tables.map(([table, key]) => [table, rowsChecksum(beforeDb, table, key, new Set())]));
    beforeDb.close();

    const { source } = mem0Source({ fromFile: fixturePath('mem0', 'export.json') });
    const report = await importFrom({ source, target: config, env: {} });
    expect(report.migration).toBeNull();
    expect(report.totals.created).toBe(9);

    const db = new Database(file, { readonly: true });
    const imported = new Set((db.prepare('select memory_id from om_import_records').all() as { memory_id: string }[]).map((r) => r.memory_id));
    // OpenMemory's own rows, every column of them (feedback_score, salience, …), are exactly as they were.
    for (const [table, key] of tables) expect({ table, ...rowsChecksum(db, table, key, imported) }).toEqual({ table, ...ownRows[table] });
    // alice's imported memories may point at her existing ones, never at another user's.
    const cross = db
      .prepare(`select w.src_id from waypoints w join memories d on d.id = w.dst_id where d.user_id <> w.user_id`)
      .all();
    expect(cross).toEqual([]);
    db.close();
  });

  it('a failure in the middle of a batch leaves the database as it was before that batch; a re-run completes', async () => {
    const account = generatedMem0Account({ users: 1, perUser: 12 });
    (account.memories[7] as Mem0WireMemory).memory = 'poison pill';
    const file = exportOf(account.memories);
    const database = path.join(tempDir(), 'om.sqlite');
    const config = resolveTargetConfig({ db: database }, {});
    await (await openTarget(config)).migrate();
    const db = new Database(database);
    db.exec(`create trigger poison before insert on memories when new.content = 'poison pill' begin select raise(abort, 'disk says no'); end`);

    await expect(importFrom({ source: mem0Source({ fromFile: file }).source, target: config, env: {}, batchSize: 5 })).rejects.toThrow(/disk says no/);
    const count = (): number => (db.prepare('select count(*) as n from memories').get() as { n: number }).n;
    expect(count()).toBe(5); // the first batch committed, the second rolled back whole
    expect((db.prepare('select count(*) as n from vectors where id not in (select id from memories)').get() as { n: number }).n).toBe(0);
    expect((db.prepare('select count(*) as n from om_import_records').get() as { n: number }).n).toBe(5);

    db.exec('drop trigger poison');
    const again = await importFrom({ source: mem0Source({ fromFile: file }).source, target: config, env: {}, batchSize: 5 });
    expect(again.totals).toMatchObject({ created: 7, unchanged: 5 });
    expect(count()).toBe(12);
    expect((db.prepare('select count(*) as n from waypoints').get() as { n: number }).n).toBe(12);
    db.close();
  });

  it('with OM_USE_SUMMARY_ONLY=true stores OpenMemory’s essence, keeps the full text in meta, and embeds the full text', async () => {
    const file = fixturePath('mem0', 'export.json');
    const plain = path.join(tempDir(), 'om.sqlite');
    const summarized = path.join(tempDir(), 'om.sqlite');
    await importFrom({ source: mem0Source({ fromFile: file }).source, target: resolveTargetConfig({ db: plain }, {}), env: {} });
    await importFrom({
      source: mem0Source({ fromFile: file }).source,
      target: resolveTargetConfig({ db: summarized }, {}),
      env: { OM_USE_SUMMARY_ONLY: 'true' },
    });
    const read = (database: string) => {
      const db = new Database(database, { readonly: true });
      const rows = db.prepare(`select m.id, m.content, m.meta, m.simhash, m.mean_vec from memories m order by m.id`).all() as {
        id: string; content: string; meta: string; simhash: string; mean_vec: Buffer;
      }[];
      const vectors = db.prepare('select id, sector, v from vectors order by id, sector').all();
      db.close();
      return { rows, vectors };
    };
    const full = read(plain);
    const short = read(summarized);
    expect(short.vectors).toEqual(full.vectors);
    const long = full.rows.find((row) => row.content.length > 200)!;
    const essenceRow = short.rows.find((row) => row.id === long.id)!;
    expect(essenceRow.content.length).toBeLessThanOrEqual(200);
    expect(essenceRow.content.startsWith('Sentence number 0 talks about')).toBe(true);
    expect(JSON.parse(essenceRow.meta).om_import.full_content).toBe(long.content);
    expect(essenceRow.simhash).toBe(long.simhash);
    const unchanged = short.rows.filter((row) => row.id !== long.id);
    expect(unchanged.every((row) => JSON.parse(row.meta).om_import.full_content === undefined)).toBe(true);
  });

  it('opens a new segment every OM_SEG_SIZE memories', async () => {
    const account = generatedMem0Account({ users: 2, perUser: 5 });
    const database = path.join(tempDir(), 'om.sqlite');
    await importFrom({ source: mem0Source({ fromFile: exportOf(account.memories) }).source, target: resolveTargetConfig({ db: database }, {}), env: { OM_SEG_SIZE: '4' } });
    const db = new Database(database, { readonly: true });
    const segments = db.prepare('select segment, count(*) as n from memories group by segment order by segment').all();
    expect(segments).toEqual([{ segment: 0, n: 4 }, { segment: 1, n: 4 }, { segment: 2, n: 2 }]);
    db.close();
  });

  it('reads the users named in --user-map from a self-hosted Mem0 server that cannot list them (no GET /entities)', async () => {
    const account = generatedMem0Account({ users: 3, perUser: 4 });
    const served = await startMem0SelfHostedFake(account, { noEntities: true });
    try {
      const { source, http } = mem0Source({ baseUrl: served.url, selfHosted: true, knownUsers: ['user-0', 'user-2'] });
      const report = await importFrom({ source, target: resolveTargetConfig({ db: path.join(tempDir(), 'om.sqlite') }, {}), env: {} });
      await http?.close();
      expect(report.tenants.map((t) => [t.tenant, t.created])).toEqual([['user-0', 4], ['user-2', 4]]);
      expect(served.requests.map((r) => r.path).sort()).toEqual([
        '/entities',
        '/memories?user_id=user-0&top_k=1000&show_expired=true',
        '/memories?user_id=user-2&top_k=1000&show_expired=true',
      ]);
    } finally {
      await served.close();
    }
  });
});

describe('the journal mode of a SQLite database', () => {
  const journalMode = (file: string): unknown => {
    const db = new Database(file, { readonly: true });
    try {
      return db.pragma('journal_mode', { simple: true });
    } finally {
      db.close();
    }
  };

  it('is WAL for a database om-import creates, as OpenMemory creates its own; one kept in another mode stays in it', async () => {
    const created = path.join(tempDir(), 'new.sqlite');
    await importFrom({ source: mem0Source({ fromFile: fixturePath('mem0', 'export.json') }).source, target: resolveTargetConfig({ db: created }, {}), env: {} });
    expect(journalMode(created)).toBe('wal');

    const kept = copyFixtureDatabase('om-v1.2.3.sqlite');
    expect(journalMode(kept)).toBe('delete');
    const report = await importFrom({ source: mem0Source({ fromFile: fixturePath('mem0', 'export.json') }).source, target: resolveTargetConfig({ db: kept }, {}), env: {} });
    expect(report.totals.created).toBeGreaterThan(0);
    expect(journalMode(kept)).toBe('delete');
  });
});
