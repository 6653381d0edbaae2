// Where OpenMemory keeps each table, by backend (see SCHEMA.md "Table names").
import { validIdentifier } from './identifiers.js';

export const tableRoles = ['memories', 'vectors', 'waypoints', 'embedLogs', 'users', 'stats', 'schemaVersion'] as const;
export type TableRole = (typeof tableRoles)[number];

export type TableNames = Readonly<Record<TableRole, string>>;

export function sqliteTableNames(options: { vectorTable?: string | undefined } = {}): TableNames {
  return {
    memories: 'memories',
    vectors: validIdentifier(options.vectorTable ?? 'vectors', 'OM_VECTOR_TABLE'),
    waypoints: 'waypoints',
    embedLogs: 'embed_logs',
    users: 'users',
    stats: 'stats',
    schemaVersion: 'schema_version',
  };
}

export function postgresTableNames(options: { memoryTable?: string | undefined; vectorTable?: string | undefined } = {}): TableNames {
  return {
    memories: validIdentifier(options.memoryTable ?? 'openmemory_memories', 'OM_PG_TABLE'),
    vectors: validIdentifier(options.vectorTable ?? 'openmemory_vectors', 'OM_VECTOR_TABLE'),
    waypoints: 'openmemory_waypoints',
    embedLogs: 'openmemory_embed_logs',
    users: 'openmemory_users',
    stats: 'stats',
    schemaVersion: 'schema_version',
  };
}

/** Tables of om-import's own bookkeeping carry this prefix; they are never OpenMemory's. */
export const ownTablePrefix = 'om_import_';
