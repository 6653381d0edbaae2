import { createHash } from 'node:crypto';
import type { Target } from '../../src/database/target.js';
import { openMemoryRoles, type OpenMemoryRole } from '../../src/database/schema-definition.js';

/** Schema of the OpenMemory tables as comparable data: column names and types, primary key, index column lists. */
export async function schemaShape(target: Target): Promise<Record<string, unknown>> {
  const { facts } = await target.inspect();
  const shape: Record<string, unknown> = {};
  for (const role of openMemoryRoles) {
    const table = facts.tables.get(target.dialect.tables[role]);
    if (!table) continue;
    shape[role] = {
      columns: Object.fromEntries([...table.columns].map((c) => [c.name, c.type.toLowerCase()]).sort()),
      primaryKey: table.primaryKey,
      indexes: [...new Set(table.indexes.map((index) => index.join(',')))].sort(),
    };
  }
  return shape;
}

function normalise(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return `hex:${value.toString('hex')}`;
  if (typeof value === 'bigint') return Number(value);
  return value;
}

/** Row count and a content checksum of one table, leaving out the given columns. */
export async function tableChecksum(target: Target, role: OpenMemoryRole, omit: string[] = []): Promise<{ rows: number; sha256: string }> {
  const rows = await target.executor.all<Record<string, unknown>>(`select * from ${target.dialect.qualified(target.dialect.tables[role])}`);
  const lines = rows
    .map((row) => JSON.stringify(Object.keys(row).filter((k) => !omit.includes(k)).sort().map((k) => [k, normalise(row[k])])))
    .sort();
  return { rows: rows.length, sha256: createHash('sha256').update(lines.join('\n')).digest('hex') };
}

/** Checksums of the rows OpenMemory v1.1 already had, as they must survive a migration. */
export async function preTenantChecksums(target: Target): Promise<Record<'memories' | 'vectors' | 'waypoints' | 'embedLogs', { rows: number; sha256: string }>> {
  return {
    memories: await tableChecksum(target, 'memories', ['user_id']),
    vectors: await tableChecksum(target, 'vectors', ['user_id']),
    waypoints: await tableChecksum(target, 'waypoints', ['user_id']),
    embedLogs: await tableChecksum(target, 'embedLogs'),
  };
}

/** Everything in every table, for "exactly as before" comparisons. */
export async function fullSnapshot(target: Target): Promise<Record<string, unknown>> {
  const { facts } = await target.inspect();
  const snapshot: Record<string, unknown> = { schema: await schemaShape(target), tables: [...facts.tables.keys()].sort() };
  for (const role of openMemoryRoles) {
    if (facts.tables.has(target.dialect.tables[role])) snapshot[role] = await tableChecksum(target, role);
  }
  return snapshot;
}

/**
 * What an import wrote that must be identical between equivalent runs: every memory, vector and waypoint row,
 * and the set of users (their summary text depends on the time of the run).
 */
export async function importedState(target: Target): Promise<Record<string, unknown>> {
  const users = await target.executor.all<{ user_id: string }>(
    `select user_id from ${target.dialect.qualified(target.dialect.tables.users)} order by user_id`,
  );
  return {
    memories: await tableChecksum(target, 'memories'),
    vectors: await tableChecksum(target, 'vectors'),
    waypoints: await tableChecksum(target, 'waypoints'),
    users: users.map((row) => row.user_id),
  };
}
