// After the records are written: each touched user's waypoints (from the first changed memory on, in source order,
// never across users) and `users` summary, as OpenMemory computes them after each memory it stores.
import { summaryMemoryLimit, generateUserSummary } from '../openmemory/user-summary.js';
import { float32FromBytes } from '../openmemory/vectors.js';
import { tenantWaypoints, waypointCandidateWindow } from '../openmemory/waypoints.js';
import type { ImportBookkeeping } from '../target/import-bookkeeping.js';
import type { OpenMemoryWriter } from '../target/openmemory-writer.js';
import type { UserReport } from './report.js';

/** Users finalized per transaction: few enough to keep each short, many enough not to pay a commit per user. */
const usersPerTransaction = 100;

/** Rebuilds the waypoints (from the first changed memory on) and the summary of every user the run touched. */
export async function finalizeUsers(
  bookkeeping: ImportBookkeeping,
  writer: OpenMemoryWriter,
  runStart: number,
  onStart?: (users: number) => void,
): Promise<UserReport[]> {
  const pending = await bookkeeping.pendingUsersList();
  onStart?.(pending.length);
  const reports: UserReport[] = [];
  for (let start = 0; start < pending.length; start += usersPerTransaction) {
    await writer.target.executor.transaction(async () => {
      for (const user of pending.slice(start, start + usersPerTransaction)) reports.push(await finalizeUser(user, bookkeeping, writer, runStart));
    });
  }
  return reports;
}

async function finalizeUser(
  user: { userId: string; since: number },
  bookkeeping: ImportBookkeeping,
  writer: OpenMemoryWriter,
  runStart: number,
): Promise<UserReport> {
  // Only memories from the first changed one on get new waypoints; they look back at most a window's worth.
  const { memories, firstChanged } = await writer.memoriesInOrder(user.userId, user.since, waypointCandidateWindow);
  const imported = await bookkeeping.importedAmong(user.userId, memories.slice(firstChanged).map((memory) => memory.id));
  const nodes = memories.map((memory) => ({ id: memory.id, meanVector: memory.meanVector ? float32FromBytes(memory.meanVector) : null }));
  const createdAtById = new Map(memories.map((memory) => [memory.id, memory.createdAt]));
  const waypoints = tenantWaypoints(nodes, waypointCandidateWindow, firstChanged)
    .filter((waypoint) => imported.has(waypoint.sourceId))
    .map((waypoint) => ({ ...waypoint, createdAt: createdAtById.get(waypoint.sourceId) ?? runStart }));
  const generatedSummary = generateUserSummary(await writer.recentMemories(user.userId, summaryMemoryLimit), runStart);
  const sourceSummary = await bookkeeping.sourceSummary(user.userId);
  const summary = sourceSummary ?? generatedSummary;
  await writer.writeWaypoints(user.userId, waypoints);
  if ((await writer.storedSummary(user.userId)) !== summary) await writer.writeUser(user.userId, summary, runStart);
  await bookkeeping.clearPendingUser(user.userId);
  return { userId: user.userId, waypointsWritten: waypoints.length, summarySource: sourceSummary !== null ? 'source' : 'generated', generatedSummary };
}
