// The run lock on SQLite is a lease: a claim left by a run killed where its process cannot be seen (another
// machine, a container that is gone) is taken over once its lease runs out, and a live one is still refused.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireRunLock, claimLeaseMs, runningClaims } from '../../src/database/run-lock.js';
import { openTarget } from '../../src/database/open-target.js';
import type { Target } from '../../src/database/target.js';
import { tempDir } from '../support/temp.js';

const opened: Target[] = [];
afterEach(async () => {
  for (const target of opened.splice(0)) await target.close();
});

async function freshTarget(): Promise<Target> {
  const target = await openTarget({ kind: 'sqlite', path: path.join(tempDir(), 'om.sqlite'), vectorTable: undefined });
  opened.push(target);
  await target.migrate();
  return target;
}

const claim = { targetKey: 'memories vectors waypoints users', shard: null, source: 'mem0', account: 'acct' };

describe('the run lease on SQLite', () => {
  it('refuses a second run while the first renews its claim, and takes over a claim whose lease ran out on another machine', async () => {
    const target = await freshTarget();
    const release = await acquireRunLock(target, { ...claim, now: Date.now() });
    await expect(acquireRunLock(target, { ...claim, now: Date.now() })).rejects.toThrow(/another om-import run is importing into/);
    await release();

    // A run killed in a container: its claim names a host no later run shares, and was last renewed long ago.
    const table = target.dialect.qualified('om_import_active_runs');
    const longAgo = Date.now() - claimLeaseMs - 1000;
    await target.executor.run(`insert into ${table}(target, shard, source, account, owner, started_at, heartbeat_at) values (?, 'all', 'mem0', 'acct', 'container-7f3a:1', ?, ?)`, [
      claim.targetKey, longAgo, longAgo,
    ]);
    expect(await runningClaims(target, claim.targetKey)).toEqual([]);
    const takenOver = await acquireRunLock(target, { ...claim, now: Date.now() });
    await takenOver();

    // The same claim renewed a moment ago is a run still running somewhere: refused, and shown as running.
    await target.executor.run(`insert into ${table}(target, shard, source, account, owner, started_at, heartbeat_at) values (?, 'all', 'mem0', 'acct', 'container-7f3a:1', ?, ?)`, [
      claim.targetKey, longAgo, Date.now(),
    ]);
    expect(await runningClaims(target, claim.targetKey)).toEqual([{ shard: 'all', source: 'mem0', account: 'acct', owner: 'container-7f3a:1' }]);
    await expect(acquireRunLock(target, { ...claim, now: Date.now() })).rejects.toThrow(/started .* by container-7f3a:1/);
  });
});

describe('a SQLite database another connection keeps locked', () => {
  it('fails after the wait with one line saying what holds it and what to do, not a bare "database is locked"', async () => {
    const { SqliteExecutor } = await import('../../src/database/sqlite/sqlite-executor.js');
    const Database = (await import('better-sqlite3')).default;
    const file = path.join(tempDir(), 'busy.sqlite');
    const holder = new Database(file);
    holder.exec('create table t(x integer)');
    holder.exec('begin immediate');
    const executor = new SqliteExecutor(new Database(file), 50);
    try {
      await expect(executor.run('insert into t(x) values (1)')).rejects.toThrow(
        /stayed locked by another connection for 0\.05 s \(database is locked\): another process is writing to it .*om-import status.* \(let it finish or stop it, then run again \(the run resumes\)\)/,
      );
      await expect(executor.transaction(async () => undefined)).rejects.toThrow(/stayed locked/);
      holder.exec('rollback');
      // The failed transaction left the connection usable.
      await executor.transaction(() => executor.run('insert into t(x) values (2)'));
    } finally {
      await executor.close();
      holder.close();
    }
  });
});

describe('two processes migrating one new SQLite file at the same moment', () => {
  it('the one that planned before the other committed finds the work done instead of failing', async () => {
    const file = path.join(tempDir(), 'om.sqlite');
    const first = await openTarget({ kind: 'sqlite', path: file, vectorTable: undefined });
    const second = await openTarget({ kind: 'sqlite', path: file, vectorTable: undefined });
    opened.push(first, second);
    // The second read the new file before the first migrated it: its plan is the whole schema.
    const stale = await second.inspect();
    await first.migrate();
    const inspect = second.inspect.bind(second);
    let calls = 0;
    second.inspect = async () => (calls++ === 0 ? stale : inspect());
    const result = await second.migrate();
    expect(result.steps).toEqual([]);
    expect(result.after.name).toBe('v1.2');
  });
});
