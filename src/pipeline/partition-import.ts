// One partition of the source (a user, a tag, an export file) read and written: its records in batches, what it
// no longer has, and its checkpoint.
import type { Partition } from '../records.js';
import { writeBatch } from './batch-write.js';
import type { GoneAtSource } from './gone-at-source.js';
import type { ImportRun } from './import-run.js';
import { RecordIdSet } from './record-id-set.js';
import { handleItem, TenantTally, type PendingItem } from './record-intake.js';

/** Batches of a partition being looked up, built or written while the next one is read. */
const batchesAhead = 3;

/**
 * Reads the partition and writes its records. Reading goes on while the batches read before are looked up, built
 * and written, `batchesAhead` at most, so that the row threads and the database both have work while this thread
 * parses; each batch is written once it and every batch before it are. A partition the interrupted run resumed had
 * finished is not read again.
 */
export async function importPartition(run: ImportRun, partition: Partition, gone: GoneAtSource): Promise<void> {
  if ((run.run?.finishedPartitions.has(partition.key) && run.run.resumed) || run.writes.failed) return;
  const { options, dryRun } = run;
  // This partition's counts: the run's once the partition is done, and kept with its checkpoint for a resumed run.
  const tally = new TenantTally();
  let batch: PendingItem[] = [];
  const inFlight: Promise<void>[] = [];
  const startBatch = (): void => {
    const started = writeBatch(run, batch, partition, tally, inFlight.at(-1) ?? Promise.resolve());
    started.catch(() => undefined); // its failure is answered where it is awaited
    inFlight.push(started);
    batch = [];
  };
  // The records this partition still has (imported, unchanged, or skipped for a passing reason), when this run
  // can tell what is gone: a whole partition of a source that lists everything, read in full.
  const present = gone.detects ? new RecordIdSet() : null;
  /** Why this partition's listing may have missed records (a warning of its source): then nothing of it is gone. */
  let incomplete: string | null = null;
  try {
    for await (const item of run.source.items(partition, { updatedSince: run.updatedSince })) {
      if (run.writes.failed) return;
      options.signal?.throwIfAborted();
      if (item.type === 'memory' || item.type === 'skipped') run.progress.recordRead();
      if (item.type === 'memory') for (const id of [item.record.sourceId, ...(item.record.aliases ?? [])]) present?.add(id);
      if (item.type === 'skipped' && !item.skipped.gone && item.skipped.sourceId !== null) {
        for (const id of [item.skipped.sourceId, ...(item.skipped.aliases ?? [])]) present?.add(id);
      }
      if (item.type !== 'warning' && item.raw !== undefined) run.snapshot?.write(item.raw);
      const handled = handleItem(item, run.tenantMap, tally, run.seenRecords, run.embedder.config, run.shard);
      if (item.type === 'warning' && !item.warning.notice) incomplete ??= item.warning.message;
      if (handled?.kind === 'warning') run.warnings.push(handled.message);
      if (handled?.kind === 'summary' && !dryRun) {
        // Kept at once, not at the end of the run: a resumed run skips this partition but must still write it.
        const { tenantKey, userId, summary } = handled;
        await run.writes.write(() => run.bookkeeping.storeSourceSummary(tenantKey, userId, summary, run.now()));
      }
      if (handled?.kind !== 'record') continue;
      batch.push(handled.pending);
      if (batch.length >= (options.batchSize ?? 1000)) {
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
  if (present && incomplete === null) await gone.checkPartition(partition, present);
  else if (present && options.prune) {
    run.warnings.push(`${partition.key}: not checked for records gone at the source, as its listing did not end normally (see the warning above); nothing of it was pruned`);
  }
  run.tally.add(tally.list());
  const { run: state } = run;
  if (!dryRun && state) await run.writes.write(() => run.bookkeeping.finishPartition(state.runId, partition.key, run.now(), tally.toJson()));
  run.progress.partitionDone();
}
