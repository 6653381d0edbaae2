import { quoteIdentifier } from '../identifiers.js';
import type { TargetDialect } from '../dialect.js';
import { hasColumn } from '../schema-state.js';
import type { TableNames } from '../table-names.js';
import { introspectPostgres } from './postgres-introspector.js';
import { postgresSchemaDdl } from './postgres-schema.js';

/**
 * The value a waypoint gets when neither it nor its source memory has a user: PostgreSQL forbids NULL in a
 * primary-key column. The empty string is no user anybody can have, so the row is kept and never shows up
 * under a real user (see README, "Waypoints of pre-tenant rows on PostgreSQL").
 */
export const ownerlessWaypointUser = '';

export function postgresDialect(schema: string, tables: TableNames): TargetDialect {
  const ddl = postgresSchemaDdl(schema, tables);
  const { qualified } = ddl;
  return {
    name: 'postgres',
    tables,
    ddl,
    qualified,
    introspect: (executor) => introspectPostgres(executor, schema, tables.schemaVersion),
    createContainer: () => [`create schema if not exists ${quoteIdentifier(schema)}`],
    // The key is changed in place: the old constraint is dropped by its real name (read from the catalog; OpenMemory
    // guessed `waypoints_pkey` and failed), NULL users are filled in first, then the new key is added.
    rekeyWaypoints: (waypoints, memoriesHasUserId) => {
      const table = qualified(tables.waypoints);
      const memoryUser = memoriesHasUserId
        ? `(select m.user_id from ${qualified(tables.memories)} m where m.id::text = ${table}.src_id)`
        : 'null';
      const statements: string[] = [];
      if (!hasColumn(waypoints, 'user_id')) statements.push(ddl.addColumn('waypoints', 'user_id'));
      statements.push(`update ${table} set user_id = coalesce(${memoryUser}, '${ownerlessWaypointUser}') where user_id is null`);
      if (waypoints.primaryKeyConstraint) {
        statements.push(`alter table ${table} drop constraint ${quoteIdentifier(waypoints.primaryKeyConstraint)}`);
      }
      statements.push(`alter table ${table} add primary key (src_id, user_id)`);
      return { statements, rebuildsTable: false };
    },
    createSchemaVersionTable: () => `create table if not exists ${qualified(tables.schemaVersion)}(version text primary key, applied_at bigint)`,
  };
}
