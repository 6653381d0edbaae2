// Reads what one PostgreSQL schema holds (tables, columns, primary keys with their real names, indexes) from the catalog.
import { quoteIdentifier } from '../identifiers.js';
import type { ColumnFacts, SchemaFacts, TableFacts } from '../schema-state.js';
import type { SqlExecutor } from '../sql-executor.js';

export async function introspectPostgres(executor: SqlExecutor, schema: string, schemaVersionTable: string): Promise<SchemaFacts> {
  const schemaRows = await executor.all(`select 1 from pg_namespace where nspname = ?`, [schema]);
  if (schemaRows.length === 0) return { exists: false, tables: new Map(), recordedVersions: null };

  const columns = await executor.all<{ table: string; name: string; type: string }>(
    `select c.relname as "table", a.attname as name, format_type(a.atttypid, a.atttypmod) as type
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ? and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
      order by c.relname, a.attnum`,
    [schema],
  );
  const keys = await executor.all<{ table: string; name: string; columns: string[] }>(
    `select c.relname as "table", con.conname as name,
            array(select a.attname::text from unnest(con.conkey) with ordinality k(attnum, ord)
                  join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum order by k.ord) as columns
       from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ? and con.contype = 'p'`,
    [schema],
  );
  const indexes = await executor.all<{ table: string; columns: string[] }>(
    `select c.relname as "table",
            array(select a.attname::text from unnest(x.indkey) with ordinality k(attnum, ord)
                  join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum order by k.ord) as columns
       from pg_index x join pg_class c on c.oid = x.indrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ?`,
    [schema],
  );

  const tables = new Map<string, TableFacts & { columns: ColumnFacts[]; indexes: string[][] }>();
  const tableOf = (name: string) => {
    let table = tables.get(name);
    if (!table) tables.set(name, (table = { name, columns: [], primaryKey: [], primaryKeyConstraint: null, indexes: [] }));
    return table;
  };
  for (const column of columns) tableOf(column.table).columns.push({ name: column.name, type: column.type });
  for (const key of keys) Object.assign(tableOf(key.table), { primaryKey: key.columns, primaryKeyConstraint: key.name });
  for (const index of indexes) tableOf(index.table).indexes.push(index.columns);

  const recordedVersions = tables.has(schemaVersionTable)
    ? (await executor.all<{ version: string }>(`select version from ${quoteIdentifier(schema)}.${quoteIdentifier(schemaVersionTable)}`)).map(
        (row) => String(row.version),
      )
    : null;
  return { exists: true, tables, recordedVersions };
}
