// Zep Cloud's current API (SDK 3.x, "threads"; its base path is still /api/v2): every user is a partition, and a
// user's threads, each thread's messages, its thread summaries, graph facts and data episodes and its user summary
// are its items. Threads without a user and standalone graphs are partitions of their own. The older generations
// (zep-sessions.ts) differ only in the paths and objects this class names in `ZepWirePaths` and its hooks.
import type { HttpClient } from '../../src/http/http-client.js';
import { pagedListing, type ListingEvent } from '../../src/http/paged-listing.js';
import { SourceError } from '../../src/errors.js';
import { parseTime, type FetchOptions, type Partition, type Source, type SourceItem, type SourceWarning } from '../../src/records.js';
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
  zepTenantKey,
  zepUserTenantKey,
  type ZepApi,
  type ZepEnvelope,
  type ZepOwner,
  type ZepInclude,
} from './zep-records.js';

export interface ZepHttpSourceOptions {
  http: HttpClient;
  /** Normalized: ends in the API's base path (…/api/v2). */
  baseUrl: string;
  include: readonly ZepInclude[];
  /** Read only these tenants (their tenant keys: user ids, `user:<id>`, `thread:<id>`, `graph:<id>`) instead of listing the account. */
  userIds?: readonly string[] | undefined;
  /** Entries asked for per page of every listing (messages, users, threads, facts). */
  pageSize: number;
}

/** What differs between API generations in where things are; the rest of the wire is shared. */
export interface ZepWirePaths {
  /** A user's threads (v3) or sessions (v2/CE): one unpaged list. */
  userThreads(userId: string): string;
  /** Every thread or session of the account, orphans included, paged by page number. */
  allThreads: string;
  messages(threadId: string): string;
  /** The user node whose `summary` is the user summary; null where the generation has none (CE). */
  userNode: ((userId: string) => string) | null;
  /** How graph listings name a standalone graph's owner segment (`graph` in v3, `group` in v2); null: no graph API (CE). */
  graphSegment: 'graph' | 'group' | null;
  /** The listing of standalone graphs (v3 graphs, v2 groups); null where there are none. */
  graphs: string | null;
}


export const zepThreadsPaths: ZepWirePaths = {
  userThreads: (userId) => `/users/${encodeURIComponent(userId)}/threads`,
  allThreads: '/threads',
  messages: (threadId) => `/threads/${encodeURIComponent(threadId)}/messages`,
  userNode: (userId) => `/users/${encodeURIComponent(userId)}/node`,
  graphSegment: 'graph',
  graphs: '/graph/list-all',
};

/** Zep clamps the episode listing's `limit` to 50 (a larger one would make every page look short). */
const episodePageLimit = 50;

/** `/graph/list-all` takes page sizes from 1 to 100 (SDK 3.x). */
const graphPageSizeMax = 100;

/**
 * How many episodes the `lastn` listing asks for: v2 has no paged episode listing, and its `lastn` counts the
 * copies of thread messages too, so it is set far above any real user's count.
 */
export const zepEpisodesLastN = 10_000;

/** A thread as a listing shows it: v3 `thread_id`, v2/CE `session_id`; `updated_at` only where the generation sends it. */
interface ListedThread {
  threadId: string;
  userId: string | null;
  updatedAt: number | null;
}

function listedThread(value: unknown): ListedThread | null {
  if (!isObject(value)) return null;
  const threadId = nonEmptyString(value['thread_id']) ?? nonEmptyString(value['session_id']);
  if (!threadId) return null;
  return { threadId, userId: nonEmptyString(value['user_id']), updatedAt: parseTime(value['updated_at']) };
}

/** The entries of a listing answer: a bare array, or the array under one of `keys` (null/missing = empty). */
function entriesOf(body: unknown, keys: readonly string[]): unknown[] | null {
  if (Array.isArray(body)) return body;
  if (!isObject(body)) return null;
  for (const key of keys) {
    if (Array.isArray(body[key])) return body[key];
    if (key in body && body[key] === null) return [];
  }
  return null;
}

function countOf(body: unknown): number | null {
  return isObject(body) && typeof body['total_count'] === 'number' ? body['total_count'] : null;
}

function header(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | null {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first !== undefined && first.trim() !== '' ? first : null;
}

function uuidOf(entry: unknown): string | null {
  return isObject(entry) ? nonEmptyString(entry['uuid']) : null;
}

/** A graph listing's cursor: nothing on the first page, then the `Zep-Next-Cursor` header, or the last uuid (older servers). */
type GraphCursor = { cursor?: string; uuid_cursor?: string };

/**
 * Whether each partition is read whole (see `Source.listsWholePartitions`): every family but invalidated facts,
 * which are skipped as gone when not asked for.
 */
export function zepListsWholePartitions(options: ZepHttpSourceOptions): boolean {
  return (['messages', 'facts', 'data', 'summaries'] as const).every((family) => options.include.includes(family));
}

/** What a Zep run was asked to read (see `Source.scope`). */
export function zepScope(options: ZepHttpSourceOptions): Readonly<Record<string, unknown>> {
  return { users: options.userIds && options.userIds.length > 0 ? [...options.userIds].sort() : 'all', include: [...options.include].sort() };
}

/** What an incremental run through v3 really does where threads carry no `updated_at`. */
export const unfilteredThreadsNotice =
  'incremental run, but these Zep threads carry no updated_at: every thread was read again (as were facts, data and summaries, which Zep cannot filter by time); unchanged records were recognised and not rewritten';

export class ZepCloud implements Source {
  readonly name = 'zep';
  /** Whether this run has said that its threads could not be filtered by time (see `unfilteredThreadsNotice`). */
  private toldUnfiltered = false;
  /**
   * Incremental runs (`updatedSince`): a thread whose listing shows an `updated_at` older than the last run is not
   * read again — neither its messages nor its summary. Threads whose listing has no `updated_at` (the SDK 3.x
   * `Thread` type has none, so v3 servers may not send it) are read in full. Facts, data episodes, thread summaries
   * read per user (v3) and user summaries are always read in full: Zep offers no filter by change time there.
   * Unchanged records are recognised and not rewritten.
   */
  readonly filtersByUpdateTime = true;
  protected readonly pageSize: number;
  /**
   * v3 reads a user's thread summaries in one graph listing (`POST /graph/thread-summary/user/{id}`): one request
   * per user (per page of summaries) instead of one per thread. Threads without a user are read one by one.
   */
  protected readonly summariesPerUser: boolean = true;
  private firstUsersPage: Promise<unknown> | null = null;
  /** Warnings found while listing partitions (which can only yield partitions); told by the next `items`. */
  private readonly listingWarnings: SourceWarning[] = [];
  /** Orphan threads as the account's thread listing showed them (for their `updated_at`). */
  private readonly orphanThreads = new Map<string, ListedThread>();

  constructor(
    protected readonly options: ZepHttpSourceOptions,
    readonly api: ZepApi = 'v3',
    protected readonly paths: ZepWirePaths = zepThreadsPaths,
  ) {
    this.pageSize = Math.max(1, options.pageSize);
    this.scope = zepScope(options);
    this.listsWholePartitions = zepListsWholePartitions(options);
  }

  readonly scope: Readonly<Record<string, unknown>>;
  readonly listsWholePartitions: boolean;

  describeApi(): string {
    return zepApiNames[this.api];
  }

  protected includes(family: ZepInclude): boolean {
    return this.options.include.includes(family);
  }

  protected get http(): HttpClient {
    return this.options.http;
  }

  /** One page of `/users-ordered` (1-based; ascending by creation so users added during the run come last). */
  private usersPage(page: number, pageSize: number): Promise<unknown> {
    return this.http.json({
      method: 'GET',
      path: '/users-ordered',
      query: { pageNumber: page, pageSize, order_by: 'created_at', asc: 'true' },
      context: { page: `users ${page}` },
    });
  }

  /**
   * The account: the project the users belong to (`project_uuid` of the first listed user), else the server's
   * host (CE has no projects; an account without users). Part of every memory id.
   */
  async account(): Promise<string> {
    const listing = this.options.userIds && this.options.userIds.length > 0;
    const first = listing ? this.usersPage(1, 1) : (this.firstUsersPage ??= this.usersPage(1, this.pageSize));
    const users = entriesOf(await first, ['users']) ?? [];
    const project = isObject(users[0]) ? nonEmptyString(users[0]['project_uuid']) : null;
    return project ?? new URL(this.options.baseUrl).host;
  }

  async *partitions(): AsyncIterable<Partition> {
    const named = this.options.userIds ?? [];
    if (named.length > 0) {
      for (const name of named) {
        const owner = zepNamedOwner(name);
        yield { key: owner.partitionKey, tenantKey: owner.tenantKey };
      }
      return;
    }
    const firstPage = this.firstUsersPage;
    this.firstUsersPage = null;
    const userIdOf = (user: unknown): string | null => (isObject(user) ? nonEmptyString(user['user_id']) : null);
    const users = this.pageNumberListing(
      'users',
      null,
      ['users'],
      this.pageSize,
      (page) => (page === 1 && firstPage ? firstPage : this.usersPage(page, this.pageSize)),
      userIdOf,
    );
    for await (const event of users) {
      if (event.type === 'warning') {
        this.listingWarnings.push(event.warning);
        continue;
      }
      const userId = userIdOf(event.entry);
      if (userId) yield { key: `user:${userId}`, tenantKey: zepUserTenantKey(userId) };
      else this.listingWarnings.push({ tenantKey: null, message: `users: a user without user_id was listed (${JSON.stringify(event.entry).slice(0, 120)}); it cannot be read` });
    }
    const listedKinds = new Set(['user']);
    if (this.includes('messages') || this.includes('summaries')) {
      listedKinds.add('thread');
      for await (const thread of this.orphanThreadListing()) {
        this.orphanThreads.set(thread.threadId, thread);
        yield { key: `thread:${thread.threadId}`, tenantKey: `thread:${thread.threadId}` };
      }
    }
    const graphsPath = this.paths.graphs;
    if (graphsPath && (this.includes('facts') || this.includes('data'))) {
      listedKinds.add('graph');
      // v3 graphs are named by `graph_id`, v2 groups by `group_id`.
      const graphIdOf = (graph: unknown): string | null =>
        isObject(graph) ? (nonEmptyString(graph['graph_id']) ?? nonEmptyString(graph['group_id'])) : null;
      const pageSize = Math.min(this.pageSize, graphPageSizeMax);
      const graphs = this.pageNumberListing(
        'graphs',
        null,
        ['graphs', 'groups'],
        pageSize,
        (page) =>
          this.http.json({
            method: 'GET',
            path: graphsPath,
            query: { pageNumber: page, pageSize, order_by: 'created_at', asc: 'true' },
            context: { page: `graphs ${page}` },
          }),
        graphIdOf,
      );
      for await (const event of graphs) {
        if (event.type === 'warning') {
          this.listingWarnings.push(event.warning);
          continue;
        }
        const graphId = graphIdOf(event.entry);
        if (graphId) yield { key: `graph:${graphId}`, tenantKey: `graph:${graphId}` };
      }
    }
    // Every listing ended normally: whatever it did not list, the account no longer has.
    if (this.listingWarnings.length === 0) this.wholeListings = listedKinds;
  }

  /** The kinds of partition (`user`, `thread`, `graph`) this run listed whole, once `partitions()` has. */
  private wholeListings: ReadonlySet<string> = new Set();

  /** Every user, orphan thread and graph, when none is named and each listing of them ended normally. */
  coversPartition(partitionKey: string): boolean {
    return (this.options.userIds?.length ?? 0) === 0 && this.wholeListings.has(partitionKey.slice(0, partitionKey.indexOf(':')));
  }

  /**
   * Threads with no user (sessions created without one by SDK 1.x or CE) appear only in the account's list of all
   * threads. Both spellings of the page parameters are sent: Cloud reads `page_number`/`page_size`, CE's handler
   * `pageNumber`/`pageSize` (and ignores the others).
   */
  private async *orphanThreadListing(): AsyncGenerator<ListedThread> {
    const threads = this.pageNumberListing(
      'threads',
      null,
      ['threads', 'sessions'],
      this.pageSize,
      (page) =>
        this.http.json({
          method: 'GET',
          path: this.paths.allThreads,
          query: { page_number: page, page_size: this.pageSize, pageNumber: page, pageSize: this.pageSize, order_by: 'created_at', asc: 'true' },
          context: { page: `threads ${page}` },
        }),
      (entry) => listedThread(entry)?.threadId ?? null,
    );
    for await (const event of threads) {
      if (event.type === 'warning') this.listingWarnings.push(event.warning);
      else {
        const thread = listedThread(event.entry);
        if (thread && thread.userId === null) yield thread;
      }
    }
  }

  async *items(partition: Partition, options: FetchOptions): AsyncIterable<SourceItem> {
    for (const warning of this.listingWarnings.splice(0)) yield { type: 'warning', warning };
    const separator = partition.key.indexOf(':');
    const kind = partition.key.slice(0, separator);
    const id = partition.key.slice(separator + 1);
    if (kind === 'user') yield* this.userItems(id, options.updatedSince);
    else if (kind === 'thread') yield* this.orphanThreadItems(id, options.updatedSince);
    else if (kind === 'graph') yield* this.graphItems(id);
    else throw new SourceError(`zep: unknown partition ${partition.key}`, { source: 'zep' });
  }

  private async *userItems(userId: string, updatedSince: number | null): AsyncGenerator<SourceItem> {
    const owner: ZepOwner = { user_id: userId };
    const tenantKey = zepUserTenantKey(userId);
    // The summary first: it is one request, and the pipeline keeps it at once, so a run killed later still has it.
    if (this.includes('summaries') && this.paths.userNode) yield* this.userSummary(userId, tenantKey, this.paths.userNode(userId));
    let threads: ListedThread[] = [];
    if (this.includes('messages') || this.includes('summaries')) {
      const listed = await this.userThreads(userId, tenantKey);
      if (listed === null) {
        yield { type: 'warning', warning: { tenantKey, message: `user ${userId} no longer exists (deleted during the run?); nothing read` } };
        return;
      }
      threads = listed;
    }
    const changed = threads.filter((thread) => updatedSince === null || thread.updatedAt === null || thread.updatedAt >= updatedSince);
    if (updatedSince !== null && !this.toldUnfiltered && threads.some((thread) => thread.updatedAt === null)) {
      // Said once a run: an "incremental" run that could not skip anything must not look like one that did.
      this.toldUnfiltered = true;
      yield { type: 'warning', warning: { tenantKey: null, notice: true, message: unfilteredThreadsNotice } };
    }
    for (const thread of changed) {
      if (this.includes('messages')) yield* this.threadMessages(owner, thread.threadId);
      if (this.includes('summaries') && !this.summariesPerUser) yield* this.threadSummary(owner, thread.threadId);
    }
    if (this.includes('summaries') && this.summariesPerUser) yield* this.userThreadSummaries(userId, tenantKey, changed);
    if (this.includes('facts') && this.paths.graphSegment) yield* this.facts(owner, `user/${encodeURIComponent(userId)}`, tenantKey);
    if (this.includes('data') && this.paths.graphSegment) yield* this.dataEpisodes(owner, 'user', userId, tenantKey);
  }

  private async *orphanThreadItems(threadId: string, updatedSince: number | null): AsyncGenerator<SourceItem> {
    const listed = this.orphanThreads.get(threadId);
    if (updatedSince !== null && listed?.updatedAt != null && listed.updatedAt < updatedSince) return;
    if (this.includes('messages')) yield* this.threadMessages({}, threadId);
    if (this.includes('summaries')) yield* this.threadSummary({}, threadId);
  }

  private async *graphItems(graphId: string): AsyncGenerator<SourceItem> {
    const segment = this.paths.graphSegment;
    if (!segment) return;
    const owner: ZepOwner = { graph_id: graphId };
    const tenantKey = zepTenantKey(owner) ?? `graph:${graphId}`;
    if (this.includes('facts')) yield* this.facts(owner, `${segment}/${encodeURIComponent(graphId)}`, tenantKey);
    if (this.includes('data')) yield* this.dataEpisodes(owner, segment, graphId, tenantKey);
  }

  /** The item of one envelope, the same function `--from-file` reads snapshots with. */
  protected item(envelope: ZepEnvelope): SourceItem | null {
    return zepItem(envelope, { include: this.options.include });
  }

  protected async *listingItems(events: AsyncIterable<ListingEvent<unknown>>, envelope: (entry: unknown) => ZepEnvelope | null): AsyncGenerator<SourceItem> {
    for await (const event of events) {
      if (event.type === 'warning') {
        yield event;
        continue;
      }
      const wrapped = envelope(event.entry);
      const item = wrapped ? this.item(wrapped) : null;
      if (item) yield item;
    }
  }

  /** `GET /users/{id}/node` → `node.summary`; emitted even when there is none, so a summary stored earlier is forgotten. */
  private async *userSummary(userId: string, tenantKey: string, path: string): AsyncGenerator<SourceItem> {
    const answer = await this.http.exchange({ method: 'GET', path, notFoundIsAnswer: true, context: { tenant: tenantKey } });
    const node = isObject(answer.body) ? answer.body['node'] : null;
    const item = this.item(userSummaryEnvelope(this.api, userId, node));
    if (item) yield item;
  }

  /** A user's threads: one unpaged list (CE's is typed as a list of lists by its SDK: flattened). Null: no such user. */
  private async userThreads(userId: string, tenantKey: string): Promise<ListedThread[] | null> {
    const answer = await this.http.exchange({ method: 'GET', path: this.paths.userThreads(userId), notFoundIsAnswer: true, context: { tenant: tenantKey } });
    if (answer.status === 404) return null;
    const entries = entriesOf(answer.body, ['threads', 'sessions']);
    if (!entries) throw new SourceError(`zep: the threads of user ${userId} are not a list`, { source: 'zep', tenant: tenantKey });
    const threads = new Map<string, ListedThread>();
    for (const entry of entries.flat()) {
      const thread = listedThread(entry);
      if (thread && !threads.has(thread.threadId)) threads.set(thread.threadId, thread);
    }
    return [...threads.values()];
  }

  /**
   * Every message of a thread, in the server's order: `limit=N&cursor=k` with `cursor` a 1-based page number (as
   * the CE source and the SDK's default of 1 say), until a short page or `total_count` is reached.
   */
  private async *threadMessages(owner: ZepOwner, threadId: string): AsyncGenerator<SourceItem> {
    const tenantKey = zepTenantKey({ ...owner, thread_id: threadId }) ?? `thread:${threadId}`;
    let gone = false;
    let received = 0;
    const listing = pagedListing<unknown, number>({
      what: `messages of thread ${threadId}`,
      tenantKey,
      first: 1,
      identity: uuidOf,
      fetchPage: async (cursor) => {
        const answer = await this.http.exchange({
          method: 'GET',
          path: this.paths.messages(threadId),
          query: { limit: this.pageSize, cursor },
          notFoundIsAnswer: true,
          context: { tenant: tenantKey, page: `messages of ${threadId} ${cursor}` },
        });
        if (answer.status === 404) {
          gone = true;
          return { entries: [], next: null };
        }
        const messages = entriesOf(answer.body, ['messages']);
        if (!messages) throw new SourceError(`zep: page ${cursor} of the messages of thread ${threadId} is not a message list`, { source: 'zep', tenant: tenantKey, page: String(cursor) });
        received += messages.length;
        const total = countOf(answer.body);
        const done = messages.length < this.pageSize || (total !== null && received >= total);
        return { entries: messages, next: done ? null : cursor + 1, total };
      },
    });
    yield* this.listingItems(listing, (message) => messageEnvelope(this.api, owner, threadId, message));
    if (gone) yield { type: 'warning', warning: { tenantKey, message: `thread ${threadId} no longer exists (deleted during the run?); its messages were not read` } };
  }

  private async *userThreadSummaries(userId: string, tenantKey: string, threads: readonly ListedThread[]): AsyncGenerator<SourceItem> {
    const owner: ZepOwner = { user_id: userId };
    const state: GraphListingState = { missing: false, cutShort: false };
    const listing = this.graphListing(`thread summaries of user ${userId}`, tenantKey, `/graph/thread-summary/user/${encodeURIComponent(userId)}`, this.pageSize, true, state);
    yield* this.listingItems(listing, (summary) =>
      threadSummaryEnvelope(this.api, owner, (isObject(summary) ? nonEmptyString(summary['thread_id']) : null) ?? '', summary),
    );
    // A server without the graph listing (older than the 3.x SDK that added it): one request per thread.
    if (state.missing) for (const thread of threads) yield* this.threadSummary(owner, thread.threadId);
    if (state.cutShort) yield cutShortWarning(`thread summaries of user ${userId}`, tenantKey);
  }

  /** `GET /threads/{id}/summary`: 404 while the thread has none. */
  protected async *threadSummary(owner: ZepOwner, threadId: string): AsyncGenerator<SourceItem> {
    const answer = await this.http.exchange({
      method: 'GET',
      path: `/threads/${encodeURIComponent(threadId)}/summary`,
      notFoundIsAnswer: true,
      context: { tenant: zepTenantKey({ ...owner, thread_id: threadId }) ?? `thread:${threadId}` },
    });
    if (answer.status === 404 || answer.body === null) return;
    const item = this.item(threadSummaryEnvelope(this.api, owner, threadId, answer.body));
    if (item) yield item;
  }

  /** Every fact edge of a user's or graph's graph: `POST /graph/edge/{user|graph|group}/{id}`, paged by cursor. */
  private async *facts(owner: ZepOwner, ownerPath: string, tenantKey: string): AsyncGenerator<SourceItem> {
    const state: GraphListingState = { missing: false, cutShort: false };
    const listing = this.graphListing(`facts of ${tenantKey}`, tenantKey, `/graph/edge/${ownerPath}`, this.pageSize, true, state);
    yield* this.listingItems(hyperedgeMembersLast(listing), factEnvelopes(this.api, owner));
    if (state.missing) yield { type: 'warning', warning: { tenantKey, message: `the graph of ${tenantKey} was not found (HTTP 404); its facts were not read` } };
    if (state.cutShort) yield cutShortWarning(`facts of ${tenantKey}`, tenantKey);
  }

  /**
   * The data added straight to a graph. A user's `message` episodes are Zep's copies of its thread messages,
   * imported as messages already, so only its other episodes are data; a standalone graph has no threads, so all of
   * its episodes are. v3: `POST /graph/episodes/{user|graph}/{id}`, paged by cursor.
   */
  protected async *dataEpisodes(owner: ZepOwner, segment: string, id: string, tenantKey: string): AsyncGenerator<SourceItem> {
    const state: GraphListingState = { missing: false, cutShort: false };
    const listing = this.graphListing(`episodes of ${tenantKey}`, tenantKey, `/graph/episodes/${segment}/${encodeURIComponent(id)}`, episodePageLimit, false, state);
    yield* this.episodeItems(owner, listing);
    // A server without the paged listing: the `lastn` one (see zep-sessions.ts for its limit).
    if (state.missing) yield* this.lastEpisodes(owner, segment, id, tenantKey);
    if (state.cutShort) yield cutShortWarning(`episodes of ${tenantKey}`, tenantKey);
  }

  protected episodeItems(owner: ZepOwner, events: AsyncIterable<ListingEvent<unknown>>): AsyncGenerator<SourceItem> {
    return this.listingItems(events, (episode) =>
      owner.user_id && isObject(episode) && episode['source'] === 'message' ? null : episodeEnvelope(this.api, owner, episode),
    );
  }

  /**
   * `GET /graph/episodes/{user|group|graph}/{id}?lastn=N`: the only episode listing of v2, unpaged. It answers
   * the N most recent episodes, messages' copies included; N is set far above any real user's count, and a
   * warning says when the answer is that full (there may be older episodes the v2 API cannot reach).
   */
  protected async *lastEpisodes(owner: ZepOwner, segment: string, id: string, tenantKey: string): AsyncGenerator<SourceItem> {
    const lastn = zepEpisodesLastN;
    const answer = await this.http.exchange({
      method: 'GET',
      path: `/graph/episodes/${segment}/${encodeURIComponent(id)}`,
      query: { lastn },
      notFoundIsAnswer: true,
      context: { tenant: tenantKey },
    });
    if (answer.status === 404) {
      yield { type: 'warning', warning: { tenantKey, message: `the graph of ${tenantKey} was not found (HTTP 404); its data episodes were not read` } };
      return;
    }
    const episodes = entriesOf(answer.body, ['episodes']);
    if (!episodes) throw new SourceError(`zep: the episodes of ${tenantKey} are not an episode list`, { source: 'zep', tenant: tenantKey });
    const listing = async function* (): AsyncGenerator<ListingEvent<unknown>> {
      for (const entry of episodes) yield { type: 'entry', entry };
      if (episodes.length >= lastn) {
        const message = `episodes: the API answered its maximum of ${lastn} (lastn); older data episodes cannot be listed through this API generation`;
        yield { type: 'warning', warning: { tenantKey, message } };
      }
    };
    yield* this.episodeItems(owner, listing());
  }

  /**
   * A numbered listing (`pageNumber`/`page_number` from 1): until a short page or `total_count` is reached;
   * the shared paging loop dedupes and warns when the count disagrees with the total.
   */
  private pageNumberListing(
    what: string,
    tenantKey: string | null,
    keys: readonly string[],
    pageSize: number,
    fetchBody: (page: number) => Promise<unknown>,
    identity: (entry: unknown) => string | null,
  ): AsyncGenerator<ListingEvent<unknown>> {
    let received = 0;
    return pagedListing<unknown, number>({
      what,
      tenantKey,
      first: 1,
      identity,
      fetchPage: async (page) => {
        const body = await fetchBody(page);
        const entries = entriesOf(body, keys);
        if (!entries) throw new SourceError(`zep: page ${page} of the ${what} listing is not a list of ${what}`, { source: 'zep', page: String(page) });
        received += entries.length;
        const total = countOf(body);
        const done = entries.length < pageSize || (total !== null && received >= total);
        return { entries, next: done ? null : page + 1, total };
      },
    });
  }

  /**
   * A graph listing (`POST` with `{limit, cursor}`): the next cursor comes in the `Zep-Next-Cursor` header; a server
   * that never sends one (v2, and v3 before SDK 3.24) pages by `uuid_cursor` = the last uuid while pages come back
   * full (so a last page that is exactly full costs one more, empty, request there). A 404 on
   * the first page sets `state.missing` (an endpoint this server lacks, or an owner without a graph); one past it,
   * `state.cutShort` (the listing ended early: its caller says so, so that nothing of the owner is taken as gone).
   */
  protected graphListing(
    what: string,
    tenantKey: string,
    path: string,
    limit: number,
    uuidCursor: boolean,
    state: GraphListingState,
  ): AsyncGenerator<ListingEvent<unknown>> {
    // Once the server has sent a cursor header, a page without one is the last (not an older server's full page).
    let headerSeen = false;
    return pagedListing<unknown, GraphCursor>({
      what,
      tenantKey,
      first: {},
      identity: uuidOf,
      fetchPage: async (cursor) => {
        const answer = await this.http.exchange({
          method: 'POST',
          path,
          body: { limit, ...cursor },
          notFoundIsAnswer: true,
          context: { tenant: tenantKey, page: `${what} ${cursor.cursor ?? cursor.uuid_cursor ?? 'first'}` },
        });
        if (answer.status === 404) {
          if (Object.keys(cursor).length === 0) state.missing = true;
          else state.cutShort = true;
          return { entries: [], next: null };
        }
        const entries = entriesOf(answer.body, ['edges', 'episodes', 'summaries', 'thread_summaries']);
        if (!entries) throw new SourceError(`zep: a page of the ${what} is not a list`, { source: 'zep', tenant: tenantKey });
        const next = header(answer.headers, 'zep-next-cursor');
        if (next) {
          headerSeen = true;
          return { entries, next: { cursor: next } };
        }
        const last = uuidOf(entries[entries.length - 1]);
        return { entries, next: uuidCursor && !headerSeen && entries.length >= limit && last ? { uuid_cursor: last } : null };
      },
    });
  }
}

/** What a graph listing met: a 404 on its first page (`missing`), or on a later one (`cutShort`). */
interface GraphListingState {
  missing: boolean;
  cutShort: boolean;
}

/** A listing that answered 404 past its first page: the rest was not read, so nothing of its owner counts as gone. */
function cutShortWarning(what: string, tenantKey: string): SourceItem {
  return { type: 'warning', warning: { tenantKey, message: `the ${what} answered 404 past their first page: the rest were not read (run again)` } };
}
