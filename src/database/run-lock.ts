// One om-import run at a time per shard of a target: two runs of the same shard (or two unsharded runs, or an
// unsharded run beside any shard) would write the same users. PostgreSQL holds advisory locks for the run's session
// (a killed run's end with its connection); SQLite keeps a row naming the process, which the run renews while it
// runs (a lease): a row whose process is gone on this machine, or whose lease has run out (a run killed on another
// machine or in a container that is gone), is taken over. A table names the running one, for the message that
// refuses a second.
import os from 'node:os';
import { TargetError } from '../errors.js';
import { shardName, type Shard } from '../pipeline/shard.js';
import type { Target } from './target.js';

export interface RunClaim {
  /** The target's key (its tables), as the bookkeeping keys everything. */
  targetKey: string;
  shard: Shard | null;
  source: string;
  account: string;
  now: number;
}

interface ActiveRun {
  shard: string;
  source: string;
  account: string;
  owner: string;
  started_at: number;
  /** When its run last renewed its lease (SQLite; 0 for a claim of an om-import from before leases). */
  heartbeat_at: number;
}

/** How long a SQLite claim stands without being renewed, and how often a running run renews it. */
export const claimLeaseMs = 120_000;
const claimRenewalMs = 20_000;

/** The claims recorded on a target, by shard (a table an om-import from before leases made has no `heartbeat_at`: 0). */
async function claimsOn(target: Target, targetKey: string): Promise<ActiveRun[]> {
  const rows = await target.executor.all<Omit<ActiveRun, 'heartbeat_at'> & { heartbeat_at?: number }>(
    `select * from ${target.dialect.qualified('om_import_active_runs')} where target = ? order by shard`,
    [targetKey],
  );
  return rows.map((row) => ({ shard: row.shard, source: row.source, account: row.account, owner: row.owner, started_at: row.started_at, heartbeat_at: row.heartbeat_at ?? 0 }));
}

/** The PostgreSQL advisory lock a claim holds exclusively: the whole target's for an unsharded run, else its shard's. */
function claimLockKey(targetKey: string, shard: string): string {
  const whole = `om-import:${targetKey}`;
  return shard === 'all' ? whole : `${whole}:shard:${shard}`;
}

/** Claims the shard for this process; answers the function that gives it back. Throws, naming the running one, when taken. */
export async function acquireRunLock(target: Target, claim: RunClaim): Promise<() => Promise<void>> {
  const table = target.dialect.qualified('om_import_active_runs');
  const { executor } = target;
  // Under the schema lock: shards starting together on a new database would otherwise race to create it
  // (PostgreSQL's `create table if not exists` is not safe against a concurrent create of the same table).
  await withSchemaLock(target, async () => {
    await executor.run(
      `create table if not exists ${table}(target text not null, shard text not null, source text not null, account text not null,
        owner text not null, started_at bigint not null, heartbeat_at bigint not null default 0, primary key(target, shard))`,
    );
    const { facts } = await target.inspect();
    if (!facts.tables.get('om_import_active_runs')?.columns.some((column) => column.name === 'heartbeat_at')) {
      await executor.run(`alter table ${table} add column heartbeat_at bigint not null default 0`);
    }
  });
  const shard = shardName(claim.shard);
  const owner = `${os.hostname()}:${process.pid}`;
  const active = (): Promise<ActiveRun[]> => claimsOn(target, claim.targetKey);
  const conflicts = (run: ActiveRun): boolean => shard === 'all' || run.shard === 'all' || run.shard === shard;
  const refuse = (running: ActiveRun[]): never => {
    const named = running.length > 0
      ? running.map((run) => `${run.source} (${run.account}), shard ${run.shard}, started ${new Date(Number(run.started_at)).toISOString()} by ${run.owner}`).join('; ')
      : 'another process';
    throw new TargetError(`another om-import run is importing ${shard === 'all' ? 'into' : `shard ${shard} of`} ${target.description}: ${named}`, {
      hint: 'wait for it to finish or stop it; a run that was killed is taken over by the next one',
    });
  };

  if (target.dialect.name === 'postgres') {
    const whole = claimLockKey(claim.targetKey, 'all');
    const locks: string[] = [];
    const release = async (): Promise<void> => {
      for (const lock of locks.reverse()) await executor.all(lock);
    };
    const tryLock = async (sql: string, key: string, unlock: string): Promise<boolean> => {
      const [row] = await executor.all<{ locked: boolean }>(sql, [key]);
      if (row?.locked) locks.push(unlock.replace('?', `hashtext('${key.replace(/'/g, "''")}')`));
      return row?.locked === true;
    };
    const locked =
      shard === 'all'
        ? await tryLock('select pg_try_advisory_lock(hashtext(?)) as locked', whole, 'select pg_advisory_unlock(?)')
        : (await tryLock('select pg_try_advisory_lock_shared(hashtext(?)) as locked', whole, 'select pg_advisory_unlock_shared(?)')) &&
          (await tryLock('select pg_try_advisory_lock(hashtext(?)) as locked', claimLockKey(claim.targetKey, shard), 'select pg_advisory_unlock(?)'));
    if (!locked) {
      await release();
      refuse((await active()).filter(conflicts));
    }
    await executor.run(
      `insert into ${table}(target, shard, source, account, owner, started_at) values (?, ?, ?, ?, ?, ?)
       on conflict(target, shard) do update set source = excluded.source, account = excluded.account, owner = excluded.owner, started_at = excluded.started_at`,
      [claim.targetKey, shard, claim.source, claim.account, owner, claim.now],
    );
    return async () => {
      await executor.run(`delete from ${table} where target = ? and shard = ? and owner = ?`, [claim.targetKey, shard, owner]);
      await release();
    };
  }

  await executor.transaction(async () => {
    const running = (await active()).filter((run) => !claimAbandoned(run, Date.now()) && conflicts(run));
    if (running.length > 0) refuse(running);
    await executor.run(`delete from ${table} where target = ? and (shard = ? or shard = 'all')`, [claim.targetKey, shard]);
    if (shard === 'all') await executor.run(`delete from ${table} where target = ?`, [claim.targetKey]);
    await executor.run(`insert into ${table}(target, shard, source, account, owner, started_at, heartbeat_at) values (?, ?, ?, ?, ?, ?, ?)`, [
      claim.targetKey, shard, claim.source, claim.account, owner, claim.now, Date.now(),
    ]);
  });
  // The lease: renewed while the run runs (off the critical path: a missed renewal is made up by the next one).
  const renewal = setInterval(() => {
    executor
      .run(`update ${table} set heartbeat_at = ? where target = ? and shard = ? and owner = ?`, [Date.now(), claim.targetKey, shard, owner])
      .catch(() => undefined);
  }, claimRenewalMs);
  renewal.unref();
  return async () => {
    clearInterval(renewal);
    await executor.run(`delete from ${table} where target = ? and shard = ? and owner = ?`, [claim.targetKey, shard, owner]);
  };
}

/** A claim on a target whose run is still running (see runningClaims). */
export interface RunningClaim {
  shard: string;
  source: string;
  account: string;
  /** `host:pid` of the process. */
  owner: string;
}

/**
 * The claims on this target whose runs are still running: exactly those a new run of the same shard would be refused
 * on. On PostgreSQL a session still holds the claim's advisory lock (a killed run's claim row stays, its lock does
 * not); on SQLite the claiming process is not known to be gone (it still exists on this machine, or it is on another
 * one). Reads only (the `pg_locks` view; no lock is taken).
 */
export async function runningClaims(target: Target, targetKey: string): Promise<RunningClaim[]> {
  const running: RunningClaim[] = [];
  for (const claim of await claimsOn(target, targetKey)) {
    let held: boolean;
    if (target.dialect.name === 'postgres') {
      // An advisory lock on one bigint key shows as its high and low 32 bits (classid, objid) with objsubid 1.
      const [row] = await target.executor.all<{ held: boolean }>(
        `select exists(select 1 from pg_locks where locktype = 'advisory' and granted and mode = 'ExclusiveLock' and objsubid = 1
           and database = (select oid from pg_database where datname = current_database())
           and ((classid::bigint << 32) | objid::bigint) = hashtext(?)::bigint) as held`,
        [claimLockKey(targetKey, claim.shard)],
      );
      held = row?.held === true;
    } else {
      held = !claimAbandoned(claim, Date.now());
    }
    if (held) running.push({ shard: claim.shard, source: claim.source, account: claim.account, owner: claim.owner });
  }
  return running;
}

/**
 * Whether a SQLite claim's run is over: its process is known to be gone, or its lease ran out (a claim from before
 * leases, by its start).
 */
function claimAbandoned(run: ActiveRun, now: number): boolean {
  const renewed = Number(run.heartbeat_at) > 0 ? Number(run.heartbeat_at) : Number(run.started_at);
  return isGone(run.owner) || now - renewed > claimLeaseMs;
}

/** Whether the process named `host:pid` is known to be gone: it ran on this machine and is no longer there. */
function isGone(owner: string): boolean {
  const separator = owner.lastIndexOf(':');
  const host = owner.slice(0, separator);
  const pid = Number(owner.slice(separator + 1));
  if (host !== os.hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Runs `work` (a migration, om-import's own DDL) while no other om-import changes this database's schema: on
 * PostgreSQL the others wait on an advisory lock and then find the work done; SQLite serialises writers itself.
 */
export async function withSchemaLock<T>(target: Target, work: () => Promise<T>): Promise<T> {
  if (target.dialect.name !== 'postgres') return work();
  await target.executor.all(`select pg_advisory_lock(hashtext('om-import:schema'))`);
  try {
    return await work();
  } finally {
    await target.executor.all(`select pg_advisory_unlock(hashtext('om-import:schema'))`);
  }
}
