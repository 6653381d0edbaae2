// What happens to each fetched item before any row is built: counted per tenant, mapped to its OpenMemory user
// (or skipped, with the reason), fingerprinted, and turned into the input of OpenMemory's row builder.
import type { EmbeddingConfig } from '../openmemory/embedding-config.js';
import { essence } from '../openmemory/essence.js';
import type { MemoryInput } from '../openmemory/memory-rows.js';
import { skipKinds, type MemoryRecord, type SkipKind, type SourceItem } from '../records.js';
import { fingerprint, memoryId } from './memory-identity.js';
import { hash64, RecordIdSet } from './record-id-set.js';
import { ownsUser, type Shard } from './shard.js';
import type { TenantReport } from './report.js';
import type { TenantMap } from './tenant-map.js';

/** A fetched record bound for OpenMemory: its user, the fingerprint that decides whether it changed, its tenant's counts. */
export interface PendingItem {
  record: MemoryRecord;
  userId: string;
  recordFingerprint: string;
  tenant: TenantReport;
}

/** The per-tenant counts of a run, as the report shows them. */
export class TenantTally {
  private readonly tenants = new Map<string, TenantReport>();

  get(tenant: string, userId: string | null): TenantReport {
    let report = this.tenants.get(tenant);
    if (!report) {
      report = { tenant, userId, fetched: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, skippedReasons: [], flagged: {} };
      this.tenants.set(tenant, report);
    }
    if (report.userId === null && userId !== null) report.userId = userId;
    return report;
  }

  skip(tenant: string, sourceId: string | null, reason: string, kind: SkipKind): void {
    const report = this.get(tenant, null);
    report.skipped++;
    report.skippedReasons.push({ sourceId, reason, kind });
    report.skippedKinds ??= {};
    report.skippedKinds[kind] = (report.skippedKinds[kind] ?? 0) + 1;
  }

  list(): TenantReport[] {
    return [...this.tenants.values()].sort((a, b) => a.tenant.localeCompare(b.tenant));
  }

  /** Adds counts made elsewhere: a partition's, once it is done, or those of the interrupted run a run resumes. */
  add(reports: readonly TenantReport[]): void {
    for (const added of reports) {
      const report = this.get(added.tenant, added.userId);
      for (const count of countNames) report[count] += added[count];
      report.skippedReasons.push(...added.skippedReasons);
      for (const [kind, count] of Object.entries(added.skippedKinds ?? {})) {
        report.skippedKinds ??= {};
        report.skippedKinds[kind] = (report.skippedKinds[kind] ?? 0) + count;
      }
      for (const [flag, count] of Object.entries(added.flagged)) report.flagged[flag] = (report.flagged[flag] ?? 0) + count;
    }
  }

  /** The counts as JSON text, to keep with a finished partition (see `tenantReportsFromJson`). */
  toJson(): string {
    return JSON.stringify(this.list());
  }
}

function isSkipKind(kind: string): kind is SkipKind {
  return (skipKinds as readonly string[]).includes(kind);
}

const countNames = ['fetched', 'created', 'updated', 'unchanged', 'skipped'] as const;

/** Counts kept by `TenantTally.toJson`; entries that are not such counts (written by someone else) are left out. */
export function tenantReportsFromJson(text: string | null): TenantReport[] {
  if (text === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const reports: TenantReport[] = [];
  for (const entry of parsed as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const value = entry as Record<string, unknown>;
    if (typeof value['tenant'] !== 'string' || (value['userId'] !== null && typeof value['userId'] !== 'string')) continue;
    if (!countNames.every((count) => typeof value[count] === 'number')) continue;
    const numbers = (field: unknown): Record<string, number> =>
      typeof field === 'object' && field !== null ? Object.fromEntries(Object.entries(field).filter(([, count]) => typeof count === 'number')) : {};
    const skippedReasons = Array.isArray(value['skippedReasons'])
      ? (value['skippedReasons'] as unknown[]).flatMap((note) => {
          if (typeof note !== 'object' || note === null) return [];
          const { sourceId, reason, kind } = note as Record<string, unknown>;
          if ((sourceId !== null && typeof sourceId !== 'string') || typeof reason !== 'string' || typeof kind !== 'string' || !isSkipKind(kind)) return [];
          return [{ sourceId, reason, kind }];
        })
      : [];
    reports.push({
      tenant: value['tenant'],
      userId: value['userId'] as string | null,
      fetched: value['fetched'] as number,
      created: value['created'] as number,
      updated: value['updated'] as number,
      unchanged: value['unchanged'] as number,
      skipped: value['skipped'] as number,
      skippedReasons,
      ...(value['skippedKinds'] !== undefined ? { skippedKinds: numbers(value['skippedKinds']) } : {}),
      flagged: numbers(value['flagged']),
    });
  }
  return reports;
}

const noTenant = '(none)';

/** What a fetched item asks of the run, once sorted: a record to import, a source summary to keep, a warning. */
export type IntakeResult =
  | { kind: 'record'; pending: PendingItem }
  | { kind: 'summary'; tenantKey: string; userId: string; summary: string | null }
  | { kind: 'warning'; message: string }
  | null;

/**
 * The records a run has read, by source id: the same record listed again (under another partition) is read once;
 * another record with an id already read (an export with one id under two owners) is skipped with the reason —
 * the first occurrence wins, as it came first in the file or listing. Beside each id (a RecordIdSet) it keeps the
 * 64-bit hash of the record's content and its tenant's number: about 36 bytes a record.
 */
export class SeenRecords {
  private readonly ids = new RecordIdSet();
  private contents = new BigUint64Array(1 << 12);
  private tenantOf = new Uint32Array(1 << 12);
  private readonly tenants: (string | null)[] = [];
  private readonly tenantNumbers = new Map<string | null, number>();

  /** Null for a record not read before; else whether it is the same record again, or a different one under its id. */
  check(record: MemoryRecord): null | 'same' | { firstTenant: string | null } {
    const content = hash64(record.content);
    const tenant = this.tenantNumber(record.tenantKey);
    const { entry, added } = this.ids.add(record.sourceId);
    if (!added) {
      const firstTenant = this.tenantOf[entry]!;
      return firstTenant === tenant && this.contents[entry] === content ? 'same' : { firstTenant: this.tenants[firstTenant] ?? null };
    }
    if (entry >= this.contents.length) {
      const [contents, tenantOf] = [this.contents, this.tenantOf];
      this.contents = new BigUint64Array(contents.length * 2);
      this.contents.set(contents);
      this.tenantOf = new Uint32Array(tenantOf.length * 2);
      this.tenantOf.set(tenantOf);
    }
    this.contents[entry] = content;
    this.tenantOf[entry] = tenant;
    return null;
  }

  private tenantNumber(tenantKey: string | null): number {
    let number = this.tenantNumbers.get(tenantKey);
    if (number === undefined) {
      number = this.tenants.push(tenantKey) - 1;
      this.tenantNumbers.set(tenantKey, number);
    }
    return number;
  }
}

/**
 * Sorts one fetched item into the report; answers what the run must do with it, if anything. In a sharded run only
 * the users of this shard are imported (and counted); what is skipped is reported by the shard of its source tenant,
 * so that exactly one process reports it.
 */
export function handleItem(
  item: SourceItem,
  tenantMap: TenantMap,
  tally: TenantTally,
  seenRecords: SeenRecords,
  config: EmbeddingConfig,
  shard: Shard | null = null,
): IntakeResult {
  if (item.type === 'warning') {
    return { kind: 'warning', message: item.warning.tenantKey ? `${item.warning.tenantKey}: ${item.warning.message}` : item.warning.message };
  }
  if (item.type === 'skipped') {
    if (!ownsUser(shard, item.skipped.tenantKey ?? noTenant)) return null;
    tally.get(item.skipped.tenantKey ?? noTenant, null).fetched++;
    tally.skip(item.skipped.tenantKey ?? noTenant, item.skipped.sourceId, item.skipped.reason, item.skipped.kind);
    return null;
  }
  if (item.type === 'tenant') {
    const resolution = tenantMap.resolve(item.tenant.tenantKey);
    if (!('userId' in resolution) || !ownsUser(shard, resolution.userId)) return null;
    const summary = item.tenant.summary !== null && item.tenant.summary.trim() !== '' ? item.tenant.summary : null;
    return { kind: 'summary', tenantKey: item.tenant.tenantKey, userId: resolution.userId, summary };
  }
  const { record } = item;
  const tenantKey = record.tenantKey ?? noTenant;
  const seen = seenRecords.check(record);
  if (seen === 'same') return null; // listed again under another partition
  if (seen !== null) {
    if (!ownsUser(shard, tenantKey)) return null;
    tally.get(tenantKey, null).fetched++;
    const first = seen.firstTenant === record.tenantKey ? 'with other content' : `under ${seen.firstTenant ?? noTenant}`;
    tally.skip(tenantKey, record.sourceId, `duplicate id: a record with this id was read before ${first}; the first one read is imported`, 'duplicate-id');
    return null;
  }
  const resolution = record.tenantKey !== null ? tenantMap.resolve(record.tenantKey) : { skip: 'the record has no user' };
  if ('skip' in resolution) {
    if (!ownsUser(shard, tenantKey)) return null;
    tally.get(tenantKey, null).fetched++;
    tally.skip(tenantKey, record.sourceId, resolution.skip, 'unmapped');
    return null;
  }
  if (!ownsUser(shard, resolution.userId)) return null; // another shard's user
  const original = record.copyOf ? tenantMap.resolve(record.copyOf.tenantKey) : null;
  if (record.copyOf && original && 'userId' in original && original.userId === resolution.userId) {
    tally.get(tenantKey, resolution.userId).fetched++;
    tally.skip(tenantKey, record.sourceId, `a copy of ${record.copyOf.sourceId} (tag ${record.copyOf.tenantKey}), which lands on the same user ${resolution.userId}: imported once`, 'copy');
    return null;
  }
  const tenant = tally.get(tenantKey, resolution.userId);
  tenant.fetched++;
  for (const flag of record.flags ?? []) tenant.flagged[flag] = (tenant.flagged[flag] ?? 0) + 1;
  let recordFingerprint: string;
  try {
    recordFingerprint = fingerprint({
      userId: resolution.userId,
      record: record.aliases !== undefined || record.comparedByContent !== undefined ? withoutMatchingHints(record) : record,
      embedding: {
        tier: config.tier,
        provider: config.provider,
        dimension: config.dimension,
        essence: config.useSummaryOnly ? config.summaryMaxLength : null,
        // Another version classifies differently: its rows differ. Absent for 1.2, so earlier runs' fingerprints still match.
        ...(config.openMemoryVersion === '1.2' ? {} : { openMemory: config.openMemoryVersion }),
      },
    });
  } catch (error) {
    // Metadata nested thousands of levels deep: no JSON of it can be written (nor read back by OpenMemory).
    if (!(error instanceof RangeError)) throw error;
    tally.skip(tenantKey, record.sourceId, 'its fields are nested too deeply to store as JSON (thousands of levels)', 'too-deep');
    return null;
  }
  return { kind: 'record', pending: { record, userId: resolution.userId, recordFingerprint, tenant } };
}

/** A record without what says how to find it among earlier runs' (not part of what it holds, so not fingerprinted). */
function withoutMatchingHints(record: MemoryRecord): MemoryRecord {
  const { aliases: _aliases, comparedByContent: _comparedByContent, copyOf: _copyOf, ...held } = record;
  return held;
}

/** The input of OpenMemory's row builder for a record; `knownId` is the memory an earlier run made of it. */
export function memoryInput(
  item: PendingItem,
  sourceName: string,
  account: string,
  knownId: string | null,
  runStart: number,
  config: EmbeddingConfig,
): MemoryInput {
  const { record } = item;
  // With OM_USE_SUMMARY_ONLY=true, OpenMemory's essence is stored as the content and the full text stays in meta.
  const stored = config.useSummaryOnly ? essence(record.content, config.summaryMaxLength) : record.content;
  const createdAt = record.createdAt ?? record.updatedAt ?? runStart;
  const provenance = {
    source: sourceName,
    account,
    source_kind: record.sourceKind,
    source_id: record.sourceId,
    source_user: record.tenantKey,
    role: record.role,
    created_at: record.createdAt !== null ? new Date(record.createdAt).toISOString() : null,
    updated_at: record.updatedAt !== null ? new Date(record.updatedAt).toISOString() : null,
    fields: record.sourceFields,
    ...(record.flags && record.flags.length > 0 ? { flags: record.flags } : {}),
    ...(stored !== record.content ? { full_content: record.content } : {}),
    // The source's own `status` in its metadata, where om-import's replaces it (below).
    ...(record.status !== undefined && record.metadata['status'] !== undefined ? { source_status: record.metadata['status'] } : {}),
  };
  return {
    id: knownId ?? memoryId(sourceName, record.sourceId),
    userId: item.userId,
    content: stored,
    sourceText: record.content,
    tags: record.tags,
    // meta.status: history as the source says (see MemoryRecord.status), for LongMemory's migration to keep as history.
    meta: { ...record.metadata, ...(record.status !== undefined ? { status: record.status } : {}), om_import: provenance },
    createdAt,
    updatedAt: record.updatedAt ?? createdAt,
  };
}
