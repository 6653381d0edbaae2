import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openTarget } from '../../src/database/open-target.js';
import type { Target } from '../../src/database/target.js';
import { copyFixtureDatabase, tempDir } from '../support/temp.js';
import { fullSnapshot, preTenantChecksums, schemaShape } from '../support/database-snapshot.js';

const opened: Target[] = [];
async function open(file: string, dryRun = false): Promise<Target> {
  const target = await openTarget({ kind: 'sqlite', path: file, vectorTable: undefined }, { dryRun });
  opened.push(target);
  return target;
}
afterEach(async () => {
  for (const target of opened.splice(0)) await target.close().catch(() => undefined);
});

async function freshV12Shape(): Promise<Record<string, unknown>> {
  const target = await open(path.join(tempDir(), 'fresh.sqlite'));
  await target.migrate();
  return schemaShape(target);
}

describe('SQLite schema states', () => {
  it('names a missing file and does not create it in a dry run', async () => {
    const file = path.join(tempDir(), 'nested', 'openmemory.sqlite');
    const target = await open(file, true);
    expect((await target.inspect()).state.name).toBe('missing');
    const result = await target.migrate({ dryRun: true });
    expect(result.steps.map((s) => s.description)).toContain('create table memories');
    expect(existsSync(file)).toBe(false);
  });

  it('names an empty database', async () => {
    const file = path.join(tempDir(), 'empty.sqlite');
    new Database(file).close();
    expect((await (await open(file)).inspect()).state.name).toBe('empty');
  });

  it('names v1.1, partial with what is missing, v1.2 and newer', async () => {
    expect((await (await open(copyFixtureDatabase('om-v1.1.sqlite'))).inspect()).state.name).toBe('v1.1');

    const partial = (await (await open(copyFixtureDatabase('om-v1.1-half-migrated-by-v1.2.3.sqlite'))).inspect()).state;
    expect(partial.name).toBe('partial');
    expect(partial.missing).toEqual(
      expect.arrayContaining(['memories.user_id', 'vectors.user_id', 'waypoints.user_id', 'waypoints primary key (src_id, user_id)']),
    );
    expect(partial.missing).not.toContain('users');

    expect((await (await open(copyFixtureDatabase('om-v1.2.3.sqlite'))).inspect()).state.name).toBe('v1.2');

    const newerFile = copyFixtureDatabase('om-v1.2.3.sqlite');
    const db = new Database(newerFile);
    db.exec(`alter table memories add column project_id text; create table schema_version(version text primary key, applied_at integer);
             insert into schema_version values ('1.10.0', 1)`);
    db.close();
    const newer = (await (await open(newerFile)).inspect()).state;
    expect(newer).toMatchObject({ name: 'newer', recordedVersion: '1.10.0' });
    expect(newer.extras).toContain('memories.project_id');
  });
});

describe('SQLite migration to v1.2', () => {
  const v11States: [string, () => string][] = [
    ['v1.1', () => copyFixtureDatabase('om-v1.1.sqlite')],
    ['half-migrated by OpenMemory 1.2.3', () => copyFixtureDatabase('om-v1.1-half-migrated-by-v1.2.3.sqlite')],
    [
      'the 2025-11-02 intermediate state (memories.user_id and users, nothing else)',
      () => {
        const file = copyFixtureDatabase('om-v1.1.sqlite');
        const db = new Database(file);
        db.exec(`alter table memories add column user_id text;
                 create table users(user_id text primary key,summary text,reflection_count integer default 0,created_at integer,updated_at integer)`);
        db.close();
        return file;
      },
    ],
  ];

  it.each(v11States)('%s: keeps every row and converges on the fresh v1.2 schema', async (_name, make) => {
    const file = make();
    const original = readFileSync(file);
    const target = await open(file);
    const before = await preTenantChecksums(target);
    expect(before.memories.rows).toBe(33);
    expect(before.waypoints.rows).toBeGreaterThan(0);

    const result = await target.migrate();
    expect(result.after.name).toBe('v1.2');
    expect(await preTenantChecksums(target)).toEqual(before);
    expect(await schemaShape(target)).toEqual(await freshV12Shape());
    const versions = await target.executor.all<{ version: string }>('select version from schema_version');
    expect(versions.map((v) => v.version)).toEqual(['1.2.0']);

    // The backup is a consistent copy of the database as it was.
    expect(result.backupPath).toMatch(/\.om-import-backup-/);
    const backup = await open(result.backupPath!);
    expect(await preTenantChecksums(backup)).toEqual(before);
    expect((await backup.inspect()).state.name).not.toBe('v1.2');
    expect(readFileSync(file).equals(original)).toBe(false);

    // Running it again is a no-op.
    const again = await target.migrate();
    expect(again.steps).toEqual([]);
    expect(again.backupPath).toBeNull();
  });

  it('leaves a v1.2 database untouched, byte for byte', async () => {
    const file = copyFixtureDatabase('om-v1.2.3.sqlite');
    const original = readFileSync(file);
    const target = await open(file);
    const result = await target.migrate();
    expect(result.steps).toEqual([]);
    await target.close();
    opened.pop();
    expect(readFileSync(file).equals(original)).toBe(true);
  });

  it('keeps the extra columns of a newer schema while rekeying waypoints', async () => {
    const file = copyFixtureDatabase('om-v1.1.sqlite');
    const db = new Database(file);
    db.exec(`alter table waypoints add column project_id text; update waypoints set project_id = 'p-' || src_id`);
    db.close();
    const target = await open(file);
    await target.migrate();
    const rows = await target.executor.all<{ project_id: string; src_id: string }>('select project_id, src_id from waypoints');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.project_id).toBe(`p-${row.src_id}`);
  });

  it('creates a missing file with its folder and records 1.2.0', async () => {
    const file = path.join(tempDir(), 'a', 'b', 'openmemory.sqlite');
    const target = await open(file);
    const result = await target.migrate();
    expect(result.before.name).toBe('missing');
    expect(result.after.name).toBe('v1.2');
    expect(result.backupPath).toBeNull();
    expect(existsSync(file)).toBe(true);
  });

  it('a failure at any statement leaves the database exactly as before, with the backup intact', async () => {
    const plan = await (await open(copyFixtureDatabase('om-v1.1-half-migrated-by-v1.2.3.sqlite'))).migrate({ dryRun: true });
    const statementCount = plan.steps.flatMap((step) => step.statements).length;
    expect(statementCount).toBeGreaterThan(10);
    for (let failAt = 0; failAt < statementCount; failAt++) {
      const file = copyFixtureDatabase('om-v1.1-half-migrated-by-v1.2.3.sqlite');
      const target = await open(file);
      const before = await fullSnapshot(target);
      let count = 0;
      await expect(
        target.migrate({
          beforeStatement: () => {
            if (count++ === failAt) throw new Error('injected failure');
          },
        }),
      ).rejects.toThrow(/injected failure.*database is unchanged and a copy is at/);
      expect(count).toBe(failAt + 1);
      expect(await fullSnapshot(target)).toEqual(before);
      const backups = readdirSync(path.dirname(file)).filter((f) => f.includes('om-import-backup'));
      expect(backups).toHaveLength(1);
      const backup = await open(path.join(path.dirname(file), backups[0]!));
      expect(await fullSnapshot(backup)).toEqual(before);
      // and a later run completes
      expect((await target.migrate()).after.name).toBe('v1.2');
    }
  });

  it('reports a file that is not a database with a clear error', async () => {
    const file = path.join(tempDir(), 'not-a-db.sqlite');
    writeFileSync(file, 'hello, this is text');
    await expect(open(file)).rejects.toThrow(/cannot open SQLite database .*not-a-db\.sqlite/);
  });
});
