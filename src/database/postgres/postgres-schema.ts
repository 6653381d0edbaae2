// OpenMemory 1.2.3's PostgreSQL DDL (backend/src/core/db.ts), as its server creates it in OM_PG_SCHEMA.
import { quoteIdentifier } from '../identifiers.js';
import { createTableSql, type IndexSpec, type OpenMemoryRole, type SchemaDdl } from '../schema-definition.js';
import type { TableNames } from '../table-names.js';

const columnTypes: Readonly<Record<OpenMemoryRole, Readonly<Record<string, string>>>> = {
  memories: {
    id: 'uuid primary key', user_id: 'text', segment: 'integer default 0', content: 'text not null', simhash: 'text',
    primary_sector: 'text not null', tags: 'text', meta: 'text', created_at: 'bigint', updated_at: 'bigint',
    last_seen_at: 'bigint', salience: 'double precision', decay_lambda: 'double precision', version: 'integer default 1',
    mean_dim: 'integer', mean_vec: 'bytea', compressed_vec: 'bytea', feedback_score: 'double precision default 0',
  },
  vectors: { id: 'uuid', sector: 'text', user_id: 'text', v: 'bytea', dim: 'integer not null' },
  waypoints: { src_id: 'text', dst_id: 'text not null', user_id: 'text', weight: 'double precision not null', created_at: 'bigint', updated_at: 'bigint' },
  embedLogs: { id: 'text primary key', model: 'text', status: 'text', ts: 'bigint', err: 'text' },
  users: { user_id: 'text primary key', summary: 'text', reflection_count: 'integer default 0', created_at: 'bigint', updated_at: 'bigint' },
  stats: { id: 'serial primary key', type: 'text not null', count: 'integer default 1', ts: 'bigint not null' },
};

export function postgresSchemaDdl(schema: string, names: TableNames): SchemaDdl & { qualified(table: string): string } {
  const qualified = (table: string): string => `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
  const indexes: IndexSpec[] = [
    { name: `${names.memories}_sector_idx`, table: 'memories', columns: ['primary_sector'] },
    { name: `${names.memories}_segment_idx`, table: 'memories', columns: ['segment'] },
    { name: `${names.memories}_simhash_idx`, table: 'memories', columns: ['simhash'] },
    { name: `${names.memories}_user_idx`, table: 'memories', columns: ['user_id'] },
    { name: `${names.vectors}_user_idx`, table: 'vectors', columns: ['user_id'] },
    { name: `${names.waypoints}_user_idx`, table: 'waypoints', columns: ['user_id'] },
    { name: 'openmemory_stats_ts_idx', table: 'stats', columns: ['ts'] },
    { name: 'openmemory_stats_type_idx', table: 'stats', columns: ['type'] },
  ];
  return {
    indexes,
    qualified,
    createTable: (role) => createTableSql(role, qualified(names[role]), columnTypes[role]),
    createIndex: (index) =>
      `create index if not exists ${quoteIdentifier(index.name.slice(0, 63))} on ${qualified(names[index.table])}(${index.columns.join(',')})`,
    addColumn: (role, column) => `alter table ${qualified(names[role])} add column if not exists ${column} ${columnTypes[role][column] ?? 'text'}`,
  };
}
