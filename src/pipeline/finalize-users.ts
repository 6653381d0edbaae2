// After the records are written: each touched user's waypoints (from the first changed memory on, in source order,
// never across users) and `users` summary, as OpenMemory computes them after each memory it stores.
//
// A user's memories are read in pages, in source order, and each page's waypoints are decided with the window of
// memories before it as history. While a page's waypoints are chosen (on worker threads), the page before is written
// and the next one read, the next user's included: at most a window and two pages of memories are held at once,
// whatever the user's size. Reads and writes still take turns on the one connection (no read runs inside a write
// transaction), and rows are written in the order the pages come.
//
// An OpenMemory server may be writing to the same database meanwhile, so no write transaction is long: everything
// is read and computed outside a transaction, then written in steps of a bounded number of waypoint rows and of
// users. A user is cleared from the pending list in the step that writes its last rows (after all its pages); a run
// stopped before that leaves it pending, and the resumed run computes and writes it again whole (the same rows:
// waypoints depend only on the stored memories, the summary on the run's start).
import { summaryMemoryLimit, generateUserSummary } from '../openmemory/user-summary.js';
import { float32FromBytes } from '../openmemory/vectors.js';
import type { RowPool } from '../openmemory/row-pool.js';
import { tenantWaypoints, waypointCandidateWindow, type Waypoint, type WaypointNode } from '../openmemory/waypoints.js';
import type { ImportBookkeeping } from '../database/import-bookkeeping.js';
import type { MemoryPaging, OpenMemoryWriter } from '../database/openmemory-writer.js';
import type { SqlExecutor } from '../database/sql-executor.js';
import type { UserReport } from './report.js';
import { removeEmptiedUsers } from '../database/memory-removal.js';

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

type DatedWaypoint = Waypoint & { createdAt: number };

/**
 * Rebuilds the waypoints (from the first changed memory on) and the summary of every user the run touched; the
 * waypoints are chosen on `chooser`'s threads (by default on the main thread), a page of memories at a time.
 */
export async function finalizeUsers(
  bookkeeping: ImportBookkeeping,
  writer: OpenMemoryWriter,
  runStart: number,
  /** Called at the start and after each commit: users written so far, of all the pending ones. */
  onProgress?: (usersDone: number, users: number) => void,
  chooser: WaypointChooser = mainThread,
  paging: MemoryPaging = memoryPaging,
): Promise<UserReport[]> {
  const pending = await bookkeeping.pendingUsersList();
  onProgress?.(0, pending.length);
  let usersDone = 0;
  const steps = new WriteSteps(writer.target.executor, (committed) => onProgress?.((usersDone += committed), pending.length));
  const reports: UserReport[] = [];
  // Writes waiting for the next page to be read (its waypoints then being chosen), in order: a page's waypoints and,
  // after a user's last page, its summary.
  const waiting: (() => Promise<void>)[] = [];
  const writeWaiting = async (): Promise<void> => {
    for (const write of waiting.splice(0)) await write();
  };
  for (const user of pending) {
    // A user every memory moved away from (a --user-map that merges it into another) and no source speaks of: its
    // `users` row would only hold a summary of nothing, so it goes.
    if ((await writer.countMemoriesBefore(user.userId, Number.MAX_SAFE_INTEGER)) === 0 && (await bookkeeping.sourceSummary(user.userId)) === null) {
      await steps.add({ rows: 0, users: 1 }, async () => {
        await removeEmptiedUsers(writer.target, [user.userId]);
        await bookkeeping.clearPendingUser(user.userId);
      });
      reports.push({ userId: user.userId, waypointsWritten: 0, summarySource: 'generated', generatedSummary: '', removed: true });
      continue;
    }
    const report: UserReport = { userId: user.userId, waypointsWritten: 0, summarySource: 'generated', generatedSummary: '' };
    for await (const page of userWaypoints(user, bookkeeping, writer, chooser, paging)) {
      await writeWaiting();
      waiting.push(async () => {
        const waypoints = await page.chosen;
        for (let start = 0; start < waypoints.length; ) {
          const slice = waypoints.slice(start, start + steps.roomForRows());
          start += slice.length;
          await steps.add({ rows: slice.length, users: 0 }, () => writer.writeWaypoints(user.userId, slice));
        }
        report.waypointsWritten += waypoints.length;
      });
    }
    report.generatedSummary = generateUserSummary(await writer.recentMemories(user.userId, summaryMemoryLimit), runStart);
    const sourceSummary = await bookkeeping.sourceSummary(user.userId);
    if (sourceSummary !== null) report.summarySource = 'source';
    const summary = sourceSummary ?? report.generatedSummary;
    waiting.push(() =>
      steps.add({ rows: 0, users: 1 }, async () => {
        if ((await writer.storedSummary(user.userId)) !== summary) await writer.writeUser(user.userId, summary, runStart);
        await bookkeeping.clearPendingUser(user.userId);
      }),
    );
    reports.push(report);
  }
  await writeWaiting();
  await steps.commit();
  return reports;
}

/**
 * A user's new waypoints, a page of memories at a time in source order, read without writing anything; each page's
 * are being chosen when it is yielded. Each page is decided with the (at most a window of) memories before it as
 * history, which decides the same as the whole list would (see `waypointChoices`).
 */
async function* userWaypoints(
  user: { userId: string; since: number },
  bookkeeping: ImportBookkeeping,
  writer: OpenMemoryWriter,
  chooser: WaypointChooser,
  paging: MemoryPaging,
): AsyncGenerator<{ chosen: Promise<DatedWaypoint[]> }> {
  const window = waypointCandidateWindow;
  // Only memories from the first changed one on get new waypoints; they look back at most a window's worth.
  const earlier = await writer.countMemoriesBefore(user.userId, user.since);
  const offset = Math.max(0, earlier - window);
  /** Memories still to read only as history, before the first changed one. */
  let unchanged = earlier - offset;
  let history: WaypointNode[] = [];
  for await (const page of writer.memoriesInOrder(user.userId, offset, paging)) {
    const nodes = history.concat(page.map((memory) => ({ id: memory.id, meanVector: memory.meanVector ? float32FromBytes(memory.meanVector) : null })));
    const historyInPage = Math.min(unchanged, page.length);
    unchanged -= historyInPage;
    const changed = page.slice(historyInPage);
    if (changed.length > 0) {
      const imported = await bookkeeping.importedAmong(user.userId, changed.map((memory) => memory.id));
      const createdAtById = new Map(changed.map((memory) => [memory.id, memory.createdAt]));
      const chosen = chooser.tenantWaypoints(nodes, window, history.length + historyInPage).then((waypoints) =>
        waypoints
          .filter((waypoint) => imported.has(waypoint.sourceId))
          .map((waypoint) => ({ ...waypoint, createdAt: createdAtById.get(waypoint.sourceId) as number })),
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
