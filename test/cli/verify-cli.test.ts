import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runCliProcess } from '../support/cli.js';
import { fixturePath } from '../support/fixtures.js';
import { createTestDatabase } from '../support/postgres.js';
import { copyFixtureDatabase, tempDir } from '../support/temp.js';
import { drawnLines, flattened, hasScript, runInTerminal, unwrapped } from '../support/terminal.js';
import { displayWidth } from '../../src/pipeline/report.js';

const exportFile = fixturePath('mem0', 'export.json');
const deletedRecord = '5b0e5c1a-1f6e-4a43-9a55-0d7c2d1e0004'; // bob's VPN memory

/** Imports the Mem0 fixture export into the default SQLite database under a new working folder. */
async function importedFolder(file = exportFile): Promise<{ cwd: string; database: string }> {
  const cwd = tempDir();
  const imported = await runCliProcess(['mem0', '--from-file', file], { cwd });
  expect(imported.code).toBe(0);
  return { cwd, database: path.join(cwd, 'data', 'openmemory.sqlite') };
}

/** Runs SQL on a SQLite file, as another program (OpenMemory itself, a person) would. */
function changeSqlite(file: string, change: (db: Database.Database) => void): void {
  const db = new Database(file);
  try {
    change(db);
  } finally {
    db.close();
  }
}

describe('om-import verify (CLI)', () => {
  it('exit 0 on what an import wrote; --json prints the whole result', async () => {
    const { cwd } = await importedFolder();
    const text = await runCliProcess(['verify'], { cwd });
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^om-import verify: SQLite \.\/data\/openmemory\.sqlite — OpenMemory v1\.2$/m);
    expect(flattened(text.stdout)).toContain('9 memories of 4 users, 11 vectors (256 dimensions expected), 9 waypoints, 4 users rows, 9 om-import records');
    expect(text.stdout).toMatch(/^no violations$/m);

    const json = await runCliProcess(['verify', '--json'], { cwd });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ schema: 'v1.2', violations: [], violationCounts: {}, counts: { memories: 9, importRecords: 9 } });
  });

  it('exit 1 on violations: each kind with its count and ids, the first 20, then how many more', async () => {
    const { cwd, database } = await importedFolder();
    changeSqlite(database, (db) => db.prepare(`delete from users where user_id = 'bob'`).run());
    const result = await runCliProcess(['verify'], { cwd });
    expect(result.code).toBe(1);
    expect(unwrapped(result.stdout)).toMatch(/^1 violation:\n {2}users with memories but no users row \(.*\): 1\n {4}user_id "bob": 2 memories, no users row$/m);

    // OpenMemory's own database read with another configured dimension: every one of its 36 vectors is wrong.
    const openMemory = copyFixtureDatabase('om-v1.2.3.sqlite');
    const env = cleanEnv({ OM_VEC_DIM: '300' });
    const listed = await runCliProcess(['verify', '--db', openMemory], { cwd, env });
    expect(listed.code).toBe(1);
    expect(listed.stdout).toMatch(/36 vectors \(300 dimensions expected\)/);
    // The kind's line wraps at 80 columns: read whole.
    expect(unwrapped(listed.stdout)).toMatch(/^ {2}vectors of another dimension than configured \(OM_TIER, OM_VEC_DIM, --openmemory\).*: 36$/m);
    expect(listed.stdout.match(/^ {4}vector .*: dim 256, 1024 bytes$/gm)).toHaveLength(20);
    expect(listed.stdout).toMatch(/^ {4}16 more \(see --json\)$/m);
    const json = await runCliProcess(['verify', '--db', openMemory, '--json'], { cwd, env });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).violations).toHaveLength(36);
  });

  it('exit 2 on a database that is not v1.2 (one line naming `om-import migrate`), and on bad usage', async () => {
    const cwd = tempDir();
    const v11 = copyFixtureDatabase('om-v1.1.sqlite');
    const original = readFileSync(v11);
    const cases: [string[], RegExp][] = [
      [['verify', '--db', v11], /is v1\.1, not an OpenMemory v1\.2 database: nothing to verify \(run `om-import migrate` first\)/],
      [['verify'], /SQLite \.\/data\/openmemory\.sqlite does not exist: nothing to verify .*om-import migrate/],
      [['verify', 'letta'], /verify letta: not a source \(expected zep, mem0 or supermemory\)/],
      [['verify', '--db', v11, '--pg', 'postgres://localhost/x'], /--db and --pg name two targets/],
      [['verify', 'mem0'], /no Mem0 API key: pass --api-key or set MEM0_API_KEY/],
      [['verify', 'zep', '--from-file', exportFile, '--rate-limit', '0'], /--rate-limit <r>' argument '0' is invalid/],
    ];
    for (const [args, message] of cases) {
      const result = await runCliProcess(args, { cwd });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stdout).toBe('');
    }
    expect(readFileSync(v11).equals(original)).toBe(true);
  });

  it('with a source: lists a memory deleted from the database and a record the source no longer has', async () => {
    const exported = JSON.parse(readFileSync(exportFile, 'utf8')) as { results: unknown[] };
    const withExtra = path.join(tempDir(), 'mem0-export-with-extra.json');
    const extra = { id: 'extra-record-1', memory: 'Collects vintage fountain pens', user_id: 'alice', created_at: '2026-03-09T10:00:00Z' };
    writeFileSync(withExtra, JSON.stringify({ results: [...exported.results, extra] }));
    const { cwd, database } = await importedFolder(withExtra);

    const same = await runCliProcess(['verify', 'mem0', '--from-file', withExtra], { cwd });
    expect(same.code).toBe(0);
    expect(flattened(same.stdout)).toContain('mem0: 10 records at the source (3 skipped there), 10 imported from it in the database the source and the database hold the same records');

    // The memory deleted as OpenMemory deletes one: its row, its vectors, its waypoints; om-import's record stays.
    let memoryId = '';
    changeSqlite(database, (db) => {
      memoryId = (db.prepare('select memory_id from om_import_records where record_id = ?').get(deletedRecord) as { memory_id: string }).memory_id;
      db.prepare('delete from memories where id = ?').run(memoryId);
      db.prepare('delete from vectors where id = ?').run(memoryId);
      db.prepare('delete from waypoints where src_id = ? or dst_id = ?').run(memoryId, memoryId);
    });

    const result = await runCliProcess(['verify', 'mem0', '--from-file', exportFile], { cwd });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(flattened(result.stdout)).toContain('mem0: 9 records at the source (3 skipped there), 9 imported from it in the database');
    expect(unwrapped(result.stdout)).toContain(`  in the source, not in the database: 1\n    ${deletedRecord} (imported as memory ${memoryId}, since deleted)`);
    expect(result.stdout).toMatch(/^ {2}in the database, no longer in the source: 1\n {4}extra-record-1 \(memory [0-9a-f-]{36}\)$/m);
    // om-import's own record of the deleted memory is a violation of its own.
    expect(unwrapped(result.stdout)).toContain(`mem0 record ${deletedRecord} (user_id "bob"): memory ${memoryId} does not exist`);

    // Only some users read: what was not read is not called gone.
    const alice = await runCliProcess(['verify', 'mem0', '--from-file', withExtra, '--user-id', 'alice', '--json'], { cwd });
    expect(JSON.parse(alice.stdout).source).toMatchObject({ sourceRecords: 5, missingFromDatabase: [], missingFromSource: null });
    expect(alice.code).toBe(1); // the violation above

    const json = await runCliProcess(['verify', 'mem0', '--from-file', exportFile, '--json'], { cwd });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      violationCounts: { 'record-memory-missing': 1 },
      source: {
        source: 'mem0',
        missingFromDatabase: [{ recordId: deletedRecord, memoryId }],
        missingFromSource: [{ recordId: 'extra-record-1' }],
      },
    });
  });

  it("PostgreSQL through OpenMemory's own variables: verified, and no password in any output", async () => {
    const url = await createTestDatabase();
    const cwd = tempDir();
    expect((await runCliProcess(['mem0', '--from-file', exportFile, '--pg', url], { cwd })).code).toBe(0);
    const parsed = new URL(url);
    const password = decodeURIComponent(parsed.password);
    const env = cleanEnv({
      OM_METADATA_BACKEND: 'postgres',
      OM_PG_HOST: parsed.hostname,
      OM_PG_PORT: parsed.port,
      OM_PG_DB: parsed.pathname.slice(1),
      OM_PG_USER: decodeURIComponent(parsed.username),
      OM_PG_PASSWORD: password,
    });
    const result = await runCliProcess(['verify', 'mem0', '--from-file', exportFile], { cwd, env });
    expect(result.code).toBe(0);
    expect(flattened(result.stdout)).toMatch(/^om-import verify: PostgreSQL postgres:\/\/\S* \(schema public\) — OpenMemory v1\.2 /);
    expect(result.stdout).toMatch(/^no violations$/m);
    expect(result.stdout + result.stderr).not.toContain(password);

    const byUrl = await runCliProcess(['verify', '--pg', url, '--json'], { cwd });
    expect(byUrl.code).toBe(0);
    expect(byUrl.stdout).not.toContain(password);

    const unreachable = await runCliProcess(['verify', '--pg', 'postgres://nobody:pw-secret@127.0.0.1:1/none'], { cwd });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/cannot connect to PostgreSQL postgres:\/\/nobody@127\.0\.0\.1:1\/none/);
    expect(unreachable.stderr).not.toContain('pw-secret');
  });
});

describe('om-import verify at 80 columns', () => {
  const longUser = `customer-${'0123456789'.repeat(10)}-eu`;
  const cjkUser = '山田太郎のとても長いユーザー名前です'.repeat(3);

  /** The fixture imported, then bob's memories moved (as a person might) to a long user_id and alice's to a long CJK one, their users rows gone. */
  async function longNamesFolder(): Promise<{ cwd: string }> {
    const { cwd, database } = await importedFolder();
    changeSqlite(database, (db) => {
      for (const [from, to] of [['bob', longUser], ['alice', cjkUser]] as const) {
        for (const table of ['memories', 'vectors', 'waypoints']) db.prepare(`update ${table} set user_id = ? where user_id = ?`).run(to, from);
        db.prepare('delete from users where user_id = ?').run(from);
      }
    });
    return { cwd };
  }

  it('on a pipe: every line of verify, verify <source> and status fits 80 columns, names shortened in the middle', async () => {
    const { cwd } = await longNamesFolder();
    for (const args of [['verify'], ['verify', 'mem0', '--from-file', exportFile]]) {
      const result = await runCliProcess(args, { cwd });
      expect(result.code, result.stderr).toBe(1);
      const lines = result.stdout.trimEnd().split('\n');
      for (const line of lines) expect(displayWidth(line), `${args.join(' ')}: ${line}`).toBeLessThanOrEqual(80);
      expect(result.stdout).toMatch(/user_id "customer-\d+…\d+-eu": \d memories, no users row/);
      expect(result.stdout).toMatch(/user_id "山田太郎の[^"]*…[^"]*です": \d memories, no users row/);
      // The whole ids are in --json.
      const json = await runCliProcess([...args, '--json'], { cwd });
      expect(json.stdout).toContain(longUser);
    }
    const compared = await runCliProcess(['verify', 'mem0', '--from-file', exportFile], { cwd });
    expect(unwrapped(compared.stdout)).toMatch(/in the database under another user than their owner at the source: \d+/);
    // `om-import status` on the same database: its users table and run lines fit too.
    const status = await runCliProcess(['status'], { cwd });
    expect(status.code, status.stderr).toBe(0);
    for (const line of status.stdout.trimEnd().split('\n')) expect(displayWidth(line), `status: ${line}`).toBeLessThanOrEqual(80);
    expect(status.stdout).toMatch(/^ {2}customer-\d+…\d+-eu +\d+ +\d+$/m);
  });

  it.skipIf(!hasScript)('under a terminal 80 columns wide: every line drawn fits', async () => {
    const { cwd } = await longNamesFolder();
    const { code, output } = await runInTerminal(['verify', 'mem0', '--from-file', exportFile], cleanEnv({ NO_COLOR: '1' }), cwd, { columns: 80 });
    expect(code, output).toBe(1);
    const lines = drawnLines(output);
    expect(lines.some((line) => line.includes('no users row'))).toBe(true);
    for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
  });
});
