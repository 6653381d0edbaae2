// The migration backup holds every user's memories: it is private, and made once however often a migration fails.
// A database om-import cannot write is refused by name before anything happens.
//
// Tests run as root, where file modes stop no write: there the file (or its folder) is made immutable with
// `chattr +i`, which stops root too; as another user, `chmod` does. Each test first checks that a write really
// fails, and is skipped where neither way is available.
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mem0Source } from '../../adapters/mem0/index.js';
import { TargetError } from '../../src/errors.js';
import { importFrom } from '../../src/pipeline/import.js';
import { openTarget } from '../../src/database/open-target.js';
import type { Target } from '../../src/database/target.js';
import { runCliProcess, cleanEnv } from '../support/cli.js';
import { copyFixtureDatabase, tempDir } from '../support/temp.js';

const opened: Target[] = [];
const undo: (() => void)[] = [];
afterEach(async () => {
  for (const target of opened.splice(0)) await target.close().catch(() => undefined);
  for (const step of undo.splice(0).reverse()) step();
});

async function open(file: string): Promise<Target> {
  const target = await openTarget({ kind: 'sqlite', path: file, vectorTable: undefined });
  opened.push(target);
  return target;
}

const backupsNextTo = (file: string): string[] => readdirSync(path.dirname(file)).filter((name) => name.includes('.om-import-backup-'));
const modeOf = (file: string): number => statSync(file).mode & 0o777;

/** Makes `file` (a file or folder) unwritable even for root where possible; false when this machine cannot. */
function makeReadOnly(file: string): boolean {
  const isRoot = process.getuid?.() === 0;
  try {
    if (isRoot) {
      execFileSync('chattr', ['+i', file], { stdio: 'ignore' });
      undo.push(() => execFileSync('chattr', ['-i', file], { stdio: 'ignore' }));
    } else {
      const mode = modeOf(file);
      chmodSync(file, statSync(file).isDirectory() ? 0o555 : 0o444);
      undo.push(() => chmodSync(file, mode));
    }
  } catch {
    return false;
  }
  // the proof that the simulation holds: writing there fails, for this process, now
  const probe = statSync(file).isDirectory() ? path.join(file, 'probe') : file;
  try {
    appendFileSync(probe, '');
    if (probe !== file) rmSync(probe);
    return false;
  } catch {
    return true;
  }
}

const canMakeReadOnly = (() => {
  const folder = tempDir();
  const file = path.join(folder, 'probe');
  writeFileSync(file, '');
  const works = makeReadOnly(file);
  for (const step of undo.splice(0).reverse()) step();
  return works;
})();

describe('the SQLite migration backup', () => {
  it.each([0o600, 0o644, 0o640])('is readable by its owner only (database %o)', async (mode) => {
    const file = copyFixtureDatabase('om-v1.1.sqlite');
    chmodSync(file, mode);
    const previousUmask = process.umask(0o022);
    try {
      const result = await (await open(file)).migrate();
      expect(result.backupPath).toMatch(/\.om-import-backup-/);
      expect(modeOf(result.backupPath!)).toBe(0o600);
    } finally {
      process.umask(previousUmask);
    }
  });

  it('is made once, however often a migration fails after it', async () => {
    const file = copyFixtureDatabase('om-v1.1.sqlite');
    const target = await open(file);
    const failing = { beforeStatement: () => { throw new Error('injected failure'); } };
    await expect(target.migrate(failing)).rejects.toThrow(/injected failure.*a copy is at/);
    const first = backupsNextTo(file);
    expect(first).toHaveLength(1);
    await expect(target.migrate(failing)).rejects.toThrow(`a copy is at ${path.join(path.dirname(file), first[0]!)}`);
    await target.close();
    opened.pop();
    // another run (a new process opens the file anew) finds the same copy
    await expect((await open(file)).migrate(failing)).rejects.toThrow(/injected failure/);
    expect(backupsNextTo(file)).toEqual(first);
    const done = await (await open(file)).migrate();
    expect(done.after.name).toBe('v1.2');
    expect(done.backupPath).toBe(path.join(path.dirname(file), first[0]!));
    expect(backupsNextTo(file)).toEqual(first);
  });

  it('is made again once the database has changed', async () => {
    const file = copyFixtureDatabase('om-v1.1.sqlite');
    const target = await open(file);
    const failing = { beforeStatement: () => { throw new Error('injected failure'); } };
    await expect(target.migrate(failing)).rejects.toThrow(/injected failure/);
    await target.executor.run("update memories set content = content || ' (edited)' where rowid = (select min(rowid) from memories)");
    await expect(target.migrate(failing)).rejects.toThrow(/injected failure/);
    expect(backupsNextTo(file)).toHaveLength(2);
  });
});

describe.skipIf(!canMakeReadOnly)('a SQLite database that cannot be written', () => {
  it.each(['file', 'folder'] as const)('(its %s read-only) is refused with one line naming the path and the fix, leaving no backup, however often', async (what) => {
    const file = copyFixtureDatabase('om-v1.1.sqlite');
    const before = readdirSync(path.dirname(file));
    expect(makeReadOnly(what === 'file' ? file : path.dirname(file))).toBe(true);
    const expected =
      what === 'file'
        ? `SQLite database ${file} is read-only (check its permissions, or pass --db to a writable copy)`
        : `the folder of SQLite database ${file} (${path.dirname(file)}) is read-only, and SQLite writes its journal there (check its permissions, or pass --db to a writable copy)`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const refused = openTarget({ kind: 'sqlite', path: file, vectorTable: undefined });
      await expect(refused).rejects.toThrow(TargetError);
      await expect(refused).rejects.toThrow(expected);
      const imported = importFrom({
        source: mem0Source({ fromFile: path.join(import.meta.dirname, '../../fixtures/mem0/export.json') }).source,
        target: { kind: 'sqlite', path: file, vectorTable: undefined },
        env: {},
      });
      await expect(imported).rejects.toThrow(expected);
    }
    expect(readdirSync(path.dirname(file))).toEqual(before);
  });

  it('a new database under a folder that cannot be written is refused by name', async () => {
    const folder = tempDir();
    expect(makeReadOnly(folder)).toBe(true);
    const file = path.join(folder, 'data', 'openmemory.sqlite');
    await expect(openTarget({ kind: 'sqlite', path: file, vectorTable: undefined })).rejects.toThrow(
      new RegExp(`^cannot create SQLite database ${file}: a folder on its path cannot be written \\(E\\w+: .*mkdir .*\\) \\(check the permissions of its folders, or pass --db to a writable place\\)$`),
    );
    expect(readdirSync(folder)).toEqual([]);
  });

  it('the CLI says so on one line and exits 1, and a dry run still reads it', async () => {
    const file = copyFixtureDatabase('om-v1.1.sqlite');
    expect(makeReadOnly(file)).toBe(true);
    const args = ['mem0', '--from-file', path.join(import.meta.dirname, '../../fixtures/mem0/export.json'), '--db', file];
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = await runCliProcess(args, { cwd: tempDir(), env: cleanEnv() });
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`SQLite database ${file} is read-only (check its permissions, or pass --db to a writable copy)`);
    }
    expect(backupsNextTo(file)).toEqual([]);
    const dryRun = await runCliProcess([...args, '--dry-run', '--json'], { cwd: tempDir(), env: cleanEnv() });
    expect(dryRun.code).toBe(0);
    expect(JSON.parse(dryRun.stdout).totals.created).toBeGreaterThan(0);
  });
});

describe("a SQLite file of another application", () => {
  it('is refused by name, with nothing written to it, unless --allow-other-tables; migrate refuses it too', async () => {
    const cwd = tempDir();
    const file = path.join(cwd, 'app.db');
    const Database = (await import('better-sqlite3')).default;
    const app = new Database(file);
    app.exec("create table invoices(id integer primary key, total real); insert into invoices(total) values (12.5); create table customers(id integer primary key)");
    app.close();
    const tables = (): string[] => {
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare("select name from sqlite_master where type = 'table' order by name").all() as { name: string }[]).map((row) => row.name);
      } finally {
        db.close();
      }
    };
    const exportFile = path.resolve('fixtures/mem0/export.json');
    for (const args of [['mem0', '--from-file', exportFile, '--db', file], ['migrate', '--db', file], ['mem0', '--from-file', exportFile, '--db', file, '--dry-run']]) {
      const refused = await runCliProcess(args, { cwd, env: cleanEnv() });
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(/holds another application's tables \(customers, invoices\) and none of OpenMemory's: nothing was written .*--allow-other-tables/);
      expect(tables()).toEqual(['customers', 'invoices']);
    }
    const told = await runCliProcess(['mem0', '--from-file', exportFile, '--db', file, '--allow-other-tables', '--json'], { cwd, env: cleanEnv() });
    expect(told.code).toBe(0);
    expect(tables()).toEqual(expect.arrayContaining(['customers', 'invoices', 'memories', 'users']));
  });
});
