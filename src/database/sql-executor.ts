/** The one thing both databases provide to om-import's shared SQL: statements with `?` placeholders. */
export interface SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /** Rows of a query. */
  all<Row extends object>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Runs a statement; answers how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Runs a statement whose outcome the caller does not wait for: inside a transaction, it may still be running
   * when this resolves (PostgreSQL sends a transaction's writes one after another without waiting for each
   * answer), and a failure then fails the transaction when it commits, or the statement after it. Statements run
   * in the order they were issued, so a read after a write sees it. Outside a transaction, the same as `run`.
   */
  write(sql: string, params?: readonly SqlValue[]): Promise<void>;
  /**
   * Lets commits return before they reach the disk, until `syncCommits`. A crash of the database server may then
   * lose the last of them, each whole (the rows with the bookkeeping that says they were written, so the next run
   * writes them again): what SQLite's commits already do in WAL mode with synchronous = NORMAL, as OpenMemory sets
   * it. The database stays consistent.
   */
  lagCommits(): Promise<void>;
  /** Commits wait for the disk from now on; the next one that writes puts every earlier one there too. */
  syncCommits(): Promise<void>;
  /** Runs `work` in one transaction: all of it is committed, or none of it. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type SqlValue = string | number | null | Buffer;
