// The fake Zep server as msw handlers over an in-memory account (stored in the v3 wire shape), for three API
// generations: Zep Cloud v3 ("threads", SDK 3.x), Zep Cloud v2 ("sessions", SDK 1.x–2.x) and Community Edition 1.x.
// It speaks the wire the official SDKs speak (Api-Key auth, `/api/v2` base path, snake_case, the generation's paging
// and cursor rules), plus Zep Cloud's per-minute rate limiting, injected faults and counters.
// The wire reference is /work/shared/sources/zep.md; where it is silent, the 3.30.0 and 2.22.0 SDK types.
import { delay, http, HttpResponse, type PathParams, type RequestHandler } from 'msw';
import type {
  ZepAccount,
  ZepWireEdge,
  ZepWireEpisode,
  ZepWireGraph,
  ZepWireMessage,
  ZepWireNode,
  ZepWireThread,
  ZepWireThreadSummary,
  ZepWireUser,
} from './zep-account.js';

/**
 * Which server the fake plays:
 * - `v3`: Zep Cloud as SDK 3.x sees it (threads, graphs, `Zep-Next-Cursor`). The v2-only session routes answer 404,
 *   as after the February 2026 deprecation.
 * - `v2`: Zep Cloud as SDK 1.x–2.x sees it (sessions, groups, `uuid_cursor` paging, `role`=speaker/`role_type`=enum).
 *   See `v2Only`.
 * - `ce`: Community Edition 1.x (no graph, no summaries, plain-text 401, camelCase-only paging on sessions-ordered).
 */
export type ZepGeneration = 'v3' | 'v2' | 'ce';

export type ZepFaultKind = '429' | '429-no-retry-after' | '500' | '502' | '503' | 'reset' | 'slow';

export interface ZepFaults {
  /** Every n-th authenticated request gets the next fault of `kinds`, in turn. A fault never changes data. */
  every?: number;
  kinds?: ZepFaultKind[];
  /** `Retry-After` of a `429` fault (seconds, default 1). */
  retryAfterSeconds?: number;
  /** Delay of a `slow` fault (default 200 ms); the request then succeeds. */
  slowMs?: number;
}

export const zepRouteKinds = [
  'health', 'users', 'user', 'user-threads', 'user-node', 'user-facts', 'threads', 'thread', 'messages',
  'thread-summary', 'session-summaries', 'session-memory', 'edges', 'nodes', 'episodes', 'thread-summaries',
  'observations', 'graphs', 'not-found',
] as const;

/**
 * What a request was for, whatever the generation calls it: `threads` is `/threads` and `/sessions-ordered`,
 * `user-threads` is `/users/{id}/threads` and `/users/{id}/sessions`, `graphs` is `/graph/list-all` and
 * `/groups-ordered`, `messages` is every message listing; `not-found` is any route the generation does not serve.
 */
export type ZepRouteKind = (typeof zepRouteKinds)[number];

/** Counters the tests and benchmarks read; `startZepFake` exposes them. */
export interface ZepFakeStats {
  /** Every request that reached the fake (refused ones included). */
  requests: number;
  /** 429 answers sent, by the rate limiter or as injected faults. */
  rateLimited: number;
  /** Faults injected (`slow` included). */
  faults: number;
  byRoute: Record<ZepRouteKind, number>;
}

export function emptyZepFakeStats(): ZepFakeStats {
  const byRoute = Object.fromEntries(zepRouteKinds.map((kind) => [kind, 0])) as Record<ZepRouteKind, number>;
  return { requests: 0, rateLimited: 0, faults: 0, byRoute };
}

export interface ZepFakeOptions {
  /** Default `v3`. */
  generation?: ZepGeneration;
  /**
   * For `v2` only. The real Cloud serves both generations over the same data until the v2 routes are switched off.
   * `true` (the default) plays a sessions-only server: the v3-only routes (`/threads…`, `/users/{id}/threads`,
   * `/graph/list-all`, `POST /graph/episodes/…`, `/graph/thread-summary/…`, `/graph/…/graph/{id}`) answer 404.
   * `false` serves the v3 routes too; the routes both generations share (`/users…`, `/graph/edge/user/…`, …) then
   * answer as the current (v3) server does: v3 shapes, opaque cursors and `Zep-Next-Cursor`.
   */
  v2Only?: boolean;
  /**
   * Requests accepted per window (v3/v2; CE has no rate limiting). Default 1,000,000, which no test reaches: the
   * `X-RateLimit-*` headers are on every v3/v2 response either way, as on Zep Cloud.
   */
  rateLimitPerMinute?: number;
  /** Length of the fixed window, which starts with the first request after the previous one ended. Default 60 s. */
  rateLimitWindowMs?: number;
  /** Answer 429s (the limiter's and `429` faults) without `Retry-After`. */
  omitRetryAfter?: boolean;
  /** Latency added to every answer. */
  latencyMs?: number;
  /** Delay every message page by this much (for killing a run in the middle). */
  pageDelayMs?: number;
  faults?: ZepFaults;
  /** `/users-ordered` announces one more user in `total_count` than it has. */
  wrongTotalCount?: boolean;
  /**
   * What the v3 routes make of the objects created through v4 (`ZepAccount.v4`), which have no `user_id`,
   * `thread_id` or `graph_id` (zep-v4.md §9). `absent` (the default) leaves them out: v3 paths take those ids, so v3
   * cannot address such objects, and the note's readers say v3 misses them. Whether v3 *lists* them is undocumented
   * (§9, §11.12, §14.4 mark it [?]): `uuid-as-id` lists and serves each under its uuid instead, as v3's
   * thread-summary docs name a thread created without a `thread_id`.
   */
  v4BornObjects?: 'absent' | 'uuid-as-id';
  /** Counters to update (pass your own to read them; `startZepFake` does). */
  stats?: ZepFakeStats;
}

type JsonObject = Record<string, unknown>;

interface ZepCall {
  request: Request;
  url: URL;
  params: Record<string, string>;
}

/** One route of one generation: an msw path pattern and what it answers once the request got past the gate. */
interface ZepRoute {
  method: 'get' | 'post';
  pattern: string;
  kind: ZepRouteKind;
  /** CE's `/healthz` needs no key. */
  public?: boolean;
  answer(call: ZepCall): Response | Promise<Response>;
}

const apiPath = (path: string): string => `*/api/v2${path}`;
const defaultRateLimit = 1_000_000;
/** Page size when a paged list is asked without one (the documented `/graph/list-all` default). */
const defaultPageSize = 50;
/** Limit of a POST graph listing sent without one (the documented episodes default). */
const defaultGraphLimit = 100;
/** An explicit episode-listing limit is clamped to this. */
const maxEpisodeLimit = 50;
/** CE's `/sessions/{id}/memory` without `lastn`. */
const defaultMemoryMessages = 6;
/** CE's messages handler when `limit` does not parse. */
const unparsableMessageLimit = 100;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function omit<T extends object>(object: T, keys: readonly string[]): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}

/** Milliseconds since the epoch (with sub-millisecond fractions) of an RFC 3339 time with any fraction digits. */
function instant(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const match = /^(.+T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  const parsed = match ? Date.parse(`${match[1]}${match[3]}`) + (match[2] ? Number(`0.${match[2]}`) * 1000 : 0) : Date.parse(text);
  return Number.isNaN(parsed) ? null : parsed;
}

type SortValue = string | number | null;

/** Nulls first, numbers by value, strings bytewise (as Postgres' C collation). */
function compareValues(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

function sortedBy<T>(items: readonly T[], key: (item: T) => SortValue, ascending: boolean, tieBreak: (item: T) => SortValue): T[] {
  const sign = ascending ? 1 : -1;
  return [...items].sort((a, b) => sign * (compareValues(key(a), key(b)) || compareValues(tieBreak(a), tieBreak(b))));
}

function errorJson(status: number, message: string): Response {
  return HttpResponse.json({ message }, { status });
}

function plainText(status: number, text: string): Response {
  return new HttpResponse(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/** An integer query parameter: `undefined` when absent, `null` when present but not an integer. */
function integerParam(url: URL, ...names: string[]): number | undefined | null {
  for (const name of names) {
    const raw = url.searchParams.get(name);
    if (raw === null) continue;
    return /^-?\d+$/.test(raw.trim()) ? Number(raw) : null;
  }
  return undefined;
}

function stringParams(params: PathParams): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'string') result[name] = value;
  }
  return result;
}

/** A fixed window that starts with the first request after the previous window ended. */
class FixedWindowLimiter {
  private windowEnd = 0;
  private used = 0;

  constructor(
    readonly limit: number,
    private readonly windowMs: number,
  ) {}

  private roll(now: number): void {
    if (now >= this.windowEnd) {
      this.windowEnd = now + this.windowMs;
      this.used = 0;
    }
  }

  /** Counts the request; false when the window is used up. */
  take(now: number): boolean {
    this.roll(now);
    if (this.used >= this.limit) return false;
    this.used++;
    return true;
  }

  /** Whole seconds until the window resets, rounded up. */
  retryAfterSeconds(now: number): number {
    this.roll(now);
    return Math.max(1, Math.ceil((this.windowEnd - now) / 1000));
  }

  headers(now: number): Record<string, string> {
    this.roll(now);
    return {
      'X-RateLimit-Limit': String(this.limit),
      'X-RateLimit-Remaining': String(Math.max(0, this.limit - this.used)),
      'X-RateLimit-Reset': String(Math.ceil(this.windowEnd / 1000)),
      'X-RateLimit-Increment': '1',
    };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Paging

interface Page<T> {
  items: T[];
  total: number;
}

/** 1-based page number + page size over an already ordered list. */
function numberedPage<T>(items: readonly T[], pageNumber: number, pageSize: number): Page<T> {
  const start = (pageNumber - 1) * pageSize;
  return { items: items.slice(start, start + pageSize), total: items.length };
}

/** Reads a 1-based page number and size, with defaults; an error response when they are not valid. */
function cloudPaging(url: URL, numberNames: string[], sizeNames: string[], maxPageSize?: number): { pageNumber: number; pageSize: number } | Response {
  const pageNumber = integerParam(url, ...numberNames) ?? 1;
  const pageSize = integerParam(url, ...sizeNames) ?? defaultPageSize;
  if (pageNumber === null || pageNumber < 1) return errorJson(400, `${numberNames[0]} must be an integer >= 1`);
  if (pageSize === null || pageSize < 1 || (maxPageSize !== undefined && pageSize > maxPageSize)) {
    return errorJson(400, maxPageSize === undefined ? `${sizeNames[0]} must be an integer >= 1` : `${sizeNames[0]} must be an integer between 1 and ${maxPageSize}`);
  }
  return { pageNumber, pageSize };
}

/**
 * CE's page number + size: no `pageSize` → every row; a `pageSize` without a `pageNumber` ≥ 1 → a negative SQL
 * offset → 500.
 */
function communityPaging<T>(items: readonly T[], url: URL): Page<T> | Response {
  const pageNumber = integerParam(url, 'pageNumber');
  const pageSize = integerParam(url, 'pageSize');
  if (pageNumber === null || pageSize === null) return errorJson(400, 'invalid page parameters');
  if (pageSize === undefined || pageSize === 0) return { items: [...items], total: items.length };
  if (pageNumber === undefined || pageNumber < 1) return errorJson(500, 'failed to get page: ERROR: OFFSET must not be negative (SQLSTATE=2201X)');
  return numberedPage(items, pageNumber, pageSize);
}

/**
 * Messages, shared by every generation (the CE/OSS `message_common.go` rules): `lastn` wins and gives the N most
 * recent; `cursor` is a 1-based page number and `limit` the page size; no parameters → every message; `limit`
 * without `cursor` → a negative offset → 500; a `limit` or `cursor` that does not parse falls back to 100 and 1.
 */
function messagePage<T>(messages: readonly T[], url: URL): Page<T> | Response {
  const lastN = integerParam(url, 'lastn');
  if (lastN === null || (lastN !== undefined && lastN < 0)) return errorJson(400, 'lastn must be a non-negative integer');
  if (lastN !== undefined && lastN > 0) return { items: messages.slice(-lastN), total: messages.length };
  const limit = integerParam(url, 'limit');
  const cursor = integerParam(url, 'cursor');
  const size = limit === null ? unparsableMessageLimit : (limit ?? 0);
  const page = cursor === null ? 1 : (cursor ?? 0);
  if (size < 0) return errorJson(400, 'limit must not be negative');
  const offset = (page - 1) * size;
  if (offset < 0) return errorJson(500, 'failed to get messages: ERROR: OFFSET must not be negative (SQLSTATE=2201X)');
  return { items: size === 0 ? messages.slice(offset) : messages.slice(offset, offset + size), total: messages.length };
}

type SortKeys<T> = Record<string, (item: T) => SortValue>;

interface GraphCursor {
  k: string;
  d: string;
  v: SortValue;
  u: string;
}

/** The opaque `Zep-Next-Cursor`: base64url of `{"k":order_by,"d":direction,"v":sort value,"u":uuid}` of the last item. */
function encodeCursor(cursor: GraphCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string): GraphCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!isObject(value) || typeof value['k'] !== 'string' || typeof value['d'] !== 'string' || typeof value['u'] !== 'string') return null;
    const sortValue = value['v'];
    if (sortValue !== null && typeof sortValue !== 'string' && typeof sortValue !== 'number') return null;
    return { k: value['k'], d: value['d'], v: sortValue, u: value['u'] };
  } catch {
    return null;
  }
}

interface GraphListRules {
  /** `v3`: body `{limit, cursor, uuid_cursor, order_by, direction}`, default order uuid desc, next cursor in a header.
   *  `v2`: body `{limit, uuid_cursor}` only, uuid ascending, no limit → everything, no header. */
  dialect: 'v3' | 'v2';
  defaultLimit: number;
  maxLimit?: number;
}

/** A POST graph listing: a keyset page after `cursor` or `uuid_cursor`, and the cursor of the next page, if any. */
function graphListPage<T extends { uuid: string }>(
  items: readonly T[],
  body: JsonObject,
  sortKeys: SortKeys<T>,
  rules: GraphListRules,
): { items: T[]; next: string | null } | Response {
  const orderBy = rules.dialect === 'v3' && typeof body['order_by'] === 'string' ? body['order_by'] : 'uuid';
  const direction = rules.dialect === 'v3' && typeof body['direction'] === 'string' ? body['direction'] : rules.dialect === 'v3' ? 'desc' : 'asc';
  const key = sortKeys[orderBy];
  if (!key) return errorJson(400, `invalid order_by: ${orderBy}`);
  if (direction !== 'asc' && direction !== 'desc') return errorJson(400, `invalid direction: ${direction}`);
  const rawLimit = body['limit'];
  let limit: number;
  if (rawLimit === undefined || rawLimit === null) {
    limit = rules.dialect === 'v2' ? Number.POSITIVE_INFINITY : rules.defaultLimit;
  } else if (typeof rawLimit === 'number' && Number.isInteger(rawLimit) && rawLimit > 0) {
    limit = rules.maxLimit === undefined ? rawLimit : Math.min(rawLimit, rules.maxLimit);
  } else {
    return errorJson(400, 'limit must be a positive integer');
  }
  const ascending = direction === 'asc';
  const ordered = sortedBy(items, key, ascending, (item) => item.uuid);

  let after: { value: SortValue; uuid: string } | null = null;
  const cursorText = rules.dialect === 'v3' ? body['cursor'] : undefined;
  const uuidCursor = body['uuid_cursor'];
  if (typeof cursorText === 'string' && cursorText !== '') {
    const cursor = decodeCursor(cursorText);
    if (!cursor || cursor.k !== orderBy || cursor.d !== direction) return errorJson(400, 'invalid cursor');
    after = { value: cursor.v, uuid: cursor.u };
  } else if (typeof uuidCursor === 'string' && uuidCursor !== '') {
    const seen = items.find((item) => item.uuid === uuidCursor);
    if (seen) after = { value: key(seen), uuid: seen.uuid };
    else if (orderBy === 'uuid') after = { value: uuidCursor, uuid: uuidCursor };
    else return errorJson(400, 'uuid_cursor not found');
  }
  const sign = ascending ? 1 : -1;
  const remaining = after
    ? ordered.filter((item) => sign * (compareValues(key(item), after.value) || compareValues(item.uuid, after.uuid)) > 0)
    : ordered;
  const page = remaining.slice(0, limit);
  const last = page[page.length - 1];
  const next = rules.dialect === 'v3' && last && remaining.length > page.length
    ? encodeCursor({ k: orderBy, d: direction, v: key(last), u: last.uuid })
    : null;
  return { items: page, next };
}

async function jsonBody(request: Request): Promise<JsonObject | Response> {
  const text = await request.text();
  if (text.trim() === '') return {};
  try {
    const body: unknown = JSON.parse(text);
    return isObject(body) ? body : errorJson(400, 'request body must be a JSON object');
  } catch {
    return errorJson(400, 'invalid JSON body');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The handlers

/**
 * The project as the v3 routes see it (see `ZepFakeOptions.v4BornObjects`): itself, or with the v4-born users,
 * threads and graphs added under their uuids. Live, as the account is: a test that deletes a user while the fake
 * serves sees the deletion on either side. Their data are keyed by uuid already, which is then their v3 id.
 */
function v3Side(project: ZepAccount, v4BornObjects: 'absent' | 'uuid-as-id'): ZepAccount {
  if (v4BornObjects === 'absent') return project;
  const users = (): ZepWireUser[] => [
    ...project.users,
    ...(project.v4?.users ?? []).map((user, index) => ({ ...user, id: 100_000 + index, user_id: user.uuid })),
  ];
  const threads = (): ZepWireThread[] => [
    ...project.threads,
    ...(project.v4?.threads ?? []).map((thread, index) => ({
      uuid: thread.uuid,
      id: 100_000 + index,
      thread_id: thread.uuid,
      user_id: users().find((user) => user.uuid === thread.user_uuid)?.user_id ?? null,
      created_at: thread.created_at,
      updated_at: thread.updated_at,
    })),
  ];
  const graphs = (): ZepWireGraph[] => [
    ...project.graphs,
    ...(project.v4?.graphs ?? []).map((graph) => ({ ...graph, graph_id: graph.uuid, canonical_graph_uuid: graph.uuid })),
  ];
  return new Proxy(project, {
    get: (target, key, receiver) => (key === 'users' ? users() : key === 'threads' ? threads() : key === 'graphs' ? graphs() : Reflect.get(target, key, receiver)),
  });
}

export function zepHandlers(served: ZepAccount, options: ZepFakeOptions = {}): RequestHandler[] {
  const account = v3Side(served, options.v4BornObjects ?? 'absent');
  const generation = options.generation ?? 'v3';
  const stats = options.stats ?? emptyZepFakeStats();
  const limiter = generation === 'ce'
    ? null
    : new FixedWindowLimiter(options.rateLimitPerMinute ?? defaultRateLimit, options.rateLimitWindowMs ?? 60_000);
  let faultCount = 0;
  let faultTurn = 0;

  // --- lookups -------------------------------------------------------------------------------------------------
  const userById = (userId: string): ZepWireUser | undefined => account.users.find((user) => user.user_id === userId);
  const threadById = (threadId: string): ZepWireThread | undefined => account.threads.find((thread) => thread.thread_id === threadId);
  const graphById = (graphId: string): ZepWireGraph | undefined => account.graphs.find((graph) => graph.graph_id === graphId);
  const threadsOf = (userId: string): ZepWireThread[] => account.threads.filter((thread) => thread.user_id === userId);
  const messagesOf = (threadId: string): ZepWireMessage[] => account.messages[threadId] ?? [];
  const internalId = (thread: ZepWireThread): number => thread.id ?? account.threads.indexOf(thread) + 1;
  const userNotFound = (): Response => errorJson(404, 'user not found');
  const threadNotFound = (): Response => errorJson(404, 'thread not found');
  const graphNotFound = (): Response => errorJson(404, 'graph not found');

  // --- wire shapes per generation ------------------------------------------------------------------------------
  const v3User = (user: ZepWireUser): JsonObject => ({
    ...user,
    project_uuid: user.project_uuid ?? account.projectUuid,
    session_count: threadsOf(user.user_id).length,
  });
  /** v2/CE users have no graph_uuid, time_zone or disable_default_ontology. */
  const v2User = (user: ZepWireUser): JsonObject => omit(v3User(user), ['graph_uuid', 'time_zone', 'disable_default_ontology']);
  const v3Thread = (thread: ZepWireThread): JsonObject => {
    const user = thread.user_id ? userById(thread.user_id) : undefined;
    return {
      ...omit(thread, ['id']),
      ...(user ? { user_uuid: user.uuid, graph_uuid: user.graph_uuid } : {}),
      project_uuid: thread.project_uuid ?? account.projectUuid,
    };
  };
  const v2Session = (thread: ZepWireThread): JsonObject => ({
    uuid: thread.uuid,
    id: internalId(thread),
    session_id: thread.thread_id,
    user_id: thread.user_id,
    metadata: thread.metadata ?? null,
    created_at: thread.created_at,
    updated_at: thread.updated_at ?? thread.created_at,
    deleted_at: null,
    ended_at: null,
    project_uuid: thread.project_uuid ?? account.projectUuid,
    ...omit(thread, ['uuid', 'id', 'thread_id', 'user_id', 'metadata', 'created_at', 'updated_at', 'project_uuid']),
  });
  /** v2/CE: `role` is the speaker's name and `role_type` the enum (v3 renamed them `name` and `role`). */
  const v2Message = (message: ZepWireMessage): JsonObject => ({
    uuid: message.uuid,
    created_at: message.created_at,
    updated_at: message.created_at,
    role: message.name ?? '',
    role_type: message.role,
    content: message.content,
    ...(message.metadata ? { metadata: message.metadata } : {}),
    token_count: 0,
    ...(message.processed === undefined ? {} : { processed: message.processed }),
  });
  const communityMessage = (message: ZepWireMessage): JsonObject => omit(v2Message(message), ['processed']);
  /** The v2 edge has no node names, labels, hyperedge or scope. */
  const v2Edge = (edge: ZepWireEdge): JsonObject => omit(edge, ['source_node_name', 'target_node_name', 'source_node_labels', 'target_node_labels', 'hyperedge_uuid', 'scope']);
  /** v2 episodes carry `session_id` where v3 ones carry `thread_id`. */
  const v2Episode = (episode: ZepWireEpisode): JsonObject => ({
    ...omit(episode, ['thread_id', 'metadata', 'document_id', 'task_id']),
    ...(episode.thread_id === undefined ? {} : { session_id: episode.thread_id }),
  });
  const v2Fact = (edge: ZepWireEdge): JsonObject => ({
    uuid: edge.uuid,
    created_at: edge.created_at,
    name: edge.name,
    fact: edge.fact,
    content: edge.fact,
    source_node_name: edge.source_node_name,
    target_node_name: edge.target_node_name,
    valid_at: edge.valid_at ?? null,
    invalid_at: edge.invalid_at ?? null,
    expired_at: edge.expired_at ?? null,
  });
  const v3Graph = (graph: ZepWireGraph): JsonObject => ({ ...graph, project_uuid: graph.project_uuid ?? account.projectUuid });
  const v2Group = (graph: ZepWireGraph): JsonObject => ({
    ...omit(v3Graph(graph), ['graph_id', 'updated_at']),
    group_id: graph.graph_id,
  });
  const isCurrent = (edge: ZepWireEdge): boolean => !edge.invalid_at && !edge.expired_at;

  // --- sort keys -----------------------------------------------------------------------------------------------
  const threadSortKeys = (idName: 'thread_id' | 'session_id'): SortKeys<ZepWireThread> => ({
    created_at: (thread) => instant(thread.created_at),
    updated_at: (thread) => instant(thread.updated_at ?? thread.created_at),
    user_id: (thread) => thread.user_id ?? null,
    [idName]: (thread) => thread.thread_id,
  });
  const edgeSortKeys: SortKeys<ZepWireEdge> = {
    uuid: (edge) => edge.uuid,
    created_at: (edge) => instant(edge.created_at),
    valid_at: (edge) => instant(edge.valid_at),
  };
  const createdSortKeys = <T extends { uuid: string; created_at: string }>(): SortKeys<T> => ({
    uuid: (item) => item.uuid,
    created_at: (item) => instant(item.created_at),
  });

  // --- shared answers --------------------------------------------------------------------------------------------
  const cloudUsersOrdered = (call: ZepCall, shape: (user: ZepWireUser) => JsonObject): Response => {
    const paging = cloudPaging(call.url, ['pageNumber'], ['pageSize']);
    if (paging instanceof Response) return paging;
    const orderBy = call.url.searchParams.get('order_by') ?? 'created_at';
    const keys: SortKeys<ZepWireUser> = {
      created_at: (user) => instant(user.created_at),
      user_id: (user) => user.user_id,
      email: (user) => user.email ?? null,
    };
    const key = keys[orderBy];
    if (!key) return errorJson(400, `invalid order_by: ${orderBy}`);
    const search = call.url.searchParams.get('search')?.toLowerCase();
    const matching = search
      ? account.users.filter((user) =>
          [user.user_id, user.email, `${user.first_name ?? ''} ${user.last_name ?? ''}`].some((field) => field?.toLowerCase().includes(search)),
        )
      : account.users;
    const ordered = sortedBy(matching, key, call.url.searchParams.get('asc') === 'true', (user) => user.id);
    const page = numberedPage(ordered, paging.pageNumber, paging.pageSize);
    return HttpResponse.json({
      users: page.items.map(shape),
      total_count: page.total + (options.wrongTotalCount ? 1 : 0),
      row_count: page.items.length,
    });
  };

  const cloudThreadsOrdered = (call: ZepCall, idName: 'thread_id' | 'session_id'): Response => {
    // The SDKs send snake_case `page_number`/`page_size`; camelCase is tolerated too.
    const paging = cloudPaging(call.url, ['page_number', 'pageNumber'], ['page_size', 'pageSize']);
    if (paging instanceof Response) return paging;
    const orderBy = call.url.searchParams.get('order_by') ?? 'created_at';
    const key = threadSortKeys(idName)[orderBy];
    if (!key) return errorJson(400, `invalid order_by: ${orderBy}`);
    const ordered = sortedBy(account.threads, key, call.url.searchParams.get('asc') === 'true', internalId);
    const page = numberedPage(ordered, paging.pageNumber, paging.pageSize);
    return HttpResponse.json(
      idName === 'thread_id'
        ? { threads: page.items.map(v3Thread), total_count: page.total, response_count: page.items.length }
        : { sessions: page.items.map(v2Session), total_count: page.total, response_count: page.items.length },
    );
  };

  const messagesAnswer = async (call: ZepCall, shape: 'v3' | 'v2' | 'ce'): Promise<Response> => {
    const thread = threadById(call.params['threadId'] ?? '');
    if (!thread) return shape === 'v3' ? threadNotFound() : errorJson(404, 'session not found');
    const page = messagePage(messagesOf(thread.thread_id), call.url);
    if (page instanceof Response) return page;
    if (options.pageDelayMs) await delay(options.pageDelayMs);
    if (shape !== 'v3') {
      return HttpResponse.json({
        messages: page.items.map(shape === 'v2' ? v2Message : communityMessage),
        total_count: page.total,
        row_count: page.items.length,
      });
    }
    const user = thread.user_id ? userById(thread.user_id) : undefined;
    return HttpResponse.json({
      messages: page.items.map((message) => omit(message, ['reference_time'])),
      row_count: page.items.length,
      total_count: page.total,
      thread_created_at: thread.created_at,
      ...(thread.user_id ? { user_id: thread.user_id } : {}),
      ...(user ? { user_uuid: user.uuid } : {}),
    });
  };

  /** The owner of a user-graph or standalone-graph route, or the 404 to send. */
  const userOwner = (call: ZepCall): string | Response => {
    const userId = call.params['userId'] ?? '';
    return userById(userId) ? userId : userNotFound();
  };
  const graphOwner = (call: ZepCall): string | Response => {
    const graphId = call.params['graphId'] ?? '';
    return graphById(graphId) ? graphId : graphNotFound();
  };
  const nodesOf = (owner: string): ZepWireNode[] => {
    const userNode = account.userNodes[owner];
    return [...(userById(owner) && userNode ? [userNode] : []), ...(account.nodes?.[owner] ?? [])];
  };
  const nodeSortKeys = (owner: string): SortKeys<ZepWireNode> => ({
    ...createdSortKeys<ZepWireNode>(),
    degree: (node) => (account.edges[owner] ?? []).filter((edge) => edge.source_node_uuid === node.uuid || edge.target_node_uuid === node.uuid).length,
  });
  const summariesOf = (owner: string): ZepWireThreadSummary[] =>
    threadsOf(owner).flatMap((thread) => {
      const summary = account.threadSummaries[thread.thread_id];
      return summary ? [summary] : [];
    });

  /** A POST graph listing route answered over the owner's items. */
  const graphListAnswer = <T extends { uuid: string }>(
    owner: (call: ZepCall) => string | Response,
    itemsOf: (owner: string) => readonly T[],
    sortKeys: (owner: string) => SortKeys<T>,
    shape: (item: T) => unknown,
    rules: GraphListRules,
  ) => async (call: ZepCall): Promise<Response> => {
    const found = owner(call);
    if (found instanceof Response) return found;
    const body = await jsonBody(call.request);
    if (body instanceof Response) return body;
    const page = graphListPage(itemsOf(found), body, sortKeys(found), rules);
    if (page instanceof Response) return page;
    return HttpResponse.json(page.items.map(shape), { headers: page.next ? { 'Zep-Next-Cursor': page.next } : {} });
  };

  /** `GET …/graph/episodes/…?lastn=N` → `{episodes}`: the N most recent (all without `lastn`), oldest first. */
  const lastEpisodesAnswer = (owner: (call: ZepCall) => string | Response, shape: (episode: ZepWireEpisode) => unknown) => (call: ZepCall): Response => {
    const found = owner(call);
    if (found instanceof Response) return found;
    const lastN = integerParam(call.url, 'lastn');
    if (lastN === null || (lastN !== undefined && lastN < 0)) return errorJson(400, 'lastn must be a non-negative integer');
    const ordered = sortedBy(account.episodes[found] ?? [], (episode) => instant(episode.created_at), true, (episode) => episode.uuid);
    return HttpResponse.json({ episodes: (lastN ? ordered.slice(-lastN) : ordered).map(shape) });
  };

  const v3Rules: GraphListRules = { dialect: 'v3', defaultLimit: defaultGraphLimit };
  const v3EpisodeRules: GraphListRules = { dialect: 'v3', defaultLimit: defaultGraphLimit, maxLimit: maxEpisodeLimit };
  const v2Rules: GraphListRules = { dialect: 'v2', defaultLimit: defaultGraphLimit };
  const same = <T>(item: T): T => item;
  const none = (): never[] => [];

  // --- Zep Cloud v3 ----------------------------------------------------------------------------------------------
  const v3Routes: ZepRoute[] = [
    { method: 'get', pattern: apiPath('/users-ordered'), kind: 'users', answer: (call) => cloudUsersOrdered(call, v3User) },
    {
      method: 'get', pattern: apiPath('/users/:userId'), kind: 'user',
      answer: (call) => {
        const user = userById(call.params['userId'] ?? '');
        return user ? HttpResponse.json(v3User(user)) : userNotFound();
      },
    },
    {
      method: 'get', pattern: apiPath('/users/:userId/threads'), kind: 'user-threads',
      answer: (call) => {
        const userId = call.params['userId'] ?? '';
        return userById(userId) ? HttpResponse.json(threadsOf(userId).map(v3Thread)) : userNotFound();
      },
    },
    {
      method: 'get', pattern: apiPath('/users/:userId/node'), kind: 'user-node',
      answer: (call) => {
        const userId = call.params['userId'] ?? '';
        if (!userById(userId)) return userNotFound();
        const node = account.userNodes[userId];
        return HttpResponse.json(node ? { node } : {});
      },
    },
    { method: 'get', pattern: apiPath('/threads'), kind: 'threads', answer: (call) => cloudThreadsOrdered(call, 'thread_id') },
    { method: 'get', pattern: apiPath('/threads/:threadId/messages'), kind: 'messages', answer: (call) => messagesAnswer(call, 'v3') },
    {
      method: 'get', pattern: apiPath('/threads/:threadId/summary'), kind: 'thread-summary',
      answer: (call) => {
        const thread = threadById(call.params['threadId'] ?? '');
        if (!thread) return threadNotFound();
        const summary = account.threadSummaries[thread.thread_id];
        return summary ? HttpResponse.json(summary) : errorJson(404, 'thread summary not found');
      },
    },
    { method: 'post', pattern: apiPath('/graph/edge/user/:userId'), kind: 'edges', answer: graphListAnswer(userOwner, (owner) => account.edges[owner] ?? [], () => edgeSortKeys, same, v3Rules) },
    { method: 'post', pattern: apiPath('/graph/node/user/:userId'), kind: 'nodes', answer: graphListAnswer(userOwner, nodesOf, nodeSortKeys, same, v3Rules) },
    { method: 'get', pattern: apiPath('/graph/episodes/user/:userId'), kind: 'episodes', answer: lastEpisodesAnswer(userOwner, same) },
    { method: 'post', pattern: apiPath('/graph/episodes/user/:userId'), kind: 'episodes', answer: graphListAnswer(userOwner, (owner) => account.episodes[owner] ?? [], () => createdSortKeys<ZepWireEpisode>(), same, v3EpisodeRules) },
    { method: 'post', pattern: apiPath('/graph/thread-summary/user/:userId'), kind: 'thread-summaries', answer: graphListAnswer(userOwner, summariesOf, () => createdSortKeys<ZepWireThreadSummary>(), same, v3Rules) },
    { method: 'post', pattern: apiPath('/graph/observation/user/:userId'), kind: 'observations', answer: graphListAnswer(userOwner, none, () => createdSortKeys<never>(), same, v3Rules) },
    {
      method: 'get', pattern: apiPath('/graph/list-all'), kind: 'graphs',
      answer: (call) => {
        const paging = cloudPaging(call.url, ['pageNumber'], ['pageSize'], 100);
        if (paging instanceof Response) return paging;
        const orderBy = call.url.searchParams.get('order_by') ?? 'created_at';
        const keys: SortKeys<ZepWireGraph> = {
          created_at: (graph) => instant(graph.created_at),
          graph_id: (graph) => graph.graph_id,
          name: (graph) => graph.name ?? null,
        };
        const key = keys[orderBy];
        if (!key) return errorJson(400, `invalid order_by: ${orderBy}`);
        const search = call.url.searchParams.get('search')?.toLowerCase();
        const matching = search
          ? account.graphs.filter((graph) => [graph.graph_id, graph.name, graph.description].some((field) => field?.toLowerCase().includes(search)))
          : account.graphs;
        const page = numberedPage(sortedBy(matching, key, call.url.searchParams.get('asc') === 'true', (graph) => graph.uuid), paging.pageNumber, paging.pageSize);
        return HttpResponse.json({
          graphs: page.items.map(v3Graph),
          page_number: paging.pageNumber,
          page_size: paging.pageSize,
          row_count: page.items.length,
          total_count: page.total,
        });
      },
    },
    { method: 'post', pattern: apiPath('/graph/edge/graph/:graphId'), kind: 'edges', answer: graphListAnswer(graphOwner, (owner) => account.edges[owner] ?? [], () => edgeSortKeys, same, v3Rules) },
    { method: 'post', pattern: apiPath('/graph/node/graph/:graphId'), kind: 'nodes', answer: graphListAnswer(graphOwner, nodesOf, nodeSortKeys, same, v3Rules) },
    { method: 'get', pattern: apiPath('/graph/episodes/graph/:graphId'), kind: 'episodes', answer: lastEpisodesAnswer(graphOwner, same) },
    { method: 'post', pattern: apiPath('/graph/episodes/graph/:graphId'), kind: 'episodes', answer: graphListAnswer(graphOwner, (owner) => account.episodes[owner] ?? [], () => createdSortKeys<ZepWireEpisode>(), same, v3EpisodeRules) },
    { method: 'post', pattern: apiPath('/graph/thread-summary/graph/:graphId'), kind: 'thread-summaries', answer: graphListAnswer(graphOwner, none, () => createdSortKeys<never>(), same, v3Rules) },
    { method: 'post', pattern: apiPath('/graph/observation/graph/:graphId'), kind: 'observations', answer: graphListAnswer(graphOwner, none, () => createdSortKeys<never>(), same, v3Rules) },
  ];

  // --- Zep Cloud v2 (sessions) -----------------------------------------------------------------------------------
  const sessionAnswer = (shape: (thread: ZepWireThread) => JsonObject) => (call: ZepCall): Response => {
    const thread = threadById(call.params['threadId'] ?? '');
    return thread ? HttpResponse.json(shape(thread)) : errorJson(404, 'session not found');
  };
  const userSessionsAnswer = (call: ZepCall): Response => {
    const userId = call.params['userId'] ?? '';
    return userById(userId) ? HttpResponse.json(threadsOf(userId).map(v2Session)) : userNotFound();
  };
  const userAnswer = (call: ZepCall): Response => {
    const user = userById(call.params['userId'] ?? '');
    return user ? HttpResponse.json(v2User(user)) : userNotFound();
  };
  const memoryAnswer = (community: boolean) => (call: ZepCall): Response => {
    const thread = threadById(call.params['threadId'] ?? '');
    if (!thread) return errorJson(404, 'not found');
    const lastN = integerParam(call.url, 'lastn');
    if (lastN === null || (lastN !== undefined && lastN < 0)) return errorJson(400, 'lastn cannot be negative');
    const messages = messagesOf(thread.thread_id).slice(-(lastN || defaultMemoryMessages));
    const facts = (thread.user_id ? account.edges[thread.user_id] ?? [] : []).filter(isCurrent);
    if (community) {
      return HttpResponse.json({
        messages: messages.map(communityMessage),
        relevant_facts: facts.map((edge) => ({ uuid: edge.uuid, created_at: edge.created_at, fact: edge.fact, rating: 0 })),
        metadata: {},
      });
    }
    const summary = account.threadSummaries[thread.thread_id];
    return HttpResponse.json({
      messages: messages.map(v2Message),
      ...(summary ? { summary: { uuid: summary.uuid, created_at: summary.created_at, content: summary.summary, token_count: 0, metadata: {} } } : {}),
      context: '',
      facts: facts.map((edge) => edge.fact),
      relevant_facts: facts.map(v2Fact),
      metadata: {},
    });
  };

  const v2Routes: ZepRoute[] = [
    { method: 'get', pattern: apiPath('/users-ordered'), kind: 'users', answer: (call) => cloudUsersOrdered(call, v2User) },
    { method: 'get', pattern: apiPath('/users/:userId'), kind: 'user', answer: userAnswer },
    { method: 'get', pattern: apiPath('/users/:userId/sessions'), kind: 'user-threads', answer: userSessionsAnswer },
    {
      method: 'get', pattern: apiPath('/users/:userId/node'), kind: 'user-node',
      answer: (call) => {
        const userId = call.params['userId'] ?? '';
        if (!userById(userId)) return userNotFound();
        const node = account.userNodes[userId];
        return HttpResponse.json(node ? { node } : {});
      },
    },
    {
      method: 'get', pattern: apiPath('/users/:userId/facts'), kind: 'user-facts',
      answer: (call) => {
        const userId = call.params['userId'] ?? '';
        return userById(userId) ? HttpResponse.json({ facts: (account.edges[userId] ?? []).map(v2Fact) }) : userNotFound();
      },
    },
    { method: 'get', pattern: apiPath('/sessions-ordered'), kind: 'threads', answer: (call) => cloudThreadsOrdered(call, 'session_id') },
    { method: 'get', pattern: apiPath('/sessions/:threadId'), kind: 'thread', answer: sessionAnswer(v2Session) },
    { method: 'get', pattern: apiPath('/sessions/:threadId/messages'), kind: 'messages', answer: (call) => messagesAnswer(call, 'v2') },
    {
      method: 'get', pattern: apiPath('/sessions/:threadId/summary'), kind: 'session-summaries',
      answer: (call) => {
        const thread = threadById(call.params['threadId'] ?? '');
        if (!thread) return errorJson(404, 'session not found');
        const summary = account.threadSummaries[thread.thread_id];
        const summaries = summary
          ? [{
              uuid: summary.uuid,
              created_at: summary.created_at,
              content: summary.summary,
              token_count: 0,
              related_message_uuids: messagesOf(thread.thread_id).map((message) => message.uuid),
              metadata: {},
            }]
          : [];
        return HttpResponse.json({ summaries, total_count: summaries.length, row_count: summaries.length });
      },
    },
    { method: 'get', pattern: apiPath('/sessions/:threadId/memory'), kind: 'session-memory', answer: memoryAnswer(false) },
    { method: 'post', pattern: apiPath('/graph/edge/user/:userId'), kind: 'edges', answer: graphListAnswer(userOwner, (owner) => account.edges[owner] ?? [], () => edgeSortKeys, v2Edge, v2Rules) },
    { method: 'post', pattern: apiPath('/graph/node/user/:userId'), kind: 'nodes', answer: graphListAnswer(userOwner, nodesOf, nodeSortKeys, same, v2Rules) },
    { method: 'get', pattern: apiPath('/graph/episodes/user/:userId'), kind: 'episodes', answer: lastEpisodesAnswer(userOwner, v2Episode) },
    {
      method: 'get', pattern: apiPath('/groups-ordered'), kind: 'graphs',
      answer: (call) => {
        const paging = cloudPaging(call.url, ['pageNumber'], ['pageSize']);
        if (paging instanceof Response) return paging;
        const page = numberedPage(sortedBy(account.graphs, (graph) => instant(graph.created_at), false, (graph) => graph.uuid), paging.pageNumber, paging.pageSize);
        return HttpResponse.json({ groups: page.items.map(v2Group), total_count: page.total, row_count: page.items.length });
      },
    },
    { method: 'post', pattern: apiPath('/graph/edge/group/:graphId'), kind: 'edges', answer: graphListAnswer(graphOwner, (owner) => account.edges[owner] ?? [], () => edgeSortKeys, v2Edge, v2Rules) },
    { method: 'post', pattern: apiPath('/graph/node/group/:graphId'), kind: 'nodes', answer: graphListAnswer(graphOwner, nodesOf, nodeSortKeys, same, v2Rules) },
    { method: 'get', pattern: apiPath('/graph/episodes/group/:graphId'), kind: 'episodes', answer: lastEpisodesAnswer(graphOwner, v2Episode) },
  ];

  // --- Community Edition 1.x -------------------------------------------------------------------------------------
  const communityRoutes: ZepRoute[] = [
    { method: 'get', pattern: '*/healthz', kind: 'health', public: true, answer: () => plainText(200, '.') },
    {
      method: 'get', pattern: apiPath('/users-ordered'), kind: 'users',
      answer: (call) => {
        // Reads only pageNumber/pageSize; the order is fixed at id DESC.
        const page = communityPaging(sortedBy(account.users, (user) => user.id, false, (user) => user.user_id), call.url);
        if (page instanceof Response) return page;
        return HttpResponse.json({ users: page.items.map(v2User), total_count: page.total + (options.wrongTotalCount ? 1 : 0), row_count: page.items.length });
      },
    },
    { method: 'get', pattern: apiPath('/users/:userId'), kind: 'user', answer: userAnswer },
    { method: 'get', pattern: apiPath('/users/:userId/sessions'), kind: 'user-threads', answer: userSessionsAnswer },
    {
      method: 'get', pattern: apiPath('/sessions-ordered'), kind: 'threads',
      answer: (call) => {
        // The SDK sends page_number/page_size, but CE reads only pageNumber/pageSize; default order id DESC.
        const orderBy = call.url.searchParams.get('order_by');
        const key = orderBy === null ? internalId : threadSortKeys('session_id')[orderBy];
        if (!key) return errorJson(400, `invalid order_by: ${orderBy ?? ''}`);
        const ascending = orderBy !== null && call.url.searchParams.get('asc') === 'true';
        const page = communityPaging(sortedBy(account.threads, key, ascending, internalId), call.url);
        if (page instanceof Response) return page;
        return HttpResponse.json({ sessions: page.items.map(v2Session), total_count: page.total, response_count: page.items.length });
      },
    },
    { method: 'get', pattern: apiPath('/sessions/:threadId'), kind: 'thread', answer: sessionAnswer(v2Session) },
    { method: 'get', pattern: apiPath('/sessions/:threadId/messages'), kind: 'messages', answer: (call) => messagesAnswer(call, 'ce') },
    { method: 'get', pattern: apiPath('/sessions/:threadId/memory'), kind: 'session-memory', answer: memoryAnswer(true) },
  ];

  // --- the gate every request goes through ---------------------------------------------------------------------------
  const unauthorized = (): Response =>
    generation === 'ce' ? plainText(401, 'unauthorized\n') : errorJson(401, 'unauthorized');

  const tooManyRequests = (retryAfterSeconds: number | null): Response =>
    HttpResponse.json(
      { message: 'rate limit exceeded' },
      { status: 429, headers: retryAfterSeconds === null || options.omitRetryAfter ? {} : { 'Retry-After': String(retryAfterSeconds) } },
    );

  /** The next injected fault, if this request is due one. */
  async function injectedFault(): Promise<Response | null> {
    const faults = options.faults;
    if (!faults?.every || !faults.kinds?.length) return null;
    faultCount++;
    if (faultCount % faults.every !== 0) return null;
    const kind = faults.kinds[faultTurn++ % faults.kinds.length] as ZepFaultKind;
    stats.faults++;
    switch (kind) {
      case '429':
        stats.rateLimited++;
        return tooManyRequests(faults.retryAfterSeconds ?? 1);
      case '429-no-retry-after':
        stats.rateLimited++;
        return tooManyRequests(null);
      case '500':
      case '502':
      case '503':
        return errorJson(Number(kind), 'upstream error');
      case 'reset':
        return HttpResponse.error();
      case 'slow':
        await delay(faults.slowMs ?? 200);
        return null;
    }
  }

  async function gatedAnswer(route: ZepRoute, call: ZepCall): Promise<Response> {
    if (!route.public && call.request.headers.get('authorization') !== `Api-Key ${account.apiKey}`) return unauthorized();
    if (options.latencyMs) await delay(options.latencyMs);
    if (route.public) return route.answer(call);
    if (limiter && !limiter.take(Date.now())) {
      stats.rateLimited++;
      return tooManyRequests(limiter.retryAfterSeconds(Date.now()));
    }
    return (await injectedFault()) ?? route.answer(call);
  }

  async function serve(route: ZepRoute, call: ZepCall): Promise<Response> {
    stats.requests++;
    stats.byRoute[route.kind]++;
    const response = await gatedAnswer(route, call);
    if (limiter && response.type !== 'error') {
      for (const [name, value] of Object.entries(limiter.headers(Date.now()))) response.headers.set(name, value);
    }
    return response;
  }

  /** Any other path under the base path (other paths fall through, so these handlers compose with others). */
  const notFound: ZepRoute = {
    method: 'get',
    pattern: apiPath('/*'),
    kind: 'not-found',
    answer: () => (generation === 'ce' ? plainText(404, '404 page not found\n') : errorJson(404, 'not found')),
  };

  const routes =
    generation === 'ce' ? communityRoutes
    : generation === 'v2' ? (options.v2Only === false ? [...v3Routes, ...v2Routes] : v2Routes)
    : v3Routes;

  const resolverOf = (route: ZepRoute) => ({ request, params }: { request: Request; params: PathParams }): Promise<Response> =>
    serve(route, { request, url: new URL(request.url), params: stringParams(params) });

  return [
    ...routes.map((route) => (route.method === 'get' ? http.get(route.pattern, resolverOf(route)) : http.post(route.pattern, resolverOf(route)))),
    http.all(notFound.pattern, resolverOf(notFound)),
  ];
}
