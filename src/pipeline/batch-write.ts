// One batch of a partition's records: what the bookkeeping knows of them, the rows of those that changed (built on
// the row pool's threads), then one write transaction with their bookkeeping.
import type { MemoryInput } from '../openmemory/memory-rows.js';
import type { Partition } from '../records.js';
import type { ImportBookkeeping, ListedRecord } from '../database/import-bookkeeping.js';
import type { OpenMemoryWriter, StoredText } from '../database/openmemory-writer.js';
import type { ImportRun } from './import-run.js';
import { memoryInput, type PendingItem, type TenantTally } from './record-intake.js';

/**
 * Writes one batch, counting its records in `tally`. The write waits for `previousWrite` (the partition's batch
 * before this one), so batches are written in the order they were read whatever finishes first — new memories get
 * their segments in that order — and nothing is written after an earlier batch failed.
 */
export async function writeBatch(run: ImportRun, batch: readonly PendingItem[], partition: Partition, tally: TenantTally, previousWrite: Promise<void>): Promise<void> {
  if (batch.length === 0) return previousWrite;
  const { bookkeeping, writer, account, embedder } = run;
  const partitionKey = partition.key;
  const known = run.hasBookkeeping ? await knownRecordsOf(bookkeeping, batch, partitionKey) : new Map<string, ListedRecord>();
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
    if (renamedAccount) noteEarlierAccount(run, partitionKey, previous.account);
    if (previous && (previous.fingerprint === item.recordFingerprint || sameContentAsStored(item, previous, storedTexts))) {
      item.tenant.unchanged++;
      const moved = previous.fingerprint !== item.recordFingerprint || previous.recordId !== item.record.sourceId || renamedAccount;
      if (moved) refreshed.push({ item, previous });
      continue;
    }
    if (previous) item.tenant.updated++;
    else item.tenant.created++;
    changed.push({ item, previous, input: memoryInput(item, run.source.name, account, previous?.memoryId ?? null, run.runStart, embedder.config) });
  }
  if ((changed.length === 0 && refreshed.length === 0) || run.dryRun) return previousWrite;
  const rows = changed.length > 0 ? await run.rowPool.buildMemoryRows(changed.map((entry) => entry.input)) : [];
  await previousWrite;
  if (run.writes.failed) return; // another partition failed: the run writes nothing more
  await run.writes.write(() =>
    run.target.executor.transaction(async () => {
      const writtenAt = run.now();
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
  run.progress.memoriesWritten(changed.length);
}

function noteEarlierAccount(run: ImportRun, partitionKey: string, earlier: string): void {
  let accounts = run.earlierAccounts.get(partitionKey);
  if (!accounts) run.earlierAccounts.set(partitionKey, (accounts = new Set()));
  accounts.add(earlier);
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
