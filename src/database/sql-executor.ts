/** The one thing both databases provide to om-import's shared SQL: statements with `?` placeholders. */
export interface SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /** Rows of a query. */
  all<Row extends object>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Runs a statement; answers how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs `work` in one transaction: all of it is committed, or none of it. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type SqlValue = string | number | null | Buffer;
