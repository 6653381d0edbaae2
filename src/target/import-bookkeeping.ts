// om-import's own tables in the target (prefix `om_import_`): what each source record became, which runs and
// partitions finished (for resume and incremental runs), and which users still need waypoints and a summary.
import { inClauseChunks, placeholderList, runForRows } from './multi-row.js';
import type { SqlValue } from './sql-executor.js';
import type { Target } from './target.js';

export interface KnownRecord {
  recordId: string;
  memoryId: string;
  userId: string;
  fingerprint: string;
}

export interface RunState {
  runId: string;
  startedAt: number;
  /** The run was interrupted and is being resumed. */
  resumed: boolean;
  /** Partitions the resumed run already finished. */
  finishedPartitions: Set<string>;
  /** Start of the last completed run, for incremental fetching. */
  lastCompletedStart: number | null;
}

export class ImportBookkeeping {
  private readonly records: string;
  private readonly runs: string;
  private readonly partitions: string;
  private readonly pendingUsers: string;
  private readonly sourceSummaries: string;

  constructor(
    private readonly target: Target,
    private readonly source: string,
    private readonly account: string,
  ) {
    const { qualified } = target.dialect;
    this.records = qualified('om_import_records');
    this.runs = qualified('om_import_runs');
    this.partitions = qualified('om_import_partitions');
    this.pendingUsers = qualified('om_import_pending_users');
    this.sourceSummaries = qualified('om_import_source_summaries');
  }

  private get executor() {
    return this.target.executor;
  }

  /** Creates the tables when missing (the same SQL serves both backends). */
  async ensureTables(): Promise<void> {
    await this.executor.run(
      `create table if not exists ${this.records}(source text not null, account text not null, record_id text not null,
        memory_id text not null, user_id text not null, fingerprint text not null, imported_at bigint not null,
        primary key(source, account, record_id))`,
    );
    await this.executor.run(`create index if not exists om_import_records_user_idx on ${this.records}(user_id)`);
    await this.executor.run(
      `create table if not exists ${this.runs}(source text not null, account text not null, run_id text not null,
        started_at bigint not null, finished_at bigint, primary key(source, account, run_id))`,
    );
    await this.executor.run(
      `create table if not exists ${this.partitions}(source text not null, account text not null, run_id text not null,
        partition_key text not null, finished_at bigint not null, primary key(source, account, run_id, partition_key))`,
    );
    await this.executor.run(
      `create table if not exists ${this.pendingUsers}(user_id text primary key, since bigint not null)`,
    );
    await this.executor.run(
      `create table if not exists ${this.sourceSummaries}(source text not null, account text not null, tenant_key text not null,
        user_id text not null, summary text not null, fetched_at bigint not null, primary key(source, account, tenant_key))`,
    );
    await this.executor.run(`create index if not exists om_import_source_summaries_user_idx on ${this.sourceSummaries}(user_id)`);
  }

  /** Whether the tables exist (a dry run against a database that never saw om-import has none). */
  async tablesExist(): Promise<boolean> {
    const { facts } = await this.target.inspect();
    return facts.tables.has('om_import_records');
  }

  /**
   * Reads where the last runs of this source and account stopped: an interrupted run to resume (unless `fresh`),
   * and the start of the last completed one (for incremental fetching). Writes nothing.
   */
  async previousRuns(fresh: boolean): Promise<{ interrupted: Omit<RunState, 'lastCompletedStart'> | null; lastCompletedStart: number | null }> {
    const runs = await this.executor.all<{ run_id: string; started_at: number; finished_at: number | null }>(
      `select run_id, started_at, finished_at from ${this.runs} where source = ? and account = ? order by started_at desc, run_id desc`,
      [this.source, this.account],
    );
    const completed = runs.find((run) => run.finished_at !== null) ?? null;
    const lastCompletedStart = fresh || !completed ? null : Number(completed.started_at);
    const latest = runs[0];
    if (fresh || !latest || latest.finished_at !== null) return { interrupted: null, lastCompletedStart };
    const done = await this.executor.all<{ partition_key: string }>(
      `select partition_key from ${this.partitions} where source = ? and account = ? and run_id = ?`,
      [this.source, this.account, latest.run_id],
    );
    return {
      interrupted: {
        runId: latest.run_id,
        startedAt: Number(latest.started_at),
        resumed: true,
        finishedPartitions: new Set(done.map((row) => row.partition_key)),
      },
      lastCompletedStart,
    };
  }

  /** Resumes the last interrupted run of this source and account, or records the start of a new one. */
  async startRun(now: number, fresh: boolean): Promise<RunState> {
    const { interrupted, lastCompletedStart } = await this.previousRuns(fresh);
    if (interrupted) return { ...interrupted, lastCompletedStart };
    const runId = `${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    await this.executor.run(`insert into ${this.runs}(source, account, run_id, started_at) values (?, ?, ?, ?)`, [
      this.source, this.account, runId, now,
    ]);
    return { runId, startedAt: now, resumed: false, finishedPartitions: new Set(), lastCompletedStart };
  }

  async finishPartition(runId: string, partitionKey: string, now: number): Promise<void> {
    await this.executor.run(
      `insert into ${this.partitions}(source, account, run_id, partition_key, finished_at) values (?, ?, ?, ?, ?)
       on conflict(source, account, run_id, partition_key) do nothing`,
      [this.source, this.account, runId, partitionKey, now],
    );
  }

  async finishRun(runId: string, now: number): Promise<void> {
    await this.executor.run(`update ${this.runs} set finished_at = ? where source = ? and account = ? and run_id = ?`, [
      now, this.source, this.account, runId,
    ]);
  }

  /** What earlier runs imported for these source records. */
  async knownRecords(recordIds: readonly string[]): Promise<Map<string, KnownRecord>> {
    const known = new Map<string, KnownRecord>();
    for (const slice of inClauseChunks(recordIds)) {
      const rows = await this.executor.all<{ record_id: string; memory_id: string; user_id: string; fingerprint: string }>(
        `select record_id, memory_id, user_id, fingerprint from ${this.records}
          where source = ? and account = ? and record_id in (${placeholderList(slice.length)})`,
        [this.source, this.account, ...slice],
      );
      for (const row of rows) {
        known.set(row.record_id, { recordId: row.record_id, memoryId: row.memory_id, userId: row.user_id, fingerprint: row.fingerprint });
      }
    }
    return known;
  }

  async recordImported(records: readonly KnownRecord[], now: number): Promise<void> {
    await runForRows(
      this.executor,
      records.map((record): SqlValue[] => [this.source, this.account, record.recordId, record.memoryId, record.userId, record.fingerprint, now]),
      (values) => `insert into ${this.records}(source, account, record_id, memory_id, user_id, fingerprint, imported_at) values ${values}
        on conflict(source, account, record_id) do update set memory_id = excluded.memory_id, user_id = excluded.user_id,
          fingerprint = excluded.fingerprint, imported_at = excluded.imported_at`,
    );
  }

  /** Marks users as needing waypoints (from `since`, a source time) and a summary; the earliest `since` wins. */
  async markUsersPending(users: readonly { userId: string; since: number }[]): Promise<void> {
    const earliest = new Map<string, number>();
    for (const user of users) earliest.set(user.userId, Math.min(earliest.get(user.userId) ?? user.since, user.since));
    await runForRows(
      this.executor,
      [...earliest].map(([userId, since]): SqlValue[] => [userId, since]),
      (values) => `insert into ${this.pendingUsers}(user_id, since) values ${values}
        on conflict(user_id) do update set
          since = case when excluded.since < ${this.pendingUsers}.since then excluded.since else ${this.pendingUsers}.since end`,
    );
  }

  /**
   * Keeps a source's own summary of one of its users (a Zep user summary, a Supermemory profile) the moment it is
   * fetched, so that a run killed before its end still writes it when resumed; `null` forgets an earlier one. The
   * user is marked pending so its `users.summary` is rewritten at the end of the run.
   */
  async storeSourceSummary(tenantKey: string, userId: string, summary: string | null, now: number): Promise<void> {
    const previous = await this.executor.all<{ user_id: string; summary: string }>(
      `select user_id, summary from ${this.sourceSummaries} where source = ? and account = ? and tenant_key = ?`,
      [this.source, this.account, tenantKey],
    );
    const before = previous[0] ?? null;
    if (summary === null) {
      if (before === null) return;
      await this.executor.run(`delete from ${this.sourceSummaries} where source = ? and account = ? and tenant_key = ?`, [
        this.source, this.account, tenantKey,
      ]);
    } else {
      // The same summary of the same user again: nothing to rewrite (a re-run touches no user for it).
      if (before !== null && before.user_id === userId && before.summary === summary) return;
      await this.executor.run(
        `insert into ${this.sourceSummaries}(source, account, tenant_key, user_id, summary, fetched_at) values (?, ?, ?, ?, ?, ?)
         on conflict(source, account, tenant_key) do update set user_id = excluded.user_id, summary = excluded.summary, fetched_at = excluded.fetched_at`,
        [this.source, this.account, tenantKey, userId, summary, now],
      );
    }
    const users = new Set([userId, ...(before ? [before.user_id] : [])]);
    await this.markUsersPending([...users].map((user) => ({ userId: user, since: Number.MAX_SAFE_INTEGER })));
  }

  /**
   * The source summary of an OpenMemory user, if any source gave one. Several source users mapped onto one
   * OpenMemory user each give theirs: the first by (source, account, tenant key) wins, whatever order they came in.
   */
  async sourceSummary(userId: string): Promise<string | null> {
    const rows = await this.executor.all<{ summary: string }>(
      `select summary from ${this.sourceSummaries} where user_id = ? order by source, account, tenant_key limit 1`,
      [userId],
    );
    return rows[0]?.summary ?? null;
  }

  async pendingUsersList(): Promise<{ userId: string; since: number }[]> {
    const rows = await this.executor.all<{ user_id: string; since: number }>(`select user_id, since from ${this.pendingUsers} order by user_id`);
    return rows.map((row) => ({ userId: row.user_id, since: Number(row.since) }));
  }

  async clearPendingUser(userId: string): Promise<void> {
    await this.executor.run(`delete from ${this.pendingUsers} where user_id = ?`, [userId]);
  }

  /** Which of these memories of a user om-import imported (from any source): only their waypoints are written. */
  async importedAmong(userId: string, memoryIds: readonly string[]): Promise<Set<string>> {
    const imported = new Set<string>();
    for (const chunk of inClauseChunks(memoryIds)) {
      const rows = await this.executor.all<{ memory_id: string }>(
        `select memory_id from ${this.records} where user_id = ? and memory_id in (${placeholderList(chunk.length)})`,
        [userId, ...chunk],
      );
      for (const row of rows) imported.add(row.memory_id);
    }
    return imported;
  }
}
