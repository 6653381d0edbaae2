// Many rows per statement on PostgreSQL: one round trip per chunk instead of one per row. SQLite has no round trip
// to save: there one prepared statement runs once per row, which is faster than binding a chunk's thousands of
// values (about a fifth less time for the memories table, measured). The same SQL serves both.
import type { SqlExecutor, SqlValue } from './sql-executor.js';

/** Below both backends' limits on bound parameters (PostgreSQL 65535, SQLite 32766). */
const maxParameters = 30_000;

/**
 * Runs `statement(values)` for chunks of `rows`, where `values` is the `(?, ?), (?, ?)` list of that chunk.
 * Every row must have the same number of values.
 */
export async function runForRows(
  executor: SqlExecutor,
  rows: readonly (readonly SqlValue[])[],
  statement: (values: string) => string,
): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const placeholders = `(${first.map(() => '?').join(',')})`;
  if (executor.dialect === 'sqlite') {
    const single = statement(placeholders);
    for (const row of rows) await executor.run(single, row);
    return;
  }
  const perChunk = Math.max(1, Math.floor(maxParameters / first.length));
  for (let start = 0; start < rows.length; start += perChunk) {
    const chunk = rows.slice(start, start + perChunk);
    await executor.run(statement(`${placeholders},`.repeat(chunk.length - 1) + placeholders), chunk.flat());
  }
}

/** `?, ?, …` for a list of values, for `in (…)` clauses. */
export function placeholderList(count: number): string {
  return new Array(count).fill('?').join(',');
}

/** Values per `in (…)` clause. */
const inClauseChunk = 500;

/** Slices of a list short enough for one `in (…)` clause each. */
export function* inClauseChunks<T>(values: readonly T[]): Generator<T[]> {
  for (let start = 0; start < values.length; start += inClauseChunk) yield values.slice(start, start + inClauseChunk);
}
