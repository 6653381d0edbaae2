// The fake Zep v4 API (`/api/v4`) as msw handlers over the same in-memory project the v3 handlers serve under
// `/api/v2` (zep-handlers.ts), so that one project can be imported through v3, then through v4, and compared.
// Checked against /work/shared/sources/zep-v4.md — §2 (auth, `{items,next_cursor,total_size}` paging by `page_size`
// and an opaque `cursor`), §3 users and the bare user node, §4 threads and messages, §5 graph lists (POST, filters in
// the body, `unsupported_filter`), §6 thread summaries, §8 the `{"error":{…}}` body and `X-RateLimit-*`, §9 identity
// (the same uuids on both wires; a v3 graph's v4 uuid is its `canonical_graph_uuid`), §11 the tricky cases. The
// pre-GA SDK sources (zep-js 4.0.0-beta.1 wire tests, zep-python 4.0.0b1) the note cites were not reachable in this
// session, so nothing here was checked against a real v4 client or server. Where the note marks [?]/[I], the
// choice is an option (see `ZepV4FakeOptions`).
import { delay, http, HttpResponse, type PathParams, type RequestHandler } from 'msw';
import type { ZepAccount, ZepWireEdge, ZepWireEpisode, ZepWireMessage, ZepWireThreadSummary } from './zep-account.js';

export interface ZepV4FakeOptions {
  /** The page-size parameter the server accepts; the other spelling is refused with 400 naming it (§2, §14.1). Default `page_size`. */
  pageSizeParam?: 'page_size' | 'limit';
  /** How the last page says it is the last (§11.3). Default: `next_cursor` left out. */
  lastCursor?: 'omitted' | 'null' | 'empty';
  /** `total_size` one higher on every page but the last (it is a count taken when the page was built, §2). */
  driftingTotal?: boolean;
  /** `POST /graphs/list` also lists each user's graph (`type: "user"`), which a reader must skip (§5.1 [?]). */
  listUserGraphs?: boolean;
  /** The user node answers 409 (being built) this many times before it answers (§3.3). */
  nodeConflicts?: number;
  /** Edge listings refuse `date_filters` with 400 `unsupported_filter`. */
  refuseDateFilters?: boolean;
  /** A message page that gives the cursor it was asked with again (a broken server). */
  repeatMessageCursor?: boolean;
  /** A message listing answers 404 once past its first page (the thread deleted mid-listing). */
  messagesGoneAfterFirstPage?: boolean;
  /** Requests accepted per window; the `X-RateLimit-*` headers are on every answer either way. */
  rateLimitPerMinute?: number;
  rateLimitWindowMs?: number;
  /** Every n-th request answers 503 once (a transient fault). */
  failEvery?: number;
  /** Latency added to every answer. */
  latencyMs?: number;
  stats?: ZepV4FakeStats;
}

export interface ZepV4FakeStats {
  requests: number;
  rateLimited: number;
  conflicts: number;
  /** Requests by route, e.g. `POST /graphs/:graph/edges/list`. */
  byRoute: Record<string, number>;
  /** The bodies of edge listings (to see the incremental date filter). */
  edgeFilters: unknown[];
}

export function emptyZepV4FakeStats(): ZepV4FakeStats {
  return { requests: 0, rateLimited: 0, conflicts: 0, byRoute: {}, edgeFilters: [] };
}

type Json = Record<string, unknown>;
type SortValue = string | number | null;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function v4Error(status: number, code: string, message: string, param?: string): Response {
  return HttpResponse.json({ error: { code, message, ...(param ? { param } : {}), request_id: 'req_fake' } }, { status });
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object without its `undefined` and `null` members (the v4 wire leaves out what is unset, §3.1, §5.2). */
function compact(object: Json): Json {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined && value !== null));
}

function omit(object: object, keys: readonly string[]): Json {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}

function instant(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? null : parsed;
}

function compare(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

interface Cursor {
  k: string;
  d: string;
  v: SortValue;
  t: SortValue;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string): Cursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!isObject(value) || typeof value['k'] !== 'string' || typeof value['d'] !== 'string') return null;
    return { k: value['k'], d: value['d'], v: (value['v'] ?? null) as SortValue, t: (value['t'] ?? null) as SortValue };
  } catch {
    return null;
  }
}

interface Sorted<T> {
  keys: Record<string, (item: T) => SortValue>;
  /** The tie-break, unique per item (a uuid, an insertion index). */
  tie: (item: T) => SortValue;
  defaultOrderBy: string;
  defaultOrder: 'asc' | 'desc';
  max: number;
}

export function zepV4Handlers(account: ZepAccount, options: ZepV4FakeOptions = {}): RequestHandler[] {
  const stats = options.stats ?? emptyZepV4FakeStats();
  const sizeParam = options.pageSizeParam ?? 'page_size';
  const otherSizeParam = sizeParam === 'page_size' ? 'limit' : 'page_size';
  const limit = options.rateLimitPerMinute ?? 1_000_000;
  const windowMs = options.rateLimitWindowMs ?? 60_000;
  let windowEnd = 0;
  let used = 0;
  let conflictsLeft = options.nodeConflicts ?? 0;
  const v4 = account.v4 ?? { users: [], threads: [], graphs: [] };

  // --- the project's objects as v4 sees them (§9: the same uuids as v3) ---------------------------------------------
  interface User {
    uuid: string;
    /** Where its data are keyed in the account: the user_id, or the uuid of a v4-born user. */
    key: string;
    graphUuid: string;
    wire: Json;
  }
  interface Thread {
    uuid: string;
    key: string;
    userUuid: string | null;
    wire: Json;
  }
  interface Graph {
    uuid: string;
    key: string;
    wire: Json;
  }
  const users = (): User[] => [
    ...account.users.map((user) => ({
      uuid: user.uuid,
      key: user.user_id,
      graphUuid: user.graph_uuid ?? user.uuid,
      wire: compact({
        uuid: user.uuid, user_id: user.user_id, email: user.email, first_name: user.first_name, last_name: user.last_name,
        metadata: user.metadata, time_zone: user.time_zone, graph_uuid: user.graph_uuid ?? user.uuid,
        disable_default_ontology: user.disable_default_ontology, created_at: user.created_at,
      }),
    })),
    ...v4.users.map((user) => ({ uuid: user.uuid, key: user.uuid, graphUuid: user.graph_uuid, wire: compact({ ...user, unknown_v5_field: 'ignored' }) })),
  ];
  const userUuidOf = (userId: string | null): string | null => account.users.find((user) => user.user_id === userId)?.uuid ?? null;
  const threads = (): Thread[] => [
    ...account.threads.map((thread) => {
      const userUuid = thread.user_id ? userUuidOf(thread.user_id) : null;
      const user = userUuid ? users().find((candidate) => candidate.uuid === userUuid) : undefined;
      return {
        uuid: thread.uuid,
        key: thread.thread_id,
        userUuid,
        wire: compact({ uuid: thread.uuid, user_uuid: userUuid, graph_uuid: user?.graphUuid, thread_id: thread.thread_id, created_at: thread.created_at, updated_at: thread.updated_at ?? thread.created_at }),
      };
    }),
    ...v4.threads.map((thread) => ({
      uuid: thread.uuid,
      key: thread.uuid,
      userUuid: thread.user_uuid,
      wire: compact({ ...thread, graph_uuid: users().find((user) => user.uuid === thread.user_uuid)?.graphUuid }),
    })),
  ];
  const graphs = (): Graph[] => [
    ...account.graphs.map((graph) => {
      const uuid = graph.canonical_graph_uuid ?? graph.uuid;
      return { uuid, key: graph.graph_id, wire: compact({ uuid, graph_id: graph.graph_id, name: graph.name, description: graph.description, type: 'standard', created_at: graph.created_at, updated_at: graph.updated_at }) };
    }),
    ...v4.graphs.map((graph) => ({ uuid: graph.uuid, key: graph.uuid, wire: compact({ ...graph, type: 'standard' }) })),
  ];
  const threadUuidOfKey = (key: string | undefined): string | undefined => (key === undefined ? undefined : threads().find((thread) => thread.key === key)?.uuid);

  /** The owner key of a `{graph_uuid}` path segment: a user's uuid or graph uuid, or a standalone graph's uuid (§2). */
  const graphOwner = (segment: string): { key: string; graphUuid: string; user: User | null } | Response => {
    if (!uuidPattern.test(segment)) return v4Error(400, 'invalid_identifier', `graph_uuid must be a UUID: ${segment}`, 'graph_uuid');
    const user = users().find((candidate) => candidate.uuid === segment || candidate.graphUuid === segment);
    if (user) return { key: user.key, graphUuid: user.graphUuid, user };
    const graph = graphs().find((candidate) => candidate.uuid === segment);
    return graph ? { key: graph.key, graphUuid: graph.uuid, user: null } : v4Error(404, 'not_found', 'graph not found');
  };

  // --- wire shapes (§3–§6) --------------------------------------------------------------------------------------------
  const message = (threadUuid: string) => (stored: ZepWireMessage): Json =>
    compact({ ...stored, thread_uuid: threadUuid, reference_time: stored.reference_time ?? stored.created_at });
  const edgeWire = (graphUuid: string) => (edge: ZepWireEdge): Json =>
    compact({ ...omit(edge, ['episodes']), graph_uuid: graphUuid, episode_uuids: edge.episodes });
  const episodeWire = (graphUuid: string) => (episode: ZepWireEpisode): Json =>
    compact({
      ...omit(episode, ['role', 'role_type', 'thread_id']),
      graph_uuid: graphUuid,
      role: episode.role_type,
      role_name: episode.role,
      thread_uuid: threadUuidOfKey(episode.thread_id),
      reference_time: episode.reference_time ?? episode.created_at,
    });
  const summaryWire = (summary: ZepWireThreadSummary): Json => compact({ ...omit(summary, ['thread_id']), thread_uuid: threadUuidOfKey(summary.thread_id) ?? summary.thread_id });

  // --- paging (§2) -------------------------------------------------------------------------------------------------------
  const page = <T>(items: readonly T[], url: URL, sorted: Sorted<T>, shape: (item: T) => Json): Response => {
    if (url.searchParams.has(otherSizeParam)) return v4Error(400, 'invalid_parameter', `unknown query parameter ${otherSizeParam}`, otherSizeParam);
    const rawSize = url.searchParams.get(sizeParam);
    const size = rawSize === null ? 50 : Number(rawSize);
    if (!Number.isInteger(size) || size < 1 || size > sorted.max) return v4Error(400, 'invalid_parameter', `${sizeParam} must be between 1 and ${sorted.max}`, sizeParam);
    const orderBy = url.searchParams.get('order_by') ?? sorted.defaultOrderBy;
    const order = url.searchParams.get('order') ?? sorted.defaultOrder;
    const key = sorted.keys[orderBy];
    if (!key) return v4Error(400, 'invalid_parameter', `order_by must be one of ${Object.keys(sorted.keys).join(', ')}`, 'order_by');
    if (order !== 'asc' && order !== 'desc') return v4Error(400, 'invalid_parameter', 'order must be asc or desc', 'order');
    const sign = order === 'asc' ? 1 : -1;
    const ordered = [...items].sort((a, b) => sign * (compare(key(a), key(b)) || compare(sorted.tie(a), sorted.tie(b))));
    let rest = ordered;
    const cursorText = url.searchParams.get('cursor');
    if (cursorText !== null && cursorText !== '') {
      const cursor = decodeCursor(cursorText);
      if (!cursor || cursor.k !== orderBy || cursor.d !== order) return v4Error(400, 'invalid_cursor', 'the cursor is not valid for this listing', 'cursor');
      rest = ordered.filter((item) => sign * (compare(key(item), cursor.v) || compare(sorted.tie(item), cursor.t)) > 0);
    }
    const items_ = rest.slice(0, size);
    const last = items_.at(-1);
    const more = last !== undefined && rest.length > items_.length;
    const next = more ? encodeCursor({ k: orderBy, d: order, v: key(last), t: sorted.tie(last) }) : null;
    const lastCursor = options.lastCursor ?? 'omitted';
    return HttpResponse.json({
      items: items_.map(shape),
      ...(next !== null ? { next_cursor: next } : lastCursor === 'null' ? { next_cursor: null } : lastCursor === 'empty' ? { next_cursor: '' } : {}),
      total_size: items.length + (options.driftingTotal && more ? 1 : 0),
    });
  };
  const byUuid = <T extends { uuid: string }>(keys: Record<string, (item: T) => SortValue>, defaultOrderBy: string, defaultOrder: 'asc' | 'desc', max: number): Sorted<T> => ({
    keys: { uuid: (item) => item.uuid, ...keys },
    tie: (item) => item.uuid,
    defaultOrderBy,
    defaultOrder,
    max,
  });
  const wireCreated = <T extends { wire: Json; uuid: string }>(max: number, more: Record<string, (item: T) => SortValue> = {}): Sorted<T> =>
    byUuid<T>({ created_at: (item) => instant(item.wire['created_at']), ...more }, 'created_at', 'asc', max);

  async function body(request: Request): Promise<Json | Response> {
    const text = await request.text();
    if (text.trim() === '') return {};
    try {
      const parsed: unknown = JSON.parse(text);
      return isObject(parsed) ? parsed : v4Error(400, 'invalid_body', 'the body must be a JSON object');
    } catch {
      return v4Error(400, 'invalid_body', 'the body is not JSON');
    }
  }

  /** `filters` of a graph listing: only the named keys; an unknown one is 400 `unsupported_filter` (§5). */
  const filtersOf = (json: Json, allowed: readonly string[]): Json | Response => {
    const filters = json['filters'];
    if (filters === undefined) return {};
    if (!isObject(filters)) return v4Error(400, 'invalid_body', 'filters must be an object');
    for (const name of Object.keys(filters)) if (!allowed.includes(name)) return v4Error(400, 'unsupported_filter', `filter ${name} is not supported here`, `filters.${name}`);
    return filters;
  };

  /** `date_filters`: groups ORed, conditions ANDed (§5.2). */
  const matchesDates = (item: Record<string, unknown>, dateFilters: unknown): boolean => {
    if (!isObject(dateFilters) || !Array.isArray(dateFilters['any_of'])) return true;
    return dateFilters['any_of'].some((group) =>
      isObject(group) && Array.isArray(group['all_of']) && group['all_of'].every((condition) => {
        if (!isObject(condition) || typeof condition['field'] !== 'string') return false;
        const value = instant(item[condition['field']]);
        const bound = instant(condition['value']);
        switch (condition['operator']) {
          case 'is_null': return value === null;
          case 'is_not_null': return value !== null;
          case 'gt': return value !== null && bound !== null && value > bound;
          case 'gte': return value !== null && bound !== null && value >= bound;
          case 'lt': return value !== null && bound !== null && value < bound;
          case 'lte': return value !== null && bound !== null && value <= bound;
          case 'eq': return value === bound;
          case 'ne': return value !== bound;
          default: return false;
        }
      }),
    );
  };

  // --- routes --------------------------------------------------------------------------------------------------------
  type Answer = (call: { request: Request; url: URL; params: Record<string, string> }) => Response | Promise<Response>;
  const routes: [method: 'get' | 'post', path: string, answer: Answer][] = [
    ['get', '/project', () => HttpResponse.json({
      uuid: account.projectUuid, name: 'Fake project', description: 'served by zep-v4-handlers', default_time_zone: 'UTC',
      hyperedges_enabled: true, include_policy_violating_episodes: false, created_at: '2024-01-01T00:00:00Z',
    })],
    ['post', '/users/list', async ({ request, url }) => {
      const json = await body(request);
      if (json instanceof Response) return json;
      const search = typeof json['search'] === 'string' ? json['search'].toLowerCase() : null;
      const matching = users().filter((user) => search === null || ['user_id', 'email', 'first_name', 'last_name'].some((field) => String(user.wire[field] ?? '').toLowerCase().includes(search)));
      return page(matching, url, wireCreated<User>(200, { user_id: (user) => (user.wire['user_id'] as string | undefined) ?? null, email: (user) => (user.wire['email'] as string | undefined) ?? null }), (user) => user.wire);
    }],
    ['post', '/users/lookup', async ({ request }) => {
      const json = await body(request);
      if (json instanceof Response) return json;
      const user = users().find((candidate) => typeof json['user_id'] === 'string' && candidate.wire['user_id'] === json['user_id']);
      return user ? HttpResponse.json(user.wire) : v4Error(404, 'not_found', 'user not found');
    }],
    ['get', '/users/:user', ({ params }) => {
      const id = params['user'] ?? '';
      if (!uuidPattern.test(id)) return v4Error(400, 'invalid_identifier', `user_uuid must be a UUID: ${id}`, 'user_uuid');
      const user = users().find((candidate) => candidate.uuid === id);
      return user ? HttpResponse.json(user.wire) : v4Error(404, 'not_found', 'user not found');
    }],
    ['get', '/users/:user/node', ({ params }) => {
      const id = params['user'] ?? '';
      if (!uuidPattern.test(id)) return v4Error(400, 'invalid_identifier', `user_uuid must be a UUID: ${id}`, 'user_uuid');
      const user = users().find((candidate) => candidate.uuid === id);
      if (!user) return v4Error(404, 'not_found', 'user not found');
      if (conflictsLeft > 0) {
        conflictsLeft--;
        stats.conflicts++;
        return v4Error(409, 'conflict', 'the user node is being built');
      }
      const node = account.userNodes[user.key];
      if (!node) return v4Error(404, 'not_found', 'the user node does not exist yet');
      return HttpResponse.json(compact({ ...node, graph_uuid: user.graphUuid, episode_uuids: [], episode_uuids_truncated: user.key === account.users[0]?.user_id }));
    }],
    ['get', '/threads', ({ url }) => {
      const userUuid = url.searchParams.get('user_uuid');
      if (userUuid !== null && !uuidPattern.test(userUuid)) return v4Error(400, 'invalid_identifier', `user_uuid must be a UUID: ${userUuid}`, 'user_uuid');
      const listed = threads().filter((thread) => userUuid === null || thread.userUuid === userUuid);
      return page(listed, url, wireCreated<Thread>(200, { updated_at: (thread) => instant(thread.wire['updated_at']) }), (thread) => thread.wire);
    }],
    ['post', '/threads/lookup', async ({ request }) => {
      const json = await body(request);
      if (json instanceof Response) return json;
      const thread = threads().find((candidate) => typeof json['thread_id'] === 'string' && candidate.wire['thread_id'] === json['thread_id']);
      return thread ? HttpResponse.json(thread.wire) : v4Error(404, 'not_found', 'thread not found');
    }],
    ['get', '/threads/:thread', ({ params }) => {
      const thread = threads().find((candidate) => candidate.uuid === params['thread']);
      return thread ? HttpResponse.json(thread.wire) : v4Error(uuidPattern.test(params['thread'] ?? '') ? 404 : 400, uuidPattern.test(params['thread'] ?? '') ? 'not_found' : 'invalid_identifier', 'thread not found');
    }],
    ['get', '/threads/:thread/messages', ({ params, url }) => {
      const id = params['thread'] ?? '';
      if (!uuidPattern.test(id)) return v4Error(400, 'invalid_identifier', `thread_uuid must be a UUID: ${id}`, 'thread_uuid');
      const thread = threads().find((candidate) => candidate.uuid === id);
      if (!thread) return v4Error(404, 'not_found', 'thread not found');
      const stored = account.messages[thread.key] ?? [];
      const indexed = stored.map((entry, index) => ({ entry, index, uuid: entry.uuid }));
      const answer = page(indexed, url, {
        keys: { created_at: (item) => instant(item.entry.created_at) },
        tie: (item) => item.index,
        defaultOrderBy: 'created_at',
        defaultOrder: 'asc',
        max: 200,
      }, (item) => message(thread.uuid)(item.entry));
      if (options.messagesGoneAfterFirstPage && url.searchParams.has('cursor')) return v4Error(404, 'not_found', 'thread not found');
      if (options.repeatMessageCursor && url.searchParams.has('cursor')) {
        return HttpResponse.json({ items: [], next_cursor: url.searchParams.get('cursor') });
      }
      return answer;
    }],
    ['get', '/threads/:thread/summary', ({ params }) => {
      const thread = threads().find((candidate) => candidate.uuid === params['thread']);
      if (!thread) return v4Error(404, 'not_found', 'thread not found');
      const summary = account.threadSummaries[thread.key];
      return summary ? HttpResponse.json(summaryWire(summary)) : v4Error(404, 'not_found', 'the thread has no summary yet');
    }],
    ['post', '/graphs/list', async ({ request, url }) => {
      const json = await body(request);
      if (json instanceof Response) return json;
      const rows: Graph[] = [
        ...graphs(),
        ...(options.listUserGraphs ? users().map((user) => ({ uuid: user.graphUuid, key: user.key, wire: { uuid: user.graphUuid, type: 'user', user_uuid: user.uuid, created_at: user.wire['created_at'] } })) : []),
      ];
      return page(rows, url, wireCreated<Graph>(200, { name: (graph) => (graph.wire['name'] as string | undefined) ?? null }), (graph) => graph.wire);
    }],
    ['post', '/graphs/lookup', async ({ request }) => {
      const json = await body(request);
      if (json instanceof Response) return json;
      const graph = graphs().find((candidate) => typeof json['graph_id'] === 'string' && candidate.wire['graph_id'] === json['graph_id']);
      return graph ? HttpResponse.json(graph.wire) : v4Error(404, 'not_found', 'graph not found');
    }],
    ['get', '/graphs/:graph', ({ params }) => {
      const graph = graphs().find((candidate) => candidate.uuid === params['graph']);
      return graph ? HttpResponse.json(graph.wire) : v4Error(404, 'not_found', 'graph not found');
    }],
    ['post', '/graphs/:graph/edges/list', async ({ request, url, params }) => {
      const owner = graphOwner(params['graph'] ?? '');
      if (owner instanceof Response) return owner;
      const json = await body(request);
      if (json instanceof Response) return json;
      stats.edgeFilters.push(json['filters'] ?? null);
      const allowed = ['node_labels', 'exclude_node_labels', 'edge_types', 'exclude_edge_types', 'edge_uuids', 'episode_uuids', 'connected_node_uuids', 'source_node_uuids', 'target_node_uuids', 'property_filters', 'metadata_filters', ...(options.refuseDateFilters ? [] : ['date_filters'])];
      const filters = filtersOf(json, allowed);
      if (filters instanceof Response) return filters;
      const edges = (account.edges[owner.key] ?? []).filter((edge) => matchesDates(edge as unknown as Record<string, unknown>, filters['date_filters']));
      // An edge without valid_at sorts as 1970 (§5.2).
      return page(edges, url, byUuid<ZepWireEdge>({ created_at: (edge) => instant(edge.created_at), valid_at: (edge) => instant(edge.valid_at) ?? 0 }, 'uuid', 'desc', 100), edgeWire(owner.graphUuid));
    }],
    ['post', '/graphs/:graph/episodes/list', async ({ request, url, params }) => {
      const owner = graphOwner(params['graph'] ?? '');
      if (owner instanceof Response) return owner;
      const json = await body(request);
      if (json instanceof Response) return json;
      const filters = filtersOf(json, ['mentioned_node_uuids', 'metadata_filters', 'document_id']);
      if (filters instanceof Response) return filters;
      const episodes = (account.episodes[owner.key] ?? []).filter((episode) => filters['document_id'] === undefined || episode.document_id === filters['document_id']);
      return page(episodes, url, byUuid<ZepWireEpisode>({ created_at: (episode) => instant(episode.created_at) }, 'created_at', 'desc', 100), episodeWire(owner.graphUuid));
    }],
    ['post', '/graphs/:graph/thread-summaries/list', async ({ request, url, params }) => {
      const owner = graphOwner(params['graph'] ?? '');
      if (owner instanceof Response) return owner;
      const json = await body(request);
      if (json instanceof Response) return json;
      const filters = filtersOf(json, ['date_filters']);
      if (filters instanceof Response) return filters;
      const own = owner.user ? threads().filter((thread) => thread.userUuid === owner.user?.uuid) : [];
      const summaries = own.flatMap((thread) => (account.threadSummaries[thread.key] ? [account.threadSummaries[thread.key]!] : []));
      return page(summaries, url, byUuid<ZepWireThreadSummary>({ created_at: (summary) => instant(summary.created_at) }, 'uuid', 'desc', 100), summaryWire);
    }],
  ];

  // --- the gate: key, rate limit (§8), faults --------------------------------------------------------------------------
  const rateHeaders = (): Record<string, string> => ({
    'X-RateLimit-Limit': String(limit),
    'X-RateLimit-Remaining': String(Math.max(0, limit - used)),
    'X-RateLimit-Reset': String(Math.ceil(windowEnd / 1000)),
    'X-RateLimit-Increment': '1',
  });
  const gated = (name: string, answer: Answer) => async ({ request, params }: { request: Request; params: PathParams }): Promise<Response> => {
    stats.requests++;
    stats.byRoute[name] = (stats.byRoute[name] ?? 0) + 1;
    if (options.latencyMs) await delay(options.latencyMs);
    const now = Date.now();
    if (now >= windowEnd) {
      windowEnd = now + windowMs;
      used = 0;
    }
    let response: Response;
    if (request.headers.get('authorization') !== `Api-Key ${account.apiKey}`) {
      response = v4Error(401, 'unauthorized', 'invalid API key');
    } else if (used >= limit) {
      stats.rateLimited++;
      response = v4Error(429, 'rate_limited', 'rate limit exceeded');
      response.headers.set('Retry-After', String(Math.max(1, Math.ceil((windowEnd - now) / 1000))));
    } else {
      used++;
      const strings = Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
      response = options.failEvery && stats.requests % options.failEvery === 0 ? v4Error(503, 'unavailable', 'try again') : await answer({ request, url: new URL(request.url), params: strings });
    }
    for (const [header, value] of Object.entries(rateHeaders())) response.headers.set(header, value);
    return response;
  };
  return [
    ...routes.map(([method, path, answer]) => {
      const name = `${method.toUpperCase()} ${path}`;
      return method === 'get' ? http.get(`*/api/v4${path}`, gated(name, answer)) : http.post(`*/api/v4${path}`, gated(name, answer));
    }),
    http.all('*/api/v4/*', gated('not-found', () => v4Error(404, 'not_found', 'no such route'))),
  ];
}
