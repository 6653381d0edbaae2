// Names the state a target database is in, from the facts its introspector read.
import {
  compareVersions, currentSchemaVersion, openMemoryRoles, tenantColumnTables, v12AddedTables, v12Columns, v12WaypointKey,
  type IndexSpec, type OpenMemoryRole, type SchemaDdl,
} from './schema-definition.js';
import { ownTablePrefix, type TableNames } from './table-names.js';

export interface ColumnFacts {
  name: string;
  /** Declared type as the database reports it (for copying extra columns). */
  type: string;
}

export interface TableFacts {
  name: string;
  columns: readonly ColumnFacts[];
  primaryKey: readonly string[];
  /** PostgreSQL: the real name of the primary-key constraint. */
  primaryKeyConstraint: string | null;
  /** Column lists of the table's indexes (primary key and unique constraints included). */
  indexes: readonly (readonly string[])[];
}

export interface SchemaFacts {
  /** False when the SQLite file or the PostgreSQL schema does not exist. */
  exists: boolean;
  /** Every table in the database (or schema), by its name. */
  tables: ReadonlyMap<string, TableFacts>;
  /** Versions recorded in `schema_version`, or null without that table. */
  recordedVersions: readonly string[] | null;
}

export type SchemaStateName = 'missing' | 'empty' | 'v1.1' | 'partial' | 'v1.2' | 'newer';

export interface SchemaState {
  name: SchemaStateName;
  /** What v1.2 needs and the database lacks (partial and v1.1), e.g. `vectors.user_id`, `users`. */
  missing: string[];
  /** What the database has beyond v1.2 (newer): kept untouched. */
  extras: string[];
  recordedVersion: string | null;
}

export const describeIndex = (table: string, columns: readonly string[]): string => `index on ${table}(${columns.join(', ')})`;

function hasIndex(table: TableFacts, columns: readonly string[]): boolean {
  return table.indexes.some((index) => index.length === columns.length && index.every((column, i) => column === columns[i]));
}

export function hasColumn(table: TableFacts | undefined, column: string): boolean {
  return !!table && table.columns.some((candidate) => candidate.name === column);
}

export function hasV12WaypointKey(table: TableFacts): boolean {
  return table.primaryKey.length === 2 && table.primaryKey.every((column, i) => column === v12WaypointKey[i]);
}

export function missingIndexes(facts: SchemaFacts, names: TableNames, ddl: SchemaDdl): IndexSpec[] {
  return ddl.indexes.filter((index) => {
    const table = facts.tables.get(names[index.table]);
    return !table || !hasIndex(table, index.columns);
  });
}

function newestVersion(versions: readonly string[] | null): string | null {
  if (!versions || versions.length === 0) return null;
  return [...versions].sort(compareVersions).at(-1) ?? null;
}

/** Lists each v1.2 piece the database lacks; the same list drives the migration plan. */
export function missingPieces(facts: SchemaFacts, names: TableNames, ddl: SchemaDdl): string[] {
  const missing: string[] = [];
  for (const role of openMemoryRoles) {
    const table = facts.tables.get(names[role]);
    if (!table) {
      missing.push(names[role]);
      continue;
    }
    if (tenantColumnTables.includes(role) && !hasColumn(table, 'user_id')) missing.push(`${names[role]}.user_id`);
    if (role === 'waypoints' && !hasV12WaypointKey(table)) missing.push(`${names[role]} primary key (src_id, user_id)`);
  }
  for (const index of missingIndexes(facts, names, ddl)) {
    if (facts.tables.has(names[index.table])) missing.push(describeIndex(names[index.table], index.columns));
  }
  return missing;
}

function extraPieces(facts: SchemaFacts, names: TableNames): string[] {
  const extras: string[] = [];
  const known = new Set<string>([...Object.values(names)]);
  for (const role of openMemoryRoles) {
    const table = facts.tables.get(names[role]);
    if (!table) continue;
    for (const column of table.columns) {
      if (!v12Columns[role].includes(column.name)) extras.push(`${table.name}.${column.name}`);
    }
  }
  for (const name of facts.tables.keys()) {
    if (!known.has(name) && !name.startsWith(ownTablePrefix)) extras.push(name);
  }
  return extras;
}

/** OpenMemory 1.2.3 creates these tables itself; they are part of a v1.2 database, not extras. */
const v12CompanionTables = new Set(['temporal_facts', 'temporal_edges']);

export function schemaState(facts: SchemaFacts, names: TableNames, ddl: SchemaDdl): SchemaState {
  const recordedVersion = newestVersion(facts.recordedVersions);
  if (!facts.exists) return { name: 'missing', missing: [], extras: [], recordedVersion };
  const present = (role: OpenMemoryRole): boolean => facts.tables.has(names[role]);
  if (!openMemoryRoles.some(present)) return { name: 'empty', missing: [], extras: [], recordedVersion };

  const missing = missingPieces(facts, names, ddl);
  const extras = extraPieces(facts, names).filter((extra) => !v12CompanionTables.has(extra));
  if (missing.length === 0) {
    const newerVersion = recordedVersion !== null && compareVersions(recordedVersion, currentSchemaVersion) > 0;
    return { name: newerVersion || extras.length > 0 ? 'newer' : 'v1.2', missing, extras, recordedVersion };
  }
  const anyV12Piece =
    v12AddedTables.some(present) ||
    tenantColumnTables.some((role) => hasColumn(facts.tables.get(names[role]), 'user_id')) ||
    (recordedVersion !== null && compareVersions(recordedVersion, currentSchemaVersion) >= 0);
  const v11Complete = (['memories', 'vectors', 'waypoints', 'embedLogs'] as const).every(present);
  return { name: anyV12Piece || !v11Complete ? 'partial' : 'v1.1', missing, extras, recordedVersion };
}
