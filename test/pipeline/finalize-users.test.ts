// The last step of a run — each touched user's waypoints and summary — commits in short steps; a run stopped
// between them leaves the unfinished users pending, and the resumed run writes each of them again whole.
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { importFrom } from '../../src/pipeline/import.js';
import type { Partition, Source, SourceItem } from '../../src/records.js';
import { openTarget, resolveTargetConfig, type TargetConfig } from '../../src/database/open-target.js';
import { SqliteExecutor } from '../../src/database/sqlite/sqlite-executor.js';
import { importedState } from '../support/database-snapshot.js';
import { tempDir } from '../support/temp.js';

/** Two small users, then one whose waypoints take more than one transaction. */
const users: [string, number][] = [['ana', 3], ['ben', 3], ['big', 6000]];

const source: Source = {
  name: 'test',
  filtersByUpdateTime: false,
  account: async () => 'account-1',
  async *partitions(): AsyncIterable<Partition> {
    for (const [user] of users) yield { key: `user:${user}`, tenantKey: user };
  },
  async *items(partition: Partition): AsyncIterable<SourceItem> {
    const count = users.find(([user]) => user === partition.tenantKey)![1];
    for (let i = 0; i < count; i++) {
      const at = Date.UTC(2025, 0, 1) + i * 60_000;
      const record = {
        sourceKind: 'test.note', sourceId: `${partition.tenantKey}-${i}`, tenantKey: partition.tenantKey, role: null,
        content: `${partition.tenantKey} note ${i}: the ${i % 13} meeting about project ${i % 29} moved to ${i % 7} pm`,
        tags: [], metadata: {}, sourceFields: {}, createdAt: at, updatedAt: at,
      };
      yield { type: 'memory', record, raw: record };
    }
  },
};

function sqliteTarget(): TargetConfig {
  return resolveTargetConfig({ db: path.join(tempDir(), 'openmemory.sqlite') }, {});
}

async function inspect(config: TargetConfig): Promise<{ state: Record<string, unknown>; pending: string[]; waypoints: Record<string, number> }> {
  const target = await openTarget(config);
  try {
    const pending = await target.executor.all<{ user_id: string }>('select user_id from om_import_pending_users order by user_id');
    const waypoints = await target.executor.all<{ user_id: string; n: number }>('select user_id, count(*) as n from waypoints group by user_id order by user_id');
    return {
      state: await importedState(target),
      pending: pending.map((row) => row.user_id),
      waypoints: Object.fromEntries(waypoints.map((row) => [row.user_id, Number(row.n)])),
    };
  } finally {
    await target.close();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('finalizing users in steps', () => {
  it('a run stopped between two steps leaves the cut-off user pending; the resumed run gives what one clean run gives', async () => {
    const clean = sqliteTarget();
    await importFrom({ source, target: clean, env: {} });

    // The second transaction of the final step fails, as a kill there would end it: nothing of it is committed.
    const stopped = sqliteTarget();
    const transaction = SqliteExecutor.prototype.transaction;
    let finalizing = false;
    let finalTransactions = 0;
    vi.spyOn(SqliteExecutor.prototype, 'transaction').mockImplementation(function <T>(this: SqliteExecutor, work: () => Promise<T>): Promise<T> {
      if (finalizing && ++finalTransactions === 2) return Promise.reject(new Error('killed in the final step'));
      return transaction.call(this, work) as Promise<T>;
    });
    const run = importFrom({
      source, target: stopped, env: {},
      onProgress: (event) => {
        if (event.type === 'finalizing') finalizing = true;
      },
    });
    await expect(run).rejects.toThrow('killed in the final step');
    vi.restoreAllMocks();

    // The first step finished the two small users and wrote part of big's waypoints; big is still pending.
    const cut = await inspect(stopped);
    expect(cut.pending).toEqual(['big']);
    expect(cut.waypoints['ana']).toBe(3);
    expect(cut.waypoints['ben']).toBe(3);
    expect(cut.waypoints['big']).toBeGreaterThan(0);
    expect(cut.waypoints['big']).toBeLessThan(6000);

    const resumed = await importFrom({ source, target: stopped, env: {} });
    expect(resumed.resumed).toBe(true);
    expect(resumed.users).toEqual([expect.objectContaining({ userId: 'big', waypointsWritten: 6000 })]);
    const after = await inspect(stopped);
    expect(after.pending).toEqual([]);
    expect(after.state).toEqual((await inspect(clean)).state);
  });
});

describe('progress of the last step', () => {
  it('tells how many users are written after each commit, ending at all of them', async () => {
    const target = resolveTargetConfig({ db: path.join(tempDir(), 'om.sqlite') }, {});
    const seen: { users: number; usersDone: number }[] = [];
    await importFrom({
      source,
      target,
      env: {},
      onProgress: (event) => {
        if (event.type === 'finalizing') seen.push({ users: event.users, usersDone: event.usersDone });
      },
    });
    expect(seen[0]).toEqual({ users: 3, usersDone: 0 });
    expect(seen.at(-1)).toEqual({ users: 3, usersDone: 3 });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.usersDone).toBeGreaterThanOrEqual(seen[i - 1]!.usersDone);
  });
});
