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
    await target.executor.write(`delete from ${qualified(tables.waypoints)} where src_id in (${list}) or dst_id in (${list})`, [...chunk, ...chunk]);
    await target.executor.write(`delete from ${qualified(tables.vectors)} where id in (${list})`, chunk);
    await target.executor.write(`delete from ${qualified(tables.embedLogs)} where id in (${list})`, chunk);
    await target.executor.write(`delete from ${qualified(tables.memories)} where id in (${list})`, chunk);
  }
  return removed;
}
