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
    for (const row of rows) await executor.write(single, row);
    return;
  }
  const perChunk = Math.max(1, Math.floor(maxParameters / first.length));
  const template = statement(valuesMark);
  for (let start = 0; start < rows.length; start += perChunk) {
    const chunk = rows.slice(start, start + perChunk);
    await executor.write(chunkText(template, placeholders, chunk.length), rowValues(chunk, first.length));
  }
}

/** The values of rows one after another: what `rows.flat()` answers, in a tenth of its time (1.5 ms for 1,000 rows of 18, measured). */
function rowValues(rows: readonly (readonly SqlValue[])[], width: number): SqlValue[] {
  const values = new Array<SqlValue>(rows.length * width);
  let next = 0;
  for (const row of rows) {
    if (row.length !== width) throw new Error(`a multi-row statement's rows must have the same number of values (${width}), one has ${row.length}`);
    for (let i = 0; i < width; i++) values[next++] = row[i]!;
  }
  return values;
}

/** Stands for the values list in a statement's template. */
const valuesMark = '\u0000values\u0000';

/** Chunk statement texts kept, by template and row count (most runs use a few: full chunks, and the last ones). */
const chunkTextLimit = 200;
const chunkTexts = new Map<string, string>();

/**
 * The text of a statement for `count` rows. A full chunk's text, tens of thousands of placeholders long, recurs all
 * through a run: kept, it is one string the executor finds its numbered and prepared forms of by a hash V8 keeps on
 * the string, where a text built anew per chunk was built and hashed again each time (a tenth of the main thread's
 * time writing into PostgreSQL, measured).
 */
function chunkText(template: string, placeholders: string, count: number): string {
  const key = `${count} ${template}`;
  let text = chunkTexts.get(key);
  if (text === undefined) {
    if (chunkTexts.size >= chunkTextLimit) chunkTexts.clear();
    text = template.replace(valuesMark, () => `${placeholders},`.repeat(count - 1) + placeholders);
    chunkTexts.set(key, text);
  }
  return text;
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
