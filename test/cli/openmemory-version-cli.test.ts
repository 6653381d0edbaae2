// --openmemory / OM_IMPORT_OPENMEMORY from the command line: rows for OpenMemory 1.3.0 (1536-d vectors, its
// classifier), the report line, the refusal of a database the other version wrote, and a bad version.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runCliProcess } from '../support/cli.js';
import { fixturePath } from '../support/fixtures.js';
import { tempDir } from '../support/temp.js';

const exportFile = fixturePath('mem0', 'export.json');

function dimensionsOf(file: string): number[] {
  const database = new Database(file, { readonly: true });
  try {
    return (database.prepare('select distinct dim from vectors order by dim').all() as { dim: number }[]).map((row) => row.dim);
  } finally {
    database.close();
  }
}

describe('om-import --openmemory (CLI)', () => {
  it('--openmemory 1.3 writes the 1536-d vectors a default 1.3.0 server queries with, and the report says so', async () => {
    const cwd = tempDir();
    const result = await runCliProcess(['mem0', '--from-file', exportFile, '--db', 'om.sqlite', '--openmemory', '1.3'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.replace(/\n {2,}/g, ' ')).toContain('rows: as OpenMemory 1.3.0 writes them (OM_TIER=hybrid, 1536-dimensional vectors); for OpenMemory 1.2.x (1.2.3): --openmemory 1.2\n');
    expect(dimensionsOf(path.join(cwd, 'om.sqlite'))).toEqual([1536]);
  });

  it('reads OM_IMPORT_OPENMEMORY from .env; without it the rows are 1.2.3’s, and the report says how to choose 1.3.0', async () => {
    const cwd = tempDir();
    const plain = await runCliProcess(['mem0', '--from-file', exportFile, '--db', 'plain.sqlite', '--json'], { cwd });
    expect(JSON.parse(plain.stdout).openMemory).toMatchObject({ version: '1.2', dimension: 256, otherVersion: '1.3' });
    writeFileSync(path.join(cwd, '.env'), 'OM_IMPORT_OPENMEMORY=1.3\n');
    const fromDotenv = await runCliProcess(['mem0', '--from-file', exportFile, '--db', 'dotenv.sqlite', '--json'], { cwd });
    expect(fromDotenv.code).toBe(0);
    expect(JSON.parse(fromDotenv.stdout).openMemory).toMatchObject({ version: '1.3', dimension: 1536 });
    expect(dimensionsOf(path.join(cwd, 'dotenv.sqlite'))).toEqual([1536]);
  });

  it('refuses to write 1.2.3 rows into the database 1.3.0’s server wrote, in one line naming both', async () => {
    const cwd = tempDir();
    copyFileSync(fixturePath('openmemory', 'databases', 'om-v1.3.0.sqlite'), path.join(cwd, 'om.sqlite'));
    const result = await runCliProcess(['mem0', '--from-file', exportFile, '--db', 'om.sqlite'], { cwd, env: cleanEnv() });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/already holds 1536-dimensional vectors, as OpenMemory 1\.3\.0 writes them .* OpenMemory 1\.2\.x \(1\.2\.3\) writes 256.*--openmemory 1\.3/);
    const accepted = await runCliProcess(['mem0', '--from-file', exportFile, '--db', 'om.sqlite', '--openmemory', '1.3'], { cwd });
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
  });

  it.each([['2.0'], ['1.3.3'], ['latest']])('refuses --openmemory %s as a usage error', async (version) => {
    const result = await runCliProcess(['mem0', '--from-file', exportFile, '--db', 'x.sqlite', '--openmemory', version], { cwd: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--openmemory ${version} is not an OpenMemory release om-import writes rows for: use 1.2 (OpenMemory 1.2.x) or 1.3`);
  });

  it('migrate finds a database 1.3.0’s server wrote already at 1.2.0’s schema (1.3.0 changed none), and leaves it as it was', async () => {
    const cwd = tempDir();
    const file = path.join(cwd, 'om.sqlite');
    copyFileSync(fixturePath('openmemory', 'databases', 'om-v1.3.0.sqlite'), file);
    const before = readFileSync(file);
    for (const version of ['1.2', '1.3']) {
      const result = await runCliProcess(['migrate', '--db', 'om.sqlite', '--openmemory', version], { cwd });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('[MIGRATE] No pending migrations: the schema is v1.2');
    }
    expect(readFileSync(file).equals(before)).toBe(true);
    // verify expects the dimension of the version chosen: 1.3.0's rows are sound as 1.3.0's, 1536-d against 1.2's 256
    const verified = await runCliProcess(['verify', '--db', 'om.sqlite', '--openmemory', '1.3'], { cwd });
    expect(verified.stdout).toContain('36 vectors (1536 dimensions expected)');
    expect(verified.stdout).toContain('no violations');
    const asOlder = await runCliProcess(['verify', '--db', 'om.sqlite'], { cwd });
    expect(asOlder.stdout).toContain('36 violations');
  });
});
