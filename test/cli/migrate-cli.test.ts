import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCliProcess } from '../support/cli.js';
import { fixturePath } from '../support/fixtures.js';
import { createTestDatabase, query, runSql } from '../support/postgres.js';
import { copyFixtureDatabase, tempDir } from '../support/temp.js';

describe('om-import migrate (CLI)', () => {
  it('prints the [MIGRATE] lines OpenMemory users know, and a second run has nothing to do', async () => {
    const file = copyFixtureDatabase('om-v1.1.sqlite');
    const first = await runCliProcess(['migrate', '--db', file], { cwd: tempDir() });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/\[MIGRATE\] Current database version: none \(schema state: v1\.1\)/);
    expect(first.stdout).toMatch(/\[MIGRATE\] Backup written to .*om-v1\.1\.sqlite\.om-import-backup-/);
    expect(first.stdout).toMatch(/\[MIGRATE\] Running migration: 1\.2\.0 - Multi-user tenant support/);
    expect(first.stdout).toMatch(/\[MIGRATE\] Migration 1\.2\.0 completed successfully\n\[MIGRATE\] All migrations completed/);

    const second = await runCliProcess(['migrate', '--db', file, '--json'], { cwd: tempDir() });
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ steps: [], before: { name: 'v1.2', recordedVersion: '1.2.0' } });
  });

  it('--dry-run prints the SQL in order and changes nothing', async () => {
    const file = copyFixtureDatabase('om-v1.1-half-migrated-by-v1.2.3.sqlite');
    const original = readFileSync(file);
    const result = await runCliProcess(['migrate', '--db', file, '--dry-run'], { cwd: tempDir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Missing: memories\.user_id, vectors\.user_id/);
    const statements = result.stdout.split('\n').filter((line) => line.endsWith(';'));
    expect(statements[0]).toMatch(/^alter table "memories" add column user_id text;$/);
    expect(statements.some((s) => s.startsWith('alter table "waypoints_om_import_rekey" rename to "waypoints"'))).toBe(true);
    expect(statements.at(-1)).toMatch(/^insert into "schema_version"\(version, applied_at\) values \('1\.2\.0', \d+\);$/);
    expect(readFileSync(file).equals(original)).toBe(true);
  });

  it('migrates PostgreSQL from OpenMemory’s own env, and an import with --no-migrate refuses a v1.1 database', async () => {
    const url = await createTestDatabase();
    await runSql(url, readFileSync(fixturePath('openmemory', 'databases', 'om-v1.1.pg.sql'), 'utf8'));
    const refused = await runCliProcess(['mem0', '--from-file', fixturePath('mem0', 'export.json'), '--pg', url, '--no-migrate'], { cwd: tempDir() });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is v1\.1 .*not OpenMemory v1\.2 \(run `om-import migrate` first, or drop --no-migrate\)/);

    const parsed = new URL(url);
    const env = {
      ...process.env,
      OM_METADATA_BACKEND: 'postgres',
      OM_PG_HOST: parsed.hostname,
      OM_PG_PORT: parsed.port,
      OM_PG_DB: parsed.pathname.slice(1),
      OM_PG_USER: decodeURIComponent(parsed.username),
      OM_PG_PASSWORD: decodeURIComponent(parsed.password),
    } as Record<string, string>;
    const migrated = await runCliProcess(['migrate'], { cwd: tempDir(), env });
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).not.toContain(env['OM_PG_PASSWORD']);
    expect(await query(url, 'select version from public.schema_version')).toEqual([{ version: '1.2.0' }]);
  });

  it('a database it cannot open is one line on stderr and exit 1', async () => {
    const cwd = tempDir();
    const result = await runCliProcess(['migrate', '--pg', 'postgres://nobody:pw-secret@127.0.0.1:1/none'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/cannot connect to PostgreSQL postgres:\/\/nobody@127\.0\.0\.1:1\/none/);
    expect(result.stderr).not.toContain('pw-secret');
  });
});
