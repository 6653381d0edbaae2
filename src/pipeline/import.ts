// The pipeline: fetch → map tenants → build OpenMemory rows → write → checkpoint, then waypoints and summaries
// per user. `importFrom` is the programmatic API; the CLI is a thin shell over it.
import pLimit from 'p-limit';
import { createEmbedder } from '../embeddings/index.js';
import type { MemoryEmbedder } from '../openmemory/embedder.js';
import { embeddingConfigFromEnv, openMemoryRows } from '../openmemory/embedding-config.js';
import { RowPool } from '../openmemory/row-pool.js';
import type { Partition, Source } from '../records.js';
import type { TargetConfig } from '../database/open-target.js';
import { finalizeUsers } from './finalize-users.js';
import { GoneAtSource } from './gone-at-source.js';
import { countResumedPartitions, openImportRun, RunProgress, totalsOf, type ImportRun, type OpenedTarget } from './import-run.js';
import { importPartition } from './partition-import.js';
import { SeenRecords, TenantTally } from './record-intake.js';
import type { ImportReport, UserReport } from './report.js';
import type { Shard } from './shard.js';
import { SnapshotWriter } from './snapshot.js';
import { partitionsToRead } from './source-partitions.js';
import { TenantMap } from './tenant-map.js';
import { WriteQueue } from './write-queue.js';

/**
 * How far a run is, for a progress display; counts are of this run so far. Fetching and writing overlap: records are
 * written in batches as they are fetched.
 */
export type ProgressEvent =
  | {
      type: 'fetching';
      /** Partitions done of `partitions` (those the interrupted run this one resumes had finished count as done). */
      partitionsDone: number;
      partitions: number;
      /** Records fetched (imported or skipped), over every partition. */
      records: number;
      /**
       * What the partitions left to read announced (`Partition.expectedRecords`), summed over those that did; null when
       * none did, or when the run is incremental (it reads only what changed). `expectedRecordsPartial`: some did not.
       */
      expectedRecords: number | null;
      expectedRecordsPartial: boolean;
    }
  /** Memories written (created or rewritten) so far. */
  | { type: 'writing'; memories: number }
  /** Waypoints and summaries: `usersDone` of the `users` the run touched. */
  | { type: 'finalizing'; users: number; usersDone: number }
  | { type: 'migrated'; from: string; to: string; backupPath: string | null };

export interface ImportOptions {
  source: Source;
  target: TargetConfig;
  tenantMap?: TenantMap;
  /** OpenMemory's variables (OM_TIER, OM_VEC_DIM, …); defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Overrides the embedder built from `env` (e.g. one with a remote provider). */
  embedder?: MemoryEmbedder;
  /** Migrate a non-v1.2 database first (default); false refuses to write into one. */
  migrate?: boolean;
  /** Migrate a SQLite file that holds another application's tables and none of OpenMemory's (refused otherwise). */
  allowOtherTables?: boolean;
  dryRun?: boolean;
  /** Ignore checkpoints: no resume, no incremental filter. */
  fresh?: boolean;
  /**
   * Remove the memories om-import made of records the source no longer has (found only where a whole partition was
   * read in full); without it they are counted in the report.
   */
  prune?: boolean;
  /** Import only the OpenMemory users of this shard (by a stable hash of the mapped user_id); null: every user. */
  shard?: Shard | null;
  /** Partitions (source users) fetched at once. */
  concurrency?: number;
  /** Records per write transaction. */
  batchSize?: number;
  /** Cores to use (default: the machine's): the main thread and `workers − 1` row threads (see RowPool); 1: no thread. */
  workers?: number;
  /** Folder where the fetched wire records are saved as JSONL. */
  saveExportDir?: string;
  onProgress?: (event: ProgressEvent) => void;
  /** Stops the run between two writes (never within one) and between two records read; the run is then resumable. */
  signal?: AbortSignal;
  now?: () => number;
}

/**
 * Imports every record of the source into the target, in four stages: list the partitions (before the target is
 * touched), open the target and start the run, fetch and write every partition, then finalize the users (waypoints,
 * summaries) and report.
 */
export async function importFrom(options: ImportOptions): Promise<ImportReport> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const embedderHandle = options.embedder
    ? { embedder: options.embedder, close: async () => undefined }
    : createEmbedder(embeddingConfigFromEnv(options.env ?? process.env), { concurrency: options.concurrency, signal: options.signal });
  const { embedder } = embedderHandle;
  const rowPool = new RowPool(embedder, options.workers);
  const tenantMap = options.tenantMap ?? new TenantMap();
  const { source } = options;
  const shard = options.shard ?? null;

  let snapshot: SnapshotWriter | null = null;
  let opened: OpenedTarget | null = null;
  try {
    const account = await source.account();
    const partitions = await partitionsToRead(source, tenantMap, shard);
    if (options.saveExportDir) snapshot = SnapshotWriter.open(options.saveExportDir, { source: source.name, account, shard, startedAt });
    opened = await openImportRun(options, { source, account, tenantMap, shard, embedder, startedAt });
    // The run is claimed: until its end is written, a commit need not wait for the disk (see `lagCommits`).
    if (opened.run) await opened.target.executor.lagCommits();
    const run = startedRun(options, opened, partitions, { account, tenantMap, embedder, rowPool, snapshot, now });
    run.resumedTotals = await countResumedPartitions(run);
    const gone = await fetchAndWrite(run, partitions);
    const users = await finishRun(run);
    return reportOf(run, { users, gone, durationMs: now() - startedAt });
  } finally {
    await snapshot?.close();
    await opened?.close();
    await rowPool.close();
    await embedderHandle.close();
  }
}

function startedRun(
  options: ImportOptions,
  opened: OpenedTarget,
  partitions: readonly Partition[],
  parts: Pick<ImportRun, 'account' | 'tenantMap' | 'embedder' | 'rowPool' | 'snapshot' | 'now'>,
): ImportRun {
  const state = opened.run;
  const finishedBefore = (partition: Partition): boolean => !!state?.resumed && state.finishedPartitions.has(partition.key);
  const progress = new RunProgress(options.onProgress, partitions, finishedBefore, opened.updatedSince !== null);
  progress.reportFetching();
  return {
    ...opened,
    ...parts,
    options,
    source: options.source,
    shard: options.shard ?? null,
    dryRun: options.dryRun ?? false,
    writes: new WriteQueue(options.signal),
    tally: new TenantTally(),
    seenRecords: new SeenRecords(),
    warnings: [],
    progress,
    earlierAccounts: new Map(),
    resumedTotals: null,
  };
}

/** Every partition, `concurrency` at a time; then the partitions the source no longer lists at all. */
async function fetchAndWrite(run: ImportRun, partitions: readonly Partition[]): Promise<GoneAtSource> {
  const gone = new GoneAtSource(run);
  const limit = pLimit(Math.max(1, run.options.concurrency ?? 4));
  await Promise.all(partitions.map((partition) => limit(() => importPartition(run, partition, gone).catch((error: unknown) => run.writes.fail(error)))));
  run.writes.throwIfFailed();
  await gone.checkUnlistedPartitions(partitions);
  await warnOfSharedUsers(run);
  return gone;
}

/**
 * A user this run wrote into that another source's import already holds: their memories now mix (by design of the
 * map); the summary is the source summary first by source name, else OpenMemory's generated one.
 */
async function warnOfSharedUsers(run: ImportRun): Promise<void> {
  if (!run.hasBookkeeping) return;
  const written = run.tally.list().flatMap((tenant) => (tenant.userId !== null && tenant.created + tenant.updated + tenant.unchanged > 0 ? [tenant.userId] : []));
  for (const [userId, sources] of await run.bookkeeping.otherSourcesOf(written)) {
    run.warnings.push(`user_id ${userId} also holds memories imported from ${sources.join(', ')}: they are now one OpenMemory user (map one side elsewhere with --user-map if they are different people)`);
  }
}

/** Waypoints and summaries of the users the run touched, then the run marked complete. */
async function finishRun(run: ImportRun): Promise<UserReport[]> {
  run.options.signal?.throwIfAborted();
  if (run.dryRun || !run.run) return [];
  const users = await finalizeUsers(
    run.bookkeeping,
    run.writer,
    run.runStart,
    (usersDone, total) => run.options.onProgress?.({ type: 'finalizing', users: total, usersDone }),
    run.rowPool,
  );
  // The run's end waits for the disk, and with it every write of the run: a run reported complete is all there.
  await run.target.executor.syncCommits();
  await run.bookkeeping.finishRun(run.run.runId, run.now());
  return users;
}

function reportOf(run: ImportRun, end: { users: UserReport[]; gone: GoneAtSource; durationMs: number }): ImportReport {
  const { source, updatedSince } = run;
  return {
    source: source.name,
    account: run.account,
    api: source.describeApi?.() ?? null,
    target: run.target.description,
    openMemory: openMemoryRows(run.embedder.config),
    dryRun: run.dryRun,
    runId: run.dryRun ? null : (run.run?.runId ?? null),
    resumed: !run.dryRun && !!run.run?.resumed,
    ...(run.resumedTotals ? { resumedTotals: run.resumedTotals } : {}),
    incrementalSince: updatedSince !== null ? new Date(updatedSince).toISOString() : null,
    fullFetchReason: source.filtersByUpdateTime ? run.fullFetchReason : null,
    migration: run.migration,
    tenants: run.tally.list(),
    users: end.users,
    totals: totalsOf(run.tally),
    goneAtSource: end.gone.report,
    warnings: run.warnings,
    http: null,
    exportFile: run.snapshot?.file ?? null,
    durationMs: end.durationMs,
  };
}
