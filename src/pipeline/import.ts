// The pipeline: fetch → map tenants → build OpenMemory rows → write → checkpoint, then waypoints and summaries
// per user. `importFrom` is the programmatic API; the CLI is a thin shell over it.
import { createWriteStream, mkdirSync, openSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';
import { createEmbedder } from '../embeddings/index.js';
import type { MemoryEmbedder } from '../openmemory/embedder.js';
import { embeddingConfigFromEnv, openMemoryRows } from '../openmemory/embedding-config.js';
import type { MemoryInput } from '../openmemory/memory-rows.js';
import { RowPool } from '../openmemory/row-pool.js';
import { fileTimestamp, type Partition, type Source } from '../records.js';
import { ImportBookkeeping, targetKey, type ListedRecord, type RunState } from '../database/import-bookkeeping.js';
import { acquireRunLock, withSchemaLock } from '../database/run-lock.js';
import { openTarget, type TargetConfig } from '../database/open-target.js';
import { removeMemories } from '../database/memory-removal.js';
import { OpenMemoryWriter, type StoredText } from '../database/openmemory-writer.js';
import type { Target } from '../database/target.js';
import { finalizeUsers } from './finalize-users.js';
import { prepareTarget, refuseMismatchedRows } from './prepare-target.js';
import { canonicalJson } from './memory-identity.js';
import { RecordIdSet } from './record-id-set.js';
import { ownsUser, shardName, type Shard } from './shard.js';
import { handleItem, memoryInput, SeenRecords, TenantTally, type PendingItem } from './record-intake.js';
import type { ImportReport, UserReport } from './report.js';
import { snapshotHeaderLine } from './snapshot.js';
import { UsageError } from '../errors.js';
import { TenantMap } from './tenant-map.js';

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

/** Incremental runs ask for records updated since the last completed run started, less this much for clock skew
 *  between this machine and the source (records fetched twice are recognised as unchanged). */
const incrementalOverlapMs = 10 * 60_000;

/** Batches of a partition being looked up, built or written while the next one is read (see processPartition). */
const batchesAhead = 3;

/** A `fetching` progress event every this many records (and at the end of each partition). */
const fetchingReportEvery = 100;

export async function importFrom(options: ImportOptions): Promise<ImportReport> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const env = options.env ?? process.env;
  const embedderHandle = options.embedder
    ? { embedder: options.embedder, close: async () => undefined }
    : createEmbedder(embeddingConfigFromEnv(env), { concurrency: options.concurrency, signal: options.signal });
  const { embedder } = embedderHandle;
  const rowPool = new RowPool(embedder, options.workers);
  const tenantMap = options.tenantMap ?? new TenantMap();
  const dryRun = options.dryRun ?? false;
  const { source } = options;

  let target: Target | null = null;
  let releaseRunLock: (() => Promise<void>) | null = null;
  let exportStream: WriteStream | null = null;
  try {
    const account = await source.account();
    // All partitions are listed first, before the target is touched: a source that does not answer (a wrong address)
    // stops the run with the database as it was, and so does `--unmapped fail`. Partitions that do not know their
    // tenants up front (an export file) are read once more to check under `--unmapped fail`, else to their first
    // record (a file that is not what it should be stops the run here too).
    const shard = options.shard ?? null;
    const partitions: Partition[] = [];
    for await (const partition of source.partitions()) {
      if (partition.tenantKey !== null) {
        if (partition.aliases) tenantMap.alias(partition.tenantKey, partition.aliases);
        // A partition whose user belongs to another shard is not even fetched (a skipped tenant: by its own key).
        const resolution = tenantMap.resolve(partition.tenantKey);
        if (!ownsUser(shard, 'userId' in resolution ? resolution.userId : partition.tenantKey)) continue;
      }
      partitions.push(partition);
    }
    for (const partition of partitions.filter((p) => p.tenantKey === null)) {
      for await (const item of source.items(partition, { updatedSince: null })) {
        if (tenantMap.unmapped !== 'fail') break;
        if (item.type === 'memory' && item.record.tenantKey !== null) tenantMap.resolve(item.record.tenantKey);
      }
    }

    // The snapshot file is opened before anything is fetched or written: a folder that cannot be written, or a file
    // already there, stops the run at once, not after the import.
    let exportFile: string | null = null;
    if (options.saveExportDir) {
      // Shards started together into one folder each save their own file.
      const shardPart = options.shard ? `-shard-${options.shard.index}-of-${options.shard.count}` : '';
      exportFile = path.join(options.saveExportDir, `${source.name}-${account.replace(/[^A-Za-z0-9._-]+/g, '_')}${shardPart}-${fileTimestamp(startedAt)}.jsonl`);
      exportStream = openSnapshotFile(options.saveExportDir, exportFile);
      exportStream.write(snapshotHeaderLine({ source: source.name, account, saved_at: new Date(startedAt).toISOString() }));
    }
    const opened = await openTarget(options.target, { dryRun });
    target = opened;
    const migration = await withSchemaLock(opened, () => prepareTarget(opened, options, dryRun));
    const bookkeeping = new ImportBookkeeping(opened, source.name, account, (userId) => ownsUser(shard, userId));
    const hasBookkeeping = !dryRun || (await bookkeeping.tablesExist());
    const writer = new OpenMemoryWriter(opened, embedder.config.segmentSize);
    await refuseMismatchedRows(opened, writer, embedder.config);

    const fresh = options.fresh ?? false;
    const userMap = Object.fromEntries(tenantMap.sourceUsers.map((tenant) => [tenant, tenantMap.resolve(tenant)]));
    const scope = canonicalJson({ ...source.scope, userMap, unmapped: tenantMap.unmapped, ...(shard ? { shard: shardName(shard) } : {}) });
    let run: RunState | null = null;
    let lastCompletedStart: number | null = null;
    let fullFetchReason: string | null = null;
    if (!dryRun) {
      // One run per shard of this target at a time; the claim goes with the run (or with its process, if killed).
      releaseRunLock = await acquireRunLock(opened, { targetKey: targetKey(opened), shard, source: source.name, account, now: startedAt });
      await withSchemaLock(opened, () => bookkeeping.ensureTables());
      if (source.aliasesOfImported) {
        const aliasesOfImported = source.aliasesOfImported.bind(source);
        await bookkeeping.backfillAliases(opened.dialect.qualified(opened.dialect.tables.memories), aliasesOfImported, startedAt);
      }
      run = await bookkeeping.startRun(startedAt, fresh, scope);
      ({ lastCompletedStart, fullFetchReason } = run);
    } else if (hasBookkeeping) {
      ({ lastCompletedStart, fullFetchReason } = await bookkeeping.previousRuns(fresh, scope));
    }
    const runStart = run?.startedAt ?? startedAt;
    // What is gone at the source shows only in a full listing: --prune reads everything, whatever ran before.
    const pruneReadsAll = options.prune === true && source.listsWholePartitions === true && source.filtersByUpdateTime && lastCompletedStart !== null;
    if (pruneReadsAll) fullFetchReason ??= '--prune: everything is read, to find what is gone at the source';
    const updatedSince = source.filtersByUpdateTime && lastCompletedStart !== null && !pruneReadsAll ? lastCompletedStart - incrementalOverlapMs : null;

    // Progress: partitions an interrupted run finished are done already (not read again), the others announce.
    const resumedPast = (partition: Partition): boolean => !!run?.resumed && run.finishedPartitions.has(partition.key);
    const fetching = {
      partitionsDone: partitions.filter(resumedPast).length,
      partitions: partitions.length,
      records: 0,
      ...announcedRecords(partitions.filter((partition) => !resumedPast(partition)), updatedSince !== null),
    };
    const reportFetching = (): void => options.onProgress?.({ type: 'fetching', ...fetching });
    reportFetching();
    let written = 0;

    const tally = new TenantTally();
    const seenRecords = new SeenRecords();
    const warnings: string[] = [];
    let writeChain: Promise<unknown> = Promise.resolve();
    const serialWrite = <T>(work: () => Promise<T>): Promise<T> => {
      const result = writeChain.then(() => {
        options.signal?.throwIfAborted(); // a write begun is finished; none begins after an interrupt
        return work();
      });
      writeChain = result.catch(() => undefined);
      return result;
    };

    /**
     * One batch: what the bookkeeping knows of its records, the rows of those that changed (on the row pool's
     * threads), then one write transaction. The write waits for `previousWrite` (the partition's batch before this
     * one), so batches are written in the order they were read whatever finishes first — new memories get their
     * segments in that order — and nothing is written after an earlier batch failed.
     */
    /**
     * Per partition, the other accounts its records were last listed under: this run found them there, so those are
     * earlier names of this account, and what of theirs the partition no longer has is gone at the source too.
     */
    const earlierAccounts = new Map<string, Set<string>>();
    const noteEarlierAccount = (partitionKey: string, earlier: string): void => {
      let accounts = earlierAccounts.get(partitionKey);
      if (!accounts) earlierAccounts.set(partitionKey, (accounts = new Set()));
      accounts.add(earlier);
    };

    const processBatch = async (batch: PendingItem[], partition: Partition, previousWrite: Promise<void>): Promise<void> => {
      if (batch.length === 0) return previousWrite;
      const partitionKey = partition.key;
      const known = hasBookkeeping ? await knownRecordsOf(bookkeeping, batch, partitionKey) : new Map<string, ListedRecord>();
      // An export file names no owners up front: an id it shares with a record of another owner is another account's.
      const fromFile = partition.tenantKey === null;
      const storedTexts = await storedTextsToCompare(writer, batch, known, fromFile);
      const changed: { item: PendingItem; previous: ListedRecord | undefined; input: MemoryInput }[] = [];
      /**
       * Unchanged records whose bookkeeping row is brought up to date: a new fingerprint (same content), a new id, or
       * a new name of the account (Supermemory's org, once its v3 session route is gone, is named by its host).
       */
      const refreshed: { item: PendingItem; previous: ListedRecord }[] = [];
      for (const item of batch) {
        const previous = known.get(item.record.sourceId);
        if (previous && fromFile && isAnotherAccountsRecord(item, previous, storedTexts)) {
          tally.skip(
            item.tenant.tenant,
            item.record.sourceId,
            `id ${item.record.sourceId} was imported before from ${previous.partitionKey} under user ${previous.userId} with other text: another account's record with the same id, not overwritten`,
            'id-conflict',
          );
          continue;
        }
        const renamedAccount = previous !== undefined && previous.account !== account && previous.partitionKey === partitionKey;
        if (renamedAccount) noteEarlierAccount(partitionKey, previous.account);
        if (previous && (previous.fingerprint === item.recordFingerprint || sameContentAsStored(item, previous, storedTexts))) {
          item.tenant.unchanged++;
          const moved = previous.fingerprint !== item.recordFingerprint || previous.recordId !== item.record.sourceId || renamedAccount;
          if (moved) refreshed.push({ item, previous });
          continue;
        }
        if (previous) item.tenant.updated++;
        else item.tenant.created++;
        changed.push({ item, previous, input: memoryInput(item, source.name, account, previous?.memoryId ?? null, runStart, embedder.config) });
      }
      if ((changed.length === 0 && refreshed.length === 0) || dryRun) return previousWrite;
      const rows = changed.length > 0 ? await rowPool.buildMemoryRows(changed.map((entry) => entry.input)) : [];
      await previousWrite;
      if (failure) return; // another partition failed: the run writes nothing more
      await serialWrite(() =>
        opened.executor.transaction(async () => {
          const writtenAt = now();
          // Records found by an alias are known by the id they came with from now on.
          await bookkeeping.renameRecords(
            [...changed, ...refreshed].flatMap(({ item, previous }) =>
              previous && previous.recordId !== item.record.sourceId ? [{ from: previous.recordId, to: item.record.sourceId }] : [],
            ),
          );
          // An updated memory's place in its user's history before this write: a time that moved later leaves the
          // memories after its old place pointing at it, so they are rebuilt from there.
          const placesBefore = await writer.createdAtOf(changed.flatMap((entry) => (entry.previous ? [entry.previous.memoryId] : [])));
          if (changed.length > 0) {
            await writer.writeMemories(
              changed.map((entry, i) => ({ rows: rows[i]!, isNew: !entry.previous })),
              embedder.modelName,
              writtenAt,
            );
          }
          await bookkeeping.recordImported(
            [
              ...changed.map((entry, i) => ({ item: entry.item, memoryId: rows[i]!.id })),
              ...refreshed.map((entry) => ({ item: entry.item, memoryId: entry.previous.memoryId })),
            ].map(({ item, memoryId }) => ({
              recordId: item.record.sourceId,
              memoryId,
              userId: item.userId,
              fingerprint: item.recordFingerprint,
              partitionKey,
              aliases: item.record.aliases,
            })),
            writtenAt,
          );
          // The memory's user, and the one it moved away from, need their waypoints and summary rebuilt.
          await bookkeeping.markUsersPending(
            changed.flatMap((entry, i) => {
              const before = entry.previous ? placesBefore.get(entry.previous.memoryId) : undefined;
              const since = Math.min(rows[i]!.createdAt, before ?? rows[i]!.createdAt);
              const owner = { userId: entry.item.userId, since };
              const previousOwner = entry.previous && entry.previous.userId !== entry.item.userId ? [{ userId: entry.previous.userId, since }] : [];
              return [owner, ...previousOwner];
            }),
          );
        }),
      );
      written += changed.length;
      if (changed.length > 0) options.onProgress?.({ type: 'writing', memories: written });
    };

    const batchSize = options.batchSize ?? 1000;
    // The first failure stops every partition at its next record, so nothing writes after the run has failed.
    let failure: { error: unknown } | null = null;
    const detectsGone = source.listsWholePartitions === true && updatedSince === null && hasBookkeeping;
    const gone: ImportReport['goneAtSource'] = { memories: 0, prune: options.prune === true, removed: options.prune === true && !dryRun, byUser: {}, usersRemoved: [], records: [] };
    /** Memories om-import made of records the partition no longer has: counted, and with --prune removed. */
    const handleGone = async (partition: Partition, present: RecordIdSet): Promise<void> => {
      const unlisted = (await bookkeeping.recordsOfPartition(partition.key, [...(earlierAccounts.get(partition.key) ?? [])])).filter(
        (record) => !present.has(record.recordId) && ownsUser(shard, record.userId),
      );
      // A record still listed under another of its ids (a document skipped while it is processed again) is not gone.
      const aliases = unlisted.length > 0 ? await bookkeeping.aliasesOf(unlisted.map((record) => record.recordId)) : new Map<string, string[]>();
      const missing = unlisted.filter((record) => !(aliases.get(record.recordId) ?? []).some((alias) => present.has(alias)));
      if (missing.length === 0) return;
      gone.memories += missing.length;
      for (const record of missing) {
        gone.byUser[record.userId] = (gone.byUser[record.userId] ?? 0) + 1;
        gone.records.push({ userId: record.userId, recordId: record.recordId, memoryId: record.memoryId });
      }
      if (!gone.removed) return;
      await serialWrite(() =>
        opened.executor.transaction(async () => {
          const removed = await removeMemories(opened, missing.map((record) => record.memoryId));
          await bookkeeping.forgetRecords(missing.map((record) => record.recordId));
          // A user left without memories (deleted at the source) goes, with the summary its source gave of it.
          const touched = [...new Set(removed.map((memory) => memory.userId))];
          const counts = await writer.memoryCounts(touched);
          const emptied = new Set(touched.filter((userId) => (counts.get(userId) ?? 0) === 0));
          await writer.removeUsers([...emptied]);
          for (const userId of emptied) await bookkeeping.forgetUser(userId);
          gone.usersRemoved.push(...emptied);
          // The other users' waypoints from the first removed memory on, and their summaries, are rebuilt.
          await bookkeeping.markUsersPending(removed.filter((memory) => !emptied.has(memory.userId)).map((memory) => ({ userId: memory.userId, since: memory.createdAt })));
        }),
      );
    };

    const processPartition = async (partition: Partition): Promise<void> => {
      if ((run?.finishedPartitions.has(partition.key) && run.resumed) || failure) return;
      let batch: PendingItem[] = [];
      // Reading goes on while the batches read before are looked up, built and written, `batchesAhead` at most, so
      // that the row threads and the database both have work while this thread parses. Each batch is written once
      // it and every batch before it are.
      const inFlight: Promise<void>[] = [];
      const startBatch = (): void => {
        const started = processBatch(batch, partition, inFlight.at(-1) ?? Promise.resolve());
        started.catch(() => undefined); // its failure is answered where it is awaited
        inFlight.push(started);
        batch = [];
      };
      // The records this partition still has (imported, unchanged, or skipped for a passing reason), when this run
      // can tell what is gone: a whole partition of a source that lists everything, read in full.
      const present = detectsGone ? new RecordIdSet() : null;
      /** Why this partition's listing may have missed records (a warning of its source): then nothing of it is gone. */
      let incomplete: string | null = null;
      try {
        for await (const item of source.items(partition, { updatedSince })) {
          if (failure) return;
          options.signal?.throwIfAborted();
          if (item.type === 'memory' || item.type === 'skipped') {
            fetching.records++;
            if (fetching.records % fetchingReportEvery === 0) reportFetching();
          }
          if (item.type === 'memory') for (const id of [item.record.sourceId, ...(item.record.aliases ?? [])]) present?.add(id);
          if (item.type === 'skipped' && !item.skipped.gone && item.skipped.sourceId !== null) {
            for (const id of [item.skipped.sourceId, ...(item.skipped.aliases ?? [])]) present?.add(id);
          }
          if (item.type !== 'warning' && item.raw !== undefined && exportStream) writeSnapshotLine(exportStream, item.raw);
          const handled = handleItem(item, tenantMap, tally, seenRecords, embedder.config, shard);
          if (item.type === 'warning' && !item.warning.notice) incomplete ??= item.warning.message;
          if (handled?.kind === 'warning') warnings.push(handled.message);
          if (handled?.kind === 'summary' && !dryRun) {
            // Kept at once, not at the end of the run: a resumed run skips this partition but must still write it.
            const { tenantKey, userId, summary } = handled;
            await serialWrite(() => bookkeeping.storeSourceSummary(tenantKey, userId, summary, now()));
          }
          if (handled?.kind !== 'record') continue;
          batch.push(handled.pending);
          if (batch.length >= batchSize) {
            if (inFlight.length >= batchesAhead) await inFlight.shift();
            startBatch();
          }
        }
        startBatch();
        await inFlight.at(-1);
      } finally {
        // Whatever ends the partition, nothing of it is still writing when it returns (the target closes after).
        await inFlight.at(-1)?.catch(() => undefined);
      }
      if (present && incomplete === null) await handleGone(partition, present);
      else if (present && options.prune) warnings.push(`${partition.key}: not checked for records gone at the source, as its listing did not end normally (see the warning above); nothing of it was pruned`);
      if (!dryRun && run) await serialWrite(() => bookkeeping.finishPartition(run.runId, partition.key, now()));
      fetching.partitionsDone++;
      reportFetching();
    };

    const limit = pLimit(Math.max(1, options.concurrency ?? 4));
    await Promise.all(
      partitions.map((partition) =>
        limit(() =>
          processPartition(partition).catch((error: unknown) => {
            failure ??= { error };
          }),
        ),
      ),
    );
    if (failure) throw (failure as { error: unknown }).error;
    // A partition an earlier run imported that the source no longer lists at all (a user deleted at the source).
    if (detectsGone && source.coversPartition) {
      const listed = new Set(partitions.map((partition) => partition.key));
      for (const key of await bookkeeping.partitionKeys()) {
        if (!listed.has(key) && source.coversPartition(key)) await handleGone({ key, tenantKey: null }, new RecordIdSet());
      }
    }

    // A user this run wrote into that another source's import already holds: their memories now mix (by design of
    // the map); the summary is the source summary first by source name, else OpenMemory's generated one.
    if (hasBookkeeping) {
      const written = tally.list().flatMap((tenant) => (tenant.userId !== null && tenant.created + tenant.updated + tenant.unchanged > 0 ? [tenant.userId] : []));
      for (const [userId, sources] of await bookkeeping.otherSourcesOf(written)) {
        warnings.push(`user_id ${userId} also holds memories imported from ${sources.join(', ')}: they are now one OpenMemory user (map one side elsewhere with --user-map if they are different people)`);
      }
    }

    let users: UserReport[] = [];
    options.signal?.throwIfAborted();
    if (!dryRun && run) {
      users = await finalizeUsers(
        bookkeeping,
        writer,
        runStart,
        (usersDone, total) => options.onProgress?.({ type: 'finalizing', users: total, usersDone }),
        rowPool,
      );
      await bookkeeping.finishRun(run.runId, now());
    }

    const tenants = tally.list();
    const totals = { fetched: 0, created: 0, updated: 0, unchanged: 0, skipped: 0 };
    for (const tenant of tenants) {
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += tenant[key];
    }
    return {
      source: source.name,
      account,
      api: source.describeApi?.() ?? null,
      target: opened.description,
      openMemory: openMemoryRows(embedder.config),
      dryRun,
      runId: dryRun ? null : (run?.runId ?? null),
      resumed: !dryRun && !!run?.resumed,
      incrementalSince: updatedSince !== null ? new Date(updatedSince).toISOString() : null,
      fullFetchReason: source.filtersByUpdateTime ? fullFetchReason : null,
      migration,
      tenants,
      users,
      totals,
      goneAtSource: gone,
      warnings,
      http: null,
      exportFile,
      durationMs: now() - startedAt,
    };
  } finally {
    if (exportStream) await new Promise<void>((resolve) => exportStream!.end(resolve));
    await releaseRunLock?.().catch(() => undefined);
    await target?.close();
    await rowPool.close();
    await embedderHandle.close();
  }
}

/**
 * What the bookkeeping knows of a batch's records: by their ids, else (a record that comes with aliases) by the
 * first of its names a record of the same partition is known by — each earlier record taken over by one record at
 * most.
 */
async function knownRecordsOf(bookkeeping: ImportBookkeeping, batch: readonly PendingItem[], partitionKey: string): Promise<Map<string, ListedRecord>> {
  const known = await bookkeeping.knownRecords(batch.map((item) => item.record.sourceId));
  const unknown = batch.filter((item) => !known.has(item.record.sourceId) && item.record.aliases !== undefined);
  if (unknown.length === 0) return known;
  // Its own id too: an earlier record may have kept it as one of its aliases.
  const namesOf = (item: PendingItem): string[] => [item.record.sourceId, ...(item.record.aliases ?? [])];
  const byAlias = await bookkeeping.knownByAlias(partitionKey, unknown.flatMap(namesOf));
  const taken = new Set([...known.values()].map((record) => record.recordId));
  for (const item of unknown) {
    const found = namesOf(item).map((alias) => byAlias.get(alias)).find((record) => record !== undefined && !taken.has(record.recordId));
    if (!found) continue;
    known.set(item.record.sourceId, found);
    taken.add(found.recordId);
  }
  return known;
}

/** The stored texts of the memories whose records compare by content and changed their fingerprint (see `sameContentAsStored`). */
async function storedTextsToCompare(
  writer: OpenMemoryWriter,
  batch: readonly PendingItem[],
  known: ReadonlyMap<string, ListedRecord>,
  fromFile: boolean,
): Promise<Map<string, StoredText>> {
  const memoryIds = batch.flatMap((item) => {
    const previous = known.get(item.record.sourceId);
    if (!previous || previous.fingerprint === item.recordFingerprint) return [];
    const sameOwner = previous.userId === item.userId;
    return (item.record.comparedByContent && sameOwner) || (fromFile && !sameOwner) ? [previous.memoryId] : [];
  });
  return memoryIds.length > 0 ? writer.storedTexts(memoryIds) : new Map();
}

/**
 * A record of an export file whose id an earlier run imported under another user and with other text: two
 * accounts' exports whose tools number records alike (`1, 2, …`), whatever their files are named. Another owner
 * with the same text is the same record mapped anew (another --user-map); the same owner with other text, the same
 * record changed.
 */
function isAnotherAccountsRecord(item: PendingItem, previous: ListedRecord, storedTexts: ReadonlyMap<string, StoredText>): boolean {
  if (previous.userId === item.userId) return false;
  const stored = storedTexts.get(previous.memoryId);
  return stored !== undefined && normalizedWhitespace(stored.content) !== normalizedWhitespace(item.record.content);
}

/**
 * A record that compares by content (`MemoryRecord.comparedByContent`) is the memory as stored when it has the same
 * user, the same text once whitespace runs are made one space, and no later source update time.
 */
function sameContentAsStored(item: PendingItem, previous: ListedRecord, storedTexts: ReadonlyMap<string, StoredText>): boolean {
  const stored = storedTexts.get(previous.memoryId);
  if (!item.record.comparedByContent || previous.userId !== item.userId || !stored) return false;
  if (normalizedWhitespace(stored.content) !== normalizedWhitespace(item.record.content)) return false;
  return item.record.updatedAt === null || stored.updatedAt === null || item.record.updatedAt <= stored.updatedAt;
}

function normalizedWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** What partitions announced of their records, for progress; nothing for an incremental run, which reads only changes. */
function announcedRecords(partitions: readonly Partition[], incremental: boolean): { expectedRecords: number | null; expectedRecordsPartial: boolean } {
  const announced = incremental ? [] : partitions.flatMap((partition) => (partition.expectedRecords !== undefined ? [partition.expectedRecords] : []));
  return {
    expectedRecords: announced.length > 0 ? announced.reduce((sum, count) => sum + count, 0) : null,
    expectedRecordsPartial: announced.length < partitions.length,
  };
}

/** One line of the `--save-export` snapshot; a record nested too deeply to write as JSON is left out (it is skipped too). */
function writeSnapshotLine(stream: WriteStream, raw: unknown): void {
  let line: string;
  try {
    line = JSON.stringify(raw);
  } catch (error) {
    if (error instanceof RangeError) return;
    throw error;
  }
  stream.write(`${line}\n`);
}

/**
 * Creates the `--save-export` file, readable by its owner only (it holds every user's memories), and never over an
 * existing one; a folder that cannot be made or written is a usage error naming it.
 */
function openSnapshotFile(folder: string, file: string): WriteStream {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new UsageError(`--save-export ${folder}: cannot create the folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); name a folder you can write`);
  }
  let descriptor: number;
  try {
    descriptor = openSync(file, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`--save-export: ${file} already exists; om-import never overwrites a snapshot — move it, or name another folder`);
    throw new UsageError(`--save-export ${folder}: cannot write there (${code ?? (error as Error).message}); name a folder you can write`);
  }
  return createWriteStream(file, { fd: descriptor, encoding: 'utf8' });
}
