// The 1.2.0 tenant migration, planned from what the database actually lacks, so every partial state converges
// on the same v1.2 schema; run as one transaction.
import type { TargetDialect } from './dialect.js';
import { compareVersions, currentSchemaVersion, openMemoryRoles, tenantColumnTables } from './schema-definition.js';
import { describeIndex, hasColumn, hasV12WaypointKey, missingIndexes, type SchemaFacts } from './schema-state.js';
import type { SqlExecutor } from './sql-executor.js';

export interface MigrationStep {
  /** What the step does, for `[MIGRATE]` lines and `--dry-run`. */
  description: string;
  statements: string[];
}

export function planMigration(facts: SchemaFacts, dialect: TargetDialect, now: number): MigrationStep[] {
  const { tables, ddl } = dialect;
  const steps: MigrationStep[] = [];
  if (!facts.exists && dialect.createContainer().length > 0) {
    steps.push({ description: 'create the schema', statements: dialect.createContainer() });
  }
  for (const role of openMemoryRoles) {
    if (!facts.tables.has(tables[role])) steps.push({ description: `create table ${tables[role]}`, statements: [ddl.createTable(role)] });
  }
  for (const role of tenantColumnTables) {
    const table = facts.tables.get(tables[role]);
    if (role !== 'waypoints' && table && !hasColumn(table, 'user_id')) {
      steps.push({ description: `add column ${tables[role]}.user_id`, statements: [ddl.addColumn(role, 'user_id')] });
    }
  }
  let waypointsRebuilt = false;
  const waypoints = facts.tables.get(tables.waypoints);
  if (waypoints && (!hasColumn(waypoints, 'user_id') || !hasV12WaypointKey(waypoints))) {
    // An existing memories table has user_id by now: the steps above add it before this one runs.
    const memoriesHasUserId = facts.tables.has(tables.memories);
    const rekey = dialect.rekeyWaypoints(waypoints, memoriesHasUserId);
    waypointsRebuilt = rekey.rebuildsTable;
    steps.push({ description: `key ${tables.waypoints} by (src_id, user_id), keeping every row`, statements: rekey.statements });
  }
  const indexes = missingIndexes(facts, tables, ddl);
  if (waypointsRebuilt) indexes.push(...ddl.indexes.filter((index) => index.table === 'waypoints' && !indexes.includes(index)));
  for (const index of indexes) {
    steps.push({ description: `create ${describeIndex(tables[index.table], index.columns)}`, statements: [ddl.createIndex(index)] });
  }
  const recorded = facts.recordedVersions ?? [];
  const alreadyRecorded = recorded.some((version) => compareVersions(version, currentSchemaVersion) >= 0);
  if (!alreadyRecorded && (steps.length > 0 || facts.recordedVersions !== null)) {
    steps.push({
      description: `record schema version ${currentSchemaVersion}`,
      statements: [
        dialect.createSchemaVersionTable(),
        `insert into ${dialect.qualified(tables.schemaVersion)}(version, applied_at) values ('${currentSchemaVersion}', ${Math.trunc(now)})`,
      ],
    });
  }
  return steps;
}

export interface MigrationHooks {
  /** Called before each statement runs; throwing aborts the migration (and rolls all of it back). */
  beforeStatement?: (statement: string, step: MigrationStep) => void;
}

/** Runs every step in one transaction: the database ends fully migrated or exactly as it was. */
export async function runMigration(executor: SqlExecutor, steps: readonly MigrationStep[], hooks: MigrationHooks = {}): Promise<void> {
  if (steps.length === 0) return;
  await executor.transaction(async () => {
    for (const step of steps) {
      for (const statement of step.statements) {
        hooks.beforeStatement?.(statement, step);
        await executor.run(statement);
      }
    }
  });
}
