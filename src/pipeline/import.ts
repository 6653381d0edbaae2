// The pipeline: fetch → map tenants → build OpenMemory rows → write → checkpoint, then waypoints and summaries
// per user. `importFrom` is the programmatic API; the CLI is a thin shell over it.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';
import { TargetError } from '../errors.js';
import { createEmbedder } from '../embeddings/index.js';
import type { MemoryEmbedder } from '../openmemory/embedder.js';
import { embeddingConfigFromEnv, storedDimension, type EmbeddingConfig } from '../openmemory/embedding-config.js';
import { essence } from '../openmemory/essence.js';
import { buildMemoryRows, type MemoryInput } from '../openmemory/memory-rows.js';
import type { MemoryRecord, Partition, Source, SourceItem } from '../records.js';
import { ImportBookkeeping, type KnownRecord, type RunState } from '../target/import-bookkeeping.js';
import { openTarget, type TargetConfig } from '../target/open-target.js';
import { OpenMemoryWriter } from '../target/openmemory-writer.js';
import type { Target } from '../target/target.js';
import { fingerprint, memoryId } from './memory-identity.js';
import { finalizeUsers } from './finalize-users.js';
import type { ImportReport, TenantReport, UserReport } from './report.js';
import { snapshotHeaderLine } from './snapshot.js';
import { TenantMap } from './tenant-map.js';

export type ProgressEvent =
  | { type: 'partition'; partition: string; fetched: number }
  | { type: 'finalizing'; users: number }
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
  dryRun?: boolean;
  /** Ignore checkpoints: no resume, no incremental filter. */
  fresh?: boolean;
  /** Partitions (source users) fetched at once. */
  concurrency?: number;
  /** Records per write transaction. */
  batchSize?: number;
  /** Folder where the fetched wire records are saved as JSONL. */
  saveExportDir?: string;
  onProgress?: (event: ProgressEvent) => void;
  now?: () => number;
}

interface PendingItem {
  record: MemoryRecord;
  userId: string;
  recordFingerprint: string;
  tenant: TenantReport;
}

class TenantTally {
  private readonly tenants = new Map<string, TenantReport>();

  get(tenant: string, userId: string | null): TenantReport {
    let report = this.tenants.get(tenant);
    if (!report) {
      report = { tenant, userId, fetched: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, skippedReasons: [] };
      this.tenants.set(tenant, report);
    }
    if (report.userId === null && userId !== null) report.userId = userId;
    return report;
  }

  skip(tenant: string, sourceId: string | null, reason: string): void {
    const report = this.get(tenant, null);
    report.skipped++;
    report.skippedReasons.push({ sourceId, reason });
  }

  list(): TenantReport[] {
    return [...this.tenants.values()].sort((a, b) => a.tenant.localeCompare(b.tenant));
  }
}

const noTenant = '(none)';

/** Incremental runs ask for records updated since the last completed run started, less this much for clock skew
 *  between this machine and the source (records fetched twice are recognised as unchanged). */
const incrementalOverlapMs = 10 * 60_000;

export async function importFrom(options: ImportOptions): Promise<ImportReport> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const env = options.env ?? process.env;
  const embedderHandle = options.embedder
    ? { embedder: options.embedder, close: async () => undefined }
    : createEmbedder(embeddingConfigFromEnv(env), { concurrency: options.concurrency });
  const { embedder } = embedderHandle;
  const tenantMap = options.tenantMap ?? new TenantMap();
  const dryRun = options.dryRun ?? false;
  const { source } = options;

  let target: Target | null = null;
  let exportStream: WriteStream | null = null;
  try {
    const account = await source.account();
    const opened = await openTarget(options.target, { dryRun });
    target = opened;
    const migration = await prepareTarget(opened, options, dryRun);
    const bookkeeping = new ImportBookkeeping(opened, source.name, account);
    const hasBookkeeping = !dryRun || (await bookkeeping.tablesExist());
    const writer = new OpenMemoryWriter(opened, embedder.config.segmentSize);
    await refuseMixedDimensions(opened, writer, embedder.config);

    const fresh = options.fresh ?? false;
    let run: RunState | null = null;
    let lastCompletedStart: number | null = null;
    if (!dryRun) {
      await bookkeeping.ensureTables();
      run = await bookkeeping.startRun(startedAt, fresh);
      lastCompletedStart = run.lastCompletedStart;
    } else if (hasBookkeeping) {
      lastCompletedStart = (await bookkeeping.previousRuns(fresh)).lastCompletedStart;
    }
    const runStart = run?.startedAt ?? startedAt;
    const updatedSince = source.filtersByUpdateTime && lastCompletedStart !== null ? lastCompletedStart - incrementalOverlapMs : null;

    let exportFile: string | null = null;
    if (options.saveExportDir) {
      mkdirSync(options.saveExportDir, { recursive: true });
      const stamp = new Date(startedAt).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
      exportFile = path.join(options.saveExportDir, `${source.name}-${account.replace(/[^A-Za-z0-9._-]+/g, '_')}-${stamp}.jsonl`);
      exportStream = createWriteStream(exportFile, { encoding: 'utf8' });
      exportStream.write(snapshotHeaderLine({ source: source.name, account, saved_at: new Date(startedAt).toISOString() }));
    }

    // All partitions are listed first, so `--unmapped fail` stops before anything is written; partitions that do not
    // know their tenants up front (an export file) are read once more just to check.
    const partitions: Partition[] = [];
    for await (const partition of source.partitions()) {
      if (partition.tenantKey !== null) tenantMap.resolve(partition.tenantKey);
      partitions.push(partition);
    }
    if (tenantMap.unmapped === 'fail') {
      for (const partition of partitions.filter((p) => p.tenantKey === null)) {
        for await (const item of source.items(partition, { updatedSince })) {
          if (item.type === 'memory' && item.record.tenantKey !== null) tenantMap.resolve(item.record.tenantKey);
        }
      }
    }

    const tally = new TenantTally();
    const seenRecords = new Set<string>();
    const sourceSummaries = new Map<string, string>();
    let writeChain: Promise<unknown> = Promise.resolve();
    const serialWrite = <T>(work: () => Promise<T>): Promise<T> => {
      const result = writeChain.then(work);
      writeChain = result.catch(() => undefined);
      return result;
    };

    const processBatch = async (batch: PendingItem[]): Promise<void> => {
      if (batch.length === 0) return;
      const known = hasBookkeeping ? await bookkeeping.knownRecords(batch.map((item) => item.record.sourceId)) : new Map<string, KnownRecord>();
      const changed: { item: PendingItem; previous: KnownRecord | undefined; input: MemoryInput }[] = [];
      for (const item of batch) {
        const previous = known.get(item.record.sourceId);
        if (previous && previous.fingerprint === item.recordFingerprint) {
          item.tenant.unchanged++;
          continue;
        }
        if (previous) item.tenant.updated++;
        else item.tenant.created++;
        changed.push({ item, previous, input: memoryInput(item, source.name, account, runStart, embedder.config) });
      }
      if (changed.length === 0 || dryRun) return;
      const rows = await buildMemoryRows(changed.map((entry) => entry.input), embedder);
      await serialWrite(() =>
        opened.executor.transaction(async () => {
          const writtenAt = now();
          await writer.writeMemories(
            changed.map((entry, i) => ({ rows: rows[i]!, isNew: !entry.previous })),
            embedder.modelName,
            writtenAt,
          );
          await bookkeeping.recordImported(
            changed.map((entry, i) => ({
              recordId: entry.item.record.sourceId,
              memoryId: rows[i]!.id,
              userId: entry.item.userId,
              fingerprint: entry.item.recordFingerprint,
            })),
            writtenAt,
          );
          // The memory's user, and the one it moved away from, need their waypoints and summary rebuilt.
          await bookkeeping.markUsersPending(
            changed.flatMap((entry, i) => {
              const since = rows[i]!.createdAt;
              const owner = { userId: entry.item.userId, since, sourceSummary: null };
              const previousOwner = entry.previous && entry.previous.userId !== entry.item.userId ? [{ userId: entry.previous.userId, since, sourceSummary: null }] : [];
              return [owner, ...previousOwner];
            }),
          );
        }),
      );
    };

    const batchSize = options.batchSize ?? 1000;
    // The first failure stops every partition at its next record, so nothing writes after the run has failed.
    let failure: { error: unknown } | null = null;
    const processPartition = async (partition: Partition): Promise<void> => {
      if ((run?.finishedPartitions.has(partition.key) && run.resumed) || failure) return;
      let batch: PendingItem[] = [];
      let fetched = 0;
      for await (const item of source.items(partition, { updatedSince })) {
        if (failure) return;
        if (item.type !== 'tenant') exportStream?.write(`${JSON.stringify(item.raw)}\n`);
        const handled = handleItem(item, tenantMap, tally, seenRecords, sourceSummaries, embedder.config);
        if (handled) batch.push(handled);
        fetched++;
        if (batch.length >= batchSize) {
          await processBatch(batch);
          batch = [];
          options.onProgress?.({ type: 'partition', partition: partition.key, fetched });
        }
      }
      await processBatch(batch);
      options.onProgress?.({ type: 'partition', partition: partition.key, fetched });
      if (!dryRun && run) await serialWrite(() => bookkeeping.finishPartition(run.runId, partition.key, now()));
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

    let users: UserReport[] = [];
    if (!dryRun && run) {
      await bookkeeping.markUsersPending(
        [...sourceSummaries].map(([userId, summary]) => ({ userId, since: Number.MAX_SAFE_INTEGER, sourceSummary: summary })),
      );
      users = await finalizeUsers(bookkeeping, writer, runStart, (count) => options.onProgress?.({ type: 'finalizing', users: count }));
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
      target: opened.description,
      dryRun,
      runId: dryRun ? null : (run?.runId ?? null),
      resumed: !dryRun && !!run?.resumed,
      incrementalSince: updatedSince !== null ? new Date(updatedSince).toISOString() : null,
      migration,
      tenants,
      users,
      totals,
      http: null,
      exportFile,
      durationMs: now() - startedAt,
    };
  } finally {
    if (exportStream) await new Promise<void>((resolve) => exportStream!.end(resolve));
    await target?.close();
    await embedderHandle.close();
  }
}

/** Migrates (or, in a dry run, plans) the target, or refuses a non-v1.2 one under `migrate: false`. */
async function prepareTarget(target: Target, options: ImportOptions, dryRun: boolean): Promise<ImportReport['migration']> {
  if (options.migrate === false) {
    await target.requireV12();
    return null;
  }
  const result = await target.migrate({ dryRun });
  if (result.steps.length === 0) return null;
  const migration = {
    from: result.before.name,
    to: dryRun ? 'v1.2 (planned)' : result.after.name,
    steps: result.steps.map((step) => step.description),
    backupPath: result.backupPath,
  };
  options.onProgress?.({ type: 'migrated', from: migration.from, to: migration.to, backupPath: migration.backupPath });
  return migration;
}

async function refuseMixedDimensions(target: Target, writer: OpenMemoryWriter, config: EmbeddingConfig): Promise<void> {
  const { facts } = await target.inspect();
  if (!facts.tables.has(target.dialect.tables.vectors)) return;
  const wanted = storedDimension(config);
  const stored = (await writer.storedDimensions()).filter((dimension) => dimension !== wanted);
  if (stored.length > 0) {
    throw new TargetError(
      `${target.description} already holds ${stored.join(', ')}-dimensional vectors, but OM_TIER=${config.tier} and OM_VEC_DIM give ${wanted}: OpenMemory cannot compare the two`,
      { hint: `set OM_VEC_DIM=${stored[0]} (and the OM_TIER your OpenMemory server uses) so the import matches` },
    );
  }
}

/** Sorts one fetched item into the report; answers the record to import, if any. */
function handleItem(
  item: SourceItem,
  tenantMap: TenantMap,
  tally: TenantTally,
  seenRecords: Set<string>,
  sourceSummaries: Map<string, string>,
  config: EmbeddingConfig,
): PendingItem | null {
  if (item.type === 'skipped') {
    tally.get(item.skipped.tenantKey ?? noTenant, null).fetched++;
    tally.skip(item.skipped.tenantKey ?? noTenant, item.skipped.sourceId, item.skipped.reason);
    return null;
  }
  if (item.type === 'tenant') {
    const resolution = tenantMap.resolve(item.tenant.tenantKey);
    if ('userId' in resolution && item.tenant.summary && !sourceSummaries.has(resolution.userId)) {
      sourceSummaries.set(resolution.userId, item.tenant.summary);
    }
    return null;
  }
  const { record } = item;
  if (seenRecords.has(record.sourceId)) return null; // listed again under another partition
  seenRecords.add(record.sourceId);
  const tenantKey = record.tenantKey ?? noTenant;
  const resolution = record.tenantKey !== null ? tenantMap.resolve(record.tenantKey) : { skip: 'the record has no user' };
  if ('skip' in resolution) {
    tally.get(tenantKey, null).fetched++;
    tally.skip(tenantKey, record.sourceId, resolution.skip);
    return null;
  }
  const tenant = tally.get(tenantKey, resolution.userId);
  tenant.fetched++;
  const recordFingerprint = fingerprint({
    userId: resolution.userId,
    record,
    embedding: { tier: config.tier, provider: config.provider, dimension: config.dimension, essence: config.useSummaryOnly ? config.summaryMaxLength : null },
  });
  return { record, userId: resolution.userId, recordFingerprint, tenant };
}

function memoryInput(item: PendingItem, sourceName: string, account: string, runStart: number, config: EmbeddingConfig): MemoryInput {
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
    ...(stored !== record.content ? { full_content: record.content } : {}),
  };
  return {
    id: memoryId(sourceName, account, record.sourceId),
    userId: item.userId,
    content: stored,
    sourceText: record.content,
    tags: record.tags,
    meta: { ...record.metadata, om_import: provenance },
    createdAt,
    updatedAt: record.updatedAt ?? createdAt,
  };
}
