// Keeps PostgreSQL's planner statistics up with an import. A table om-import fills was never analyzed (a new
// database), or was analyzed when it was much smaller, and autovacuum analyzes it only a minute or more later — after
// most imports are over. Without statistics the planner takes `id in (…500 ids…)` for most of the table: reading
// which of a batch's records are known, or deleting a batch's old vectors, then scans the whole table, and reading a
// group of users' memories hashes all of them (at 100k memories, about half the import's time, measured). So each
// table is analyzed once the rows om-import added to it since its last statistics reach the rows those were taken
// from (and at least `minimumGrowth`): once it has doubled. Not less often: statistics of a tenth of the table count
// a tenth of its users, and the planner then takes a group of 50 users for half the table and scans all of it
// (measured); the analyses of a 100k-memory import cost about a tenth of the server's time.
import type { SqlValue } from '../sql-executor.js';
import type { TableRole } from '../table-names.js';

/**
 * The columns of OpenMemory's tables om-import's own statements find rows by (ids, users, source times, segments):
 * an analysis takes statistics of these only. Those of the others (content, vectors) were most of its cost (a
 * third of a second for 100k memories, against a ninth, measured), and they are not lost: an analysis of some
 * columns leaves PostgreSQL's count of changes since the last analysis as it was, so autovacuum still analyzes the
 * whole table once the import is over. Tables not named here (om-import's own) are analyzed whole.
 */
export const lookupColumns: Partial<Record<TableRole, readonly string[]>> = {
  memories: ['id', 'user_id', 'created_at', 'segment'],
  vectors: ['id'],
  waypoints: ['src_id', 'dst_id'],
  embedLogs: ['id'],
  users: ['user_id'],
};

/** Rows added to a table before its first analysis: below that, any plan is fast. */
const minimumGrowth = 1000;

type Query = (sql: string, params?: readonly SqlValue[]) => Promise<{ rows: unknown[] }>;

interface TableGrowth {
  /** Rows the statistics were taken from (the table's estimate when om-import first wrote it, 0 if never analyzed). */
  analyzedRows: number;
  addedSince: number;
}

export class PlannerStatistics {
  private readonly tables = new Map<string, TableGrowth>();
  /** The analyses started, one after another; each one's failure is ignored (statistics only speed plans up). */
  private analyses: Promise<void> = Promise.resolve();

  constructor(
    /** Reads on the import's connection. */
    private readonly query: Query,
    /** Runs `analyze <table>`, on a connection of its own so that the import's statements need not wait for it. */
    private readonly analyze: (table: string) => Promise<void>,
  ) {}

  /** Notes that `rows` rows were added to `table` (a qualified, quoted name as written in SQL). */
  async added(table: string, rows: number): Promise<void> {
    if (rows <= 0) return;
    let growth = this.tables.get(table);
    if (!growth) {
      // One estimate per table, however many of its inserts are answered while it is read (they are pipelined).
      let estimate = this.estimates.get(table);
      if (!estimate) this.estimates.set(table, (estimate = this.estimate(table)));
      const analyzedRows = await estimate;
      if (analyzedRows === null) return; // not counted: statistics only speed plans up, and never fail a write
      growth = this.tables.get(table);
      if (!growth) this.tables.set(table, (growth = { analyzedRows, addedSince: 0 }));
    }
    growth.addedSince += rows;
  }

  private readonly estimates = new Map<string, Promise<number | null>>();

  /**
   * Rows the table's statistics were taken from: reltuples, -1 for a table never analyzed (PostgreSQL 14 and later),
   * 0 for an empty one in older versions. Null when it could not be read (e.g. sent inside a transaction that failed):
   * read again at the table's next insert.
   */
  private async estimate(table: string): Promise<number | null> {
    try {
      const { rows: found } = await this.query(`select greatest(reltuples, 0)::float8 as rows from pg_class where oid = to_regclass(?)`, [table]);
      return Number((found[0] as { rows?: number } | undefined)?.rows ?? 0);
    } catch {
      this.estimates.delete(table);
      return null;
    }
  }

  /**
   * Starts analyzing the tables that doubled since their statistics; call once the rows are committed (ANALYZE sees
   * only committed rows from another connection). It takes no lock a writer waits for, and is not waited for here.
   */
  refresh(): void {
    for (const [table, growth] of this.tables) {
      if (growth.addedSince < Math.max(minimumGrowth, growth.analyzedRows)) continue;
      this.tables.set(table, { analyzedRows: growth.analyzedRows + growth.addedSince, addedSince: 0 });
      this.analyses = this.analyses.then(() => this.analyze(table)).catch(() => undefined);
    }
  }

  /** Resolves once the analyses started so far are over. */
  settled(): Promise<void> {
    return this.analyses;
  }
}
