// What OpenMemory 1.2.x's schema is, as both backends share it: tables, columns, keys and indexes.
// Each dialect adds the DDL text (sqlite/sqlite-schema.ts, postgres/postgres-schema.ts).
import type { TableRole } from './table-names.js';

/** OpenMemory's tables, in the order they are created. */
export const openMemoryRoles = ['memories', 'vectors', 'waypoints', 'embedLogs', 'users', 'stats'] as const satisfies readonly TableRole[];
export type OpenMemoryRole = (typeof openMemoryRoles)[number];

/** The v1.2 columns of each table, in a fresh database's order. */
export const v12Columns: Readonly<Record<OpenMemoryRole, readonly string[]>> = {
  memories: [
    'id', 'user_id', 'segment', 'content', 'simhash', 'primary_sector', 'tags', 'meta', 'created_at', 'updated_at',
    'last_seen_at', 'salience', 'decay_lambda', 'version', 'mean_dim', 'mean_vec', 'compressed_vec', 'feedback_score',
  ],
  vectors: ['id', 'sector', 'user_id', 'v', 'dim'],
  waypoints: ['src_id', 'dst_id', 'user_id', 'weight', 'created_at', 'updated_at'],
  embedLogs: ['id', 'model', 'status', 'ts', 'err'],
  users: ['user_id', 'summary', 'reflection_count', 'created_at', 'updated_at'],
  stats: ['id', 'type', 'count', 'ts'],
};

/** The tables that only v1.2 has, and the columns v1.2 added to v1.1's tables. */
export const v12AddedTables: readonly OpenMemoryRole[] = ['users', 'stats'];
export const tenantColumnTables: readonly OpenMemoryRole[] = ['memories', 'vectors', 'waypoints'];
export const v12WaypointKey: readonly string[] = ['src_id', 'user_id'];

/** The composite primary keys of v1.2 (the other tables declare theirs on a column). */
const tableKeys: Partial<Record<OpenMemoryRole, string>> = {
  vectors: 'primary key(id,sector)',
  waypoints: 'primary key(src_id,user_id)',
};

/** `create table if not exists` for a role, from a dialect's column types; `extraColumns` are appended as given. */
export function createTableSql(
  role: OpenMemoryRole,
  qualifiedName: string,
  columnTypes: Readonly<Record<string, string>>,
  extraColumns: readonly string[] = [],
): string {
  const columns = Object.entries(columnTypes).map(([name, type]) => `${name} ${type}`);
  const key = tableKeys[role];
  return `create table if not exists ${qualifiedName}(${[...columns, ...extraColumns, ...(key ? [key] : [])].join(',')})`;
}

export interface IndexSpec {
  name: string;
  table: OpenMemoryRole;
  columns: readonly string[];
}

/** The DDL a dialect writes for v1.2; names are already qualified and quoted. */
export interface SchemaDdl {
  createTable(role: OpenMemoryRole): string;
  /** The v1.2 indexes; their presence is checked by table and columns, not by name. */
  readonly indexes: readonly IndexSpec[];
  createIndex(index: IndexSpec): string;
  addColumn(role: OpenMemoryRole, column: string): string;
}

export const currentSchemaVersion = '1.2.0';

/** Numeric comparison of dotted versions ("1.10.0" > "1.2.0"), unlike OpenMemory's string comparison. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const right = b.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}
