// Writes OpenMemory rows — memories, vectors, embed logs, waypoints, users — through the shared SQL that both
// backends accept (`?` placeholders, `on conflict … do update`).
import type { MemoryRows } from '../openmemory/memory-rows.js';
import type { Sector } from '../openmemory/sectors.js';
import type { Waypoint } from '../openmemory/waypoints.js';
import { inClauseChunks, placeholderList, runForRows } from './multi-row.js';
import type { SqlValue } from './sql-executor.js';
import type { Target } from './target.js';
import { storedProvenance } from '../stored-json.js';

const memoryColumns = [
  'id', 'user_id', 'segment', 'content', 'simhash', 'primary_sector', 'tags', 'meta', 'created_at', 'updated_at',
  'last_seen_at', 'salience', 'decay_lambda', 'version', 'mean_dim', 'mean_vec', 'compressed_vec', 'feedback_score',
] as const;
/**
 * What an update rewrites, as OpenMemory's own update (update_memory) does: not the segment, nor what OpenMemory
 * learns from use — salience, last_seen_at (the pair its decay works from), feedback_score; and `version` goes up
 * by one. Deliberately unlike OpenMemory, everything computed from the text (simhash, decay_lambda, compressed_vec)
 * follows the new text, where OpenMemory leaves the old text's values, and the times are the source's.
 */
const keptOnUpdate = ['id', 'segment', 'version', 'salience', 'last_seen_at', 'feedback_score'];
const updatedMemoryColumns = memoryColumns.filter((column) => !keptOnUpdate.includes(column));

/** What OpenMemory records in `embed_logs.model` whatever the model (upstream: embedMultiSector). */
const embedLogModel = 'multi-sector';
/** The summary of a user OpenMemory has not summarised yet (upstream: ensure_user_exists); replaced at the end of the run. */
const initialSummary = 'User profile initializing...';

/** Where a memory stands in its user's source order. */
export interface SourcePosition {
  /** Its created_at, 0 when it has none. */
  createdAt: number;
  id: string;
}

export interface StoredMemory extends SourcePosition {
  meanVector: Buffer | null;
}

/** A memory's text and its source update time (ms; null when om-import stored none), as stored. */
export interface StoredText {
  content: string;
  updatedAt: number | null;
}

function storedText(content: string, meta: string | null): StoredText {
  const provenance = storedProvenance(meta) ?? {};
  const fullContent = provenance['full_content'];
  const updatedAt = typeof provenance['updated_at'] === 'string' ? Date.parse(provenance['updated_at']) : Number.NaN;
  return { content: typeof fullContent === 'string' ? fullContent : content, updatedAt: Number.isFinite(updatedAt) ? updatedAt : null };
}

/** A memories row's place in source order (ids are uuids on PostgreSQL, text on SQLite). */
function sourcePosition(row: { id: string; created_at: number | null }): SourcePosition {
  return { id: String(row.id), createdAt: Number(row.created_at ?? 0) };
}

/**
 * Source order, as `order by coalesce(created_at, 0), id` sorts in either database: by time, then by id — a uuid on
 * PostgreSQL, compared by its bytes, which is the order of its lowercase text; text on SQLite, compared by its UTF-8
 * bytes (the order of JavaScript's comparison unless a character beyond U+D7FF takes part).
 */
export function compareSourcePositions(a: SourcePosition, b: SourcePosition): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  if (a.id === b.id) return 0;
  if (beyondD7ff.test(a.id) || beyondD7ff.test(b.id)) return Buffer.compare(Buffer.from(a.id), Buffer.from(b.id));
  return a.id < b.id ? -1 : 1;
}

/** A UTF-16 unit past U+D7FF, where JavaScript's order of strings and their UTF-8 bytes' order part. */
const beyondD7ff = /[\ud800-\uffff]/;

/** How many memories are read with their mean vectors at a time (a page), and how many ids and times (a listing). */
export interface MemoryPaging {
  page: number;
  listing: number;
}

/** A waypoint as written: with its user and its source memory's time. */
export type UserWaypoint = Waypoint & { userId: string; createdAt: number };

interface SummaryRow {
  content: string;
  primary_sector: Sector;
  salience: number;
  created_at: number;
  updated_at: number;
}

function summaryMemory(row: SummaryRow): SummaryMemory {
  return {
    content: row.content,
    primarySector: row.primary_sector,
    salience: Number(row.salience),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export interface SummaryMemory {
  content: string;
  primarySector: Sector;
  salience: number;
  createdAt: number;
  updatedAt: number;
}

export class OpenMemoryWriter {
  private readonly memories: string;
  private readonly vectors: string;
  private readonly waypoints: string;
  private readonly embedLogs: string;
  private readonly users: string;
  private segment: { current: number; count: number } | null = null;

  constructor(
    readonly target: Target,
    private readonly segmentSize: number,
  ) {
    const { qualified, tables } = target.dialect;
    this.memories = qualified(tables.memories);
    this.vectors = qualified(tables.vectors);
    this.waypoints = qualified(tables.waypoints);
    this.embedLogs = qualified(tables.embedLogs);
    this.users = qualified(tables.users);
  }

  private get executor() {
    return this.target.executor;
  }

  /** The dimensions of the vectors already stored (to refuse mixing dimensions). */
  async storedDimensions(): Promise<number[]> {
    const rows = await this.executor.all<{ dim: number }>(`select distinct dim from ${this.vectors}`);
    return rows.map((row) => Number(row.dim));
  }

  /** The segment a new memory goes to: the newest one until it holds `segmentSize` memories (upstream: add_hsg_memory). */
  private async nextSegment(): Promise<number> {
    if (!this.segment) {
      const [row] = await this.executor.all<{ segment: number | null }>(`select max(segment) as segment from ${this.memories}`);
      const current = Number(row?.segment ?? 0);
      const [count] = await this.executor.all<{ n: number }>(`select count(*) as n from ${this.memories} where segment = ?`, [current]);
      this.segment = { current, count: Number(count?.n ?? 0) };
    }
    if (this.segment.count >= this.segmentSize) this.segment = { current: this.segment.current + 1, count: 0 };
    this.segment.count++;
    return this.segment.current;
  }

  /**
   * Creates or replaces memories with their vectors and embed logs, many rows per statement. Memories that existed
   * before keep their segment and lose their outgoing waypoints (rebuilt per user afterwards). Each new memory's
   * user gets its `users` row, and one more reflection. Call inside a transaction. `_model` is not recorded:
   * OpenMemory's embed logs say `multi-sector` whatever the model.
   */
  async writeMemories(memories: readonly { rows: MemoryRows; isNew: boolean }[], _model: string, now: number): Promise<void> {
    if (memories.length === 0) return;
    const memoryValues: SqlValue[][] = [];
    for (const { rows, isNew } of memories) {
      const segment = isNew ? await this.nextSegment() : 0;
      memoryValues.push([
        rows.id, rows.userId, segment, rows.content, rows.simhash, rows.primarySector, rows.tags, rows.meta, rows.createdAt,
        rows.updatedAt, rows.lastSeenAt, rows.salience, rows.decayLambda, 1, rows.meanDimension, rows.meanVector,
        rows.compressedVector, 0,
      ]);
    }
    await runForRows(
      this.executor,
      memoryValues,
      (values) => `insert into ${this.memories}(${memoryColumns.join(',')}) values ${values}
        on conflict(id) do update set ${updatedMemoryColumns.map((column) => `${column} = excluded.${column}`).join(', ')},
          version = ${this.memories}.version + 1`,
    );
    // Vectors are replaced whole (even for a memory om-import's bookkeeping does not know, should it exist already).
    const replaced = new Set(memories.filter((memory) => !memory.isNew).map((memory) => memory.rows.id));
    for (const chunk of inClauseChunks(memories.map((memory) => memory.rows.id))) {
      await this.executor.write(`delete from ${this.vectors} where id in (${placeholderList(chunk.length)})`, chunk);
      const replacedChunk = chunk.filter((id) => replaced.has(id));
      if (replacedChunk.length > 0) {
        await this.executor.write(`delete from ${this.waypoints} where src_id in (${placeholderList(replacedChunk.length)})`, replacedChunk);
      }
    }
    const vectorValues = memories.flatMap(({ rows }) =>
      rows.vectors.map((vector): SqlValue[] => [rows.id, vector.sector, rows.userId, vector.bytes, vector.dimension]),
    );
    await runForRows(this.executor, vectorValues, (values) => `insert into ${this.vectors}(id, sector, user_id, v, dim) values ${values}`);
    // OpenMemory 1.2.3 on PostgreSQL leaves its own logs 'pending' (its status update binds the id to the wrong
    // parameter); the embedding is done, and nothing reads the status, so om-import writes 'completed' on both.
    await runForRows(
      this.executor,
      memories.map(({ rows }): SqlValue[] => [rows.id, embedLogModel, 'completed', now]),
      (values) => `insert into ${this.embedLogs}(id, model, status, ts) values ${values}
        on conflict(id) do update set model = excluded.model, status = excluded.status, ts = excluded.ts, err = null`,
    );
    await this.countReflections(memories.filter((memory) => memory.isNew).map((memory) => memory.rows.userId), now);
  }

  /**
   * OpenMemory regenerates a user's summary after every memory added (its /memory/add calls update_user_summary,
   * which adds one to `reflection_count`; an update regenerates nothing), so after N memories a user has N. Each
   * new memory counts one here, committed with the memory; the summary itself is written once, at the end of the
   * run. (OpenMemory 1.2.3 on SQLite never manages that update — parameters in the wrong order — and keeps 0.)
   */
  private async countReflections(userIds: readonly string[], now: number): Promise<void> {
    const added = new Map<string, number>();
    for (const userId of userIds) added.set(userId, (added.get(userId) ?? 0) + 1);
    await runForRows(
      this.executor,
      [...added].map(([userId, count]): SqlValue[] => [userId, initialSummary, count, now, now]),
      (values) => `insert into ${this.users}(user_id, summary, reflection_count, created_at, updated_at) values ${values}
        on conflict(user_id) do update set reflection_count = coalesce(${this.users}.reflection_count, 0) + excluded.reflection_count`,
    );
  }

  /** The stored `created_at` of these memories (a missing one as 0), by id. */
  async createdAtOf(memoryIds: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (const chunk of inClauseChunks(memoryIds)) {
      const rows = await this.executor.all<{ id: string; created_at: number | null }>(
        `select id, created_at from ${this.memories} where id in (${placeholderList(chunk.length)})`,
        chunk,
      );
      for (const row of rows) found.set(String(row.id), Number(row.created_at ?? 0));
    }
    return found;
  }

  /** How many of a user's memories come before `since` in source order (a missing time counts as 0). */
  async countMemoriesBefore(userId: string, since: number): Promise<number> {
    const [row] = await this.executor.all<{ n: number }>(
      `select count(*) as n from ${this.memories} where user_id = ? and coalesce(created_at, 0) < ?`,
      [userId, since],
    );
    return Number(row?.n ?? 0);
  }

  /**
   * A user's memories in source order (created_at, then id; a missing time sorts first, as 0) from the `offset`-th
   * one, `paging.page` at a time with their mean vectors. Only ids and times are sorted, `paging.listing` at a time
   * (keyset paging after the last one listed, which orders alike on both backends: each compares ids as it sorts
   * them — text on SQLite, uuid on PostgreSQL); the mean vectors are then read by id. No statement runs long, even
   * for a user with many memories (on SQLite without WAL a long read would hold off another connection's commit);
   * each listing reads past all the user's memories (nothing indexes their time), hence listings longer than pages.
   * A user with no more than a page of memories from `offset` on is read in one statement.
   */
  async *memoriesInOrder(userId: string, offset: number, paging: MemoryPaging): AsyncGenerator<StoredMemory[]> {
    const order = 'order by coalesce(created_at, 0), id';
    // Most users have no more than a page of memories: they are read whole, vectors and all, by this one statement
    // (which sorts ids and times only, as a listing does, then reads at most a page and one of vectors).
    const whole = await this.executor.all<{ id: string; created_at: number | null; mean_vec: Buffer | null }>(
      `select m.id, m.created_at, m.mean_vec from (select id from ${this.memories} where user_id = ? ${order} limit ? offset ?) listed
        join ${this.memories} m on m.id = listed.id order by coalesce(m.created_at, 0), m.id`,
      [userId, paging.page + 1, offset],
    );
    if (whole.length <= paging.page) {
      if (whole.length > 0) yield whole.map((row) => ({ ...sourcePosition(row), meanVector: row.mean_vec }));
      return;
    }
    let positions = await this.positions(`where user_id = ? ${order} limit ? offset ?`, [userId, paging.listing, offset]);
    for (;;) {
      for (let start = 0; start < positions.length; start += paging.page) yield await this.withMeanVectors(positions.slice(start, start + paging.page));
      const last = positions.at(-1);
      if (positions.length < paging.listing || !last) return;
      positions = await this.positions(`where user_id = ? and (coalesce(created_at, 0), id) > (?, ?) ${order} limit ?`, [
        userId, last.createdAt, last.id, paging.listing,
      ]);
    }
  }

  /** How many memories each of these users has (a user with none is absent). */
  async memoryCounts(userIds: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const chunk of inClauseChunks(userIds)) {
      const rows = await this.executor.all<{ user_id: string; n: number }>(
        `select user_id, count(*) as n from ${this.memories} where user_id in (${placeholderList(chunk.length)}) group by user_id`,
        chunk,
      );
      for (const row of rows) counts.set(row.user_id, Number(row.n));
    }
    return counts;
  }

  /**
   * All the memories of a few users, each user's in source order (as `memoriesInOrder`), with their mean vectors, by
   * user: one statement for users of a page or so of memories together, where `memoriesInOrder` takes one per user.
   * The rows are read as the users' index finds them and sorted here: sorting them in SQL carried their vectors
   * through the sort, and sorting ids apart then joining the vectors to them read each memory twice (1.8× the
   * server time of this one read, measured on PostgreSQL).
   */
  async memoriesOfUsers(userIds: readonly string[]): Promise<Map<string, StoredMemory[]>> {
    const byUser = new Map<string, StoredMemory[]>(userIds.map((userId) => [userId, []]));
    if (userIds.length === 0) return byUser;
    const rows = await this.executor.all<{ id: string; user_id: string; created_at: number | null; mean_vec: Buffer | null }>(
      `select id, user_id, created_at, mean_vec from ${this.memories} where user_id in (${placeholderList(userIds.length)})`,
      userIds,
    );
    const memories = rows.map((row) => ({ userId: row.user_id, memory: { ...sourcePosition(row), meanVector: row.mean_vec } }));
    memories.sort((a, b) => compareSourcePositions(a.memory, b.memory));
    for (const { userId, memory } of memories) byUser.get(userId)?.push(memory);
    return byUser;
  }

  /** Ids and times of the memories `select … from memories ${rest}` answers. */
  private async positions(rest: string, params: readonly SqlValue[]): Promise<SourcePosition[]> {
    const rows = await this.executor.all<{ id: string; created_at: number | null }>(`select id, created_at from ${this.memories} ${rest}`, params);
    return rows.map(sourcePosition);
  }

  private async withMeanVectors(positions: readonly SourcePosition[]): Promise<StoredMemory[]> {
    const meanVectors = new Map<string, Buffer | null>();
    for (const chunk of inClauseChunks(positions.map((position) => position.id))) {
      const found = await this.executor.all<{ id: string; mean_vec: Buffer | null }>(
        `select id, mean_vec from ${this.memories} where id in (${placeholderList(chunk.length)})`,
        chunk,
      );
      for (const row of found) meanVectors.set(String(row.id), row.mean_vec);
    }
    return positions.map((position) => ({ ...position, meanVector: meanVectors.get(position.id) ?? null }));
  }

  /** Waypoints of one user or several (each row names its user). */
  async writeWaypoints(waypoints: readonly UserWaypoint[]): Promise<void> {
    await runForRows(
      this.executor,
      waypoints.map((waypoint): SqlValue[] => [waypoint.sourceId, waypoint.targetId, waypoint.userId, waypoint.weight, waypoint.createdAt, waypoint.createdAt]),
      (values) => `insert into ${this.waypoints}(src_id, dst_id, user_id, weight, created_at, updated_at) values ${values}
        on conflict(src_id, user_id) do update set dst_id = excluded.dst_id, weight = excluded.weight, updated_at = excluded.updated_at`,
    );
  }

  /**
   * What these memories say as stored: the full text (the `full_content` om-import kept when the content is an
   * essence) and the source's update time from om-import's provenance, by memory id.
   */
  async storedTexts(memoryIds: readonly string[]): Promise<Map<string, StoredText>> {
    const texts = new Map<string, StoredText>();
    for (const chunk of inClauseChunks(memoryIds)) {
      const rows = await this.executor.all<{ id: string; content: string; meta: string | null }>(
        `select id, content, meta from ${this.memories} where id in (${placeholderList(chunk.length)})`,
        chunk,
      );
      for (const row of rows) texts.set(String(row.id), storedText(row.content, row.meta));
    }
    return texts;
  }

  /**
   * The most recent memories of each of these users, as `recentMemories` reads them for one, by user: one statement
   * for a few users.
   */
  async recentMemoriesOfUsers(userIds: readonly string[], limit: number): Promise<Map<string, SummaryMemory[]>> {
    const byUser = new Map<string, SummaryMemory[]>(userIds.map((userId) => [userId, []]));
    if (userIds.length === 0) return byUser;
    const rows = await this.executor.all<SummaryRow & { user_id: string; recency: number }>(
      `select user_id, content, primary_sector, salience, created_at, updated_at, recency from (
          select user_id, content, primary_sector, salience, created_at, updated_at,
            row_number() over (partition by user_id order by coalesce(created_at, 0) desc, id desc) as recency
          from ${this.memories} where user_id in (${placeholderList(userIds.length)})) ranked
        where recency <= ${Math.trunc(limit)} order by user_id, recency`,
      userIds,
    );
    for (const row of rows) byUser.get(row.user_id)?.push(summaryMemory(row));
    return byUser;
  }

  /** The user's most recent memories, as the summary generator reads them (in the source order above, reversed). */
  async recentMemories(userId: string, limit: number): Promise<SummaryMemory[]> {
    const rows = await this.executor.all<SummaryRow>(
      `select content, primary_sector, salience, created_at, updated_at from ${this.memories}
        where user_id = ? order by coalesce(created_at, 0) desc, id desc limit ${Math.trunc(limit)}`,
      [userId],
    );
    return rows.map(summaryMemory);
  }

  /** The stored summaries of these users (null for a user without a row or without a summary). */
  async storedSummaries(userIds: readonly string[]): Promise<Map<string, string | null>> {
    const summaries = new Map<string, string | null>();
    for (const chunk of inClauseChunks(userIds)) {
      const rows = await this.executor.all<{ user_id: string; summary: string | null }>(
        `select user_id, summary from ${this.users} where user_id in (${placeholderList(chunk.length)})`,
        chunk,
      );
      for (const row of rows) summaries.set(row.user_id, row.summary);
    }
    return summaries;
  }

  /** Removes these users' rows (users left without memories: nothing in OpenMemory hangs off them any more). */
  async removeUsers(userIds: readonly string[]): Promise<void> {
    for (const chunk of inClauseChunks(userIds)) {
      await this.executor.run(`delete from ${this.users} where user_id in (${placeholderList(chunk.length)})`, chunk);
    }
  }

  /** Writes these users' summaries (creating their rows where missing). */
  async writeUsers(users: readonly { userId: string; summary: string }[], now: number): Promise<void> {
    await runForRows(
      this.executor,
      users.map((user): SqlValue[] => [user.userId, user.summary, 0, now, now]),
      (values) => `insert into ${this.users}(user_id, summary, reflection_count, created_at, updated_at) values ${values}
       on conflict(user_id) do update set summary = excluded.summary, updated_at = excluded.updated_at`,
    );
  }
}
