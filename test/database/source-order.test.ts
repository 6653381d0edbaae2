// The source order the writer sorts in JavaScript (memoriesOfUsers) is the order each database's
// `order by coalesce(created_at, 0), id` gives: uuids on PostgreSQL, any text on SQLite.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { compareSourcePositions, type SourcePosition } from '../../src/database/openmemory-writer.js';
import { createTestDatabase, query } from '../support/postgres.js';

const sorted = (positions: readonly SourcePosition[]): SourcePosition[] => [...positions].sort(compareSourcePositions);

describe('source order', () => {
  it('is SQLite’s order of text ids, non-ASCII ones included (compared as UTF-8 bytes)', () => {
    const ids = ['b', 'a', 'B', 'é', 'z', '\uffff', '😀', '\ue000', 'a\u0000', 'aa', '', 'ä', '中'];
    const positions = ids.flatMap((id, i) => [{ id, createdAt: i % 3 }, { id: `${id}x`, createdAt: 0 }]);
    const db = new Database(':memory:');
    db.exec('create table m(id text primary key, created_at integer)');
    const insert = db.prepare('insert into m values (?, ?)');
    for (const position of positions) insert.run(position.id, position.createdAt === 0 && position.id.endsWith('x') ? null : position.createdAt);
    const expected = db.prepare('select id, coalesce(created_at, 0) as createdAt from m order by coalesce(created_at, 0), id').all() as SourcePosition[];
    db.close();
    expect(sorted(positions)).toEqual(expected);
  });

  it('is PostgreSQL’s order of uuids', async () => {
    const url = await createTestDatabase();
    const positions = Array.from({ length: 300 }, (_, i) => ({ id: randomUUID(), createdAt: i % 4 }));
    const expected = await query<{ id: string; created_at: number }>(
      url,
      `select id::text as id, created_at from unnest($1::uuid[], $2::bigint[]) as m(id, created_at) order by coalesce(created_at, 0), id`,
      [positions.map((position) => position.id), positions.map((position) => position.createdAt)],
    );
    expect(sorted(positions).map((position) => position.id)).toEqual(expected.map((row) => row.id));
  });
});
