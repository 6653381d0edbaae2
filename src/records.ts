// The normalized records every adapter produces and the pipeline consumes. Adapters validate their source's JSON
// once, at the edge, and hand over only these types.
import type { HttpClient } from './http/http-client.js';

/** One memory-like record of a source: a Mem0 memory, a Zep message or fact, a Supermemory document. */
export interface MemoryRecord {
  /** What kind of record of its source this is, e.g. `mem0.memory`, `zep.message`. */
  sourceKind: string;
  /** The source's stable id of the record; with the source and account it decides the OpenMemory id. */
  sourceId: string;
  /** The source's identifier of the record's owner (see each adapter for the rule); null when it has none. */
  tenantKey: string | null;
  content: string;
  /** Speaker or kind, where the source has one (`user`, `assistant`, `fact`). */
  role: string | null;
  tags: string[];
  /** The source's own metadata object, stored in OpenMemory's `meta` as it came. */
  metadata: Record<string, unknown>;
  /** Everything else the source sent about the record (categories, hash, agent/app/run ids, …). */
  sourceFields: Record<string, unknown>;
  /** Source times in milliseconds since the epoch. */
  createdAt: number | null;
  updatedAt: number | null;
  /** Notable facts about how the record was read (e.g. `content-from-summary`); counted per tenant in the report. */
  flags?: string[];
  /**
   * The source says this record is history, not current truth: `superseded` (replaced by a newer one: Mem0's
   * `replaced_by`, a Zep fact with `expired_at`) or `expired` (no longer valid: Mem0's `expiration_date` passed, a Zep
   * fact with only `invalid_at`). Stored as `meta.status`, which LongMemory's `longmemory migrate` reads to keep the
   * memory as closed history; absent on current records.
   */
  status?: RecordStatus;
  /**
   * Other ids under which an earlier run may have imported this very record, in the same partition (a Supermemory
   * document read through API v5 was keyed by its v3 id; a memory entry by its chain's first version): a record not
   * known by its own id takes over the memory of the first alias that is, and is known by its own id from then on.
   */
  aliases?: readonly string[];
  /**
   * This record is a copy of another, listed under another tenant (a Supermemory document in several container
   * tags): where both tenants land on one OpenMemory user, the copy is skipped — one memory, not two alike.
   */
  copyOf?: { sourceId: string; tenantKey: string };
  /**
   * The source sends this record differently from one API generation to the next (its wire fields, not what it
   * says): when its fingerprint differs from the stored one, it is still unchanged where its owner, its content
   * (whitespace aside) and its update time are those of the memory as stored.
   */
  comparedByContent?: boolean;
}

/** What `MemoryRecord.status` can say (the words LongMemory's migration reads as history). */
export type RecordStatus = 'superseded' | 'expired';

/** A source user, with the source's own summary of them where it has one (Zep does). */
export interface TenantRecord {
  tenantKey: string;
  summary: string | null;
}

/**
 * Why a record was skipped, as a stable code: `malformed` (not a record: not an object, a bad line of a file),
 * `no-id`, `no-owner`, `no-text`, `not-processed` (a later run picks it up), `processing-failed`, `deleted`,
 * `forgotten`, `old-version` (a later version is imported), `invalidated` (a fact Zep invalidated or expired),
 * `expired`, `superseded` (Mem0), `multi-tag` (--multi-tag first), `copy` (of a record imported once: a Zep hyperedge's
 * member), `unmapped` (--unmapped skip), `duplicate-id` (the same id read twice with other content).
 */
export const skipKinds = [
  'malformed', 'no-id', 'no-owner', 'no-text', 'not-processed', 'processing-failed', 'deleted', 'forgotten', 'old-version', 'invalidated', 'expired',
  'superseded', 'multi-tag', 'copy', 'unmapped', 'duplicate-id', 'too-deep', 'id-conflict',
] as const;
export type SkipKind = (typeof skipKinds)[number];

/** A record the adapter could not turn into a MemoryRecord, with the reason; the run goes on. */
export interface SkippedRecord {
  sourceId: string | null;
  tenantKey: string | null;
  reason: string;
  /** As `MemoryRecord.aliases`: the ids an earlier run may have imported it under (a skip keeps those present too). */
  aliases?: readonly string[];
  /**
   * The source says this record no longer holds (a fact Zep invalidated, an entry Supermemory forgot): a memory an
   * earlier run made of it is gone at the source (see `--prune`). Other skips (a document still processing) are not.
   */
  gone?: boolean;
  /**
   * The reason's stable code (one of `skipKinds`): the report groups and counts skips by it, as the reason itself
   * differs per record (a date, an id); scripts read it from `--json` and `--report`.
   */
  kind: SkipKind;
}

/**
 * Something the run must tell its user without stopping (a page count that disagrees with the announced total). A
 * warning says that the partition's listing may have missed records — nothing of it counts as gone at the source —
 * unless it is a `notice`, about the run rather than about what was listed.
 */
export interface SourceWarning {
  tenantKey: string | null;
  message: string;
  notice?: true;
}

/**
 * `raw` is the wire object as fetched, kept for `--save-export` (an adapter that reads its own snapshot back turns
 * each saved `raw` into the same item again); a tenant without `raw` is not saved.
 */
export type SourceItem =
  | { type: 'memory'; record: MemoryRecord; raw: unknown }
  | { type: 'tenant'; tenant: TenantRecord; raw?: unknown }
  | { type: 'skipped'; skipped: SkippedRecord; raw: unknown }
  | { type: 'warning'; warning: SourceWarning };

/** A unit of fetching and of resuming: usually one source user; a file is one partition. */
export interface Partition {
  key: string;
  /** The tenant it belongs to, where known before fetching (lets `--unmapped fail` stop before any write). */
  tenantKey: string | null;
  /** Other names the source knows this tenant by (an id, an email): a --user-map may name the tenant by any of them. */
  aliases?: readonly string[];
  /**
   * How many records the source announced for this partition when listing it (a Mem0 entity's `total_memories`, a
   * Supermemory tag's counts), for progress only: a source's count may be stale or count what is skipped later.
   */
  expectedRecords?: number;
}

export interface FetchOptions {
  /** Only records updated at or after this time (ms), where the source can filter by it. */
  updatedSince: number | null;
}

/** What an adapter provides (modelled on a source with streams): partitions, then the items of each. */
/**
 * What a source says of a partition an earlier run imported that its listing no longer has: gone (`true`), not
 * something its listing covers (`false`), or unknown, with why (`{ unknown }`: nothing of it is counted as gone, and
 * the report says why — e.g. a key that sees only some of the account's users).
 */
export type PartitionCoverage = boolean | { unknown: string };

export interface Source {
  /** `mem0`, `zep`, `supermemory`. */
  readonly name: string;
  /** A stable name of the account or file being read; part of every imported memory's id. */
  account(): Promise<string>;
  partitions(): AsyncIterable<Partition>;
  items(partition: Partition, options: FetchOptions): AsyncIterable<SourceItem>;
  /** Whether `updatedSince` is honoured (incremental runs). */
  readonly filtersByUpdateTime: boolean;
  /**
   * What this source was asked to read, where it can be narrowed (`{ users: [...], include: [...] }`): a run of
   * another scope does not resume this one, nor fetch only what changed since it.
   */
  readonly scope?: Readonly<Record<string, unknown>>;
  /**
   * Whether a partition, read in full (not incrementally), lists every record the source has for it, whatever the
   * options: only then is a record an earlier run imported from it, and missing now, gone at the source.
   */
  readonly listsWholePartitions?: boolean;
  /**
   * Whether `partitions()` lists this partition key whenever the source still has it (it lists every user of the
   * account, and throws rather than list part of them): a partition an earlier run imported that this run does not
   * list is then gone at the source, all of it (a user deleted). Absent: never (a file, a run narrowed by --user-id).
   */
  coversPartition?(partitionKey: string): PartitionCoverage | Promise<PartitionCoverage>;
  /** Which API (generation) answered, once the run has found out, e.g. `Zep Cloud v3 (threads)`; for the report. */
  describeApi?(): string | null;
  /**
   * The aliases (see `MemoryRecord.aliases`) of a record an earlier om-import wrote before it kept aliases, read
   * back from the provenance stored in its memory's `meta` (`om_import`): asked once per target and source.
   */
  aliasesOfImported?(imported: ImportedProvenance): readonly string[];
  close?(): Promise<void>;
}

/** What om-import stored of a record in its memory's `meta.om_import` (see `memoryInput`). */
export interface ImportedProvenance {
  recordId: string;
  sourceKind: string | null;
  tenantKey: string | null;
  fields: Record<string, unknown>;
  /** The memory's text (its full text where the content is an essence). */
  content: string;
}

/** What each adapter's factory answers: the source, and the HTTP client it reads through (none for a file). */
export interface OpenedSource {
  source: Source;
  http: HttpClient | null;
}

/** The furthest a JavaScript Date reaches either side of the epoch, in milliseconds (ECMA-262 §21.4.1.1). */
const maxTimeMs = 8.64e15;

/**
 * An epoch number read by its magnitude: seconds below 1e11 (up to the year 5138), then milliseconds below 1e14,
 * microseconds below 1e17, nanoseconds below 1e20; each unit covers its own ~3,000 years from 1973 on (a time
 * before 1973-03-03 sent in milliseconds or finer is read as a coarser unit, as it cannot be told apart).
 */
function epochMs(value: number): number | null {
  const magnitude = Math.abs(value);
  const ms = magnitude < 1e11 ? value * 1000 : magnitude < 1e14 ? value : magnitude < 1e17 ? value / 1e3 : magnitude < 1e20 ? value / 1e6 : Number.NaN;
  const rounded = Math.round(ms);
  return Number.isFinite(rounded) && Math.abs(rounded) <= maxTimeMs ? rounded : null;
}

/**
 * ISO-8601, or an epoch number (seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude; also
 * as a string of digits), to milliseconds. Null when absent, unreadable, or outside what a Date can hold, so every
 * time a record carries can be written (`new Date(ms).toISOString()` never throws on it).
 */
export function parseTime(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? epochMs(value) : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) return epochMs(Number(text));
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) || Math.abs(parsed) > maxTimeMs ? null : parsed;
}

/** The record flag of a record whose source sent a time `parseTime` cannot read (it is imported without that time). */
export const unreadableTimeFlag = 'unreadable-time';

/**
 * `[unreadable-time]` when any of a record's time fields was sent (not `undefined`, `null` or blank) but cannot be
 * read, else `[]`: the record is imported without that time, and the report counts it.
 */
export function timeFlags(...values: unknown[]): string[] {
  const absent = (value: unknown): boolean => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
  return values.some((value) => !absent(value) && parseTime(value) === null) ? [unreadableTimeFlag] : [];
}

/** A UTC time as a compact, sortable file-name part: `20261125T151800Z`. */
export function fileTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}
