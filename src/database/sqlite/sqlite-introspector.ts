// Reads what a SQLite database holds (tables, columns, keys, indexes) through PRAGMAs.
import type { SchemaFacts, TableFacts } from '../schema-state.js';
import type { SqlExecutor } from '../sql-executor.js';
import { quoteIdentifier } from '../identifiers.js';

interface ColumnInfo { name: string; type: string; pk: number }
interface IndexListEntry { name: string }
interface IndexColumn { name: string | null; seqno: number }

export async function introspectSqlite(executor: SqlExecutor, exists: boolean, schemaVersionTable: string): Promise<SchemaFacts> {
  if (!exists) return { exists: false, tables: new Map(), recordedVersions: null };
  const tableRows = await executor.all<{ name: string }>(`select name from sqlite_master where type = 'table' and substr(name, 1, 7) <> 'sqlite_' order by name`);
  const tables = new Map<string, TableFacts>();
  for (const { name } of tableRows) {
    const columns = await executor.all<ColumnInfo>(`select name, type, pk from pragma_table_info(?)`, [name]);
    const primaryKey = columns.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk).map((column) => column.name);
    const indexes: string[][] = [];
    for (const index of await executor.all<IndexListEntry>(`select name from pragma_index_list(?)`, [name])) {
      const indexColumns = await executor.all<IndexColumn>(`select name, seqno from pragma_index_info(?)`, [index.name]);
      indexes.push(indexColumns.sort((a, b) => a.seqno - b.seqno).map((column) => column.name ?? ''));
    }
    if (primaryKey.length > 0) indexes.push(primaryKey);
    tables.set(name, { name, columns: columns.map(({ name: n, type }) => ({ name: n, type })), primaryKey, primaryKeyConstraint: null, indexes });
  }
  const recordedVersions = tables.has(schemaVersionTable)
    ? (await executor.all<{ version: string }>(`select version from ${quoteIdentifier(schemaVersionTable)}`)).map((row) => String(row.version))
    : null;
  return { exists: true, tables, recordedVersions };
}
