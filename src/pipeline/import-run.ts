// What one import holds from its start to its report, and how it begins: the target opened and migrated, the run
// claimed (or the interrupted one resumed), and what is fetched decided (everything, or what changed since).
import type { MemoryEmbedder } from '../openmemory/embedder.js';
import type { RowPool } from '../openmemory/row-pool.js';
import type { Partition, Source } from '../records.js';
import { ImportBookkeeping, targetKey, type RunState } from '../database/import-bookkeeping.js';
import { acquireRunLock, withSchemaLock } from '../database/run-lock.js';
import { openTarget } from '../database/open-target.js';
import { OpenMemoryWriter } from '../database/openmemory-writer.js';
import type { Target } from '../database/target.js';
import type { ImportOptions } from './import.js';
import { canonicalJson } from './memory-identity.js';
import { prepareTarget, refuseMismatchedRows } from './prepare-target.js';
import { SeenRecords, TenantTally, tenantReportsFromJson } from './record-intake.js';
import type { ImportReport } from './report.js';
import { ownsUser, shardName, type Shard } from './shard.js';
import type { SnapshotWriter } from './snapshot.js';
import type { TenantMap } from './tenant-map.js';
import { WriteQueue } from './write-queue.js';

/** Incremental runs ask for records updated since the last completed run started, less this much for clock skew
 *  between this machine and the source (records fetched twice are recognised as unchanged). */
const incrementalOverlapMs = 10 * 60_000;

/** The target of a run, opened, with what the run knows of earlier runs into it. */
export interface OpenedTarget {
  target: Target;
  migration: ImportReport['migration'];
  bookkeeping: ImportBookkeeping;
  writer: OpenMemoryWriter;
  /** om-import's tables exist (always, except in a dry run on a database no run wrote). */
  hasBookkeeping: boolean;
  /** This run in the bookkeeping; null in a dry run. */
  run: RunState | null;
  /** When the run started (an interrupted run resumed: when it first started). */
  runStart: number;
  /** Only records updated since this time are fetched; null: everything. */
  updatedSince: number | null;
  fullFetchReason: string | null;
  /** Releases the run's claim on the target and closes it. */
  close(): Promise<void>;
}

/** Everything the stages of one import share. */
export interface ImportRun extends OpenedTarget {
  options: ImportOptions;
  source: Source;
  account: string;
  tenantMap: TenantMap;
  shard: Shard | null;
  dryRun: boolean;
  now: () => number;
  embedder: MemoryEmbedder;
  rowPool: RowPool;
  writes: WriteQueue;
  /** The run's counts: each partition's, added once it is done, and those of the interrupted run resumed. */
  tally: TenantTally;
  seenRecords: SeenRecords;
  warnings: string[];
  snapshot: SnapshotWriter | null;
  progress: RunProgress;
  /**
   * Per partition, the other accounts its records were last listed under: this run found them there, so those are
   * earlier names of this account, and what of theirs the partition no longer has is gone at the source too.
   */
  earlierAccounts: Map<string, Set<string>>;
  /** What the interrupted run this one resumes had counted in the partitions it finished (in `tally` already). */
  resumedTotals: ImportReport['totals'] | null;
}

/** Opens the target and starts (or resumes) the run in it; on failure, the target is closed again. */
export async function openImportRun(
  options: ImportOptions,
  run: { source: Source; account: string; tenantMap: TenantMap; shard: Shard | null; embedder: MemoryEmbedder; startedAt: number },
): Promise<OpenedTarget> {
  const dryRun = options.dryRun ?? false;
  const { source, account, shard, tenantMap } = run;
  const target = await openTarget(options.target, { dryRun });
  let releaseRunLock: (() => Promise<void>) | null = null;
  const close = async (): Promise<void> => {
    await releaseRunLock?.().catch(() => undefined);
    await target.close();
  };
  try {
    const migration = await withSchemaLock(target, () => prepareTarget(target, options, dryRun));
    const bookkeeping = new ImportBookkeeping(target, source.name, account, (userId) => ownsUser(shard, userId));
    const hasBookkeeping = !dryRun || (await bookkeeping.tablesExist());
    const writer = new OpenMemoryWriter(target, run.embedder.config.segmentSize);
    await refuseMismatchedRows(target, writer, run.embedder.config);

    const fresh = options.fresh ?? false;
    const userMap = Object.fromEntries(tenantMap.sourceUsers.map((tenant) => [tenant, tenantMap.resolve(tenant)]));
    const scope = canonicalJson({ ...source.scope, userMap, unmapped: tenantMap.unmapped, ...(shard ? { shard: shardName(shard) } : {}) });
    let state: RunState | null = null;
    let lastCompletedStart: number | null = null;
    let fullFetchReason: string | null = null;
    if (!dryRun) {
      // One run per shard of this target at a time; the claim goes with the run (or with its process, if killed).
      releaseRunLock = await acquireRunLock(target, { targetKey: targetKey(target), shard, source: source.name, account, now: run.startedAt });
      await withSchemaLock(target, () => bookkeeping.ensureTables());
      if (source.aliasesOfImported) {
        const aliasesOfImported = source.aliasesOfImported.bind(source);
        await bookkeeping.backfillAliases(target.dialect.qualified(target.dialect.tables.memories), aliasesOfImported, run.startedAt);
      }
      state = await bookkeeping.startRun(run.startedAt, fresh, scope);
      ({ lastCompletedStart, fullFetchReason } = state);
    } else if (hasBookkeeping) {
      ({ lastCompletedStart, fullFetchReason } = await bookkeeping.previousRuns(fresh, scope));
    }
    // What is gone at the source shows only in a full listing: --prune reads everything, whatever ran before.
    const pruneReadsAll = options.prune === true && source.listsWholePartitions === true && source.filtersByUpdateTime && lastCompletedStart !== null;
    if (pruneReadsAll) fullFetchReason ??= '--prune: everything is read, to find what is gone at the source';
    const updatedSince = source.filtersByUpdateTime && lastCompletedStart !== null && !pruneReadsAll ? lastCompletedStart - incrementalOverlapMs : null;
    return {
      target,
      migration,
      bookkeeping,
      writer,
      hasBookkeeping,
      run: state,
      runStart: state?.startedAt ?? run.startedAt,
      updatedSince,
      fullFetchReason,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Adds what the finished partitions of the interrupted run counted to the run's tally; answers their totals. */
export async function countResumedPartitions(run: ImportRun): Promise<ImportReport['totals'] | null> {
  if (!run.run?.resumed) return null;
  const resumed = new TenantTally();
  for (const counts of await run.bookkeeping.finishedPartitionCounts(run.run.runId)) resumed.add(tenantReportsFromJson(counts));
  run.tally.add(resumed.list());
  return totalsOf(resumed);
}

export function totalsOf(tally: TenantTally): ImportReport['totals'] {
  const totals = { fetched: 0, created: 0, updated: 0, unchanged: 0, skipped: 0 };
  for (const tenant of tally.list()) {
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += tenant[key];
  }
  return totals;
}

/** A `fetching` progress event every this many records (and at the end of each partition). */
const fetchingReportEvery = 100;

/** How far the run is, reported to `options.onProgress` (see ProgressEvent). */
export class RunProgress {
  private partitionsDone: number;
  private records = 0;
  private written = 0;
  private readonly announced: { expectedRecords: number | null; expectedRecordsPartial: boolean };

  /** Partitions an interrupted run finished are done already (not read again), the others announce their records. */
  constructor(
    private readonly listener: ImportOptions['onProgress'],
    private readonly partitions: readonly Partition[],
    finishedBefore: (partition: Partition) => boolean,
    incremental: boolean,
  ) {
    this.partitionsDone = partitions.filter(finishedBefore).length;
    this.announced = announcedRecords(
      partitions.filter((partition) => !finishedBefore(partition)),
      incremental,
    );
  }

  recordRead(): void {
    this.records++;
    if (this.records % fetchingReportEvery === 0) this.reportFetching();
  }

  partitionDone(): void {
    this.partitionsDone++;
    this.reportFetching();
  }

  memoriesWritten(count: number): void {
    this.written += count;
    if (count > 0) this.listener?.({ type: 'writing', memories: this.written });
  }

  reportFetching(): void {
    this.listener?.({ type: 'fetching', partitionsDone: this.partitionsDone, partitions: this.partitions.length, records: this.records, ...this.announced });
  }
}

/** What partitions announced of their records, for progress; nothing for an incremental run, which reads only changes. */
function announcedRecords(partitions: readonly Partition[], incremental: boolean): { expectedRecords: number | null; expectedRecordsPartial: boolean } {
  const announced = incremental ? [] : partitions.flatMap((partition) => (partition.expectedRecords !== undefined ? [partition.expectedRecords] : []));
  return {
    expectedRecords: announced.length > 0 ? announced.reduce((sum, count) => sum + count, 0) : null,
    expectedRecordsPartial: announced.length < partitions.length,
  };
}
