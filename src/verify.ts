// `om-import verify`: audits an OpenMemory v1.2 database — each vector and waypoint against its memories and their
// user, each memory's sector vectors and their dimension, a `users` row per user with memories, om-import's own
// records against their memories — and compares the records a source has with those om-import imported from it.
// It only reads: the connection is made read-only before its first query.
import { embeddingConfigFromEnv, storedDimension } from './openmemory/embedding-config.js';
import { classify, embeddedSectors } from './openmemory/sectors.js';
import type { OpenMemoryVersion } from './openmemory/openmemory-version.js';
import { escapeControl, fitCell, wrapLine } from './pipeline/report.js';
import type { ProgressEvent } from './pipeline/import.js';
import type { Partition, Source } from './records.js';
import { shardOfScope, targetKey } from './database/import-bookkeeping.js';
import { inClauseChunks, placeholderList } from './database/multi-row.js';
import type { TargetConfig } from './database/open-target.js';
import { openReadOnly } from './database/read-only.js';
import type { SchemaFacts, SchemaStateName } from './database/schema-state.js';
import type { SqlValue } from './database/sql-executor.js';
import type { Target } from './database/target.js';

/** Every kind of violation, in the order the text output lists them. */
export const violationKinds = [
  'vector-without-memory',
  'vector-under-another-user',
  'vector-dimension-wrong',
  'sector-vector-missing',
  'waypoint-dangling',
  'waypoint-crossing-users',
  'waypoint-under-another-user',
  'user-row-missing',
  'record-memory-missing',
  'record-under-another-user',
  'import-unfinished',
  'user-pending',
] as const;
export type ViolationKind = (typeof violationKinds)[number];

/** One row that breaks what OpenMemory's reads (or om-import's re-runs) rely on, with the ids involved. */
export type Violation =
  | { kind: 'vector-without-memory'; memoryId: string; sector: string; vectorUserId: string | null }
  | { kind: 'vector-under-another-user'; memoryId: string; sector: string; vectorUserId: string | null; memoryUserId: string | null }
  | { kind: 'vector-dimension-wrong'; memoryId: string; sector: string; dimension: number; bytes: number }
  | { kind: 'sector-vector-missing'; memoryId: string; userId: string | null; sector: string; primary: boolean }
  | {
      kind: 'waypoint-dangling';
      sourceId: string | null;
      destinationId: string;
      userId: string | null;
      /** Which end has no memory. */
      missing: ('source' | 'destination')[];
    }
  | {
      kind: 'waypoint-crossing-users';
      sourceId: string;
      destinationId: string;
      userId: string | null;
      sourceUserId: string | null;
      destinationUserId: string | null;
    }
  | { kind: 'waypoint-under-another-user'; sourceId: string; destinationId: string; userId: string | null; memoryUserId: string | null }
  | { kind: 'user-row-missing'; userId: string; memories: number }
  | { kind: 'record-memory-missing'; source: string; recordId: string; memoryId: string; userId: string }
  | { kind: 'record-under-another-user'; source: string; recordId: string; memoryId: string; recordUserId: string; memoryUserId: string | null }
  | { kind: 'import-unfinished'; source: string; account: string; runId: string; shard: string; startedAt: number }
  | { kind: 'user-pending'; userId: string };

export const violationDescriptions: Readonly<Record<ViolationKind, string>> = {
  'vector-without-memory': 'vectors of a memory that does not exist',
  'vector-under-another-user': "vectors under another user_id than their memory's",
  'vector-dimension-wrong': 'vectors of another dimension than configured (OM_TIER, OM_VEC_DIM, --openmemory): OpenMemory scores them 0',
  'sector-vector-missing': 'memories without the vector of one of their sectors: OpenMemory never finds them in that sector',
  'waypoint-dangling': 'waypoints from or to a memory that does not exist',
  'waypoint-crossing-users': "waypoints between two users' memories",
  'waypoint-under-another-user': "waypoints under another user_id than their memories'",
  'user-row-missing': 'users with memories but no users row (OpenMemory answers 404 for their summary)',
  'record-memory-missing': "om-import records whose memory does not exist",
  'record-under-another-user': "om-import records under another user_id than their memory's",
  'import-unfinished': 'imports interrupted or still running (run the same command again to finish; `om-import status` tells which)',
  'user-pending': 'users whose waypoints and summary an unfinished import has yet to write',
};

export interface DatabaseVerification {
  /** The database, as `SQLite ./data/openmemory.sqlite` or `PostgreSQL postgres://… (schema public)`. */
  target: string;
  schema: SchemaStateName;
  /** The length every sector vector must have, from OM_TIER / OM_VEC_DIM / OM_EMBEDDINGS. */
  vectorDimension: number;
  counts: {
    memories: number;
    /** Distinct `user_id`s among the memories (pre-tenant memories not counted). */
    usersWithMemories: number;
    vectors: number;
    waypoints: number;
    /** Rows of the `users` table. */
    userRows: number;
    /** om-import's records of this database's tables; null when om-import never wrote into it. */
    importRecords: number | null;
  };
  /**
   * Memories without a `user_id`, written before tenants (OpenMemory 1.1): its migration leaves them so, and no
   * per-user read sees them. Information, not a violation.
   */
  preTenantMemories: number;
  /** Ordered by kind (as `violationKinds`), then by id. */
  violations: Violation[];
  violationCounts: Partial<Record<ViolationKind, number>>;
}

export interface VerifyOptions {
  /** OpenMemory's variables, for the vector dimension (OM_TIER, OM_VEC_DIM, OM_EMBEDDINGS); defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** A record the source has and the database lacks: never imported, or imported as `memoryId` and since deleted. */
export interface MissingFromDatabase {
  recordId: string;
  memoryId: string | null;
}

/** A record om-import imported from the source (as `memoryId`) that the source no longer has. */
export interface MissingFromSource {
  recordId: string;
  memoryId: string;
}

export interface SourceComparison {
  /** `mem0`, `zep`, `supermemory`. */
  source: string;
  /** Distinct records the source has, each with an owner (what an import takes). */
  sourceRecords: number;
  /** Items the source skipped (no text, not done, invalidated, no owner, …): neither imported nor missing. */
  skippedAtSource: number;
  /** Records of this source om-import imported whose memory is in the database. */
  databaseRecords: number;
  missingFromDatabase: MissingFromDatabase[];
  /**
   * Null when the source was read in part (some users only, or a listing the source said is incomplete): what it did
   * not read cannot be called gone.
   */
  missingFromSource: MissingFromSource[] | null;
  /** Records in the database under another user than their owner at the source (mapped as an import maps it). */
  underAnotherOwner: UnderAnotherOwner[];
}

export interface UnderAnotherOwner {
  recordId: string;
  memoryId: string;
  /** The OpenMemory user the source's owner of the record maps to. */
  expectedUserId: string;
  /** The user its memory is under. */
  userId: string;
}

export interface CompareOptions {
  /** The source reads only some of its users (`--user-id`): nothing is listed as gone from it. */
  readInPart?: boolean;
  /** Reading the source, told as an import tells its fetching (the same progress display shows both). */
  onProgress?: (event: Extract<ProgressEvent, { type: 'fetching' }>) => void;
  /**
   * The OpenMemory user a source user's records belong under (as `--user-map` maps them), or null where an import
   * skips them; default: the source user's own id.
   */
  ownerOf?: (tenantKey: string) => string | null;
}

/** Violations listed per kind in the text output; `--json` has them all. */
export const listedPerKind = 20;

const importRecordsTable = 'om_import_records';
const recordAliasesTable = 'om_import_record_aliases';
const importRunsTable = 'om_import_runs';
const pendingUsersTable = 'om_import_pending_users';

/** The SQL names of a database's tables, and how ids compare across them. */
function sqlNames(target: Target) {
  const { qualified, tables, name } = target.dialect;
  const postgres = name === 'postgres';
  return {
    memories: qualified(tables.memories),
    vectors: qualified(tables.vectors),
    waypoints: qualified(tables.waypoints),
    users: qualified(tables.users),
    records: qualified(importRecordsTable),
    /**
     * An id column as text: on PostgreSQL memory and vector ids are `uuid` while waypoints and om-import's records
     * hold text; SQLite compares the columns as they are, so its indexes serve the joins.
     */
    asText: (column: string): string => (postgres ? `cast(${column} as text)` : column),
    byteLength: postgres ? 'octet_length' : 'length',
  };
}

/**
 * om-import's records that belong to this database's tables: all of them, or — once om-import keeps its records per
 * target — those of this target.
 */
function recordsOfThisTarget(target: Target, facts: SchemaFacts): { exists: boolean; where: string; params: SqlValue[] } {
  const table = facts.tables.get(importRecordsTable);
  if (!table) return { exists: false, where: '1 = 1', params: [] };
  if (!table.columns.some((column) => column.name === 'target')) return { exists: true, where: '1 = 1', params: [] };
  return { exists: true, where: 'r.target = ?', params: [targetKey(target)] };
}

/** Whether two user_id columns name the same user; NULL and '' both mean none (PostgreSQL keeps pre-tenant waypoints under ''). */
const sameUser = (left: string, right: string): string => `(coalesce(${left}, '') = coalesce(${right}, ''))`;
const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/** Audits a database; reads only. Throws a UsageError when the database is not v1.2. */
export async function verifyDatabase(config: TargetConfig, options: VerifyOptions = {}): Promise<DatabaseVerification> {
  const embeddingConfig = embeddingConfigFromEnv(options.env ?? process.env);
  const vectorDimension = storedDimension(embeddingConfig);
  const { target, facts, schema } = await openReadOnly(config, 'nothing to verify');
  try {
    const names = sqlNames(target);
    const { executor } = target;
    const records = recordsOfThisTarget(target, facts);
    const violations: Violation[] = [];

    const [totals] = await executor.all<Record<string, number | string>>(
      `select (select count(*) from ${names.memories}) as memories,
              (select count(*) from ${names.memories} where user_id is null) as pre_tenant,
              (select count(distinct user_id) from ${names.memories}) as users_with_memories,
              (select count(*) from ${names.vectors}) as vectors,
              (select count(*) from ${names.waypoints}) as waypoints,
              (select count(*) from ${names.users}) as user_rows`,
    );
    let importRecords: number | null = null;
    if (records.exists) {
      const [row] = await executor.all<{ n: number }>(`select count(*) as n from ${names.records} r where ${records.where}`, records.params);
      importRecords = Number(row?.n ?? 0);
    }

    // Vectors: each of an existing memory, under its user.
    const vectorRows = await executor.all<{ id: string; sector: string; vector_user_id: string | null; found: string | null; memory_user_id: string | null }>(
      `select v.id, v.sector, v.user_id as vector_user_id, m.id as found, m.user_id as memory_user_id
         from ${names.vectors} v left join ${names.memories} m on ${names.asText('m.id')} = ${names.asText('v.id')}
        where m.id is null or not ${sameUser('v.user_id', 'm.user_id')}
        order by v.id, v.sector`,
    );
    for (const row of vectorRows) {
      const memoryId = String(row.id);
      const vectorUserId = text(row.vector_user_id);
      violations.push(
        row.found === null
          ? { kind: 'vector-without-memory', memoryId, sector: row.sector, vectorUserId }
          : { kind: 'vector-under-another-user', memoryId, sector: row.sector, vectorUserId, memoryUserId: text(row.memory_user_id) },
      );
    }

    // Vectors: each of the configured dimension, in its `dim` and its length (float32, 4 bytes a value).
    const wrongDimension = await executor.all<{ id: string; sector: string; dim: number; bytes: number }>(
      `select id, sector, dim, coalesce(${names.byteLength}(v), 0) as bytes from ${names.vectors}
        where dim <> ? or coalesce(${names.byteLength}(v), 0) <> ? order by id, sector`,
      [vectorDimension, vectorDimension * 4],
    );
    for (const row of wrongDimension) {
      violations.push({ kind: 'vector-dimension-wrong', memoryId: String(row.id), sector: row.sector, dimension: Number(row.dim), bytes: Number(row.bytes) });
    }

    violations.push(...(await missingSectorVectors(target, embeddingConfig.openMemoryVersion)));

    // Waypoints: both ends exist, belong to one user, and the waypoint is under that user.
    const waypointRows = await executor.all<{
      src_id: string | null; dst_id: string; user_id: string | null;
      source_found: string | null; source_user_id: string | null; destination_found: string | null; destination_user_id: string | null;
    }>(
      `select w.src_id, w.dst_id, w.user_id, s.id as source_found, s.user_id as source_user_id, d.id as destination_found, d.user_id as destination_user_id
         from ${names.waypoints} w
         left join ${names.memories} s on ${names.asText('s.id')} = ${names.asText('w.src_id')}
         left join ${names.memories} d on ${names.asText('d.id')} = ${names.asText('w.dst_id')}
        where s.id is null or d.id is null or not ${sameUser('s.user_id', 'd.user_id')} or not ${sameUser('w.user_id', 's.user_id')}
        order by w.src_id, w.user_id, w.dst_id`,
    );
    for (const row of waypointRows) {
      const sourceId = text(row.src_id);
      const destinationId = String(row.dst_id);
      const userId = text(row.user_id);
      if (row.source_found === null || row.destination_found === null) {
        const missing = [...(row.source_found === null ? ['source' as const] : []), ...(row.destination_found === null ? ['destination' as const] : [])];
        violations.push({ kind: 'waypoint-dangling', sourceId, destinationId, userId, missing });
        continue;
      }
      const sourceUserId = text(row.source_user_id);
      const destinationUserId = text(row.destination_user_id);
      violations.push(
        (sourceUserId ?? '') !== (destinationUserId ?? '')
          ? { kind: 'waypoint-crossing-users', sourceId: String(sourceId), destinationId, userId, sourceUserId, destinationUserId }
          : { kind: 'waypoint-under-another-user', sourceId: String(sourceId), destinationId, userId, memoryUserId: sourceUserId },
      );
    }

    // Users: every user_id with memories has its users row.
    const usersWithoutRow = await executor.all<{ user_id: string; memories: number }>(
      `select m.user_id, count(*) as memories from ${names.memories} m
        where m.user_id is not null and not exists (select 1 from ${names.users} u where u.user_id = m.user_id)
        group by m.user_id order by m.user_id`,
    );
    for (const row of usersWithoutRow) violations.push({ kind: 'user-row-missing', userId: String(row.user_id), memories: Number(row.memories) });

    // om-import's records: each points at an existing memory, under the same user.
    if (records.exists) {
      const recordRows = await executor.all<{
        source: string; record_id: string; memory_id: string; record_user_id: string; found: string | null; memory_user_id: string | null;
      }>(
        `select r.source, r.record_id, r.memory_id, r.user_id as record_user_id, m.id as found, m.user_id as memory_user_id
           from ${names.records} r left join ${names.memories} m on ${names.asText('m.id')} = r.memory_id
          where ${records.where} and (m.id is null or not ${sameUser('m.user_id', 'r.user_id')})
          order by r.source, r.record_id, r.memory_id`,
        records.params,
      );
      for (const row of recordRows) {
        const { source, record_id: recordId, memory_id: memoryId, record_user_id: recordUserId } = row;
        violations.push(
          row.found === null
            ? { kind: 'record-memory-missing', source, recordId, memoryId, userId: recordUserId }
            : { kind: 'record-under-another-user', source, recordId, memoryId, recordUserId, memoryUserId: text(row.memory_user_id) },
        );
      }
    }

    // Imports not finished: the latest run of each source, account and shard that has no end; and the users it left pending.
    if (facts.tables.has(importRunsTable) && records.where !== '1 = 1') {
      const runs = await executor.all<{ source: string; account: string; run_id: string; started_at: number; finished_at: number | null; scope: string }>(
        `select source, account, run_id, started_at, finished_at, scope from ${target.dialect.qualified(importRunsTable)} r where ${records.where}
          order by started_at desc, run_id desc`,
        records.params,
      );
      const latest = new Map<string, (typeof runs)[number]>();
      for (const run of runs) {
        const key = JSON.stringify([run.source, run.account, shardOfScope(run.scope)]);
        if (!latest.has(key)) latest.set(key, run);
      }
      for (const run of latest.values()) {
        if (run.finished_at !== null) continue;
        violations.push({ kind: 'import-unfinished', source: run.source, account: run.account, runId: run.run_id, shard: shardOfScope(run.scope), startedAt: Number(run.started_at) });
      }
    }
    if (facts.tables.has(pendingUsersTable) && records.where !== '1 = 1') {
      const pending = await executor.all<{ user_id: string }>(`select user_id from ${target.dialect.qualified(pendingUsersTable)} r where ${records.where} order by user_id`, records.params);
      for (const row of pending) violations.push({ kind: 'user-pending', userId: String(row.user_id) });
    }

    // By kind, in the order of `violationKinds`; within a kind, in the order the queries gave (by id).
    violations.sort((a, b) => violationKinds.indexOf(a.kind) - violationKinds.indexOf(b.kind));
    const violationCounts: Partial<Record<ViolationKind, number>> = {};
    for (const violation of violations) violationCounts[violation.kind] = (violationCounts[violation.kind] ?? 0) + 1;
    return {
      target: target.description,
      schema,
      vectorDimension,
      counts: {
        memories: Number(totals?.['memories'] ?? 0),
        usersWithMemories: Number(totals?.['users_with_memories'] ?? 0),
        vectors: Number(totals?.['vectors'] ?? 0),
        waypoints: Number(totals?.['waypoints'] ?? 0),
        userRows: Number(totals?.['user_rows'] ?? 0),
        importRecords,
      },
      preTenantMemories: Number(totals?.['pre_tenant'] ?? 0),
      violations,
      violationCounts,
    };
  } finally {
    await target.close();
  }
}

/** Memories read at a time for the sector check. */
const memoryPageSize = 500;

/**
 * The sectors a memory was embedded in: its primary sector, then the additional ones. OpenMemory keeps only the
 * primary one in a column; the others come from classifying the memory's text and metadata again, as OpenMemory
 * and om-import did when they wrote it (the full text where om-import kept it in `meta.om_import.full_content`).
 * When that classification does not give the stored primary sector (a classifier of another version, a text that
 * was changed), only the primary sector is expected.
 */
export function embeddedSectorsOf(memory: { primarySector: string; content: string; meta: string | null }, version: OpenMemoryVersion): string[] {
  let metadata: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = memory.meta === null ? null : JSON.parse(memory.meta);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) metadata = parsed as Record<string, unknown>;
  } catch {
    metadata = null;
  }
  const provenance = metadata?.['om_import'];
  const fullContent = provenance !== null && typeof provenance === 'object' ? (provenance as Record<string, unknown>)['full_content'] : undefined;
  const classification = classify(typeof fullContent === 'string' ? fullContent : memory.content, metadata, version);
  return classification.primary === memory.primarySector ? embeddedSectors(classification) : [memory.primarySector];
}

/** Each memory's sector vectors, page by page (by id), so a large database is never read whole. */
async function missingSectorVectors(target: Target, version: OpenMemoryVersion): Promise<Violation[]> {
  const names = sqlNames(target);
  const violations: Violation[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { id: string; user_id: string | null; primary_sector: string; content: string; meta: string | null }[] = await target.executor.all(
      `select id, user_id, primary_sector, content, meta from ${names.memories}
        ${after === null ? '' : 'where id > ?'} order by id limit ${memoryPageSize}`,
      after === null ? [] : [after],
    );
    if (page.length === 0) return violations;
    after = String(page[page.length - 1]?.id);
    const stored = new Map<string, Set<string>>();
    for (const chunk of inClauseChunks(page.map((memory) => String(memory.id)))) {
      const rows = await target.executor.all<{ id: string; sector: string }>(
        `select id, sector from ${names.vectors} where id in (${placeholderList(chunk.length)})`,
        chunk,
      );
      for (const row of rows) {
        const id = String(row.id);
        stored.set(id, (stored.get(id) ?? new Set()).add(row.sector));
      }
    }
    for (const memory of page) {
      const memoryId = String(memory.id);
      const primarySector = String(memory.primary_sector);
      const sectors = embeddedSectorsOf({ primarySector, content: String(memory.content ?? ''), meta: text(memory.meta) }, version);
      for (const sector of sectors) {
        if (stored.get(memoryId)?.has(sector)) continue;
        violations.push({ kind: 'sector-vector-missing', memoryId, userId: text(memory.user_id), sector, primary: sector === primarySector });
      }
    }
    if (page.length < memoryPageSize) return violations;
  }
}

/**
 * Lists what `source` has that the database lacks, and what om-import imported from it that the source no longer
 * has, by record id (any account). A record counts as in the database while its memory exists. Reads the database
 * first (so one that is not v1.2 stops the comparison before the source is read), then every record of the source.
 */
export async function compareWithSource(config: TargetConfig, source: Source, options: CompareOptions = {}): Promise<SourceComparison> {
  const imported = new Map<string, { memoryId: string; present: boolean; userId: string | null }>();
  /** Other names of imported records (see `MemoryRecord.aliases`): alias → record id. */
  const aliasOf = new Map<string, string>();
  const { target, facts } = await openReadOnly(config, 'nothing to verify');
  try {
    const names = sqlNames(target);
    const records = recordsOfThisTarget(target, facts);
    if (records.exists) {
      const rows = await target.executor.all<{ record_id: string; memory_id: string; found: string | null; user_id: string | null }>(
        `select r.record_id, r.memory_id, m.id as found, m.user_id
           from ${names.records} r left join ${names.memories} m on ${names.asText('m.id')} = r.memory_id
          where r.source = ? and ${records.where}`,
        [source.name, ...records.params],
      );
      for (const row of rows) {
        const known = imported.get(row.record_id);
        if (known?.present) continue;
        imported.set(row.record_id, { memoryId: row.memory_id, present: row.found !== null, userId: text(row.user_id) });
      }
      if (facts.tables.has(recordAliasesTable)) {
        const aliases = await target.executor.all<{ alias: string; record_id: string }>(
          `select alias, record_id from ${target.dialect.qualified(recordAliasesTable)} r where r.source = ? and ${records.where}`,
          [source.name, ...records.params],
        );
        for (const row of aliases) aliasOf.set(row.alias, row.record_id);
      }
    }
  } finally {
    await target.close();
  }
  /** The id a source record was imported under: its own, else the first of its aliases the database knows. */
  const importedId = (sourceId: string, aliases: readonly string[] | undefined): string => {
    for (const name of [sourceId, ...(aliases ?? [])]) {
      if (imported.has(name)) return name;
      const aliased = aliasOf.get(name);
      if (aliased !== undefined && imported.has(aliased)) return aliased;
    }
    return sourceId;
  };

  await source.account(); // adapters find out here which API answers (as an import asks first)
  const sourceIds = new Set<string>();
  const ownerOf = options.ownerOf ?? ((tenantKey: string) => tenantKey);
  const underAnotherOwner: UnderAnotherOwner[] = [];
  // Records the source still lists but skips for a passing reason (not `gone`): not missing from it either.
  const stillListed = new Set<string>();
  let listedInFull = true;
  let skippedAtSource = 0;
  // Every partition is listed first, so that progress has its total (and the records the source announced).
  const partitions: Partition[] = [];
  for await (const partition of source.partitions()) partitions.push(partition);
  const announced = partitions.flatMap((partition) => (partition.expectedRecords !== undefined ? [partition.expectedRecords] : []));
  const fetching = {
    type: 'fetching' as const,
    partitionsDone: 0,
    partitions: partitions.length,
    records: 0,
    expectedRecords: announced.length > 0 ? announced.reduce((sum, n) => sum + n, 0) : null,
    expectedRecordsPartial: announced.length < partitions.length,
  };
  options.onProgress?.({ ...fetching });
  for (const partition of partitions) {
    for await (const item of source.items(partition, { updatedSince: null })) {
      if (item.type === 'memory' || item.type === 'skipped') {
        fetching.records++;
        if (fetching.records % 100 === 0) options.onProgress?.({ ...fetching });
      }
      if (item.type === 'warning' && !item.warning.notice) listedInFull = false;
      if (item.type === 'skipped') {
        skippedAtSource++;
        if (!item.skipped.gone && item.skipped.sourceId !== null) stillListed.add(importedId(item.skipped.sourceId, item.skipped.aliases));
      }
      // An import skips a record without an owner too.
      else if (item.type === 'memory') {
        if (item.record.tenantKey === null) {
          skippedAtSource++;
          continue;
        }
        const recordId = importedId(item.record.sourceId, item.record.aliases);
        sourceIds.add(recordId);
        const known = imported.get(recordId);
        const expectedUserId = ownerOf(item.record.tenantKey);
        if (known?.present && expectedUserId !== null && known.userId !== expectedUserId) {
          underAnotherOwner.push({ recordId, memoryId: known.memoryId, expectedUserId, userId: known.userId ?? '' });
        }
      }
    }
    fetching.partitionsDone++;
    options.onProgress?.({ ...fetching });
  }

  const missingFromDatabase: MissingFromDatabase[] = [];
  for (const recordId of sourceIds) {
    const known = imported.get(recordId);
    if (!known?.present) missingFromDatabase.push({ recordId, memoryId: known?.memoryId ?? null });
  }
  const missingFromSource: MissingFromSource[] = [];
  let databaseRecords = 0;
  for (const [recordId, known] of imported) {
    if (!known.present) continue;
    databaseRecords++;
    if (!sourceIds.has(recordId) && !stillListed.has(recordId)) missingFromSource.push({ recordId, memoryId: known.memoryId });
  }
  const byRecordId = (a: { recordId: string }, b: { recordId: string }): number => (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0);
  return {
    source: source.name,
    sourceRecords: sourceIds.size,
    skippedAtSource,
    databaseRecords,
    missingFromDatabase: missingFromDatabase.sort(byRecordId),
    missingFromSource: options.readInPart || !listedInFull ? null : missingFromSource.sort(byRecordId),
    underAnotherOwner: underAnotherOwner.sort(byRecordId),
  };
}

/** Whether a comparison found any difference. */
export function sourceDiffers(comparison: SourceComparison): boolean {
  return comparison.missingFromDatabase.length > 0 || (comparison.missingFromSource?.length ?? 0) > 0 || comparison.underAnotherOwner.length > 0;
}

/**
 * Columns a name (user_id, account) takes in the text output at most, and an id (record, memory, sector): longer ones
 * are shortened in the middle by display width, as the import report shortens them, so that every line fits 80
 * columns; `--json` has them whole. A memory id (a UUID, 36) stays whole.
 */
const nameColumns = 24;
const idColumns = 40;

/** A user_id as text output shows it: quoted, escaped and shortened, `NULL` for none (so `''` and NULL differ). */
function shownUser(userId: string | null): string {
  return userId === null ? 'NULL' : `"${fitCell(userId, nameColumns)}"`;
}

/** An id as text output shows it: escaped, shortened in the middle past `idColumns`. */
const shownId = (id: string): string => fitCell(id, idColumns);

export function describeViolation(violation: Violation): string {
  const id = shownId;
  switch (violation.kind) {
    case 'vector-without-memory':
      return `vector ${id(violation.memoryId)}/${id(violation.sector)} (user_id ${shownUser(violation.vectorUserId)}): no such memory`;
    case 'vector-under-another-user':
      return `vector ${id(violation.memoryId)}/${id(violation.sector)}: user_id ${shownUser(violation.vectorUserId)}, its memory's ${shownUser(violation.memoryUserId)}`;
    case 'vector-dimension-wrong':
      return `vector ${id(violation.memoryId)}/${id(violation.sector)}: dim ${violation.dimension}, ${violation.bytes} bytes`;
    case 'sector-vector-missing':
      return `memory ${id(violation.memoryId)} (user_id ${shownUser(violation.userId)}): no ${id(violation.sector)} vector${violation.primary ? ' (its primary sector)' : ''}`;
    case 'waypoint-dangling':
      return `waypoint ${violation.sourceId === null ? 'NULL' : id(violation.sourceId)} → ${id(violation.destinationId)} (user_id ${shownUser(violation.userId)}): no ${violation.missing.join(' and ')} memory`;
    case 'waypoint-crossing-users':
      return `waypoint ${id(violation.sourceId)} → ${id(violation.destinationId)} (user_id ${shownUser(violation.userId)}): from ${shownUser(violation.sourceUserId)}'s memory to ${shownUser(violation.destinationUserId)}'s`;
    case 'waypoint-under-another-user':
      return `waypoint ${id(violation.sourceId)} → ${id(violation.destinationId)}: user_id ${shownUser(violation.userId)}, its memories' ${shownUser(violation.memoryUserId)}`;
    case 'user-row-missing':
      return `user_id ${shownUser(violation.userId)}: ${violation.memories} ${violation.memories === 1 ? 'memory' : 'memories'}, no users row`;
    case 'record-memory-missing':
      return `${violation.source} record ${id(violation.recordId)} (user_id ${shownUser(violation.userId)}): memory ${id(violation.memoryId)} does not exist`;
    case 'record-under-another-user':
      return `${violation.source} record ${id(violation.recordId)}: user_id ${shownUser(violation.recordUserId)}, its memory ${id(violation.memoryId)}'s ${shownUser(violation.memoryUserId)}`;
    case 'import-unfinished':
      return `${id(violation.source)} (${fitCell(violation.account, nameColumns)})${violation.shard === 'all' ? '' : ` shard ${violation.shard}`}: run ${id(violation.runId)} started ${new Date(violation.startedAt).toISOString()}, not finished`;
    case 'user-pending':
      return `user_id ${shownUser(violation.userId)}: waypoints and summary not yet written`;
  }
}

/** At most `listedPerKind` lines of a list, then how many more there are. */
function listed<T>(items: readonly T[], line: (item: T) => string): string[] {
  const lines = items.slice(0, listedPerKind).map((item) => `    ${line(item)}`);
  if (items.length > listedPerKind) lines.push(`    ${items.length - listedPerKind} more (see --json)`);
  return lines;
}

/**
 * The text output of `om-import verify`: counts, then each kind of violation with its count and first ids; every line
 * fits 80 columns (names shortened, longer lines wrapped at spaces as the import report wraps them).
 */
export function formatVerification(result: DatabaseVerification, comparison?: SourceComparison): string {
  const { counts } = result;
  const lines = [
    `om-import verify: ${escapeControl(result.target)} — ${result.schema === 'v1.2' ? 'OpenMemory v1.2' : 'a schema newer than OpenMemory v1.2'}`,
    `${counts.memories} memories of ${counts.usersWithMemories} users, ${counts.vectors} vectors (${result.vectorDimension} dimensions expected), ` +
      `${counts.waypoints} waypoints, ${counts.userRows} users rows, ${counts.importRecords === null ? 'no' : counts.importRecords} om-import records`,
  ];
  if (result.preTenantMemories > 0) {
    lines.push(
      `information: ${result.preTenantMemories} memories have no user_id (written before tenants; OpenMemory's migration leaves them so, and no per-user read sees them)`,
    );
  }
  if (result.violations.length === 0) lines.push('no violations');
  else lines.push(`${result.violations.length} ${result.violations.length === 1 ? 'violation' : 'violations'}:`);
  for (const kind of violationKinds) {
    const ofKind = result.violations.filter((violation) => violation.kind === kind);
    if (ofKind.length === 0) continue;
    lines.push(`  ${violationDescriptions[kind]}: ${ofKind.length}`, ...listed(ofKind, describeViolation));
  }
  if (comparison) {
    lines.push(
      `${comparison.source}: ${comparison.sourceRecords} records at the source (${comparison.skippedAtSource} skipped there), ` +
        `${comparison.databaseRecords} imported from it in the database`,
    );
    if (comparison.missingFromDatabase.length > 0) {
      lines.push(
        `  in the source, not in the database: ${comparison.missingFromDatabase.length}`,
        ...listed(comparison.missingFromDatabase, (missing) =>
          missing.memoryId === null ? shownId(missing.recordId) : `${shownId(missing.recordId)} (imported as memory ${shownId(missing.memoryId)}, since deleted)`,
        ),
      );
    }
    if (comparison.missingFromSource === null) {
      lines.push('  the source was read in part (--user-id, or a listing it said is incomplete): records it did not read are not listed as gone from it');
    } else if (comparison.missingFromSource.length > 0) {
      lines.push(
        `  in the database, no longer in the source: ${comparison.missingFromSource.length}`,
        ...listed(comparison.missingFromSource, (missing) => `${shownId(missing.recordId)} (memory ${shownId(missing.memoryId)})`),
      );
    }
    if (comparison.underAnotherOwner.length > 0) {
      lines.push(
        `  in the database under another user than their owner at the source: ${comparison.underAnotherOwner.length}`,
        ...listed(comparison.underAnotherOwner, (wrong) =>
          `${shownId(wrong.recordId)} (memory ${shownId(wrong.memoryId)}): under ${shownUser(wrong.userId)}, its owner maps to ${shownUser(wrong.expectedUserId)}`,
        ),
      );
    }
    if (!sourceDiffers(comparison)) {
      lines.push(comparison.missingFromSource === null ? '  every record read is in the database' : '  the source and the database hold the same records');
    }
  }
  return lines.flatMap((line) => wrapLine(line)).join('\n');
}
