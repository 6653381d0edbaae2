// Zep's v4 API (GA 2026-10-14, paths under /api/v4; the wire note is /work/shared/sources/zep-v4.md): users,
// threads and graphs are addressed by Zep's UUIDs, and every object of the project is listed — those created
// through v3 (with a `user_id`, `thread_id`, `graph_id`) and those created through v4 (without). Partitions and
// tenants keep v3's names wherever the object has one (a user is `user:<user_id>`, a thread without a user
// `thread:<thread_id>`, a standalone graph `graph:<graph_id>`), and fall back to the UUID where it has none, so a
// database imported through v3 resumes, updates and prunes the same partitions through v4. The wire objects go to
// the shared mapping (zep-records.ts) as they came, in 'v4' envelopes; it reads them into the records v3 gave.
//
// Every list is `{items, next_cursor, total_size}`, paged by `page_size` and an opaque `cursor` (the pre-GA SDKs
// sent `limit`: a server that refuses `page_size` by name is asked again with `limit`, for the rest of the run).
import type { HttpAnswer, HttpClient, RequestSpec } from '../../src/http/http-client.js';
import { pagedListing, type ListingEvent } from '../../src/http/paged-listing.js';
import { SourceError } from '../../src/errors.js';
import { parseTime, type FetchOptions, type Partition, type Source, type SourceItem } from '../../src/records.js';
import { zepListsWholePartitions, zepScope, type ZepHttpSourceOptions } from './zep-cloud.js';
import {
  episodeEnvelope,
  factEnvelopes,
  hyperedgeMembersLast,
  isObject,
  messageEnvelope,
  nonEmptyString,
  threadSummaryEnvelope,
  userSummaryEnvelope,
  zepApiNames,
  zepItem,
  zepNamedOwner,
  zepOwnerTenantKey,
  zepUserTenantKey,
  type ZepEnvelope,
  type ZepOwnerKind,
  type ZepInclude,
  type ZepOwner,
} from './zep-records.js';

/** A path of the v4 API, relative to the client's base (…/api/v2, or …/api/v4 when that was given). */
export function zepV4Path(path: string): string {
  return `../v4${path}`;
}

/** Page size maxima per listing (§2 of the note: 200 for users, threads, messages, graphs; 100 for graph lists). */
const maxPageSize = { users: 200, threads: 200, messages: 200, graphs: 200, graphLists: 100 } as const;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface V4User {
  uuid: string;
  /** `user_id` where the user has one (every v3-born user), else the uuid: the user's id in envelopes and in its partition key (`user:<id>`, as v3's). */
  userId: string;
  /** The user's tenant key (see `zepUserTenantKey`). */
  tenantKey: string;
  /** The other names a --user-map may use: the uuid (when the key is the user_id) and the email. */
  aliases: string[];
}

interface V4Thread {
  uuid: string;
  /** `thread_id` where the thread has one (v3-born), else the uuid (as v3's thread summaries name such a thread). */
  threadId: string;
  userUuid: string | null;
  updatedAt: number | null;
}

interface V4Graph {
  uuid: string;
  /** `graph:<graph_id>`, or `graph:<uuid>` for a graph created through v4. */
  tenantKey: string;
}

function v4User(value: unknown): V4User | null {
  if (!isObject(value)) return null;
  const uuid = nonEmptyString(value['uuid']);
  if (!uuid) return null;
  const userId = nonEmptyString(value['user_id']) ?? uuid;
  const tenantKey = zepUserTenantKey(userId);
  const aliases = [uuid, nonEmptyString(value['email'])].filter((name): name is string => name !== null && name !== tenantKey);
  return { uuid, userId, tenantKey, aliases };
}

function v4Thread(value: unknown): V4Thread | null {
  if (!isObject(value)) return null;
  const uuid = nonEmptyString(value['uuid']);
  if (!uuid) return null;
  return { uuid, threadId: nonEmptyString(value['thread_id']) ?? uuid, userUuid: nonEmptyString(value['user_uuid']), updatedAt: parseTime(value['updated_at']) };
}

function v4Graph(value: unknown): V4Graph | null {
  if (!isObject(value) || value['type'] === 'user') return null;
  const uuid = nonEmptyString(value['uuid']);
  if (!uuid) return null;
  return { uuid, tenantKey: zepOwnerTenantKey('graph', nonEmptyString(value['graph_id']) ?? uuid) };
}

function uuidOf(entry: unknown): string | null {
  return isObject(entry) ? nonEmptyString(entry['uuid']) : null;
}

/** The error code of a v4 error body (`{"error":{"code":…}}`) as the client's error message quotes it. */
function errorCode(error: SourceError): string | null {
  return /"code"\s*:\s*"([a-z_]+)"/.exec(error.message)?.[1] ?? null;
}

/** What a v4 400 means, by its code, and what to do about it. */
export function explainedZepV4Error(error: unknown): unknown {
  if (!(error instanceof SourceError) || error.context.status !== 400) return error;
  const code = errorCode(error);
  const hint =
    code === 'invalid_identifier'
      ? 'Zep v4 addresses users, threads and graphs by their UUID: a v3 id (user_id, thread_id, graph_id) was sent where a UUID belongs. --user-id may name a user by user_id, UUID or email; if this persists, report it with this message'
      : code === 'unsupported_filter'
        ? 'this Zep server refused a listing filter om-import sent; run with --fresh to read everything without filters'
        : null;
  return hint ? new SourceError(`${error.message} (${hint})`, error.context, { cause: error }) : error;
}

/** The ISO time of the date filters (RFC 3339, UTC). */
function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export class ZepV4 implements Source {
  readonly name = 'zep';
  /**
   * Incremental runs (`updatedSince`): a thread whose `updated_at` is older than the last run is not read again
   * (neither its messages nor, for a thread without a user, its summary); facts are asked for with a date filter,
   * created or expired since then. Users, threads, graphs, data episodes, thread summaries and user summaries are
   * listed in full (v4 has no change filter for them that catches an edit in place).
   */
  readonly filtersByUpdateTime = true;
  readonly scope: Readonly<Record<string, unknown>>;
  readonly listsWholePartitions: boolean;
  private readonly pageSize: number;
  /** `page_size` as the GA reference says, or `limit` once a server has refused `page_size` by name. */
  private pageSizeName: 'page_size' | 'limit' = 'page_size';
  private project: Promise<unknown> | null;
  private readonly users = new Map<string, V4User>();
  private readonly threadsByUser = new Map<string, V4Thread[]>();
  /** Every listed thread by uuid (to name a thread summary's thread), and the orphans by partition key. */
  private readonly threads = new Map<string, V4Thread>();
  private readonly orphanThreads = new Map<string, V4Thread>();
  private readonly graphs = new Map<string, V4Graph>();
  private listedThreads = false;
  private readonly listingWarnings: SourceItem[] = [];

  /** `project`: the body of `GET /project` when the detection has read it already. */
  constructor(
    private readonly options: ZepHttpSourceOptions,
    project: unknown = undefined,
  ) {
    this.pageSize = Math.max(1, options.pageSize);
    this.scope = zepScope(options);
    this.listsWholePartitions = zepListsWholePartitions(options);
    this.project = project === undefined ? null : Promise.resolve(project);
  }

  describeApi(): string {
    return zepApiNames.v4;
  }

  private includes(family: ZepInclude): boolean {
    return this.options.include.includes(family);
  }

  private get http(): HttpClient {
    return this.options.http;
  }

  private async exchange(spec: RequestSpec): Promise<HttpAnswer> {
    try {
      return await this.http.exchange(spec);
    } catch (error) {
      throw explainedZepV4Error(error);
    }
  }

  /**
   * The project, as v3 named the account (its users' `project_uuid`), so the bookkeeping of a database imported
   * through v3 is this run's too; the server's host where the project has no uuid.
   */
  async account(): Promise<string> {
    this.project ??= this.exchange({ method: 'GET', path: zepV4Path('/project'), context: { page: 'project' } }).then((answer) => answer.body);
    const project = await this.project;
    return (isObject(project) ? nonEmptyString(project['uuid']) : null) ?? new URL(this.options.baseUrl).host;
  }

  /**
   * One v4 listing, every page: `page_size` and `cursor` in the query (and the body, for the POST reads), until a
   * page comes without `next_cursor` (absent, null or ""). A cursor given twice stops the run with an error rather
   * than a listing cut short (which would make records look gone to --prune).
   */
  private listing(what: string, tenantKey: string | null, request: Omit<RequestSpec, 'query'> & { query?: Record<string, string> }, max: number, state?: { missing: boolean }): AsyncGenerator<ListingEvent<unknown>> {
    const pageSize = Math.min(this.pageSize, max);
    const cursors = new Set<string>();
    return pagedListing<unknown, string>({
      what,
      tenantKey,
      first: '',
      identity: uuidOf,
      fetchPage: async (cursor) => {
        const answer = await this.page(what, tenantKey, request, pageSize, cursor);
        if (answer.status === 404) {
          if (cursor !== '') {
            // Gone between two pages: what was not read is not gone at the source, so the run stops rather than end the listing here.
            throw new SourceError(`zep: the ${what} answered 404 after their first page; stopped there, so nothing is taken for gone — run again to resume`, {
              source: 'zep',
              status: 404,
              ...(tenantKey ? { tenant: tenantKey } : {}),
            });
          }
          if (state) state.missing = true;
          return { entries: [], next: null };
        }
        const body = answer.body;
        const items = isObject(body) ? body['items'] : undefined;
        if (!Array.isArray(items) && items !== undefined && items !== null) {
          throw new SourceError(`zep: a page of the ${what} is not a list (\`items\`)`, { source: 'zep', ...(tenantKey ? { tenant: tenantKey } : {}) });
        }
        if (!isObject(body)) throw new SourceError(`zep: a page of the ${what} is not a JSON object`, { source: 'zep', ...(tenantKey ? { tenant: tenantKey } : {}) });
        const next = nonEmptyString(body['next_cursor']);
        if (next !== null && (cursors.has(next) || next === cursor)) {
          throw new SourceError(`zep: the ${what} gave the same page cursor twice; stopped there, so nothing is taken for gone — run again to resume`, {
            source: 'zep',
            ...(tenantKey ? { tenant: tenantKey } : {}),
          });
        }
        if (next !== null) cursors.add(next);
        const total = typeof body['total_size'] === 'number' ? body['total_size'] : null;
        return { entries: items ?? [], next, total };
      },
    });
  }

  /** One page; a 400 that names `page_size` switches the run to `limit` and asks again (once). */
  private async page(
    what: string,
    tenantKey: string | null,
    request: Omit<RequestSpec, 'query'> & { query?: Record<string, string> },
    pageSize: number,
    cursor: string,
  ): Promise<HttpAnswer> {
    const spec = (name: 'page_size' | 'limit'): RequestSpec => ({
      // A graph listing answers 409 while the graph is being built, as the user node does: asked again.
      ...(request.path.startsWith(zepV4Path('/graphs/')) ? { retryStatuses: [409] } : {}),
      ...request,
      query: { ...request.query, [name]: pageSize, ...(cursor !== '' ? { cursor } : {}) },
      notFoundIsAnswer: true,
      context: { ...(tenantKey ? { tenant: tenantKey } : {}), page: `${what} ${cursor === '' ? 'first' : cursor.slice(0, 24)}` },
    });
    const name = this.pageSizeName;
    try {
      return await this.http.exchange(spec(name));
    } catch (error) {
      if (name === 'page_size' && error instanceof SourceError && error.context.status === 400 && /page_size/.test(error.message)) {
        this.pageSizeName = 'limit';
        return this.exchange(spec('limit'));
      }
      throw explainedZepV4Error(error);
    }
  }

  async *partitions(): AsyncIterable<Partition> {
    const named = this.options.userIds ?? [];
    if (named.length > 0) {
      for (const name of named) yield await this.namedPartition(name);
      return;
    }
    // Whether every listing below ended normally: no warning (a count that disagrees), no 404 on its first page.
    const listed = { missing: false, warned: false };
    const listedKinds = new Set<ZepOwnerKind>(['user']);
    for await (const event of this.listing('users', null, { method: 'POST', path: zepV4Path('/users/list'), query: { order_by: 'created_at', order: 'asc' }, body: {} }, maxPageSize.users, listed)) {
      if (event.type === 'warning') {
        listed.warned = true;
        this.listingWarnings.push(event);
        continue;
      }
      const user = v4User(event.entry);
      if (!user) {
        listed.warned = true;
        this.listingWarnings.push({ type: 'warning', warning: { tenantKey: null, message: `users: a user without uuid was listed (${JSON.stringify(event.entry).slice(0, 120)}); it cannot be read` } });
        continue;
      }
      const key = `user:${user.userId}`;
      if (this.users.has(key)) continue;
      this.users.set(key, user);
      yield { key, tenantKey: user.tenantKey, ...(user.aliases.length > 0 ? { aliases: user.aliases } : {}) };
    }
    if (this.includes('messages') || this.includes('summaries')) {
      // The project's threads, in one listing: each user's, and those whose user is not listed (orphans).
      listedKinds.add('thread');
      const userUuids = new Set([...this.users.values()].map((user) => user.uuid));
      for await (const thread of this.threadListing({}, listed)) {
        if (thread.userUuid !== null && userUuids.has(thread.userUuid)) continue;
        const key = zepOwnerTenantKey('thread', thread.threadId);
        if (this.orphanThreads.has(key)) continue;
        this.orphanThreads.set(key, thread);
        yield { key, tenantKey: key };
      }
      this.listedThreads = true;
    }
    if (this.includes('facts') || this.includes('data')) {
      listedKinds.add('graph');
      for await (const event of this.listing('graphs', null, { method: 'POST', path: zepV4Path('/graphs/list'), query: { order_by: 'created_at', order: 'asc' }, body: {} }, maxPageSize.graphs, listed)) {
        if (event.type === 'warning') {
          listed.warned = true;
          this.listingWarnings.push(event);
          continue;
        }
        const graph = v4Graph(event.entry);
        if (!graph || this.graphs.has(graph.tenantKey)) continue;
        this.graphs.set(graph.tenantKey, graph);
        yield { key: graph.tenantKey, tenantKey: graph.tenantKey };
      }
    }
    // Every listing ended normally (one cut short past its first page stops the run): whatever it did not list, the project no longer has.
    if (!listed.missing && !listed.warned) this.wholeListings = listedKinds;
  }

  /** The kinds of partition (`user`, `thread`, `graph`) this run listed whole, once `partitions()` has. */
  private wholeListings: ReadonlySet<string> = new Set();

  /**
   * Every user, thread without a user and standalone graph, when none is named (`--user-id`) and each listing of
   * them ended normally — the same partition keys as v3's (`user:<user_id>`, `thread:<thread_id>`,
   * `graph:<graph_id>`; the uuid for what v4 created), so a partition imported through v3 whose object Zep has
   * deleted since is found gone through v4 too.
   */
  coversPartition(partitionKey: string): boolean {
    return (this.options.userIds?.length ?? 0) === 0 && this.wholeListings.has(partitionKey.slice(0, partitionKey.indexOf(':')));
  }

  /** Threads (of the project, or of one user): remembered by uuid, and per user. `listed` notes a warning or a missing listing. */
  private async *threadListing(filter: { user_uuid?: string }, listed?: { missing: boolean; warned: boolean }): AsyncGenerator<V4Thread> {
    const listing = this.listing(
      filter.user_uuid ? `threads of user ${filter.user_uuid}` : 'threads',
      null,
      { method: 'GET', path: zepV4Path('/threads'), query: { order_by: 'created_at', order: 'asc', ...filter } },
      maxPageSize.threads,
      listed,
    );
    for await (const event of listing) {
      if (event.type === 'warning') {
        if (listed) listed.warned = true;
        this.listingWarnings.push(event);
        continue;
      }
      const thread = v4Thread(event.entry);
      if (!thread || this.threads.has(thread.uuid)) continue;
      this.threads.set(thread.uuid, thread);
      if (thread.userUuid !== null) {
        const own = this.threadsByUser.get(thread.userUuid);
        if (own) own.push(thread);
        else this.threadsByUser.set(thread.userUuid, [thread]);
      }
      yield thread;
    }
  }

  /**
   * A tenant `--user-id` names (see `zepNamedOwner`): a user by user_id, UUID or email (`user:<id>` where the id
   * reads as another kind's key); `thread:<thread_id or uuid>`; `graph:<graph_id or uuid>`. One that Zep does not
   * know is still a partition, whose items say so.
   */
  private async namedPartition(name: string): Promise<Partition> {
    const named = zepNamedOwner(name);
    const { id } = named;
    const unknown: Partition = { key: named.partitionKey, tenantKey: named.tenantKey };
    if (named.kind === 'thread') {
      const thread = v4Thread(await this.lookup(name, uuidPattern.test(id) ? { get: `/threads/${id}` } : { post: '/threads/lookup', body: { thread_id: id } }));
      if (!thread) return unknown;
      const key = zepOwnerTenantKey('thread', thread.threadId);
      this.threads.set(thread.uuid, thread);
      this.orphanThreads.set(key, thread);
      return { key, tenantKey: key };
    }
    if (named.kind === 'graph') {
      const graph = v4Graph(await this.lookup(name, uuidPattern.test(id) ? { get: `/graphs/${id}` } : { post: '/graphs/lookup', body: { graph_id: id } }));
      if (!graph) return unknown;
      this.graphs.set(graph.tenantKey, graph);
      return { key: graph.tenantKey, tenantKey: graph.tenantKey };
    }
    const user = v4User(
      uuidPattern.test(id)
        ? await this.lookup(name, { get: `/users/${id}` })
        : id.includes('@')
          ? await this.userByEmail(id)
          : await this.lookup(name, { post: '/users/lookup', body: { user_id: id } }),
    );
    if (!user) return unknown;
    const key = `user:${user.userId}`;
    this.users.set(key, user);
    return { key, tenantKey: user.tenantKey, ...(user.aliases.length > 0 ? { aliases: user.aliases } : {}) };
  }

  /** One object by its uuid (`GET`), or by its developer id (`POST …/lookup`); null when Zep has no such object. */
  private async lookup(tenantKey: string, how: { get: string } | { post: string; body: Record<string, string> }): Promise<unknown> {
    const request = 'get' in how ? { method: 'GET' as const, path: zepV4Path(how.get) } : { method: 'POST' as const, path: zepV4Path(how.post), body: how.body };
    const answer = await this.exchange({ ...request, notFoundIsAnswer: true, context: { tenant: tenantKey, page: 'lookup' } });
    return answer.status === 404 ? null : answer.body;
  }

  /** The user with exactly this email: the users listing searched by it (`get_by_email`'s path was not documented). */
  private async userByEmail(email: string): Promise<unknown> {
    const listing = this.listing(`users matching ${email}`, email, { method: 'POST', path: zepV4Path('/users/list'), body: { search: email } }, maxPageSize.users);
    for await (const event of listing) {
      if (event.type === 'entry' && isObject(event.entry) && typeof event.entry['email'] === 'string' && event.entry['email'].toLowerCase() === email.toLowerCase()) return event.entry;
    }
    return null;
  }

  async *items(partition: Partition, options: FetchOptions): AsyncIterable<SourceItem> {
    yield* this.listingWarnings.splice(0);
    const separator = partition.key.indexOf(':');
    const kind = partition.key.slice(0, separator);
    const notFound = (what: string): SourceItem => ({ type: 'warning', warning: { tenantKey: partition.tenantKey, message: `${what} ${partition.key.slice(separator + 1)} was not found in Zep; nothing read` } });
    if (kind === 'user') {
      const user = this.users.get(partition.key);
      yield* user ? this.userItems(user, options.updatedSince) : [notFound('user')];
    } else if (kind === 'thread') {
      const thread = this.orphanThreads.get(partition.key);
      yield* thread ? this.orphanThreadItems(thread, options.updatedSince) : [notFound('thread')];
    } else if (kind === 'graph') {
      const graph = this.graphs.get(partition.key);
      yield* graph ? this.graphItems(graph, options.updatedSince) : [notFound('graph')];
    } else {
      throw new SourceError(`zep: unknown partition ${partition.key}`, { source: 'zep' });
    }
  }

  private async *userItems(user: V4User, updatedSince: number | null): AsyncGenerator<SourceItem> {
    const owner: ZepOwner = { user_id: user.userId };
    // The summary first: one request, kept at once by the pipeline, so a run killed later still has it.
    if (this.includes('summaries')) yield* this.userSummary(user);
    if (this.includes('messages')) {
      if (!this.listedThreads && !this.threadsByUser.has(user.uuid)) for await (const thread of this.threadListing({ user_uuid: user.uuid })) void thread;
      const threads = this.threadsByUser.get(user.uuid) ?? [];
      for (const thread of threads) {
        if (updatedSince !== null && thread.updatedAt !== null && thread.updatedAt < updatedSince) continue;
        yield* this.threadMessages(owner, user.tenantKey, thread);
      }
    }
    if (this.includes('summaries')) yield* this.threadSummaries(owner, user);
    if (this.includes('facts')) yield* this.facts(owner, user.uuid, user.tenantKey, updatedSince);
    if (this.includes('data')) yield* this.episodes(owner, user.uuid, user.tenantKey, true);
  }

  private async *orphanThreadItems(thread: V4Thread, updatedSince: number | null): AsyncGenerator<SourceItem> {
    if (updatedSince !== null && thread.updatedAt !== null && thread.updatedAt < updatedSince) return;
    const tenantKey = zepOwnerTenantKey('thread', thread.threadId);
    if (this.includes('messages')) yield* this.threadMessages({}, tenantKey, thread);
    if (this.includes('summaries')) {
      const answer = await this.exchange({ method: 'GET', path: zepV4Path(`/threads/${thread.uuid}/summary`), notFoundIsAnswer: true, context: { tenant: tenantKey } });
      if (answer.status !== 404 && answer.body !== null) yield* this.item(threadSummaryEnvelope('v4', {}, thread.threadId, answer.body));
    }
  }

  private async *graphItems(graph: V4Graph, updatedSince: number | null): AsyncGenerator<SourceItem> {
    const owner: ZepOwner = { graph_id: graph.tenantKey.slice('graph:'.length) };
    if (this.includes('facts')) yield* this.facts(owner, graph.uuid, graph.tenantKey, updatedSince);
    if (this.includes('data')) yield* this.episodes(owner, graph.uuid, graph.tenantKey, false);
  }

  private *item(envelope: ZepEnvelope): Generator<SourceItem> {
    const item = zepItem(envelope, { include: this.options.include });
    if (item) yield item;
  }

  private async *listingItems(events: AsyncIterable<ListingEvent<unknown>>, envelope: (entry: unknown) => ZepEnvelope | null): AsyncGenerator<SourceItem> {
    for await (const event of events) {
      if (event.type === 'warning') {
        yield event;
        continue;
      }
      const wrapped = envelope(event.entry);
      if (wrapped) yield* this.item(wrapped);
    }
  }

  /** `GET /users/{uuid}/node`: the node itself (v3 wrapped it in `{node}`); 404 while none is built, 409 while one is being built (retried). */
  private async *userSummary(user: V4User): AsyncGenerator<SourceItem> {
    const answer = await this.exchange({
      method: 'GET',
      path: zepV4Path(`/users/${user.uuid}/node`),
      notFoundIsAnswer: true,
      retryStatuses: [409],
      context: { tenant: user.tenantKey },
    });
    yield* this.item(userSummaryEnvelope('v4', user.userId, answer.status === 404 ? null : answer.body));
  }

  /** Every message of a thread, oldest first; a thread gone since it was listed is a warning (as through v3). */
  private async *threadMessages(owner: ZepOwner, tenantKey: string, thread: V4Thread): AsyncGenerator<SourceItem> {
    const state = { missing: false };
    const listing = this.listing(
      `messages of thread ${thread.threadId}`,
      tenantKey,
      { method: 'GET', path: zepV4Path(`/threads/${thread.uuid}/messages`), query: { order_by: 'created_at', order: 'asc' } },
      maxPageSize.messages,
      state,
    );
    yield* this.listingItems(listing, (message) => messageEnvelope('v4', owner, thread.threadId, message));
    if (state.missing) yield { type: 'warning', warning: { tenantKey, message: `thread ${thread.threadId} no longer exists (deleted during the run?); its messages were not read` } };
  }

  /** A user's thread summaries in one graph listing (one per thread), each named by its thread's v3 id where it has one. */
  private async *threadSummaries(owner: ZepOwner, user: V4User): AsyncGenerator<SourceItem> {
    const listing = this.listing(`thread summaries of ${user.tenantKey}`, user.tenantKey, { method: 'POST', path: zepV4Path(`/graphs/${user.uuid}/thread-summaries/list`), body: {} }, maxPageSize.graphLists);
    yield* this.listingItems(listing, (summary) => {
      const threadUuid = isObject(summary) ? nonEmptyString(summary['thread_uuid']) : null;
      return threadSummaryEnvelope('v4', owner, (threadUuid ? this.threads.get(threadUuid)?.threadId : undefined) ?? threadUuid ?? '', summary);
    });
  }

  /**
   * Every fact edge of a graph (a user's by the user's uuid), oldest uuid first. A hyperedge — one fact relating
   * more than two nodes — is listed once per member edge, with the same `fact` and its `hyperedge_uuid`: the first
   * member is imported, the others are skipped as its copies. An incremental run asks only for edges created or
   * expired since the last run (an invalidated fact is expired when Zep invalidates it).
   */
  private async *facts(owner: ZepOwner, graphUuid: string, tenantKey: string, updatedSince: number | null): AsyncGenerator<SourceItem> {
    const since = (field: string): unknown => ({ all_of: [{ field, operator: 'gt', value: iso(updatedSince ?? 0) }] });
    const body = updatedSince === null ? {} : { filters: { date_filters: { any_of: [since('created_at'), since('expired_at')] } } };
    const request = (filtered: object): Omit<RequestSpec, 'query'> & { query: Record<string, string> } => ({
      method: 'POST',
      path: zepV4Path(`/graphs/${graphUuid}/edges/list`),
      query: { order_by: 'uuid', order: 'asc' },
      body: filtered,
    });
    const state = { missing: false };
    const envelope = factEnvelopes('v4', owner);
    let events = this.listing(`facts of ${tenantKey}`, tenantKey, request(body), maxPageSize.graphLists, state);
    let read = 0;
    try {
      for await (const item of this.listingItems(hyperedgeMembersLast(events), envelope)) {
        read++;
        yield item;
      }
    } catch (error) {
      if (updatedSince === null || read > 0 || !(error instanceof SourceError) || errorCode(error) !== 'unsupported_filter') throw error;
      // A server that refuses the date filter: every fact, as a full run reads them.
      yield { type: 'warning', warning: { tenantKey, message: `facts: Zep refused the date filter of an incremental run (unsupported_filter); every fact was read` } };
      events = this.listing(`facts of ${tenantKey}`, tenantKey, request({}), maxPageSize.graphLists, state);
      yield* this.listingItems(hyperedgeMembersLast(events), envelope);
    }
    if (state.missing) yield { type: 'warning', warning: { tenantKey, message: `the graph of ${tenantKey} was not found (HTTP 404); its facts were not read` } };
  }

  /**
   * The data added to a graph. A user's `message` episodes are Zep's copies of its thread messages, imported as
   * messages already, so only its other episodes are data; a standalone graph has no threads, so all of its are.
   */
  private async *episodes(owner: ZepOwner, graphUuid: string, tenantKey: string, skipMessages: boolean): AsyncGenerator<SourceItem> {
    const state = { missing: false };
    const listing = this.listing(
      `episodes of ${tenantKey}`,
      tenantKey,
      { method: 'POST', path: zepV4Path(`/graphs/${graphUuid}/episodes/list`), query: { order_by: 'created_at', order: 'asc' }, body: {} },
      maxPageSize.graphLists,
      state,
    );
    yield* this.listingItems(listing, (episode) => (skipMessages && isObject(episode) && episode['source'] === 'message' ? null : episodeEnvelope('v4', owner, episode)));
    if (state.missing) yield { type: 'warning', warning: { tenantKey, message: `the graph of ${tenantKey} was not found (HTTP 404); its data episodes were not read` } };
  }
}
