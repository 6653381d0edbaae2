// om-import's own tables in the target (prefix `om_import_`): what each source record became, which runs and
// partitions finished (for resume and incremental runs), which users still need waypoints and a summary, and the
// summaries sources gave of their users. Everything is kept per target — the set of OpenMemory tables written
// (`OM_PG_SCHEMA`, `OM_PG_TABLE`, `OM_VECTOR_TABLE`) — so that writing into other tables starts from nothing.
import { inClauseChunks, placeholderList, runForRows } from './multi-row.js';
import type { SqlValue } from './sql-executor.js';
import type { Target } from './target.js';
import type { ImportedProvenance } from '../records.js';
import { jsonObject, storedProvenance } from '../stored-json.js';

export interface KnownRecord {
  recordId: string;
  memoryId: string;
  userId: string;
  fingerprint: string;
}

/** A known record with where it was last listed: the partition, under which account. */
export interface ListedRecord extends KnownRecord {
  account: string;
  partitionKey: string;
}

/** A record as written: where it was listed (the partition, under this run's account), for telling what is gone. */
export interface ImportedRecord extends KnownRecord {
  partitionKey: string;
  /** Other ids the record is known by (see `MemoryRecord.aliases`), kept so that a later run can find it by them. */
  aliases?: readonly string[] | undefined;
}

/** A known record that takes the id `to` (a record found by an alias: it is known by its own id from then on). */
export interface RecordRename {
  from: string;
  to: string;
}

/**
 * What a run was asked to read and how its records were mapped (which users, the user map, include options), as
 * canonical JSON: runs of another scope neither resume nor build incrementally on each other.
 */
export type RunScope = string;

export interface RunState {
  runId: string;
  startedAt: number;
  /** The run was interrupted and is being resumed. */
  resumed: boolean;
  /** Partitions the resumed run already finished. */
  finishedPartitions: Set<string>;
  /** Start of the last completed run of the same scope, for incremental fetching. */
  lastCompletedStart: number | null;
  /** Why this run reads everything although an earlier run completed (its scope differed), if so. */
  fullFetchReason: string | null;
}

interface PreviousRuns {
  interrupted: Pick<RunState, 'runId' | 'startedAt' | 'resumed' | 'finishedPartitions'> | null;
  lastCompletedStart: number | null;
  fullFetchReason: string | null;
}

/** The key of a target: its OpenMemory tables as SQL names (on PostgreSQL, schema-qualified). */
export function targetKey(target: Target): string {
  const { qualified, tables } = target.dialect;
  return [tables.memories, tables.vectors, tables.waypoints, tables.users].map(qualified).join(' ');
}

export class ImportBookkeeping {
  private readonly records: string;
  private readonly runs: string;
  private readonly partitions: string;
  private readonly pendingUsers: string;
  private readonly sourceSummaries: string;
  private readonly aliases: string;
  private readonly aliasBackfills: string;
  private readonly target: string;

  constructor(
    private readonly database: Target,
    private readonly source: string,
    private readonly account: string,
    /** In a sharded run, the users this process finalizes (the others' pending users belong to other shards). */
    private readonly ownsUser: (userId: string) => boolean = () => true,
  ) {
    const { qualified } = database.dialect;
    this.records = qualified('om_import_records');
    this.runs = qualified('om_import_runs');
    this.partitions = qualified('om_import_partitions');
    this.pendingUsers = qualified('om_import_pending_users');
    this.sourceSummaries = qualified('om_import_source_summaries');
    this.aliases = qualified('om_import_record_aliases');
    this.aliasBackfills = qualified('om_import_alias_backfills');
    this.target = targetKey(database);
  }

  private get executor() {
    return this.database.executor;
  }

  /**
   * Creates the tables when missing (the same SQL serves both backends), and brings tables an earlier om-import
   * wrote to this layout: records keyed by (target, source, record id) — the account no longer decides identity —
   * and pending users per target. Earlier rows are kept, as belonging to this target; where one record was imported
   * under several accounts, the first import's memory stays its memory.
   */
  async ensureTables(): Promise<void> {
    const { facts } = await this.database.inspect();
    const columnsOf = (table: string): string[] => facts.tables.get(table)?.columns.map((column) => column.name) ?? [];
    await this.executor.transaction(async () => {
      const legacyRecords = facts.tables.has('om_import_records') && !columnsOf('om_import_records').includes('target');
      if (legacyRecords) await this.executor.run(`alter table ${this.records} rename to "om_import_records_before_targets"`);
      await this.executor.run(
        `create table if not exists ${this.records}(target text not null, source text not null, record_id text not null,
          memory_id text not null, user_id text not null, fingerprint text not null, account text not null, imported_at bigint not null,
          partition_key text not null default '', primary key(target, source, record_id))`,
      );
      if (legacyRecords) {
        const legacy = this.database.dialect.qualified('om_import_records_before_targets');
        await this.executor.run(
          `insert into ${this.records}(target, source, record_id, memory_id, user_id, fingerprint, account, imported_at)
           select ?, r.source, r.record_id, r.memory_id, r.user_id, r.fingerprint, r.account, r.imported_at from ${legacy} r
           where not exists (select 1 from ${legacy} o where o.source = r.source and o.record_id = r.record_id
             and (o.imported_at < r.imported_at or (o.imported_at = r.imported_at and o.memory_id < r.memory_id)))`,
          [this.target],
        );
        await this.executor.run(`drop table ${legacy}`); // its index goes with it
      }
      // Memory ids too, so that asking which of a page of a user's memories om-import imported reads only those.
      await this.executor.run(`drop index if exists ${this.database.dialect.qualified('om_import_records_target_user_idx')}`);
      await this.executor.run(
        `create index if not exists om_import_records_target_user_memory_idx on ${this.records}(target, user_id, memory_id)`,
      );
      await this.executor.run(
        `create index if not exists om_import_records_partition_record_idx on ${this.records}(target, source, account, partition_key, record_id)`,
      );
      // The index before it lacked record_id: a partition's records could not be read a page at a time in order.
      await this.executor.run(`drop index if exists ${this.database.dialect.qualified('om_import_records_partition_idx')}`);

      await this.executor.run(
        `create table if not exists ${this.runs}(source text not null, account text not null, run_id text not null,
          started_at bigint not null, finished_at bigint, target text not null default '', scope text not null default '{}',
          primary key(source, account, run_id))`,
      );
      const runColumns = columnsOf('om_import_runs');
      if (facts.tables.has('om_import_runs') && !runColumns.includes('target')) {
        await this.executor.run(`alter table ${this.runs} add column target text not null default ''`);
        await this.executor.run(`alter table ${this.runs} add column scope text not null default '{}'`);
      }
      await this.executor.run(
        `create table if not exists ${this.partitions}(source text not null, account text not null, run_id text not null,
          partition_key text not null, finished_at bigint not null, counts text, primary key(source, account, run_id, partition_key))`,
      );
      // What each finished partition counted (JSON), so that a resumed run reports the whole run's counts.
      if (facts.tables.has('om_import_partitions') && !columnsOf('om_import_partitions').includes('counts')) {
        await this.executor.run(`alter table ${this.partitions} add column counts text`);
      }

      const legacyPending = facts.tables.has('om_import_pending_users') && !columnsOf('om_import_pending_users').includes('target');
      if (legacyPending) await this.executor.run(`alter table ${this.pendingUsers} rename to "om_import_pending_users_before_targets"`);
      await this.executor.run(
        `create table if not exists ${this.pendingUsers}(target text not null, user_id text not null, since bigint not null,
          primary key(target, user_id))`,
      );
      if (legacyPending) {
        const legacy = this.database.dialect.qualified('om_import_pending_users_before_targets');
        await this.executor.run(`insert into ${this.pendingUsers}(target, user_id, since) select ?, user_id, since from ${legacy}`, [this.target]);
        await this.executor.run(`drop table ${legacy}`);
      }

      await this.executor.run(
        `create table if not exists ${this.sourceSummaries}(target text not null, source text not null, account text not null,
          tenant_key text not null, user_id text not null, summary text not null, fetched_at bigint not null,
          primary key(target, source, account, tenant_key))`,
      );
      await this.executor.run(`create index if not exists om_import_source_summaries_user_idx on ${this.sourceSummaries}(target, user_id)`);

      // Other ids a record is known by (a Supermemory v3 document's caller id, under which API v5 names it).
      await this.executor.run(
        `create table if not exists ${this.aliases}(target text not null, source text not null, alias text not null,
          record_id text not null, primary key(target, source, alias))`,
      );
      await this.executor.run(`create index if not exists om_import_record_aliases_record_idx on ${this.aliases}(target, source, record_id)`);
      // Which sources' earlier records had their aliases read back from their memories' provenance (once each).
      await this.executor.run(
        `create table if not exists ${this.aliasBackfills}(target text not null, source text not null, done_at bigint not null,
          primary key(target, source))`,
      );
    });
  }

  /**
   * Whether the tables exist in this layout (a dry run against a database that never saw om-import, or one an
   * earlier om-import wrote, reads nothing from them: it cannot bring them to this layout without writing).
   */
  async tablesExist(): Promise<boolean> {
    const { facts } = await this.database.inspect();
    return facts.tables.get('om_import_records')?.columns.some((column) => column.name === 'target') ?? false;
  }

  /**
   * Reads where the last runs of this source and account into this target stopped: an interrupted run of the same
   * scope to resume (unless `fresh`), and the start of the last completed run of the same scope (for incremental
   * fetching); when the last completed run had another scope, why everything is read again. Writes nothing.
   */
  async previousRuns(fresh: boolean, scope: RunScope): Promise<PreviousRuns> {
    const runs = await this.executor.all<{ run_id: string; started_at: number; finished_at: number | null; scope: string }>(
      `select run_id, started_at, finished_at, scope from ${this.runs} where source = ? and account = ? and target = ?
        order by started_at desc, run_id desc`,
      [this.source, this.account, this.target],
    );
    const wanted = scope;
    // Runs of the other shards of this scope are other processes' own lines of runs: they neither abandon this
    // shard's interrupted run nor make its next run read everything.
    const relevant = runs.filter((run) => !siblingShards(run.scope, wanted));
    const sameScope = relevant.filter((run) => run.scope === wanted);
    const completed = sameScope.find((run) => run.finished_at !== null) ?? null;
    const lastCompletedStart = fresh || !completed ? null : Number(completed.started_at);
    const lastCompletedAny = relevant.find((run) => run.finished_at !== null) ?? null;
    const fullFetchReason =
      !fresh && lastCompletedAny && lastCompletedAny.scope !== wanted && (!completed || Number(completed.started_at) < Number(lastCompletedAny.started_at))
        ? `the last completed run read a different scope (${scopeDifference(lastCompletedAny.scope, wanted)}): everything is read again`
        : null;
    const latest = relevant[0];
    if (fresh || !latest || latest.finished_at !== null || latest.scope !== wanted) {
      return { interrupted: null, lastCompletedStart: fullFetchReason ? null : lastCompletedStart, fullFetchReason };
    }
    const done = await this.executor.all<{ partition_key: string }>(
      `select partition_key from ${this.partitions} where source = ? and account = ? and run_id = ?`,
      [this.source, this.account, latest.run_id],
    );
    return {
      interrupted: { runId: latest.run_id, startedAt: Number(latest.started_at), resumed: true, finishedPartitions: new Set(done.map((row) => row.partition_key)) },
      lastCompletedStart: fullFetchReason ? null : lastCompletedStart,
      fullFetchReason,
    };
  }

  /** Resumes the last interrupted run of this source, account, target and scope, or records the start of a new one. */
  async startRun(now: number, fresh: boolean, scope: RunScope): Promise<RunState> {
    const { interrupted, lastCompletedStart, fullFetchReason } = await this.previousRuns(fresh, scope);
    if (interrupted) return { ...interrupted, lastCompletedStart, fullFetchReason };
    const runId = `${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    await this.executor.run(`insert into ${this.runs}(source, account, run_id, started_at, target, scope) values (?, ?, ?, ?, ?, ?)`, [
      this.source, this.account, runId, now, this.target, scope,
    ]);
    return { runId, startedAt: now, resumed: false, finishedPartitions: new Set(), lastCompletedStart, fullFetchReason };
  }

  /** Marks a partition of the run finished, with what it counted (`counts`: JSON the pipeline reads back on resume). */
  async finishPartition(runId: string, partitionKey: string, now: number, counts: string | null = null): Promise<void> {
    await this.executor.run(
      `insert into ${this.partitions}(source, account, run_id, partition_key, finished_at, counts) values (?, ?, ?, ?, ?, ?)
       on conflict(source, account, run_id, partition_key) do nothing`,
      [this.source, this.account, runId, partitionKey, now, counts],
    );
  }

  /** What the finished partitions of a run counted, as stored by `finishPartition` (null where nothing was stored). */
  async finishedPartitionCounts(runId: string): Promise<(string | null)[]> {
    const rows = await this.executor.all<{ counts: string | null }>(
      `select counts from ${this.partitions} where source = ? and account = ? and run_id = ? order by partition_key`,
      [this.source, this.account, runId],
    );
    return rows.map((row) => row.counts);
  }

  async finishRun(runId: string, now: number): Promise<void> {
    await this.executor.run(`update ${this.runs} set finished_at = ? where source = ? and account = ? and run_id = ?`, [
      now, this.source, this.account, runId,
    ]);
  }

  /**
   * What earlier runs imported into this target for these source records, whatever account (API, export file,
   * snapshot) they came through: a source's record ids are unique across its accounts.
   */
  async knownRecords(recordIds: readonly string[]): Promise<Map<string, ListedRecord>> {
    const known = new Map<string, ListedRecord>();
    for (const slice of inClauseChunks(recordIds)) {
      const rows = await this.executor.all<ListedRow>(
        `select record_id, memory_id, user_id, fingerprint, account, partition_key from ${this.records}
          where target = ? and source = ? and record_id in (${placeholderList(slice.length)})`,
        [this.target, this.source, ...slice],
      );
      for (const row of rows) known.set(row.record_id, listedRecord(row));
    }
    return known;
  }

  /**
   * Records of a partition known by one of these aliases — as their id, or through an alias an earlier run kept —
   * by alias. Only within the partition: an alias never reaches another owner's record.
   */
  async knownByAlias(partitionKey: string, aliases: readonly string[]): Promise<Map<string, ListedRecord>> {
    const found = new Map<string, ListedRecord>();
    if (!(await this.aliasTableExists())) return found; // a dry run on a database an earlier om-import wrote
    const columns = 'r.record_id, r.memory_id, r.user_id, r.fingerprint, r.account, r.partition_key';
    for (const slice of inClauseChunks([...new Set(aliases)])) {
      const rows = await this.executor.all<ListedRow & { alias: string }>(
        `select r.record_id as alias, ${columns} from ${this.records} r
          where r.target = ? and r.source = ? and r.partition_key = ? and r.record_id in (${placeholderList(slice.length)})
         union all
         select a.alias, ${columns} from ${this.aliases} a
          join ${this.records} r on r.target = a.target and r.source = a.source and r.record_id = a.record_id
          where a.target = ? and a.source = ? and r.partition_key = ? and a.alias in (${placeholderList(slice.length)})`,
        [this.target, this.source, partitionKey, ...slice, this.target, this.source, partitionKey, ...slice],
      );
      for (const row of rows) if (!found.has(row.alias)) found.set(row.alias, listedRecord(row));
    }
    return found;
  }

  /** The aliases kept for these records, by record id (for telling whether a record is still listed under another id). */
  async aliasesOf(recordIds: readonly string[]): Promise<Map<string, string[]>> {
    const aliases = new Map<string, string[]>();
    if (!(await this.aliasTableExists())) return aliases;
    for (const slice of inClauseChunks(recordIds)) {
      const rows = await this.executor.all<{ alias: string; record_id: string }>(
        `select alias, record_id from ${this.aliases} where target = ? and source = ? and record_id in (${placeholderList(slice.length)})`,
        [this.target, this.source, ...slice],
      );
      for (const row of rows) aliases.set(row.record_id, [...(aliases.get(row.record_id) ?? []), row.alias]);
    }
    return aliases;
  }

  private aliasTable: Promise<boolean> | null = null;

  /** Whether the alias table exists (every run that writes creates it; a dry run may meet a database without it). */
  private aliasTableExists(): Promise<boolean> {
    this.aliasTable ??= this.database.inspect().then(({ facts }) => facts.tables.has('om_import_record_aliases'));
    return this.aliasTable;
  }

  /**
   * Known records take new ids (found by an alias, they are known by the id they now come with); each old id stays
   * an alias of its record, so that a run that comes with the old id again finds it.
   */
  async renameRecords(renames: readonly RecordRename[]): Promise<void> {
    for (const { from, to } of renames) {
      await this.executor.write(`update ${this.records} set record_id = ? where target = ? and source = ? and record_id = ?`, [to, this.target, this.source, from]);
      await this.executor.write(`update ${this.aliases} set record_id = ? where target = ? and source = ? and record_id = ?`, [to, this.target, this.source, from]);
      await this.executor.write(`delete from ${this.aliases} where target = ? and source = ? and alias = ?`, [this.target, this.source, to]);
    }
    await this.keepAliases(renames.map(({ from, to }) => ({ recordId: to, alias: from })));
  }

  private async keepAliases(aliases: readonly { recordId: string; alias: string }[]): Promise<void> {
    await runForRows(
      this.executor,
      aliases.filter(({ recordId, alias }) => alias !== recordId).map(({ recordId, alias }): SqlValue[] => [this.target, this.source, alias, recordId]),
      (values) => `insert into ${this.aliases}(target, source, alias, record_id) values ${values}
        on conflict(target, source, alias) do update set record_id = excluded.record_id`,
    );
  }

  /**
   * Once per target and source: the aliases of the records an earlier om-import wrote before it kept aliases, as
   * `aliasesOf` reads them from the provenance in each memory's `meta`. Reads the records a page at a time.
   */
  async backfillAliases(memories: string, aliasesOf: (imported: ImportedProvenance) => readonly string[], now: number): Promise<void> {
    const done = await this.executor.all<{ done_at: number }>(`select done_at from ${this.aliasBackfills} where target = ? and source = ?`, [this.target, this.source]);
    if (done.length > 0) return;
    const page = 1000;
    let after = '';
    for (;;) {
      const rows = await this.executor.all<{ record_id: string; meta: string | null; content: string }>(
        `select r.record_id, m.meta, m.content from ${this.records} r join ${memories} m on cast(m.id as text) = r.memory_id
          where r.target = ? and r.source = ? and r.record_id > ? order by r.record_id limit ${page}`,
        [this.target, this.source, after],
      );
      const aliases = rows.flatMap((row) => {
        const provenance = importedProvenance(row.record_id, row.meta, row.content);
        return provenance ? aliasesOf(provenance).map((alias) => ({ recordId: row.record_id, alias })) : [];
      });
      await this.executor.transaction(() => this.keepAliases(aliases));
      const last = rows.at(-1);
      if (rows.length < page || !last) break;
      after = last.record_id;
    }
    await this.executor.run(
      `insert into ${this.aliasBackfills}(target, source, done_at) values (?, ?, ?) on conflict(target, source) do nothing`,
      [this.target, this.source, now],
    );
  }

  async recordImported(records: readonly ImportedRecord[], now: number): Promise<void> {
    await this.keepAliases(records.flatMap((record) => (record.aliases ?? []).map((alias) => ({ recordId: record.recordId, alias }))));
    await runForRows(
      this.executor,
      records.map((record): SqlValue[] => [
        this.target, this.source, record.recordId, record.memoryId, record.userId, record.fingerprint, this.account, now, record.partitionKey,
      ]),
      (values) => `insert into ${this.records}(target, source, record_id, memory_id, user_id, fingerprint, account, imported_at, partition_key)
        values ${values}
        on conflict(target, source, record_id) do update set memory_id = excluded.memory_id, user_id = excluded.user_id,
          fingerprint = excluded.fingerprint, account = excluded.account, imported_at = excluded.imported_at,
          partition_key = excluded.partition_key`,
    );
  }

  /**
   * The records this source last wrote from a partition under this run's account, or under the earlier names of
   * it given (the candidates for "gone at the source").
   */
  async *recordsOfPartition(partitionKey: string, earlierAccounts: readonly string[] = [], pageSize = 5000): AsyncGenerator<KnownRecord[]> {
    // A page at a time, by record id along the partition index: one user of a million records is never held whole.
    for (const account of [this.account, ...earlierAccounts.filter((earlier) => earlier !== this.account)]) {
      let after = '';
      for (;;) {
        const rows = await this.executor.all<{ record_id: string; memory_id: string; user_id: string; fingerprint: string }>(
          `select record_id, memory_id, user_id, fingerprint from ${this.records}
            where target = ? and source = ? and account = ? and partition_key = ? and record_id > ? order by record_id limit ${pageSize}`,
          [this.target, this.source, account, partitionKey, after],
        );
        if (rows.length > 0) yield rows.map((row) => ({ recordId: row.record_id, memoryId: row.memory_id, userId: row.user_id, fingerprint: row.fingerprint }));
        if (rows.length < pageSize) break;
        after = rows.at(-1)!.record_id;
      }
    }
  }

  /** The partitions this source and account imported records from (see `Source.coversPartition`). */
  async partitionKeys(): Promise<string[]> {
    const rows = await this.executor.all<{ partition_key: string }>(
      `select distinct partition_key from ${this.records} where target = ? and source = ? and account = ? order by partition_key`,
      [this.target, this.source, this.account],
    );
    return rows.map((row) => row.partition_key);
  }

  /** Which other sources imported records under these users, by user (a user two sources' imports share). */
  async otherSourcesOf(userIds: readonly string[]): Promise<Map<string, string[]>> {
    const others = new Map<string, string[]>();
    for (const slice of inClauseChunks([...new Set(userIds)])) {
      const rows = await this.executor.all<{ user_id: string; source: string }>(
        `select distinct user_id, source from ${this.records} where target = ? and source <> ? and user_id in (${placeholderList(slice.length)})
          order by user_id, source`,
        [this.target, this.source, ...slice],
      );
      for (const row of rows) others.set(row.user_id, [...(others.get(row.user_id) ?? []), row.source]);
    }
    return others;
  }

  /** Forgets a user whose `users` row was removed: its pending work, and every source's summary of it. */
  async forgetUser(userId: string): Promise<void> {
    await this.executor.write(`delete from ${this.pendingUsers} where target = ? and user_id = ?`, [this.target, userId]);
    await this.executor.write(`delete from ${this.sourceSummaries} where target = ? and user_id = ?`, [this.target, userId]);
  }

  /** Forgets records whose memories were removed (`--prune`). */
  async forgetRecords(recordIds: readonly string[]): Promise<void> {
    for (const chunk of inClauseChunks(recordIds)) {
      await this.executor.write(
        `delete from ${this.records} where target = ? and source = ? and record_id in (${placeholderList(chunk.length)})`,
        [this.target, this.source, ...chunk],
      );
      await this.executor.write(
        `delete from ${this.aliases} where target = ? and source = ? and record_id in (${placeholderList(chunk.length)})`,
        [this.target, this.source, ...chunk],
      );
    }
  }

  /** Marks users as needing waypoints (from `since`, a source time) and a summary; the earliest `since` wins. */
  async markUsersPending(users: readonly { userId: string; since: number }[]): Promise<void> {
    for (const user of users) this.madePending.add(user.userId);
    const earliest = new Map<string, number>();
    for (const user of users) earliest.set(user.userId, Math.min(earliest.get(user.userId) ?? user.since, user.since));
    await runForRows(
      this.executor,
      [...earliest].map(([userId, since]): SqlValue[] => [this.target, userId, since]),
      // A user already pending from as early is left as it is: no new row version (on PostgreSQL every update writes
      // one, and a batch of 1,000 users' memories would rewrite 1,000 rows each time for nothing).
      (values) => `insert into ${this.pendingUsers}(target, user_id, since) values ${values}
        on conflict(target, user_id) do update set since = excluded.since where excluded.since < ${this.pendingUsers}.since`,
    );
  }

  /**
   * Keeps a source's own summary of one of its users (a Zep user summary, a Supermemory profile) the moment it is
   * fetched, so that a run killed before its end still writes it when resumed; `null` forgets an earlier one. The
   * user is marked pending so its `users.summary` is rewritten at the end of the run.
   */
  async storeSourceSummary(tenantKey: string, userId: string, summary: string | null, now: number): Promise<void> {
    const key = [this.target, this.source, this.account, tenantKey];
    const where = 'target = ? and source = ? and account = ? and tenant_key = ?';
    const previous = await this.executor.all<{ user_id: string; summary: string }>(`select user_id, summary from ${this.sourceSummaries} where ${where}`, key);
    const before = previous[0] ?? null;
    if (summary === null) {
      if (before === null) return;
      await this.executor.run(`delete from ${this.sourceSummaries} where ${where}`, key);
    } else {
      // The same summary of the same user again: nothing to rewrite (a re-run touches no user for it).
      if (before !== null && before.user_id === userId && before.summary === summary) return;
      await this.executor.run(
        `insert into ${this.sourceSummaries}(target, source, account, tenant_key, user_id, summary, fetched_at) values (?, ?, ?, ?, ?, ?, ?)
         on conflict(target, source, account, tenant_key) do update set user_id = excluded.user_id, summary = excluded.summary, fetched_at = excluded.fetched_at`,
        [...key, userId, summary, now],
      );
    }
    const users = new Set([userId, ...(before ? [before.user_id] : [])]);
    await this.markUsersPending([...users].map((user) => ({ userId: user, since: Number.MAX_SAFE_INTEGER })));
  }

  /**
   * The source summaries of these OpenMemory users, by user (absent where no source gave one). Several source users
   * mapped onto one OpenMemory user each give theirs: the first by (source, account, tenant key) wins, whatever order
   * they came in.
   */
  async sourceSummariesOf(userIds: readonly string[]): Promise<Map<string, string>> {
    const summaries = new Map<string, string>();
    for (const chunk of inClauseChunks(userIds)) {
      const rows = await this.executor.all<{ user_id: string; summary: string }>(
        `select user_id, summary from ${this.sourceSummaries} where target = ? and user_id in (${placeholderList(chunk.length)})
          order by user_id, source, account, tenant_key`,
        [this.target, ...chunk],
      );
      for (const row of rows) if (!summaries.has(row.user_id)) summaries.set(row.user_id, row.summary);
    }
    return summaries;
  }

  async pendingUsersList(): Promise<{ userId: string; since: number }[]> {
    const rows = await this.executor.all<{ user_id: string; since: number }>(
      `select user_id, since from ${this.pendingUsers} where target = ? order by user_id`,
      [this.target],
    );
    return rows.filter((row) => this.ownsUser(row.user_id) || this.madePending.has(row.user_id)).map((row) => ({ userId: row.user_id, since: Number(row.since) }));
  }

  /**
   * Users this run made pending, whoever's shard they are in: a shard that moved records away from another shard's
   * user (a --user-map that split two source users apart) leaves that user right itself, not at that shard's next run.
   */
  private readonly madePending = new Set<string>();

  async clearPendingUsers(userIds: readonly string[]): Promise<void> {
    for (const chunk of inClauseChunks(userIds)) {
      await this.executor.write(`delete from ${this.pendingUsers} where target = ? and user_id in (${placeholderList(chunk.length)})`, [this.target, ...chunk]);
    }
  }

  /** Which of these memories of a user om-import imported into this target (from any source): only their waypoints are written. */
  async importedAmong(userId: string, memoryIds: readonly string[]): Promise<Set<string>> {
    const imported = new Set<string>();
    for (const chunk of inClauseChunks(memoryIds)) {
      const rows = await this.executor.all<{ memory_id: string }>(
        `select memory_id from ${this.records} where target = ? and user_id = ? and memory_id in (${placeholderList(chunk.length)})`,
        [this.target, userId, ...chunk],
      );
      for (const row of rows) imported.add(row.memory_id);
    }
    return imported;
  }

  /**
   * Every memory om-import imported into this target for these users (a few, of at most a page of memories each),
   * by user: one statement for all of them. (Asking by user and memory id at once, the index was probed for every
   * pair of the two lists: twice the server time of finalizing 1,000 users, measured.)
   */
  async importedOfUsers(userIds: readonly string[]): Promise<Map<string, Set<string>>> {
    const imported = new Map<string, Set<string>>(userIds.map((userId) => [userId, new Set()]));
    for (const chunk of inClauseChunks(userIds)) {
      const rows = await this.executor.all<{ user_id: string; memory_id: string }>(
        `select user_id, memory_id from ${this.records} where target = ? and user_id in (${placeholderList(chunk.length)})`,
        [this.target, ...chunk],
      );
      for (const row of rows) imported.get(row.user_id)?.add(row.memory_id);
    }
    return imported;
  }
}

interface ListedRow {
  record_id: string;
  memory_id: string;
  user_id: string;
  fingerprint: string;
  account: string;
  partition_key: string;
}

function listedRecord(row: ListedRow): ListedRecord {
  return {
    recordId: row.record_id,
    memoryId: row.memory_id,
    userId: row.user_id,
    fingerprint: row.fingerprint,
    account: row.account,
    partitionKey: row.partition_key,
  };
}

/** The provenance om-import stored in a memory's `meta.om_import`, or null when the meta holds none. */
function importedProvenance(recordId: string, meta: string | null, content: string): ImportedProvenance | null {
  const provenance = storedProvenance(meta);
  if (!provenance) return null;
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const fields = provenance['fields'];
  return {
    recordId,
    sourceKind: text(provenance['source_kind']),
    tenantKey: text(provenance['source_user']),
    fields: fields !== null && typeof fields === 'object' && !Array.isArray(fields) ? (fields as Record<string, unknown>) : {},
    content: text(provenance['full_content']) ?? content,
  };
}

/** A stored scope's parts, or null when it cannot be read (an earlier om-import's). */
export function scopeParts(scope: string | null): Record<string, unknown> | null {
  return jsonObject(scope);
}

/** The parts in which two scopes differ (`users`, `userMap`, …). */
function differingParts(before: Record<string, unknown>, now: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(now)])].sort();
  return keys.filter((key) => JSON.stringify(before[key]) !== JSON.stringify(now[key]));
}

/** The shard a stored scope names (`0/2`), `all` for an unsharded run's. */
export function shardOfScope(scope: string | null): string {
  const shard = scopeParts(scope)?.['shard'];
  return typeof shard === 'string' ? shard : 'all';
}

/** Whether two stored scopes are two shards of one scope (they differ in their shard, and in nothing else). */
function siblingShards(one: string, other: string): boolean {
  const [a, b] = [scopeParts(one), scopeParts(other)];
  if (!a || !b) return false;
  const differing = differingParts(a, b);
  return differing.length === 1 && differing[0] === 'shard';
}

/** Which parts of two stored scopes differ, for the report: `users, user map`. */
function scopeDifference(before: string, now: string): string {
  const [previous, current] = [scopeParts(before), scopeParts(now)];
  if (!previous || !current) return 'unknown';
  const differing = differingParts(previous, current);
  return differing.length > 0 ? differing.join(', ') : 'it was written by an earlier om-import';
}
