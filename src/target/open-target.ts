// Where to write: a SQLite file (the default, as OpenMemory) or PostgreSQL, from flags or OpenMemory's own env.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { TargetError, UsageError } from '../errors.js';
import { fileTimestamp } from '../records.js';
import { validIdentifier } from './identifiers.js';
import { postgresDialect } from './postgres/postgres-dialect.js';
import { PostgresExecutor } from './postgres/postgres-executor.js';
import { sqliteDialect } from './sqlite/sqlite-dialect.js';
import { SqliteExecutor } from './sqlite/sqlite-executor.js';
import { postgresTableNames, sqliteTableNames } from './table-names.js';
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

function backupPathFor(file: string, now = new Date()): string {
  const stamp = fileTimestamp(now.getTime());
  let candidate = `${file}.om-import-backup-${stamp}`;
  for (let n = 2; existsSync(candidate); n++) candidate = `${file}.om-import-backup-${stamp}-${n}`;
  return candidate;
}

function openSqlite(config: Extract<TargetConfig, { kind: 'sqlite' }>, options: OpenOptions): Target {
  const file = path.resolve(config.path);
  let exists = existsSync(file);
  let database: Database.Database;
  try {
    if (!exists && options.dryRun) {
      database = new Database(':memory:');
    } else {
      mkdirSync(path.dirname(file), { recursive: true });
      database = new Database(file);
      database.pragma('busy_timeout = 5000');
      if (exists) database.prepare('select count(*) from sqlite_master').get(); // fails here on a file that is not SQLite
    }
  } catch (error) {
    throw new TargetError(`cannot open SQLite database ${config.path}: ${(error as Error).message}`, {
      hint: 'check the path given by --db or OM_DB_PATH',
    });
  }
  const dialect = sqliteDialect(sqliteTableNames({ vectorTable: config.vectorTable }), () => exists);
  const backup = async (): Promise<string> => {
    const destination = backupPathFor(file);
    await database.backup(destination);
    return destination;
  };
  return new Target(dialect, new SqliteExecutor(database), `SQLite ${config.path}`, backup, async () => {
    exists = true;
  });
}

async function openPostgres(config: Extract<TargetConfig, { kind: 'postgres' }>): Promise<Target> {
  let executor: PostgresExecutor;
  try {
    executor = await PostgresExecutor.connect({ ...config.connection, connectionTimeoutMillis: 15_000 });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const hint =
      code === '3D000'
        ? 'om-import does not create databases: create it first (e.g. `createdb`), as OpenMemory expects it to exist'
        : code === '28P01'
          ? 'check the user and password (OM_PG_USER / OM_PG_PASSWORD or the --pg URL)'
          : 'check that the server is running and reachable';
    throw new TargetError(`cannot connect to PostgreSQL ${config.display}: ${(error as Error).message}`, { hint });
  }
  const tables = postgresTableNames({ memoryTable: config.memoryTable, vectorTable: config.vectorTable });
  return new Target(postgresDialect(config.schema, tables), executor, `PostgreSQL ${config.display} (schema ${config.schema})`, null);
}
