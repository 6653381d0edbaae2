import pg from 'pg';
import type { SqlExecutor, SqlValue } from '../sql-executor.js';
import { PlannerStatistics } from './planner-statistics.js';

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

/**
 * Statements kept prepared on a connection at most. An insert is prepared (named) the second time its text is run:
 * the multi-row inserts of full batches recur with the same text all through a run, and PostgreSQL then parses
 * them once instead of every time (a third less server time for a batch of memories, measured). Only inserts: a
 * prepared query may be given a generic plan after five runs, and for the `in (…)` reads that plan scanned whole
 * tables (twice the server time of the whole import, measured). Their sizes vary otherwise, so most texts run once
 * and are not kept. A prepared insert of 1,000 rows of 18 values holds about 2 MiB of the server's memory until the
 * connection ends (measured), hence the bound.
 */
const preparedStatementLimit = 40;

/** Numbered statement texts kept (most differ only in their chunk's size; a few recur all through a run). */
const numberedTextLimit = 200;

/** The table an `insert into` statement writes, as written in it; null for any other statement. */
function insertedTable(sql: string): string | null {
  return /^\s*insert\s+into\s+("[^"]*"(?:\."[^"]*")?|[^\s(]+)/i.exec(sql)?.[1] ?? null;
}

/** SQLSTATE of a statement refused because an earlier one failed in the same transaction. */
const inFailedTransaction = '25P02';

/**
 * One pg client behind the shared executor interface, in pg's pipeline mode: each statement is sent as it is issued,
 * without waiting for the answers to those before it, and the server runs and answers them in that order. Callers
 * that overlap (a partition reading what is known while another writes its batch) need no turns, and a transaction's
 * writes (`write`) go out one after another instead of a round trip each: a batch of memories is about ten
 * statements, and on a busy machine each round trip cost the import more than the server's work on the statement
 * (the write phase of 100k memories took a sixth less time, measured).
 */
export class PostgresExecutor implements SqlExecutor {
  readonly dialect = 'postgres' as const;
  private inTransaction = false;
  /** The open transaction's writes still unanswered (see `write`). */
  private unansweredWrites: Promise<unknown>[] = [];
  /** Whether statements sent now go after a transaction's begin and before its commit or rollback. */
  private transactionOpen = false;
  /** The first statement that failed in the open transaction: what the ones after it, refused, fail with instead. */
  private transactionFailure: { error: unknown } | null = null;

  private constructor(
    private readonly client: pg.Client,
    private readonly config: pg.ClientConfig,
  ) {}

  private readonly statistics = new PlannerStatistics(
    (sql, params) => this.query(sql, params),
    (table) => this.analyzeApart(table),
  );

  /** The connection tables are analyzed on, opened at the first analysis (see PlannerStatistics). */
  private analysisClient: Promise<pg.Client> | null = null;

  /**
   * Analyzes a table on a connection of its own: ANALYZE reads up to 30,000 rows (a third of a second for 100k
   * memories), and on the import's connection every batch after it waited (analyses took a tenth of the import's
   * write time, measured). Where no second connection can be had, on the import's.
   */
  private async analyzeApart(table: string): Promise<void> {
    this.analysisClient ??= (async () => {
      const client = new pg.Client(this.config);
      client.on('error', () => undefined);
      await client.connect();
      return client;
    })();
    const client = await this.analysisClient.catch(() => null);
    const columns = this.analyzedColumns.get(table);
    const statement = columns ? `analyze ${table} (${columns.join(', ')})` : `analyze ${table}`;
    await (client ? client.query(statement) : this.query(statement));
  }

  /** The columns analyzed of a table (qualified, as statements name it), where not all of them (see `lookupColumns`). */
  private analyzedColumns = new Map<string, readonly string[]>();

  analyzeOnly(columns: ReadonlyMap<string, readonly string[]>): void {
    this.analyzedColumns = new Map(columns);
  }

  /** Statement texts run once so far, and the name of each one prepared. */
  private readonly seenOnce = new Set<string>();
  private readonly prepared = new Map<string, string>();

  /**
   * Numbered texts of the statements with parameters run so far (`?` text → `$n` text). A multi-row insert of a full
   * chunk recurs all through a run with tens of thousands of placeholders: numbering them again each time took more
   * of the command's thread than anything else om-import does there (measured).
   */
  private readonly numbered = new Map<string, string>();

  private numberedText(sql: string, params: readonly SqlValue[]): string {
    if (params.length === 0) return sql;
    let text = this.numbered.get(sql);
    if (text === undefined) {
      if (this.numbered.size >= numberedTextLimit) this.numbered.clear();
      this.numbered.set(sql, (text = numberPlaceholders(sql)));
    }
    return text;
  }

  /** The statement as pg runs it: by name once an insert's text recurs, while there is room for it. */
  private statement(sql: string, params: readonly SqlValue[]): pg.QueryConfig {
    const text = this.numberedText(sql, params);
    let name = this.prepared.get(text);
    if (name === undefined && /^\s*insert\b/i.test(sql) && params.length > 0 && this.prepared.size < preparedStatementLimit) {
      if (this.seenOnce.delete(text)) {
        name = `om_import_${this.prepared.size + 1}`;
        this.prepared.set(text, name);
      } else {
        if (this.seenOnce.size >= 1000) this.seenOnce.clear(); // mostly chunks of one-off sizes
        this.seenOnce.add(text);
      }
    }
    return name === undefined ? { text, values: params as unknown[] } : { name, text, values: params as unknown[] };
  }

  private query(sql: string, params: readonly SqlValue[] = []): Promise<pg.QueryResult> {
    const insideTransaction = this.transactionOpen; // as sent: between a transaction's begin and its end
    return this.client.query(this.statement(sql, params)).catch((error: unknown) => {
      if (insideTransaction) {
        if ((error as { code?: unknown }).code === inFailedTransaction && this.transactionFailure) throw this.transactionFailure.error;
        this.transactionFailure ??= { error };
      }
      throw error;
    });
  }

  static async connect(config: pg.ClientConfig): Promise<PostgresExecutor> {
    const client = new pg.Client({ ...config, types: typeParsers, pipeline: true });
    client.on('error', () => undefined); // a dropped connection surfaces on the next query instead
    await client.connect();
    return new PostgresExecutor(client, config);
  }

  async all<Row extends object>(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    return (await this.query(sql, params)).rows as Row[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const changed = (await this.query(sql, params)).rowCount ?? 0;
    const inserted = insertedTable(sql);
    if (inserted !== null) await this.statistics.added(inserted, changed);
    return changed;
  }

  /**
   * `synchronous_commit = off` for this session: a commit no longer waits for its log to be flushed (the server's WAL
   * writer flushes it within a fraction of a second). A 100k-memory import commits about 120 times; each wait for
   * the disk was on the path of every write after it (a fortieth of the import's time, measured).
   */
  async lagCommits(): Promise<void> {
    await this.run('set synchronous_commit = off');
  }

  /** PostgreSQL writes its log in order: flushing the next commit flushes every one before it. */
  async syncCommits(): Promise<void> {
    await this.run('set synchronous_commit = on');
  }

  /**
   * Inside a transaction's work, sent at once and answered before it commits; otherwise (no transaction, or one
   * already committing) the same as `run`.
   */
  async write(sql: string, params: readonly SqlValue[] = []): Promise<void> {
    const written = this.run(sql, params);
    if (!this.takingWrites) {
      await written;
      return;
    }
    written.catch(() => undefined); // its failure is thrown where the transaction ends
    this.unansweredWrites.push(written);
  }

  /** Between a transaction's `begin` and the moment its writes are all answered: `write` does not wait. */
  private takingWrites = false;

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.inTransaction) throw new Error('nested transactions are not supported');
    this.inTransaction = true;
    this.transactionFailure = null;
    try {
      const begun = this.query('begin');
      this.transactionOpen = true;
      await begun;
      this.takingWrites = true;
      const result = await work();
      // Every write issued by now answered, those issued while waiting included; none is taken after the last check.
      for (let answered = 0; answered < this.unansweredWrites.length; ) {
        const waiting = this.unansweredWrites.slice(answered);
        answered = this.unansweredWrites.length;
        await Promise.all(waiting);
      }
      this.takingWrites = false;
      // A statement of another caller that failed inside this transaction aborted it: PostgreSQL would answer the
      // commit with a rollback, and no error.
      const failure = this.transactionFailure as { error: unknown } | null; // set by `query`, which TS cannot see
      if (failure) throw failure.error;
      const commit = this.query('commit');
      this.transactionOpen = false;
      const committed = await commit;
      if (committed.command !== 'COMMIT') throw new Error(`PostgreSQL answered the commit with ${committed.command}: the transaction was rolled back`);
      this.statistics.refresh();
      return result;
    } catch (error) {
      this.takingWrites = false;
      await Promise.allSettled(this.unansweredWrites);
      const rollback = this.query('rollback').catch(() => undefined);
      this.transactionOpen = false;
      await rollback;
      throw error; // a statement refused after a failure already carries that failure (see `query`)
    } finally {
      this.unansweredWrites = [];
      this.transactionOpen = false;
      this.inTransaction = false;
    }
  }

  async close(): Promise<void> {
    await this.statistics.settled();
    const analysisClient = await this.analysisClient?.catch(() => null);
    await analysisClient?.end().catch(() => undefined);
    await this.client.end();
  }
}
