// Memories om-import made of records the source no longer has: found only where a whole partition was read in full
// (or the source's whole listing no longer has the partition at all), counted, and with --prune removed.
import type { Partition } from '../records.js';
import type { KnownRecord } from '../database/import-bookkeeping.js';
import { removeMemories } from '../database/memory-removal.js';
import type { ImportRun } from './import-run.js';
import { RecordIdSet } from './record-id-set.js';
import type { ImportReport } from './report.js';
import { ownsUser } from './shard.js';

export class GoneAtSource {
  readonly report: ImportReport['goneAtSource'];
  /** This run can tell what is gone: a source that lists whole partitions, read in full, into a database with om-import's tables. */
  readonly detects: boolean;

  constructor(private readonly run: ImportRun) {
    const prune = run.options.prune === true;
    this.report = { memories: 0, prune, removed: prune && !run.dryRun, byUser: {}, usersRemoved: [], records: [] };
    this.detects = run.source.listsWholePartitions === true && run.updatedSince === null && run.hasBookkeeping;
  }

  /** What an earlier run imported from a partition read in full that is not among the records it has now (`present`). */
  async checkPartition(partition: Partition, present: RecordIdSet): Promise<void> {
    const { bookkeeping, shard } = this.run;
    const unlisted: KnownRecord[] = [];
    for await (const page of bookkeeping.recordsOfPartition(partition.key, [...(this.run.earlierAccounts.get(partition.key) ?? [])])) {
      unlisted.push(...page.filter((record) => !present.has(record.recordId) && ownsUser(shard, record.userId)));
    }
    // A record still listed under another of its ids (a document skipped while it is processed again) is not gone.
    const aliases = unlisted.length > 0 ? await bookkeeping.aliasesOf(unlisted.map((record) => record.recordId)) : new Map<string, string[]>();
    const missing = unlisted.filter((record) => !(aliases.get(record.recordId) ?? []).some((alias) => present.has(alias)));
    if (missing.length === 0) return;
    this.report.memories += missing.length;
    for (const record of missing) {
      this.report.byUser[record.userId] = (this.report.byUser[record.userId] ?? 0) + 1;
      this.report.records.push({ userId: record.userId, recordId: record.recordId, memoryId: record.memoryId });
    }
    if (this.report.removed) await this.remove(missing);
  }

  /** Partitions an earlier run imported that the source's whole listing no longer has (a user deleted at the source). */
  async checkUnlistedPartitions(listedPartitions: readonly Partition[]): Promise<void> {
    const { source, bookkeeping } = this.run;
    if (!this.detects || !source.coversPartition) return;
    const listed = new Set(listedPartitions.map((partition) => partition.key));
    for (const key of await bookkeeping.partitionKeys()) {
      if (listed.has(key)) continue;
      const coverage = await source.coversPartition(key);
      if (coverage === true) await this.checkPartition({ key, tenantKey: null }, new RecordIdSet());
      else if (coverage !== false) this.run.warnings.push(`${key}: not listed by the source this time, but not known to be gone (${coverage.unknown}): nothing of it was counted as gone${this.report.prune ? ' or pruned' : ''}`);
    }
  }

  /** Removes the memories in one transaction; a user left without any goes too, with the summary its source gave. */
  private async remove(missing: readonly { recordId: string; memoryId: string }[]): Promise<void> {
    const { target, bookkeeping, writer } = this.run;
    await this.run.writes.write(() =>
      target.executor.transaction(async () => {
        const removed = await removeMemories(target, missing.map((record) => record.memoryId));
        await bookkeeping.forgetRecords(missing.map((record) => record.recordId));
        const touched = [...new Set(removed.map((memory) => memory.userId))];
        const counts = await writer.memoryCounts(touched);
        const emptied = new Set(touched.filter((userId) => (counts.get(userId) ?? 0) === 0));
        await writer.removeUsers([...emptied]);
        for (const userId of emptied) await bookkeeping.forgetUser(userId);
        this.report.usersRemoved.push(...emptied);
        // The other users' waypoints from the first removed memory on, and their summaries, are rebuilt.
        await bookkeeping.markUsersPending(removed.filter((memory) => !emptied.has(memory.userId)).map((memory) => ({ userId: memory.userId, since: memory.createdAt })));
      }),
    );
  }
}
