import { quoteIdentifier } from '../identifiers.js';
import type { TargetDialect } from '../dialect.js';
import { v12Columns } from '../schema-definition.js';
import { hasColumn } from '../schema-state.js';
import type { TableNames } from '../table-names.js';
import { introspectSqlite } from './sqlite-introspector.js';
import { sqliteSchemaDdl } from './sqlite-schema.js';

export function sqliteDialect(tables: TableNames, fileExists: () => boolean): TargetDialect {
  const ddl = sqliteSchemaDdl(tables);
  return {
    name: 'sqlite',
    tables,
    ddl,
    qualified: quoteIdentifier,
    introspect: (executor) => introspectSqlite(executor, fileExists(), tables.schemaVersion),
    createContainer: () => [],
    // SQLite cannot change a primary key in place: copy into a v1.2 table and swap (as OpenMemory's own migration),
    // keeping any extra columns. SQLite accepts NULL in a non-integer key column, so old rows keep user_id NULL
    // unless their source memory has a user.
    rekeyWaypoints: (waypoints, memoriesHasUserId) => {
      const staging = `${tables.waypoints}_om_import_rekey`;
      const extras = waypoints.columns.filter((column) => !v12Columns.waypoints.includes(column.name));
      const memoryUser = memoriesHasUserId
        ? `(select m.user_id from ${quoteIdentifier(tables.memories)} m where m.id = w.src_id)`
        : 'null';
      const userId = hasColumn(waypoints, 'user_id') ? `coalesce(w.user_id, ${memoryUser})` : memoryUser;
      const copied = ['src_id', 'dst_id', 'user_id', 'weight', 'created_at', 'updated_at', ...extras.map((c) => c.name)];
      const selected = ['w.src_id', 'w.dst_id', userId, 'w.weight', 'w.created_at', 'w.updated_at', ...extras.map((c) => `w.${quoteIdentifier(c.name)}`)];
      return {
        rebuildsTable: true,
        statements: [
          `drop table if exists ${quoteIdentifier(staging)}`,
          ddl.tableDefinition('waypoints', staging, extras.map((c) => `${quoteIdentifier(c.name)} ${c.type}`.trim())),
          `insert into ${quoteIdentifier(staging)}(${copied.map(quoteIdentifier).join(',')}) select ${selected.join(',')} from ${quoteIdentifier(tables.waypoints)} w`,
          `drop table ${quoteIdentifier(tables.waypoints)}`,
          `alter table ${quoteIdentifier(staging)} rename to ${quoteIdentifier(tables.waypoints)}`,
        ],
      };
    },
    createSchemaVersionTable: () => `create table if not exists ${quoteIdentifier(tables.schemaVersion)}(version text primary key, applied_at integer)`,
  };
}
