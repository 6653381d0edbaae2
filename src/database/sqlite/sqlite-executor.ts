import type Database from 'better-sqlite3';
import { TargetError } from '../../errors.js';
import type { SqlExecutor, SqlValue } from '../sql-executor.js';

/**
 * How long a statement waits for a database another connection (a running OpenMemory) is writing, before failing
 * with SQLITE_BUSY. OpenMemory itself waits 5 s; om-import, which has no user waiting on it, waits longer.
 */
const busyTimeoutMs = 30_000;

/** better-sqlite3 behind the shared executor interface; prepared statements are cached by text. */
export class SqliteExecutor implements SqlExecutor {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, Database.Statement>();
  private inTransaction = false;

  constructor(
    readonly database: Database.Database,
    private readonly busyTimeout: number = busyTimeoutMs,
  ) {
    database.pragma(`busy_timeout = ${busyTimeout}`);
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= 500) this.statements.clear(); // multi-row statements vary in length
      statement = this.database.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  async all<Row extends object>(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    return this.whenNotBusy(() => this.prepare(sql).all(...params) as Row[]);
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.whenNotBusy(() => {
      const statement = this.prepare(sql);
      if (statement.reader) {
        statement.all(...params);
        return 0;
      }
      return statement.run(...params).changes;
    });
  }

  /** Nothing to change: in WAL mode commits are not synced one by one already (see open-target.ts), in another mode they are. */
  async lagCommits(): Promise<void> {}

  /**
   * In WAL mode, `synchronous = FULL` from now on: the next commit syncs the log, and with it every commit before it
   * (the log is written in order). Closing syncs nothing while another connection (an OpenMemory server) has the
   * file open. Another journal mode is synced at every commit already.
   */
  async syncCommits(): Promise<void> {
    if (this.database.pragma('journal_mode', { simple: true }) === 'wal') this.database.pragma('synchronous = FULL');
  }

  /** better-sqlite3 runs each statement to its end before answering: nothing to overlap. */
  async write(sql: string, params: readonly SqlValue[] = []): Promise<void> {
    await this.run(sql, params);
  }

  /** A statement that waited `busyTimeoutMs` for another connection's write lock fails saying so, and what to do. */
  private whenNotBusy<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error;
      throw new TargetError(
        `SQLite ${this.database.name} stayed locked by another connection for ${this.busyTimeout / 1000} s (${(error as Error).message}): another process is writing to it — an OpenMemory server in a long write, another om-import (\`om-import status\` names a running one), or a tool holding a transaction open`,
        { hint: 'let it finish or stop it, then run again (the run resumes)', cause: error },
      );
    }
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.inTransaction) throw new Error('nested transactions are not supported');
    this.inTransaction = true;
    try {
      this.whenNotBusy(() => this.database.exec('begin immediate'));
      const result = await work();
      this.database.exec('commit');
      return result;
    } catch (error) {
      if (this.database.inTransaction) this.database.exec('rollback');
      throw error;
    } finally {
      this.inTransaction = false;
    }
  }

  async close(): Promise<void> {
    this.statements.clear();
    this.database.close();
  }
}
