import pg from 'pg';
import type { SqlExecutor, SqlValue } from '../sql-executor.js';

/** `?` placeholders, as the shared SQL is written, become PostgreSQL's `$1, $2, …`. */
export function numberPlaceholders(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

// bigint (int8) columns hold millisecond times and counts, well inside a double's exact range.
const int8 = 20;
const typeParsers = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === int8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** One pg client behind the shared executor interface. */
export class PostgresExecutor implements SqlExecutor {
  readonly dialect = 'postgres' as const;
  private inTransaction = false;
  /**
   * One query at a time on the connection: callers that overlap (a partition reading what is known while another
   * writes its batch) take turns, as pg would queue them anyway — it deprecates doing so implicitly.
   */
  private turn: Promise<unknown> = Promise.resolve();

  private constructor(private readonly client: pg.Client) {}

  private query(sql: string, params: readonly SqlValue[] = []): Promise<pg.QueryResult> {
    const result = this.turn.then(() => this.client.query(numberPlaceholders(sql), params as unknown[]));
    this.turn = result.catch(() => undefined);
    return result;
  }

  static async connect(config: pg.ClientConfig): Promise<PostgresExecutor> {
    const client = new pg.Client({ ...config, types: typeParsers });
    client.on('error', () => undefined); // a dropped connection surfaces on the next query instead
    await client.connect();
    return new PostgresExecutor(client);
  }

  async all<Row extends object>(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    return (await this.query(sql, params)).rows as Row[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.inTransaction) throw new Error('nested transactions are not supported');
    this.inTransaction = true;
    await this.query('begin');
    try {
      const result = await work();
      await this.query('commit');
      return result;
    } catch (error) {
      await this.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      this.inTransaction = false;
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
