// The last step of a run — each touched user's waypoints and summary — commits in short steps; a run stopped
// between them leaves the unfinished users pending, and the resumed run writes each of them again whole.
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { importFrom } from '../../src/pipeline/import.js';
import { finalizeUsers, type WaypointChooser } from '../../src/pipeline/finalize-users.js';
import type { SourceItem } from '../../src/records.js';
import { testSource } from '../support/test-source.js';
import { ImportBookkeeping } from '../../src/database/import-bookkeeping.js';
import { openTarget, resolveTargetConfig, type TargetConfig } from '../../src/database/open-target.js';
import { OpenMemoryWriter, type MemoryPaging, type StoredMemory } from '../../src/database/openmemory-writer.js';
import { SqliteExecutor } from '../../src/database/sqlite/sqlite-executor.js';
import type { Target } from '../../src/database/target.js';
import { float32FromBytes } from '../../src/openmemory/vectors.js';
import { tenantWaypoints, waypointCandidateWindow, type WaypointNode } from '../../src/openmemory/waypoints.js';
import { importedState } from '../support/database-snapshot.js';
import { backends } from '../support/targets.js';
import { tempDir } from '../support/temp.js';

/** Two small users, then one whose waypoints take more than one transaction. */
const users: [string, number][] = [['ana', 3], ['ben', 3], ['big', 6000]];

const source = testSource(
  users.map(([user]) => user),
  function* (user): Iterable<SourceItem> {
    const count = users.find(([name]) => name === user)![1];
    for (let i = 0; i < count; i++) {
      const at = Date.UTC(2025, 0, 1) + i * 60_000;
      const record = {
        sourceKind: 'test.note', sourceId: `${user}-${i}`, tenantKey: user, role: null,
        content: `${user} note ${i}: the ${i % 13} meeting about project ${i % 29} moved to ${i % 7} pm`,
        tags: [], metadata: {}, sourceFields: {}, createdAt: at, updatedAt: at,
      };
      yield { type: 'memory', record, raw: record };
    }
  },
);

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

// On two workers, big's second page is being chosen on a thread while its first page is written. (Threads run the
// compiled worker: `npm test` builds it first.)
describe.each([['one worker', 1], ['two workers', 2]] as const)('finalizing users in steps (%s)', (_name, workers) => {
  it('a run stopped between two steps leaves the cut-off user pending; the resumed run gives what one clean run gives', async () => {
    const clean = sqliteTarget();
    await importFrom({ source, target: clean, env: {}, workers });

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
      source, target: stopped, env: {}, workers,
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

    const resumed = await importFrom({ source, target: stopped, env: {}, workers });
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

/** One user with many memories; times repeat in runs of 37, so a page often ends inside a run of equal times. */
const longUser = { name: 'long', memories: 2500, sameTime: 37 };

const longSource = testSource([longUser.name], function* (): Iterable<SourceItem> {
  for (let i = 0; i < longUser.memories; i++) {
    const at = Date.UTC(2025, 0, 1) + Math.floor(i / longUser.sameTime) * 60_000;
    const record = {
      sourceKind: 'test.note', sourceId: `long-${i}`, tenantKey: longUser.name, role: null,
      content: `note ${i}: the ${i % 11} review of plan ${i % 31} is at ${i % 5} pm in room ${i % 17}`,
      tags: [], metadata: {}, sourceFields: {}, createdAt: at, updatedAt: at,
    };
    yield { type: 'memory', record, raw: record };
  }
});

interface WaypointRow {
  src_id: string;
  dst_id: string;
  weight: number;
  created_at: number;
  updated_at: number;
}

/** The user's waypoint rows, as comparable data. */
async function waypointRows(target: Target): Promise<WaypointRow[]> {
  const rows = await target.executor.all<WaypointRow>(
    `select src_id, dst_id, weight, created_at, updated_at from ${target.dialect.qualified(target.dialect.tables.waypoints)} where user_id = ?`,
    [longUser.name],
  );
  return rows
    .map((row) => ({ src_id: String(row.src_id), dst_id: String(row.dst_id), weight: Number(row.weight), created_at: Number(row.created_at), updated_at: Number(row.updated_at) }))
    .sort((a, b) => (a.src_id < b.src_id ? -1 : a.src_id > b.src_id ? 1 : 0));
}

describe.each(backends)('a user larger than a page and its window (%s)', (_name, makeTarget) => {
  /** Listings end inside pages, pages inside runs of equal times. */
  const paging = { page: 300, listing: 700 };

  /**
   * The long user imported into a new target, every `every`-th of its memories (in content order) without a time:
   * those sort first, as 0, among themselves by id.
   */
  async function longUserWithTimelessMemories(every: number): Promise<{ target: Target; memories: string; ids: string[] }> {
    const config = await makeTarget();
    await importFrom({ source: longSource, target: config, env: {} });
    const target = await openTarget(config);
    const memories = target.dialect.qualified(target.dialect.tables.memories);
    const rows = await target.executor.all<{ id: string }>(`select id from ${memories} where user_id = ? order by content`, [longUser.name]);
    const ids = rows.map((row) => String(row.id));
    for (const id of ids.filter((_id, i) => i % every === 0)) await target.executor.run(`update ${memories} set created_at = null where id = ?`, [id]);
    return { target, memories, ids };
  }

  it('gets, page by page, the waypoints of the whole list at once, holding at most a window and two pages', async () => {
    const { target, memories } = await longUserWithTimelessMemories(53);
    try {

      // The reference: every memory in source order (time, missing as 0, then id), decided in one list.
      const stored = await target.executor.all<{ id: string; created_at: number | null; mean_vec: Buffer }>(
        `select id, created_at, mean_vec from ${memories} where user_id = ?`,
        [longUser.name],
      );
      const ordered = stored
        .map((row) => ({ id: String(row.id), createdAt: Number(row.created_at ?? 0), meanVector: float32FromBytes(row.mean_vec) }))
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const expectedFrom = (from: number): WaypointRow[] =>
        tenantWaypoints(ordered, waypointCandidateWindow, from)
          .map((waypoint, i) => {
            const createdAt = ordered[from + i]!.createdAt;
            return { src_id: waypoint.sourceId, dst_id: waypoint.targetId, weight: waypoint.weight, created_at: createdAt, updated_at: createdAt };
          })
          .sort((a, b) => (a.src_id < b.src_id ? -1 : a.src_id > b.src_id ? 1 : 0));

      const bookkeeping = new ImportBookkeeping(target, 'test', 'account-1');
      const writer = new OpenMemoryWriter(target, 10_000);
      const waypoints = target.dialect.qualified(target.dialect.tables.waypoints);
      // Waypoints chosen a turn of the event loop later, as on worker threads, so that the next page is read meanwhile.
      const read: number[] = [];
      const choosing = new Set<readonly WaypointNode[]>();
      let mostHeld = 0;
      const chooser: WaypointChooser = {
        tenantWaypoints: async (nodes, window, from) => {
          choosing.add(nodes);
          mostHeld = Math.max(mostHeld, new Set([...choosing].flatMap((held) => held.map((node) => node.id))).size);
          await new Promise((resolve) => setImmediate(resolve));
          choosing.delete(nodes);
          return tenantWaypoints(nodes, window, from);
        },
      };
      const memoriesInOrder = writer.memoriesInOrder.bind(writer);
      vi.spyOn(writer, 'memoriesInOrder').mockImplementation(async function* (...args) {
        for await (const page of memoriesInOrder(...args)) {
          read.push(page.length);
          yield page;
        }
      });

      // From the first memory on, then from one deep in the list (its window read over several pages first).
      const firstChanged = 1777;
      for (const [since, from] of [[0, 0], [ordered[firstChanged]!.createdAt, ordered.findIndex((memory) => memory.createdAt === ordered[firstChanged]!.createdAt)]] as const) {
        await target.executor.run(`delete from ${waypoints} where user_id = ?`, [longUser.name]);
        await bookkeeping.markUsersPending([{ userId: longUser.name, since }]);
        read.length = 0;
        mostHeld = 0;
        const [report] = await finalizeUsers(bookkeeping, writer, Date.UTC(2025, 6, 1), undefined, chooser, paging);
        expect(await waypointRows(target)).toEqual(expectedFrom(from));
        expect(report?.waypointsWritten).toBe(ordered.length - from);
        // Each memory from a window before the first changed one is read once, a page at a time.
        expect(Math.max(...read)).toBe(paging.page);
        expect(read.reduce((sum, count) => sum + count, 0)).toBe(ordered.length - Math.max(0, from - waypointCandidateWindow));
        // At most a window and two pages: one page's waypoints being chosen while the next one is read.
        expect(mostHeld).toBeGreaterThan(waypointCandidateWindow);
        expect(mostHeld).toBeLessThanOrEqual(waypointCandidateWindow + 2 * paging.page);
      }
    } finally {
      await target.close();
    }
  });

  it('reads a user within one page (one statement) in the same order as page by page', async () => {
    const { target, ids } = await longUserWithTimelessMemories(41);
    try {
      const writer = new OpenMemoryWriter(target, 10_000);
      const listed = async (offset: number, paging: MemoryPaging): Promise<{ pages: number; memories: unknown[] }> => {
        const pages: StoredMemory[][] = [];
        for await (const page of writer.memoriesInOrder(longUser.name, offset, paging)) pages.push(page);
        return { pages: pages.length, memories: pages.flat().map((memory) => ({ ...memory, meanVector: memory.meanVector?.toString('hex') })) };
      };
      for (const offset of [0, 1234, ids.length - 1, ids.length]) {
        const paged = await listed(offset, paging);
        const whole = await listed(offset, { page: ids.length, listing: 700 });
        expect(whole.pages).toBe(offset < ids.length ? 1 : 0);
        if (ids.length - offset > paging.page) expect(paged.pages).toBeGreaterThan(1);
        expect(whole.memories).toEqual(paged.memories);
        expect(whole.memories).toHaveLength(ids.length - offset);
      }
    } finally {
      await target.close();
    }
  });

  it('a page whose waypoints cannot be chosen fails the run where it would be written, leaving the user pending', async () => {
    const config = await makeTarget();
    await importFrom({ source: longSource, target: config, env: {} });
    const target = await openTarget(config);
    try {
      const bookkeeping = new ImportBookkeeping(target, 'test', 'account-1');
      await bookkeeping.markUsersPending([{ userId: longUser.name, since: 0 }]);
      // The second page fails a turn of the event loop later, while the first one is being written.
      let calls = 0;
      const chooser: WaypointChooser = {
        tenantWaypoints: async (nodes, window, from) => {
          const call = ++calls;
          await new Promise((resolve) => setImmediate(resolve));
          if (call === 2) throw new Error('a worker thread died');
          return tenantWaypoints(nodes, window, from);
        },
      };
      const run = finalizeUsers(bookkeeping, new OpenMemoryWriter(target, 10_000), Date.UTC(2025, 6, 1), undefined, chooser, paging);
      await expect(run).rejects.toThrow('a worker thread died');
      expect(await bookkeeping.pendingUsersList()).toEqual([{ userId: longUser.name, since: 0 }]);
    } finally {
      await target.close();
    }
  });
});

/** Users of a few memories each, some sharing times, a few without: finalized together, several to a statement. */
const smallUsers = Array.from({ length: 23 }, (_, user) => ({ name: `small-${String(user).padStart(2, '0')}`, memories: (user * 7) % 19 }));

const smallUsersSource = testSource(
  smallUsers.map((user) => user.name),
  function* (name): Iterable<SourceItem> {
    const count = smallUsers.find((user) => user.name === name)!.memories;
    for (let i = 0; i < count; i++) {
      const at = Date.UTC(2025, 0, 1) + Math.floor(i / 3) * 60_000;
      const record = {
        sourceKind: 'test.note', sourceId: `${name}-${i}`, tenantKey: name, role: null,
        content: `${name} note ${i}: the ${i % 5} talk on topic ${i % 7} starts at ${i % 4} pm`,
        tags: [], metadata: {}, sourceFields: {}, createdAt: at, updatedAt: at,
      };
      yield { type: 'memory', record, raw: record };
    }
  },
);

describe.each(backends)('users of at most a page, finalized together (%s)', (_name, makeTarget) => {
  it('get the waypoints and summaries each would get alone, from their first changed memory on', async () => {
    const config = await makeTarget();
    await importFrom({ source: smallUsersSource, target: config, env: {} });
    const target = await openTarget(config);
    try {
      const { executor, dialect } = target;
      const memories = dialect.qualified(dialect.tables.memories);
      const waypoints = dialect.qualified(dialect.tables.waypoints);
      const users = dialect.qualified(dialect.tables.users);
      // Some memories without a time (they sort first, as 0), a user with a source's summary, one pending with none.
      const ids = await executor.all<{ id: string }>(`select id from ${memories} order by content`);
      for (const { id } of ids.filter((_row, i) => i % 9 === 0)) await executor.run(`update ${memories} set created_at = null where id = ?`, [String(id)]);
      const bookkeeping = new ImportBookkeeping(target, 'test', 'account-1');
      await bookkeeping.storeSourceSummary('small-05', 'small-05', 'likes long walks', Date.UTC(2025, 5, 1));
      const everyone = [...smallUsers.map((user) => user.name), 'nobody'];
      const rows = async (): Promise<unknown> => ({
        waypoints: (await executor.all<WaypointRow & { user_id: string }>(`select src_id, dst_id, user_id, weight, created_at, updated_at from ${waypoints}`))
          .map((row) => ({ ...row, src_id: String(row.src_id), dst_id: String(row.dst_id), weight: Number(row.weight), created_at: Number(row.created_at), updated_at: Number(row.updated_at) }))
          .sort((a, b) => (a.src_id < b.src_id ? -1 : a.src_id > b.src_id ? 1 : 0)),
        users: await executor.all(`select user_id, summary from ${users} order by user_id`),
      });
      // From each user's first memory, then from a memory inside its list (times: a minute per three memories).
      for (const since of [0, Date.UTC(2025, 0, 1) + 2 * 60_000]) {
        const finalized: unknown[] = [];
        const reports: unknown[] = [];
        // Together (the default page holds them all; grouped on either backend), then each alone.
        for (const groupSmallUsers of [true, false]) {
          await executor.run(`delete from ${waypoints}`);
          await executor.run(`delete from ${users}`);
          await bookkeeping.markUsersPending(everyone.map((userId) => ({ userId, since })));
          reports.push(await finalizeUsers(bookkeeping, new OpenMemoryWriter(target, 10_000), Date.UTC(2025, 6, 1), undefined, undefined, undefined, groupSmallUsers));
          finalized.push(await rows());
          expect(await bookkeeping.pendingUsersList()).toEqual([]);
        }
        expect(finalized[0]).toEqual(finalized[1]);
        expect(reports[0]).toEqual(reports[1]);
        const written = finalized[0] as { waypoints: unknown[]; users: { user_id: string; summary: string }[] };
        const memoriesFrom = await executor.all<{ n: number }>(`select count(*) as n from ${memories} where coalesce(created_at, 0) >= ?`, [since]);
        expect(written.waypoints).toHaveLength(Number(memoriesFrom[0]!.n));
        // A pending user without memories and without a source's summary (every memory moved away) gets no users row.
        const withMemories = smallUsers.filter((user) => user.memories > 0).map((user) => user.name);
        expect(written.users.map((user) => user.user_id).sort()).toEqual(withMemories.sort());
        expect(written.users.find((user) => user.user_id === 'small-05')?.summary).toBe('likes long walks');
        expect(written.users.find((user) => user.user_id === 'nobody')).toBeUndefined();
      }
    } finally {
      await target.close();
    }
  });
});
