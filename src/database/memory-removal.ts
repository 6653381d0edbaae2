// Removing memories om-import wrote (`--prune`: their source records are gone): each memory with its vectors, embed
// log and waypoints (its own, and those of other memories that pointed at it; those are rebuilt per user after).
import { inClauseChunks, placeholderList } from './multi-row.js';
import type { Target } from './target.js';

/** Deletes these memories and what hangs off them; answers each removed memory's user and source time. Call inside a transaction. */
export async function removeMemories(target: Target, memoryIds: readonly string[]): Promise<{ userId: string; createdAt: number }[]> {
  const { qualified, tables } = target.dialect;
  const removed: { userId: string; createdAt: number }[] = [];
  for (const chunk of inClauseChunks(memoryIds)) {
    const list = placeholderList(chunk.length);
    const rows = await target.executor.all<{ user_id: string | null; created_at: number | null }>(
      `select user_id, created_at from ${qualified(tables.memories)} where id in (${list})`,
      chunk,
    );
    for (const row of rows) if (row.user_id !== null) removed.push({ userId: row.user_id, createdAt: Number(row.created_at ?? 0) });
    await target.executor.run(`delete from ${qualified(tables.waypoints)} where src_id in (${list}) or dst_id in (${list})`, [...chunk, ...chunk]);
    await target.executor.run(`delete from ${qualified(tables.vectors)} where id in (${list})`, chunk);
    await target.executor.run(`delete from ${qualified(tables.embedLogs)} where id in (${list})`, chunk);
    await target.executor.run(`delete from ${qualified(tables.memories)} where id in (${list})`, chunk);
  }
  return removed;
}

/**
 * Of these users, those left without any memory (every one pruned): their `users` rows go too, as nothing in
 * OpenMemory hangs off them any more. Answers the users removed. Call inside a transaction.
 */
export async function removeEmptiedUsers(target: Target, userIds: readonly string[]): Promise<string[]> {
  const { qualified, tables } = target.dialect;
  const emptied: string[] = [];
  for (const userId of new Set(userIds)) {
    const [row] = await target.executor.all<{ n: number }>(`select count(*) as n from ${qualified(tables.memories)} where user_id = ?`, [userId]);
    if (Number(row?.n ?? 0) > 0) continue;
    await target.executor.run(`delete from ${qualified(tables.users)} where user_id = ?`, [userId]);
    emptied.push(userId);
  }
  return emptied;
}
