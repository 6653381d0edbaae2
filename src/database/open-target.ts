// Where to write: a SQLite file (the default, as OpenMemory) or PostgreSQL, from flags or OpenMemory's own env.
import { accessSync, closeSync, constants, existsSync, fchmodSync, mkdirSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { TargetError, UsageError } from '../errors.js';
import { fileTimestamp } from '../records.js';
import { validIdentifier } from './identifiers.js';
import { lookupColumns } from './postgres/planner-statistics.js';
import { postgresDialect } from './postgres/postgres-dialect.js';
import type { PostgresExecutor } from './postgres/postgres-executor.js';
import { sqliteDialect } from './sqlite/sqlite-dialect.js';
import { SqliteExecutor } from './sqlite/sqlite-executor.js';
import { postgresTableNames, sqliteTableNames, type TableRole } from './table-names.js';
import { Target } from './target.js';

export type TargetConfig =
  | { kind: 'sqlite'; path: string; vectorTable: string | undefined }
  | {
      kind: 'postgres';
      connection: pg.ClientConfig;
      schema: string;
      memoryTable: string | undefined;
      vectorTable: string | undefined;
      /** The connection without its password, for messages. */
      display: string;
    };

export interface TargetFlags {
  /** --db PATH */
  db?: string | undefined;
  /** --pg postgres://… */
  pg?: string | undefined;
}

export const defaultSqlitePath = './data/openmemory.sqlite';

function postgresSsl(value: string | undefined): pg.ClientConfig['ssl'] {
  if (value === undefined || value === '' || value === 'disable' || value === 'false') return undefined;
  return { rejectUnauthorized: false };
}

function displayPostgresUrl(url: URL): string {
  return `postgres://${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.host}${url.pathname}`;
}

/** Resolves flags first, then OpenMemory's variables (OM_DB_PATH, OM_METADATA_BACKEND, OM_PG_*). */
export function resolveTargetConfig(flags: TargetFlags, env: Readonly<Record<string, string | undefined>>): TargetConfig {
  if (flags.db !== undefined && flags.pg !== undefined) throw new UsageError('--db and --pg name two targets: give one');
  const schema = validIdentifier(env['OM_PG_SCHEMA'] || 'public', 'OM_PG_SCHEMA');
  const memoryTable = env['OM_PG_TABLE'] ? validIdentifier(env['OM_PG_TABLE'], 'OM_PG_TABLE') : undefined;
  const vectorTable = env['OM_VECTOR_TABLE'] ? validIdentifier(env['OM_VECTOR_TABLE'], 'OM_VECTOR_TABLE') : undefined;

  if (flags.pg !== undefined) {
    let url: URL;
    try {
      url = new URL(flags.pg);
    } catch {
      throw new UsageError('--pg is not a URL: expected postgres://user:password@host:port/database');
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new UsageError(`--pg must be a postgres:// URL, not ${url.protocol}//`);
    }
    return { kind: 'postgres', connection: { connectionString: flags.pg }, schema, memoryTable, vectorTable, display: displayPostgresUrl(url) };
  }
  if (flags.db === undefined && (env['OM_METADATA_BACKEND'] ?? '').toLowerCase() === 'postgres') {
    const host = env['OM_PG_HOST'] || 'localhost';
    const port = Number(env['OM_PG_PORT'] || 5432);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new UsageError(`OM_PG_PORT=${env['OM_PG_PORT']} is not a port number`);
    const database = env['OM_PG_DB'] || 'openmemory';
    const user = env['OM_PG_USER'] || 'postgres';
    return {
      kind: 'postgres',
      connection: { host, port, database, user, password: env['OM_PG_PASSWORD'], ssl: postgresSsl(env['OM_PG_SSL']) },
      schema,
      memoryTable,
      vectorTable,
      display: `postgres://${user}@${host}:${port}/${database}`,
    };
  }
  return { kind: 'sqlite', path: flags.db ?? (env['OM_DB_PATH'] || defaultSqlitePath), vectorTable };
}

export interface OpenOptions {
  /** Do not create a missing SQLite file (its state is then reported as `missing`). */
  dryRun?: boolean;
}

export async function openTarget(config: TargetConfig, options: OpenOptions = {}): Promise<Target> {
  return config.kind === 'sqlite' ? openSqlite(config, options) : openPostgres(config);
}

/**
 * Creates the file a migration backup is copied into, `<file>.om-import-backup-<time>` (`-2`, `-3`, … when taken
 * in the same second), exclusively and readable by its owner only: it holds every user's memories, so it is kept
 * at least as private as any database file (a 0600 database must not get a 0644 copy).
 */
function createBackupFile(file: string, now = new Date()): string {
  const stamp = fileTimestamp(now.getTime());
  for (let n = 1; ; n++) {
    const candidate = `${file}.om-import-backup-${stamp}${n > 1 ? `-${n}` : ''}`;
    let descriptor: number;
    try {
      descriptor = openSync(candidate, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    try {
      fchmodSync(descriptor, 0o600); // whatever the umask left
    } finally {
      closeSync(descriptor);
    }
    return candidate;
  }
}

/** Whether two files hold the same bytes (compared in chunks, so a large database is never read whole). */
function sameContent(a: string, b: string): boolean {
  if (statSync(a).size !== statSync(b).size) return false;
  const [first, second] = [openSync(a, 'r'), openSync(b, 'r')];
  try {
    const [left, right] = [Buffer.alloc(1 << 20), Buffer.alloc(1 << 20)];
    for (let position = 0; ; position += left.length) {
      const read = readSync(first, left, 0, left.length, position);
      if (read !== readSync(second, right, 0, right.length, position)) return false;
      if (read === 0) return true;
      if (!left.subarray(0, read).equals(right.subarray(0, read))) return false;
    }
  } finally {
    closeSync(first);
    closeSync(second);
  }
}

/**
 * An earlier backup of `file` with exactly the bytes of `fresh` (SQLite's backup of an unchanged database is the
 * same file each time): a migration that failed leaves the database as it was, so running it again must not add a
 * copy per attempt. Answers its path, or null.
 */
function identicalEarlierBackup(file: string, fresh: string): string | null {
  const folder = path.dirname(file);
  const prefix = `${path.basename(file)}.om-import-backup-`;
  const earlier = readdirSync(folder)
    .filter((name) => name.startsWith(prefix) && path.join(folder, name) !== fresh)
    .map((name) => path.join(folder, name));
  const modified = (candidate: string): number => {
    try {
      return statSync(candidate).mtimeMs;
    } catch {
      return 0;
    }
  };
  const identical = (candidate: string): boolean => {
    try {
      return statSync(candidate).isFile() && sameContent(candidate, fresh);
    } catch {
      return false; // one that cannot be read is no copy to rely on
    }
  };
  return earlier.sort((a, b) => modified(b) - modified(a)).find(identical) ?? null;
}

/** `EACCES`, `EPERM` (an immutable file), `EROFS` (a read-only mount): the process may not write there. */
function notWritable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
}

/**
 * Refuses, before anything is read or copied, a database om-import could not write: the file itself, or its folder
 * (SQLite writes its journal next to the file, and om-import its backup). Without this, SQLite opens such a file
 * read-only without a word, and the run fails at its first write, after a backup copy was made.
 */
function requireWritable(displayPath: string, file: string, exists: boolean): void {
  const fix = 'check its permissions, or pass --db to a writable copy';
  const folder = path.dirname(file);
  if (exists) {
    try {
      accessSync(file, constants.W_OK);
    } catch (error) {
      if (notWritable(error)) throw new TargetError(`SQLite database ${displayPath} is read-only`, { hint: fix });
      throw error;
    }
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    if (notWritable(error)) {
      throw new TargetError(`the folder of SQLite database ${displayPath} (${folder}) is read-only, and SQLite writes its journal there`, { hint: fix });
    }
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // a missing folder is created below
  }
}

/**
 * The pragmas OpenMemory's own SQLite connection sets that change how writes reach the disk (upstream: core/db.ts):
 * a database it creates is in WAL mode, and in WAL mode commits are not synced one by one (the database stays
 * consistent; a power cut may lose the last commits, which the bookkeeping then does not have either, so the next
 * run writes them again). A database someone keeps in another journal mode stays in it, fully synced.
 */
const newDatabasePragmas = ['journal_mode = WAL'];
const walPragmas = ['synchronous = NORMAL', 'wal_autocheckpoint = 20000'];

function openSqlite(config: Extract<TargetConfig, { kind: 'sqlite' }>, options: OpenOptions): Target {
  const file = path.resolve(config.path);
  let exists = existsSync(file);
  let database: Database.Database;
  try {
    if (!exists && options.dryRun) {
      database = new Database(':memory:');
    } else {
      if (!options.dryRun) requireWritable(config.path, file, exists);
      mkdirSync(path.dirname(file), { recursive: true });
      database = new Database(file);
      database.pragma('busy_timeout = 5000');
      if (exists) database.prepare('select count(*) from sqlite_master').get(); // fails here on a file that is not SQLite
      else for (const pragma of newDatabasePragmas) database.pragma(pragma);
    }
  } catch (error) {
    if (error instanceof TargetError) throw error;
    if (notWritable(error)) {
      throw new TargetError(`cannot create SQLite database ${config.path}: a folder on its path cannot be written (${(error as Error).message})`, {
        hint: 'check the permissions of its folders, or pass --db to a writable place',
      });
    }
    throw new TargetError(`cannot open SQLite database ${config.path}: ${(error as Error).message}`, {
      hint: 'check the path given by --db or OM_DB_PATH',
    });
  }
  if (database.pragma('journal_mode', { simple: true }) === 'wal') for (const pragma of walPragmas) database.pragma(pragma);
  const dialect = sqliteDialect(sqliteTableNames({ vectorTable: config.vectorTable }), () => exists);
  const backup = async (): Promise<string> => {
    const destination = createBackupFile(file);
    try {
      await database.backup(destination);
      const earlier = identicalEarlierBackup(file, destination);
      if (earlier === null) return destination;
      rmSync(destination);
      return earlier;
    } catch (error) {
      rmSync(destination, { force: true });
      throw error;
    }
  };
  return new Target(dialect, new SqliteExecutor(database), `SQLite ${config.path}`, backup, async () => {
    exists = true;
  });
}

async function openPostgres(config: Extract<TargetConfig, { kind: 'postgres' }>): Promise<Target> {
  // pg is loaded by the runs that write PostgreSQL only: a SQLite run's process stays ~6 MiB smaller without it.
  const { PostgresExecutor } = await import('./postgres/postgres-executor.js');
  let executor: PostgresExecutor;
  try {
    executor = await PostgresExecutor.connect({ ...config.connection, connectionTimeoutMillis: 15_000 });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const hint =
      code === '3D000'
        ? 'om-import does not create databases: create it first (e.g. `createdb`), as OpenMemory expects it to exist'
        : code === '28P01' || code === '28000'
          ? 'the server refused the user: check the user and password (OM_PG_USER / OM_PG_PASSWORD or the --pg URL), and that the role exists'
          : code !== undefined && /^[0-9A-Z]{5}$/.test(code)
            ? `the server answered with SQLSTATE ${code}` // it runs and is reachable: no hint about that
            : 'check that the server is running and reachable';
    throw new TargetError(`cannot connect to PostgreSQL ${config.display}: ${(error as Error).message}`, { hint });
  }
  const tables = postgresTableNames({ memoryTable: config.memoryTable, vectorTable: config.vectorTable });
  const dialect = postgresDialect(config.schema, tables);
  executor.analyzeOnly(new Map(Object.entries(lookupColumns).map(([role, columns]) => [dialect.qualified(tables[role as TableRole]), columns])));
  return new Target(dialect, executor, `PostgreSQL ${config.display} (schema ${config.schema})`, null);
}
