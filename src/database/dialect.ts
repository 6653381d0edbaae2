// What a database backend must provide to om-import (modelled on kysely's Dialect): its table names and DDL,
// an introspector, and the few statements where the two backends really differ.
import type { SchemaDdl } from './schema-definition.js';
import type { SchemaFacts, TableFacts } from './schema-state.js';
import type { SqlExecutor } from './sql-executor.js';
import type { TableNames } from './table-names.js';

export interface TargetDialect {
  readonly name: 'sqlite' | 'postgres';
  readonly tables: TableNames;
  readonly ddl: SchemaDdl;
  /** A table name as it is written in SQL (quoted, schema-qualified on PostgreSQL). */
  qualified(table: string): string;
  introspect(executor: SqlExecutor): Promise<SchemaFacts>;
  /** Statements run before anything else when the database (PostgreSQL schema) does not exist yet. */
  createContainer(): string[];
  /**
   * Statements that give the waypoints table its v1.2 key (src_id, user_id) and a user_id column, keeping every row.
   * `rebuildsTable` tells whether the table (and so its indexes) is recreated.
   */
  rekeyWaypoints(waypoints: TableFacts, memoriesHasUserId: boolean): { statements: string[]; rebuildsTable: boolean };
  createSchemaVersionTable(): string;
}
