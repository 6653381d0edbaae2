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
  /** Runs `work` in one transaction: all of it is committed, or none of it. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type SqlValue = string | number | null | Buffer;
