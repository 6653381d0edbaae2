// OpenMemory 1.2.3's SQLite DDL (backend/src/core/db.ts), table by table.
import { quoteIdentifier } from '../identifiers.js';
import { createTableSql, type IndexSpec, type OpenMemoryRole, type SchemaDdl } from '../schema-definition.js';
import type { TableNames } from '../table-names.js';

const columnTypes: Readonly<Record<OpenMemoryRole, Readonly<Record<string, string>>>> = {
  memories: {
    id: 'text primary key', user_id: 'text', segment: 'integer default 0', content: 'text not null', simhash: 'text',
    primary_sector: 'text not null', tags: 'text', meta: 'text', created_at: 'integer', updated_at: 'integer',
    last_seen_at: 'integer', salience: 'real', decay_lambda: 'real', version: 'integer default 1', mean_dim: 'integer',
    mean_vec: 'blob', compressed_vec: 'blob', feedback_score: 'real default 0',
  },
  vectors: { id: 'text not null', sector: 'text not null', user_id: 'text', v: 'blob not null', dim: 'integer not null' },
  waypoints: { src_id: 'text', dst_id: 'text not null', user_id: 'text', weight: 'real not null', created_at: 'integer', updated_at: 'integer' },
  embedLogs: { id: 'text primary key', model: 'text', status: 'text', ts: 'integer', err: 'text' },
  users: { user_id: 'text primary key', summary: 'text', reflection_count: 'integer default 0', created_at: 'integer', updated_at: 'integer' },
  stats: { id: 'integer primary key autoincrement', type: 'text not null', count: 'integer default 1', ts: 'integer not null' },
};

export function sqliteSchemaDdl(names: TableNames): SchemaDdl & { tableDefinition(role: OpenMemoryRole, table: string, extraColumns?: string[]): string } {
  const tableDefinition = (role: OpenMemoryRole, table: string, extraColumns: string[] = []): string =>
    createTableSql(role, quoteIdentifier(table), columnTypes[role], extraColumns);
  const indexes: IndexSpec[] = [
    { name: 'idx_memories_sector', table: 'memories', columns: ['primary_sector'] },
    { name: 'idx_memories_segment', table: 'memories', columns: ['segment'] },
    { name: 'idx_memories_simhash', table: 'memories', columns: ['simhash'] },
    { name: 'idx_memories_ts', table: 'memories', columns: ['last_seen_at'] },
    { name: 'idx_memories_user', table: 'memories', columns: ['user_id'] },
    // OpenMemory names it for the default table; another OM_VECTOR_TABLE in the same file needs its own name, or
    // `create index if not exists` would find the default table's index and skip it.
    { name: names.vectors === 'vectors' ? 'idx_vectors_user' : `idx_${names.vectors}_user`, table: 'vectors', columns: ['user_id'] },
    { name: 'idx_waypoints_src', table: 'waypoints', columns: ['src_id'] },
    { name: 'idx_waypoints_dst', table: 'waypoints', columns: ['dst_id'] },
    { name: 'idx_waypoints_user', table: 'waypoints', columns: ['user_id'] },
    { name: 'idx_stats_ts', table: 'stats', columns: ['ts'] },
    { name: 'idx_stats_type', table: 'stats', columns: ['type'] },
  ];
  return {
    indexes,
    tableDefinition,
    createTable: (role) => tableDefinition(role, names[role]),
    createIndex: (index) =>
      `create index if not exists ${quoteIdentifier(index.name)} on ${quoteIdentifier(names[index.table])}(${index.columns.join(',')})`,
    addColumn: (role, column) => `alter table ${quoteIdentifier(names[role])} add column ${column} ${columnTypes[role][column] ?? 'text'}`,
  };
}
