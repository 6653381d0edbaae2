// `om-import status`: what a database holds from om-import, from its own tables — per source and account the runs
// (completed, interrupted, abandoned) and their scope, what a resume would continue, what an incremental run would
// start from — and memories per user. It only reads: the connection is made read-only before its first query.
import { escapeControl, fitCell, fitTable, reportColumns, wrapLine } from './pipeline/report.js';
import { ImportBookkeeping, scopeParts, shardOfScope, targetKey } from './database/import-bookkeeping.js';
import type { TargetConfig } from './database/open-target.js';
import { openReadOnly } from './database/read-only.js';
import { runningClaims } from './database/run-lock.js';
import { hasColumn, type SchemaStateName } from './database/schema-state.js';
import type { SqlValue } from './database/sql-executor.js';

/**
 * - `completed`: the run finished.
 * - `running`: not finished, and the process that claimed its shard of these tables is still running it (a new run
 *   of that shard would be refused).
 * - `interrupted`: not finished (killed, or failed), and the next run of the same scope resumes it.
 * - `abandoned`: not finished, and a later run started: no run resumes it any more.
 */
export type RunStateName = 'completed' | 'running' | 'interrupted' | 'abandoned';

export interface RunStatus {
  runId: string;
  /** ISO 8601. */
  startedAt: string;
  finishedAt: string | null;
  state: RunStateName;
  /** For a running run: the process running it (`host:pid`). */
  runningIn?: string;
  /** What the run was asked to read and how it mapped users (`users`, `userMap`, `unmapped`, `include`, …), as recorded. */
  scope: Record<string, unknown> | null;
  /** Partitions (source users, files) the run finished. */
  partitionsFinished: number;
}

export interface ResumeStatus {
  runId: string;
  startedAt: string;
  /** The partitions it finished: a resume does not read them again. */
  finishedPartitions: string[];
  /** Partitions the last completed run of the same scope finished (how many the source had then), if there is one. */
  lastCompletedPartitions: number | null;
}

export interface IncrementalStatus {
  /** The last completed run of the scope: an incremental run asks the source for records updated since it started. */
  runId: string | null;
  startedAt: string;
}

/** What the next run of one scope (without `--fresh`) would do, as the importer decides it (`ImportBookkeeping.previousRuns`). */
export interface NextRunStatus {
  scope: Record<string, unknown> | null;
  /** The interrupted run it would continue, if any. */
  resume: ResumeStatus | null;
  /** Where it would fetch from, where the source can filter by time; null: it reads everything. */
  incremental: IncrementalStatus | null;
  /** Why it would read everything although an earlier run completed (the last completed run read another scope). */
  fullFetchReason: string | null;
}

export interface AccountStatus {
  source: string;
  account: string;
  /** Newest first. */
  runs: RunStatus[];
  /** What a next run would do, for each scope its runs had (newest first). */
  next: NextRunStatus[];
  /** om-import records written through this account, and their distinct OpenMemory users. */
  records: number;
  users: number;
}

export interface UserStatus {
  userId: string;
  /** Rows of the memories table under this user_id, whoever wrote them. */
  memories: number;
  /** om-import records (any source) under this user_id. */
  records: number;
}

/** Rows of om-import kept for other OpenMemory tables in the same database (other `OM_PG_*`, `OM_VECTOR_TABLE`). */
export interface OtherTarget {
  /** The tables, as om-import keys them (`"memories" "vectors" "waypoints" "users"`). */
  target: string;
  runs: number;
  records: number;
}

export interface DatabaseStatus {
  /** The database, as `SQLite ./data/openmemory.sqlite` or `PostgreSQL postgres://… (schema public)`. */
  target: string;
  schema: SchemaStateName;
  /**
   * om-import's tables: `current`, `earlier` (an om-import 0.1 wrote them; the next import brings them to the current
   * layout, keeping their rows), or `none`.
   */
  bookkeeping: 'current' | 'earlier' | 'none';
  /** By source, then account. */
  accounts: AccountStatus[];
  /** Every user with memories or om-import records, most memories first. */
  users: UserStatus[];
  totals: {
    memories: number;
    /** Memories without a user_id (written before tenants). */
    preTenantMemories: number;
    usersWithMemories: number;
    /** om-import records of these tables, and how many of them still have their memory. */
    records: number;
    recordsWithMemory: number;
    /** Users whose waypoints and summary an interrupted run left to write (the next import writes them). */
    pendingUsers: number;
  };
  otherTargets: OtherTarget[];
  /** Runs om-import 0.1 recorded, before runs were kept per tables: no run resumes or builds on them. */
  earlierRuns: number;
}

/** Runs per account the text output lists; `--json` has them all. */
export const runsListed = 5;
/** Users the text output lists (most memories first); `--json` has them all. */
export const usersListed = 5;

const runsTable = 'om_import_runs';
const partitionsTable = 'om_import_partitions';
const recordsTable = 'om_import_records';
const pendingUsersTable = 'om_import_pending_users';
const activeRunsTable = 'om_import_active_runs';

const iso = (millis: number | string | null): string | null => (millis === null ? null : new Date(Number(millis)).toISOString());

/** What om-import's runs and records say about a database (its tables of this configuration); reads only. */
export async function databaseStatus(config: TargetConfig): Promise<DatabaseStatus> {
  const { target, facts, schema } = await openReadOnly(config, 'no status to show');
  try {
    const { executor, dialect } = target;
    const { qualified, tables } = dialect;
    const postgres = dialect.name === 'postgres';
    const key = targetKey(target);
    const memories = qualified(tables.memories);
    const count = (value: unknown): number => Number(value ?? 0);

    const [memoryTotals] = await executor.all<Record<string, unknown>>(
      `select (select count(*) from ${memories}) as memories,
              (select count(*) from ${memories} where user_id is null) as pre_tenant,
              (select count(distinct user_id) from ${memories}) as users_with_memories`,
    );
    const memoriesByUser = await executor.all<{ user_id: string; n: unknown }>(
      `select user_id, count(*) as n from ${memories} where user_id is not null group by user_id`,
    );

    const recordsFacts = facts.tables.get(recordsTable);
    const runsFacts = facts.tables.get(runsTable);
    const layout = !recordsFacts && !runsFacts ? 'none' : hasColumn(recordsFacts, 'target') || (!recordsFacts && hasColumn(runsFacts, 'target')) ? 'current' : 'earlier';
    // An earlier om-import's records become this target's on the next import; its runs (and runs it recorded before
    // runs had a target) belong to no target: no run resumes or builds on them.
    const records = recordsFacts ? qualified(recordsTable) : null;
    const recordsWhere: { sql: string; params: SqlValue[] } = hasColumn(recordsFacts, 'target') ? { sql: 'r.target = ?', params: [key] } : { sql: '1 = 1', params: [] };
    const runTarget = hasColumn(runsFacts, 'target') ? 'target' : "''";
    const runScope = hasColumn(runsFacts, 'scope') ? 'scope' : 'null';

    const recordsByUser = records
      ? await executor.all<{ user_id: string; n: unknown }>(`select r.user_id, count(*) as n from ${records} r where ${recordsWhere.sql} group by r.user_id`, recordsWhere.params)
      : [];
    const recordsByAccount = records
      ? await executor.all<{ source: string; account: string; n: unknown; users: unknown }>(
          `select r.source, r.account, count(*) as n, count(distinct r.user_id) as users from ${records} r where ${recordsWhere.sql} group by r.source, r.account`,
          recordsWhere.params,
        )
      : [];
    let recordsWithMemory = 0;
    if (records) {
      const memoryId = postgres ? 'cast(m.id as text)' : 'm.id';
      const [row] = await executor.all<{ n: unknown }>(
        `select count(*) as n from ${records} r join ${memories} m on ${memoryId} = r.memory_id where ${recordsWhere.sql}`,
        recordsWhere.params,
      );
      recordsWithMemory = count(row?.n);
    }

    type RunRow = { source: string; account: string; run_id: string; started_at: unknown; finished_at: unknown; target: string; scope: string | null };
    const allRuns = runsFacts
      ? await executor.all<RunRow>(
          `select source, account, run_id, started_at, finished_at, ${runTarget} as target, ${runScope} as scope from ${qualified(runsTable)}
            order by source, account, started_at desc, run_id desc`,
        )
      : [];
    // Claims of the shards of these tables whose processes still run (a run killed with -9 leaves its claim row).
    const claims = facts.tables.has(activeRunsTable) ? await runningClaims(target, key) : [];
    const partitionCounts = facts.tables.has(partitionsTable)
      ? await executor.all<{ source: string; account: string; run_id: string; n: unknown }>(
          `select source, account, run_id, count(*) as n from ${qualified(partitionsTable)} group by source, account, run_id`,
        )
      : [];
    const finishedByRun = new Map(partitionCounts.map((row) => [JSON.stringify([row.source, row.account, row.run_id]), count(row.n)]));
    const partitionsFinished = (run: RunRow): number => finishedByRun.get(JSON.stringify([run.source, run.account, run.run_id])) ?? 0;

    let pendingUsers = 0;
    const pendingFacts = facts.tables.get(pendingUsersTable);
    if (pendingFacts) {
      const byTarget = hasColumn(pendingFacts, 'target');
      const [row] = await executor.all<{ n: unknown }>(
        `select count(*) as n from ${qualified(pendingUsersTable)} ${byTarget ? 'where target = ?' : ''}`,
        byTarget ? [key] : [],
      );
      pendingUsers = count(row?.n);
    }

    // Accounts: those with runs into these tables, and those with records in them.
    const accountKeys = new Map<string, { source: string; account: string }>();
    const accountKey = (source: string, account: string): string => JSON.stringify([source, account]);
    const ownRuns = allRuns.filter((run) => run.target === key);
    for (const row of [...ownRuns, ...recordsByAccount]) accountKeys.set(accountKey(row.source, row.account), { source: row.source, account: row.account });
    const accounts: AccountStatus[] = [];
    for (const { source, account } of [...accountKeys.values()].sort((a, b) => a.source.localeCompare(b.source) || a.account.localeCompare(b.account))) {
      const runs = ownRuns.filter((run) => run.source === source && run.account === account); // newest first
      // What the next run of each scope would do, asked of the bookkeeping itself (it only reads), so that status
      // says what the importer will do.
      const ledger = new ImportBookkeeping(target, source, account);
      const next: NextRunStatus[] = [];
      const resumable = new Set<string>();
      for (const scope of [...new Set(runs.map((run) => run.scope ?? '{}'))]) {
        const previous = await ledger.previousRuns(false, scope);
        const interrupted = previous.interrupted;
        if (interrupted) resumable.add(interrupted.runId);
        const sameScopeCompleted = runs.find((run) => run.finished_at !== null && (run.scope ?? '{}') === scope);
        const startOf = previous.lastCompletedStart;
        next.push({
          scope: scopeParts(scope),
          resume: interrupted
            ? {
                runId: interrupted.runId,
                startedAt: iso(interrupted.startedAt) as string,
                finishedPartitions: [...interrupted.finishedPartitions].sort(),
                lastCompletedPartitions: sameScopeCompleted ? partitionsFinished(sameScopeCompleted) : null,
              }
            : null,
          incremental:
            startOf === null
              ? null
              : { runId: runs.find((run) => run.finished_at !== null && Number(run.started_at) === startOf && (run.scope ?? '{}') === scope)?.run_id ?? null, startedAt: iso(startOf) as string },
          fullFetchReason: previous.fullFetchReason,
        });
      }
      // A shard claimed by a process that still runs: its newest unfinished run of that shard is the one running.
      const runningIn = new Map<string, string>();
      for (const claim of claims.filter((claim) => claim.source === source && claim.account === account)) {
        const run = runs.find((candidate) => candidate.finished_at === null && shardOfScope(candidate.scope) === claim.shard);
        if (run && resumable.has(run.run_id)) runningIn.set(run.run_id, claim.owner);
      }
      const statuses: RunStatus[] = runs.map((run) => {
        const owner = runningIn.get(run.run_id);
        return {
          runId: run.run_id,
          startedAt: iso(run.started_at as number) as string,
          finishedAt: iso(run.finished_at === null ? null : (run.finished_at as number)),
          state: run.finished_at !== null ? 'completed' : owner !== undefined ? 'running' : resumable.has(run.run_id) ? 'interrupted' : 'abandoned',
          ...(owner !== undefined ? { runningIn: owner } : {}),
          scope: scopeParts(run.scope),
          partitionsFinished: partitionsFinished(run),
        };
      });
      const recorded = recordsByAccount.find((row) => row.source === source && row.account === account);
      accounts.push({ source, account, runs: statuses, next, records: count(recorded?.n), users: count(recorded?.users) });
    }

    const users = new Map<string, UserStatus>();
    for (const row of memoriesByUser) users.set(String(row.user_id), { userId: String(row.user_id), memories: count(row.n), records: 0 });
    for (const row of recordsByUser) {
      const userId = String(row.user_id);
      users.set(userId, { userId, memories: users.get(userId)?.memories ?? 0, records: count(row.n) });
    }

    const others = new Map<string, OtherTarget>();
    for (const run of allRuns.filter((candidate) => candidate.target !== key && candidate.target !== '')) {
      const other = others.get(run.target) ?? { target: run.target, runs: 0, records: 0 };
      others.set(run.target, { ...other, runs: other.runs + 1 });
    }
    if (records && hasColumn(recordsFacts, 'target')) {
      const rows = await executor.all<{ target: string; n: unknown }>(`select target, count(*) as n from ${records} where target <> ? group by target`, [key]);
      for (const row of rows) {
        const other = others.get(row.target) ?? { target: row.target, runs: 0, records: 0 };
        others.set(row.target, { ...other, records: count(row.n) });
      }
    }

    return {
      target: target.description,
      schema,
      bookkeeping: layout,
      accounts,
      users: [...users.values()].sort((a, b) => b.memories - a.memories || b.records - a.records || a.userId.localeCompare(b.userId)),
      totals: {
        memories: count(memoryTotals?.['memories']),
        preTenantMemories: count(memoryTotals?.['pre_tenant']),
        usersWithMemories: count(memoryTotals?.['users_with_memories']),
        records: recordsByUser.reduce((sum, row) => sum + count(row.n), 0),
        recordsWithMemory,
        pendingUsers,
      },
      otherTargets: [...others.values()].sort((a, b) => a.target.localeCompare(b.target)),
      earlierRuns: allRuns.filter((run) => run.target === '').length,
    };
  } finally {
    await target.close();
  }
}

/** A recorded scope as text: `users=all unmapped=keep user map: 3 users`. */
export function describeScope(scope: Record<string, unknown> | null): string {
  if (scope === null) return 'scope not recorded';
  const parts: string[] = [];
  for (const [name, value] of Object.entries(scope).sort(([a], [b]) => a.localeCompare(b))) {
    if (name === 'userMap') {
      const entries = value !== null && typeof value === 'object' ? Object.keys(value).length : 0;
      if (entries > 0) parts.push(`user map: ${entries} ${entries === 1 ? 'user' : 'users'}`);
    } else if (Array.isArray(value)) {
      const shown = value.slice(0, 3).map((item) => fitCell(String(item), scopeValueColumns)).join(',');
      parts.push(`${name}=${shown}${value.length > 3 ? `,… (${value.length})` : ''}`);
    } else {
      parts.push(`${name}=${fitCell(typeof value === 'string' ? value : JSON.stringify(value), scopeValueColumns)}`);
    }
  }
  return parts.length > 0 ? escapeControl(parts.join(' ')) : 'scope not recorded';
}

/** Columns a value of a run's scope (a user id of --user-id) takes at most in the text output, an account name. */
const scopeValueColumns = 24;
const accountColumns = 40;

/** `2026-01-02T03:04:05Z`: to the second. */
const shownTime = (time: string): string => time.replace(/\.\d{3}Z$/, 'Z');

/** What a next run of a scope would do, as lines. */
function describeNextRun(next: NextRunStatus): string[] {
  const lines: string[] = [];
  if (next.resume) {
    const { resume } = next;
    const finished = resume.finishedPartitions.length;
    const ofTotal = resume.lastCompletedPartitions === null ? '' : ` of the ${resume.lastCompletedPartitions} the last completed run of that scope finished`;
    lines.push(
      `a resume would continue run ${escapeControl(resume.runId)}: ${finished} ${finished === 1 ? 'partition' : 'partitions'} finished${ofTotal} ` +
        '(the next run of the same scope without --fresh)',
    );
  }
  if (next.incremental) {
    const run = next.incremental.runId === null ? 'the last completed run' : `run ${escapeControl(next.incremental.runId)}`;
    lines.push(
      `an incremental run would fetch records updated since ${shownTime(next.incremental.startedAt)} ` +
        `(the start of ${run}, less a margin for clock skew; same scope only, where the source can filter)`,
    );
  } else if (next.fullFetchReason) {
    lines.push(`the next run fetches everything: ${escapeControl(next.fullFetchReason)}`);
  } else {
    lines.push('no completed run: the next run fetches everything');
  }
  return lines;
}

function describeRun(run: RunStatus): string {
  const states: Record<RunStateName, string> = {
    completed: `completed ${shownTime(run.finishedAt ?? run.startedAt)}`,
    running: `running (in process ${escapeControl(run.runningIn ?? '?')}; a second run of its shard is refused)`,
    interrupted: 'interrupted (not finished, and no process runs it: killed or failed)',
    abandoned: 'abandoned (not finished; a later run started)',
  };
  const state = states[run.state];
  const partitions = `${run.partitionsFinished} ${run.partitionsFinished === 1 ? 'partition' : 'partitions'} finished`;
  return `run ${escapeControl(run.runId)}: started ${shownTime(run.startedAt)}, ${state}, ${partitions} (${describeScope(run.scope)})`;
}

/**
 * The text output of `om-import status`: per source and account, its runs and what a next run would do; then users.
 * Every line fits 80 columns, as the import report's: names shortened by display width, longer lines wrapped.
 */
export function formatStatus(status: DatabaseStatus): string {
  return statusLines(status)
    .flatMap((line) => wrapLine(line))
    .join('\n');
}

function statusLines(status: DatabaseStatus): string[] {
  const safe = escapeControl;
  if (status.bookkeeping === 'none') {
    const { memories, usersWithMemories } = status.totals;
    return [`om-import status: ${safe(status.target)} has no om-import tables: om-import never imported into it (it holds ${memories} memories of ${usersWithMemories} users)`];
  }
  const lines = [`om-import status: ${safe(status.target)} — ${status.schema === 'v1.2' ? 'OpenMemory v1.2' : 'a schema newer than OpenMemory v1.2'}`];
  if (status.bookkeeping === 'earlier') lines.push("om-import's tables are an earlier om-import's (0.1): the next import brings them to the current layout, keeping their rows");
  if (status.accounts.length === 0) lines.push('no om-import runs or records for these tables');
  for (const account of status.accounts) {
    const runs = account.runs.length;
    lines.push(
      `${account.source} (${fitCell(account.account, accountColumns)}): ${account.records} records of ${account.users} ${account.users === 1 ? 'user' : 'users'}, ${runs} ${runs === 1 ? 'run' : 'runs'}`,
    );
    for (const run of account.runs.slice(0, runsListed)) lines.push(`  ${describeRun(run)}`);
    if (runs > runsListed) lines.push(`  ${runs - runsListed} earlier runs (see --json)`);
    const severalScopes = account.next.length > 1;
    for (const next of account.next) {
      const indent = severalScopes ? '    ' : '  ';
      if (severalScopes) lines.push(`  a next run of scope ${describeScope(next.scope)}:`);
      lines.push(...describeNextRun(next).map((line) => `${indent}${line}`));
    }
  }
  if (status.totals.pendingUsers > 0) {
    const pending = status.totals.pendingUsers;
    lines.push(`${pending} ${pending === 1 ? 'user awaits its' : 'users await their'} waypoints and summary (the next import into these tables writes them)`);
  }
  const users = status.users;
  if (users.length > 0) {
    const shown = users.slice(0, usersListed);
    lines.push(users.length > shown.length ? `users with most memories (${shown.length} of ${users.length}; see --json):` : 'memories per user:');
    const table = fitTable({
      nameHeaders: ['user_id'],
      numberHeaders: ['memories', 'om-import records'],
      rows: shown.map((user) => ({ names: [user.userId], numbers: [String(user.memories), String(user.records)] })),
      width: reportColumns - 2,
    });
    lines.push(...table.map((line) => `  ${line}`));
  }
  const { totals } = status;
  lines.push(
    `total: ${totals.memories} memories of ${totals.usersWithMemories} users` +
      `${totals.preTenantMemories > 0 ? ` (${totals.preTenantMemories} without a user_id)` : ''}; ` +
      `${totals.records} om-import records, ${totals.recordsWithMemory === totals.records ? 'each with its memory' : `${totals.recordsWithMemory} with their memory`}`,
  );
  if (status.otherTargets.length > 0) {
    lines.push('other tables in this database hold om-import rows too (see `OM_PG_SCHEMA`, `OM_PG_TABLE`, `OM_VECTOR_TABLE`):');
    for (const other of status.otherTargets) lines.push(`  ${safe(other.target)}: ${other.runs} ${other.runs === 1 ? 'run' : 'runs'}, ${other.records} records`);
  }
  if (status.earlierRuns > 0) {
    const runs = status.earlierRuns;
    lines.push(`${runs} ${runs === 1 ? 'run' : 'runs'} recorded by om-import 0.1, before runs were kept per tables: no run resumes or builds on ${runs === 1 ? 'it' : 'them'}`);
  }
  return lines;
}

