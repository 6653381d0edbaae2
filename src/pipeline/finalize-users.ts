// After the records are written: each touched user's waypoints (from the first changed memory on, in source order,
// never across users) and `users` summary, as OpenMemory computes them after each memory it stores.
//
// A user's memories are read in pages, in source order, and each page's waypoints are decided with the window of
// memories before it as history. While a page's waypoints are chosen (on worker threads), the page before is written
// and the next one read, the next user's included: at most a window and two pages of memories are held at once,
// whatever the user's size (three pages where small users are grouped: the next group is read ahead). Users of at
// most a page each are read, decided and written together, a page of memories at a time, so that a statement serves
// many of them (on PostgreSQL each statement is a round trip: one per user per read made finalizing 1,000 small
// users take longer than writing their memories). A group's reads are
// issued together, and the next group's before this group's writes, so that PostgreSQL runs them back to back
// while this group's waypoints are chosen (no read runs inside a write transaction); rows are written in the order
// the pages come.
//
// An OpenMemory server may be writing to the same database meanwhile, so no write transaction is long: everything
// is read and computed outside a transaction, then written in steps of a bounded number of waypoint rows and of
// users. A user is cleared from the pending list in the step that writes its last rows (after all its pages); a run
// stopped before that leaves it pending, and the resumed run computes and writes it again whole (the same rows:
// waypoints depend only on the stored memories, the summary on the run's start).
import { summaryMemoryLimit, generateUserSummary } from '../openmemory/user-summary.js';
import { float32FromBytes } from '../openmemory/vectors.js';
import type { RowPool } from '../openmemory/row-pool.js';
import { tenantWaypoints, waypointCandidateWindow, type WaypointNode } from '../openmemory/waypoints.js';
import type { ImportBookkeeping } from '../database/import-bookkeeping.js';
import type { MemoryPaging, OpenMemoryWriter, StoredMemory, SummaryMemory, UserWaypoint } from '../database/openmemory-writer.js';
import type { SqlExecutor } from '../database/sql-executor.js';
import type { UserReport } from './report.js';

/**
 * How a user's memories are read: a page of memories (~1.4 KB each with 256 dimensions) read and decided at a time,
 * after the window before it; a listing of ids and times (~0.1 KB each) sorted at a time.
 */
export const memoryPaging: Readonly<MemoryPaging> = { page: 5000, listing: 50_000 };
/** Waypoint rows per write transaction: a few tens of milliseconds of lock on SQLite. */
const waypointRowsPerTransaction = 5000;
/** Users finished per write transaction: few enough to keep it short, many enough not to pay a commit per user. */
const usersPerTransaction = 100;

/** Where waypoints are chosen: a RowPool's worker threads, or the main thread. */
export type WaypointChooser = Pick<RowPool, 'tenantWaypoints'>;
const mainThread: WaypointChooser = { tenantWaypoints: async (nodes, window, from) => tenantWaypoints(nodes, window, from) };

type PendingUser = { userId: string; since: number };

/**
 * Rebuilds the waypoints (from the first changed memory on) and the summary of every user the run touched; the
 * waypoints are chosen on `chooser`'s threads (by default on the main thread), a page of memories at a time.
 *
 * Users of at most a page of memories are finalized together, as many as a page of memories holds (and no more
 * than a transaction's users): each of their reads and writes is one statement for the group, not one per user — on
 * PostgreSQL every statement is a round trip. A larger user is read page by page on its own.
 */
export async function finalizeUsers(
  bookkeeping: ImportBookkeeping,
  writer: OpenMemoryWriter,
  runStart: number,
  /** Called at the start and after each commit: users written so far, of all the pending ones. */
  onProgress?: (usersDone: number, users: number) => void,
  chooser: WaypointChooser = mainThread,
  paging: MemoryPaging = memoryPaging,
  /**
   * Whether small users are finalized in groups: on PostgreSQL, where each statement is a round trip. SQLite has no
   * round trip to save, and one user at a time overlaps better with the threads choosing waypoints (1,000 users of
   * 100 memories: 4.9–5.1 s grouped against 3.2–3.4 s one at a time, measured).
   */
  groupSmallUsers: boolean = writer.target.dialect.name === 'postgres',
): Promise<UserReport[]> {
  const touched = await bookkeeping.pendingUsersList();
  onProgress?.(0, touched.length);
  let usersDone = 0;
  const steps = new WriteSteps(writer.target.executor, (committed) => onProgress?.((usersDone += committed), touched.length));
  const reports: UserReport[] = [];
  // Users every memory moved away from (a --user-map that merged them into another) and of whom no source gives a
  // summary: their `users` rows would only hold a summary of nothing, so they go.
  const pending = await removeEmptiedUsersOf(touched, bookkeeping, writer, steps, reports);
  // Writes waiting for the next page to be read (its waypoints then being chosen), in order: a page's waypoints and,
  // after a group's last page, its users' summaries.
  const waiting: (() => Promise<void>)[] = [];
  const writeWaiting = async (): Promise<void> => {
    for (const write of waiting.splice(0)) await write();
  };
  const groups = await userGroups(pending, writer, groupSmallUsers ? paging.page : 0, paging);
  const isLarge = (group: readonly GroupedUser[] | undefined): boolean => group !== undefined && group.length === 1 && group[0]!.large;
  // What the next group of small users needs is read while this one is decided and written: on PostgreSQL the
  // server then runs those reads right behind this group's writes, instead of each waiting for the other.
  let readAhead: Promise<GroupReads> | null = null;
  for (const [index, group] of groups.entries()) {
    const groupReports = new Map<string, UserReport>(
      group.map((user) => [user.userId, { userId: user.userId, waypointsWritten: 0, summarySource: 'generated', generatedSummary: '' }]),
    );
    const groupRead = isLarge(group) ? null : (readAhead ?? readGroup(group, bookkeeping, writer));
    const next = groups[index + 1];
    readAhead = next !== undefined && !isLarge(next) ? readGroup(next, bookkeeping, writer) : null;
    readAhead?.catch(() => undefined); // a failure surfaces where that group is finalized
    const reads = groupRead === null ? null : await groupRead;
    const pages = reads === null ? userWaypoints(group[0]!, bookkeeping, writer, chooser, paging) : groupWaypoints(group, reads, chooser);
    for await (const page of pages) {
      await writeWaiting();
      waiting.push(async () => {
        const waypoints = await page.chosen;
        for (let start = 0; start < waypoints.length; ) {
          const slice = waypoints.slice(start, start + steps.roomForRows());
          start += slice.length;
          await steps.add({ rows: slice.length, users: 0 }, () => writer.writeWaypoints(slice));
        }
        for (const waypoint of waypoints) (groupReports.get(waypoint.userId) as UserReport).waypointsWritten++;
      });
    }
    const userIds = group.map((user) => user.userId);
    const { recent, sourceSummaries } = reads ?? {
      recent: new Map([[userIds[0]!, await writer.recentMemories(userIds[0]!, summaryMemoryLimit)]]),
      sourceSummaries: await bookkeeping.sourceSummariesOf(userIds),
    };
    const summaries = new Map<string, string>();
    for (const report of groupReports.values()) {
      report.generatedSummary = generateUserSummary(recent.get(report.userId) ?? [], runStart);
      const sourceSummary = sourceSummaries.get(report.userId);
      if (sourceSummary !== undefined) report.summarySource = 'source';
      summaries.set(report.userId, sourceSummary ?? report.generatedSummary);
      reports.push(report);
    }
    waiting.push(() =>
      steps.add({ rows: 0, users: group.length }, async () => {
        const stored = await writer.storedSummaries(userIds);
        const changed = [...summaries].filter(([userId, summary]) => (stored.get(userId) ?? null) !== summary);
        await writer.writeUsers(changed.map(([userId, summary]) => ({ userId, summary })), runStart);
        await bookkeeping.clearPendingUsers(userIds);
      }),
    );
  }
  await writeWaiting();
  await steps.commit();
  return reports;
}

/** Removes the pending users left without memories and without a source summary; answers the others. */
async function removeEmptiedUsersOf(
  pending: readonly PendingUser[],
  bookkeeping: ImportBookkeeping,
  writer: OpenMemoryWriter,
  steps: WriteSteps,
  reports: UserReport[],
): Promise<PendingUser[]> {
  const userIds = pending.map((user) => user.userId);
  const counts = await writer.memoryCounts(userIds);
  const summaries = await bookkeeping.sourceSummariesOf(userIds);
  const emptied = userIds.filter((userId) => (counts.get(userId) ?? 0) === 0 && !summaries.has(userId));
  if (emptied.length === 0) return [...pending];
  await steps.add({ rows: 0, users: emptied.length }, async () => {
    await writer.removeUsers(emptied);
    await bookkeeping.clearPendingUsers(emptied);
  });
  for (const userId of emptied) reports.push({ userId, waypointsWritten: 0, summarySource: 'generated', generatedSummary: '', removed: true });
  const gone = new Set(emptied);
  return pending.filter((user) => !gone.has(user.userId));
}

/**
 * The pending users in groups finalized together: consecutive users of at most `smallUser` memories each, as many
 * as a page of memories and a transaction's users hold; a larger user alone (`large`), read page by page.
 */
type GroupedUser = PendingUser & { large: boolean };

async function userGroups(pending: readonly PendingUser[], writer: OpenMemoryWriter, smallUser: number, paging: MemoryPaging): Promise<GroupedUser[][]> {
  if (smallUser === 0) return pending.map((user) => [{ ...user, large: true }]);
  const counts = await writer.memoryCounts(pending.map((user) => user.userId));
  const groups: GroupedUser[][] = [];
  let group: GroupedUser[] = [];
  let memories = 0;
  const close = (): void => {
    if (group.length > 0) groups.push(group);
    group = [];
    memories = 0;
  };
  for (const user of pending) {
    const count = counts.get(user.userId) ?? 0;
    if (count > smallUser) {
      close();
      groups.push([{ ...user, large: true }]);
      continue;
    }
    if (memories + count > paging.page || group.length >= usersPerTransaction) close();
    group.push({ ...user, large: false });
    memories += count;
  }
  close();
  return groups;
}

/** A stored memory as the waypoint algorithm takes it. */
function waypointNode(memory: StoredMemory): WaypointNode {
  return { id: memory.id, meanVector: memory.meanVector ? float32FromBytes(memory.meanVector) : null };
}

/** What finalizing a group of small users reads: their memories whole, which of them om-import imported, and what their summaries are made of. */
interface GroupReads {
  memories: Map<string, StoredMemory[]>;
  imported: Map<string, Set<string>>;
  recent: Map<string, SummaryMemory[]>;
  sourceSummaries: Map<string, string>;
}

/** A group's reads, issued together: one statement each, and on PostgreSQL sent without waiting for one another. */
async function readGroup(group: readonly PendingUser[], bookkeeping: ImportBookkeeping, writer: OpenMemoryWriter): Promise<GroupReads> {
  const userIds = group.map((user) => user.userId);
  const [memories, imported, recent, sourceSummaries] = await Promise.all([
    writer.memoriesOfUsers(userIds),
    bookkeeping.importedOfUsers(userIds),
    writer.recentMemoriesOfUsers(userIds, summaryMemoryLimit),
    bookkeeping.sourceSummariesOf(userIds),
  ]);
  return { memories, imported, recent, sourceSummaries };
}

/**
 * The new waypoints of a group of users of at most a page of memories each, from their reads; yields once, the
 * waypoints being chosen, user by user, on the chooser's threads.
 */
async function* groupWaypoints(group: readonly PendingUser[], reads: GroupReads, chooser: WaypointChooser): AsyncGenerator<{ chosen: Promise<UserWaypoint[]> }> {
  const window = waypointCandidateWindow;
  const { memories, imported } = reads;
  const users = group.map((user) => {
    const list = memories.get(user.userId) ?? [];
    // Only memories from the first changed one on get new waypoints; they look back at most a window's worth.
    const earlier = list.filter((memory) => memory.createdAt < user.since).length;
    const offset = Math.max(0, earlier - window);
    return { userId: user.userId, nodes: list.slice(offset), from: earlier - offset, changed: list.slice(earlier) };
  }).filter((user) => user.changed.length > 0);
  if (users.length === 0) return;
  const chosen = Promise.all(
    users.map((user) => {
      const importedOfUser = imported.get(user.userId) as Set<string>;
      const createdAtById = new Map(user.changed.map((memory) => [memory.id, memory.createdAt]));
      return chooser.tenantWaypoints(user.nodes.map(waypointNode), window, user.from).then((waypoints) =>
        waypoints
          .filter((waypoint) => importedOfUser.has(waypoint.sourceId))
          .map((waypoint) => ({ ...waypoint, userId: user.userId, createdAt: createdAtById.get(waypoint.sourceId) as number })),
      );
    }),
  ).then((perUser) => perUser.flat());
  chosen.catch(() => undefined); // a failure surfaces where the group is written, not as an unhandled rejection
  yield { chosen };
}

/**
 * A user's new waypoints, a page of memories at a time in source order, read without writing anything; each page's
 * are being chosen when it is yielded. Each page is decided with the (at most a window of) memories before it as
 * history, which decides the same as the whole list would (see `waypointChoices`).
 */
async function* userWaypoints(
  user: PendingUser,
  bookkeeping: ImportBookkeeping,
  writer: OpenMemoryWriter,
  chooser: WaypointChooser,
  paging: MemoryPaging,
): AsyncGenerator<{ chosen: Promise<UserWaypoint[]> }> {
  const window = waypointCandidateWindow;
  // Only memories from the first changed one on get new waypoints; they look back at most a window's worth.
  const earlier = await writer.countMemoriesBefore(user.userId, user.since);
  const offset = Math.max(0, earlier - window);
  /** Memories still to read only as history, before the first changed one. */
  let unchanged = earlier - offset;
  let history: WaypointNode[] = [];
  for await (const page of writer.memoriesInOrder(user.userId, offset, paging)) {
    const nodes = history.concat(page.map(waypointNode));
    const historyInPage = Math.min(unchanged, page.length);
    unchanged -= historyInPage;
    const changed = page.slice(historyInPage);
    if (changed.length > 0) {
      const imported = await bookkeeping.importedAmong(user.userId, changed.map((memory) => memory.id));
      const createdAtById = new Map(changed.map((memory) => [memory.id, memory.createdAt]));
      const chosen = chooser.tenantWaypoints(nodes, window, history.length + historyInPage).then((waypoints) =>
        waypoints
          .filter((waypoint) => imported.has(waypoint.sourceId))
          .map((waypoint) => ({ ...waypoint, userId: user.userId, createdAt: createdAtById.get(waypoint.sourceId) as number })),
      );
      chosen.catch(() => undefined); // a failure surfaces where the page is written, not as an unhandled rejection
      yield { chosen };
    }
    history = nodes.slice(-window);
  }
}

/**
 * Writes queued up and committed together once they reach the bound on waypoint rows or on users. A step runs only
 * inside the transaction that commits it, in the order the steps were added.
 */
class WriteSteps {
  private steps: (() => Promise<void>)[] = [];
  private rows = 0;
  private users = 0;

  constructor(
    private readonly executor: SqlExecutor,
    /** Told how many users each commit finished. */
    private readonly onCommitted: (users: number) => void = () => undefined,
  ) {}

  /** How many more waypoint rows the current transaction takes (at least one: a full one is committed at once). */
  roomForRows(): number {
    return waypointRowsPerTransaction - this.rows;
  }

  async add(size: { rows: number; users: number }, step: () => Promise<void>): Promise<void> {
    this.steps.push(step);
    this.rows += size.rows;
    this.users += size.users;
    if (this.rows >= waypointRowsPerTransaction || this.users >= usersPerTransaction) await this.commit();
  }

  async commit(): Promise<void> {
    if (this.steps.length === 0) return;
    const steps = this.steps;
    const users = this.users;
    this.steps = [];
    this.rows = 0;
    this.users = 0;
    await this.executor.transaction(async () => {
      for (const step of steps) await step();
    });
    if (users > 0) this.onCommitted(users);
  }
}
