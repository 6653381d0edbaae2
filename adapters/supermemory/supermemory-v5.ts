// The Supermemory API v5 (namespaces; Supermemory's cloud from 2026-10-07, its only API after 2026-12-31): every
// namespace — the container tag of v3/v4, the same string — is a partition, read as its profile (the user summary),
// its latest memories and its documents with their full text. Lists are `POST /ns/{ns}/list/{type}` with their
// paging in the query string, by cursor where the server gives one and by page otherwise. Each wire object is
// wrapped in an envelope (marked `api: 'v5'`) and turned into its item by supermemory-records.ts, as v3/v4's are.
import { AuthenticationError, SourceError } from '../../src/errors.js';
import { pagedListing, type ListingEvent, type ListingPage } from '../../src/http/paged-listing.js';
import { inOrderAhead } from '../../src/http/read-ahead.js';
import type { HttpAnswer } from '../../src/http/http-client.js';
import type { FetchOptions, Partition, PartitionCoverage, Source, SourceItem } from '../../src/records.js';
import { announcedRecords, listingOrder, sessionAccount, readsWholeTags, supermemoryScope, type ListingOrder, type SupermemoryReaderOptions } from './supermemory-listing.js';
import {
  chunksText,
  documentItem,
  documentText,
  idOf,
  isObject,
  memoryItem,
  nonEmptyString,
  profileItem,
  untaggedTenantKey,
  type DocumentEnvelope,
} from './supermemory-records.js';

/** The largest page v5 lists serve (`limit` 1–100). */
const v5PageLimit = 100;

type ListType = 'documents' | 'chunks' | 'memories';

/** Where the next page of a v5 list starts: a page number, or the cursor the last page gave. */
type ListPosition = { page: number } | { cursor: string };

/** A namespace as `GET /namespaces` lists it, with the records its counts announce. */
interface ListedNamespace {
  namespace: string;
  expectedRecords?: number;
}

export class SupermemoryV5 implements Source {
  readonly name = 'supermemory';
  /**
   * v5 has no "changed since" filter either: an incremental run lists by `updatedAt` descending and stops at the
   * checkpoint. A deleted document leaves no trace in any listing; a forgotten memory is listed as forgotten.
   */
  readonly filtersByUpdateTime = true;
  /** What this run was asked to read: the same scope as v3/v4's, so runs resume and build on each other across the switch. */
  readonly scope: Readonly<Record<string, unknown>>;
  private session: Promise<string> | null = null;
  /** What the server showed of itself, for the report. */
  private readonly seen = { cursors: false, cursorRefused: false, forgottenRefused: false, bareNamespaceList: false };

  constructor(private readonly options: SupermemoryReaderOptions) {
    this.scope = supermemoryScope(options);
  }

  get listsWholePartitions(): boolean {
    return readsWholeTags(this.options);
  }

  /**
   * A namespace an earlier run imported that `GET /namespaces` no longer lists, when none is named: gone if it
   * answers 404 or lists nothing. A key scoped to some namespaces may see a filtered list (the note leaves open
   * whether it gets that or 403): a namespace it cannot read (403), or that still lists records, is not gone.
   */
  async coversPartition(partitionKey: string): Promise<PartitionCoverage> {
    if ((this.options.tags?.length ?? 0) > 0 || !partitionKey.startsWith('tag:')) return false;
    const namespace = partitionKey.slice('tag:'.length);
    for (const type of ['documents', 'memories'] as const) {
      let answer: HttpAnswer;
      try {
        answer = await this.options.http.exchange({
          method: 'POST',
          path: this.path(namespace, `list/${type}`),
          query: { limit: 1, page: 1 },
          body: {},
          context: { tenant: namespace, page: `${type} (is the namespace gone?)` },
          notFoundIsAnswer: true,
        });
      } catch (error) {
        if (error instanceof AuthenticationError && error.context.status === 403) {
          return { unknown: `namespace ${namespace} answers 403 to this key: a key scoped to some namespaces?` };
        }
        throw error;
      }
      if (answer.status === 404) return true;
      const entries = isObject(answer.body) ? answer.body[type] : null;
      if (Array.isArray(entries) && entries.length > 0) {
        return { unknown: `namespace ${namespace} still lists ${type}, though GET /namespaces left it out: a key scoped to some namespaces?` };
      }
    }
    return true;
  }

  describeApi(): string {
    const notes = [
      this.seen.cursors ? 'cursor paging' : 'page paging',
      ...(this.seen.cursorRefused ? ['a refused cursor was read again by page'] : []),
      ...(this.seen.forgottenRefused ? ['this server cannot list forgotten memories'] : []),
      ...(this.seen.bareNamespaceList ? ['pre-release namespace list'] : []),
      ...(this.options.multiTag === 'first' ? ['--multi-tag first does not apply: v5 does not say which namespace a document came to first'] : []),
    ];
    return `Supermemory v5 (${notes.join('; ')})`;
  }

  async account(): Promise<string> {
    this.session ??= sessionAccount(this.options.http, this.options.baseUrl);
    return this.session;
  }

  async *partitions(): AsyncIterable<Partition> {
    const named = this.options.tags && this.options.tags.length > 0 ? [...new Set(this.options.tags)].filter((tag) => tag !== untaggedTenantKey) : null;
    const namespaces: ListedNamespace[] = named ? named.map((namespace) => ({ namespace })) : await this.listNamespaces();
    // The partition keys are v3/v4's (`tag:<tag>`): the records of a namespace stay where the legacy run put them.
    for (const { namespace, expectedRecords } of namespaces) yield { key: `tag:${namespace}`, tenantKey: namespace, expectedRecords };
  }

  /** Every namespace: `GET /namespaces` page by page (newest first; `{namespaces, pagination}`, or a bare array before GA). */
  private async listNamespaces(): Promise<ListedNamespace[]> {
    const found = new Map<string, number | undefined>();
    const listing = pagedListing<unknown, number>({
      what: 'namespaces',
      tenantKey: null,
      first: 1,
      identity: (entry) => (isObject(entry) ? nonEmptyString(entry['namespace']) : null),
      fetchPage: async (page) => {
        const body = await this.options.http.json({ method: 'GET', path: '/namespaces', query: { page, limit: v5PageLimit }, context: { page: `namespaces ${page}` } });
        if (Array.isArray(body)) {
          this.seen.bareNamespaceList = true;
          return { entries: body, next: null };
        }
        const entries = isObject(body) && Array.isArray(body['namespaces']) ? body['namespaces'] : null;
        if (!entries) throw new SourceError('supermemory: GET /namespaces did not answer {"namespaces": […], "pagination": …}', { source: 'supermemory', page: String(page) });
        const pagination = isObject(body) && isObject(body['pagination']) ? body['pagination'] : {};
        const totalPages = typeof pagination['totalPages'] === 'number' ? pagination['totalPages'] : null;
        const totalItems = typeof pagination['totalItems'] === 'number' ? pagination['totalItems'] : null;
        const more = totalPages !== null ? page < totalPages : entries.length >= v5PageLimit;
        return { entries, next: more ? page + 1 : null, total: totalItems };
      },
    });
    for await (const event of listing) {
      if (event.type === 'warning') throw new SourceError(`supermemory: ${event.warning.message}`, { source: 'supermemory' });
      const namespace = isObject(event.entry) ? nonEmptyString(event.entry['namespace']) : null;
      if (namespace !== null && namespace !== untaggedTenantKey && !found.has(namespace)) found.set(namespace, announcedRecords(this.options, event.entry as Record<string, unknown>));
    }
    return [...found].map(([namespace, expectedRecords]) => ({ namespace, expectedRecords }));
  }

  async *items(partition: Partition, options: FetchOptions): AsyncIterable<SourceItem> {
    const namespace = partition.tenantKey;
    if (namespace === null) return;
    const order = listingOrder(options);
    const { include } = this.options;
    try {
      // The profile first: it is one request, and stored at once, so a run killed later in this namespace keeps it.
      if (include.has('profile')) yield* this.profile(namespace);
      if (include.has('memories')) yield* this.memories(namespace, order);
      if (include.has('documents')) yield* this.documents(namespace, order);
    } catch (error) {
      // A namespace deleted, or moved into another (`DELETE /ns?moveTo=`), since it was listed: what was read of it
      // stands, and the warning keeps the rest of it from counting as gone.
      if (!(error instanceof SourceError) || error.context.status !== 404) throw error;
      yield {
        type: 'warning',
        warning: { tenantKey: namespace, message: `namespace ${namespace} answered 404 while it was read (deleted or moved since it was listed?): the rest of it was not read` },
      };
    }
  }

  private path(namespace: string, rest: string): string {
    return `/ns/${encodeURIComponent(namespace)}/${rest}`;
  }

  private async *profile(namespace: string): AsyncIterable<SourceItem> {
    const answer = await this.options.http.exchange({
      method: 'POST',
      path: this.path(namespace, 'profile'),
      body: {},
      context: { tenant: namespace, page: 'profile' },
      notFoundIsAnswer: true,
    });
    if (answer.status === 404) return;
    yield profileItem({ supermemory: 'profile', api: 'v5', tag: namespace, profile: answer.body });
  }

  // ---- lists ----------------------------------------------------------------------------------------------------

  /**
   * One v5 list of a namespace, every page: by cursor where the server gives one (`pagination.nextCursor`), by page
   * otherwise. A cursor the server refuses (400: expired, or a server from before cursors) is not retried: the list
   * is read again from page 1, by page, and what was listed already is not yielded twice.
   */
  private list(namespace: string, type: ListType, order: ListingOrder, body: Record<string, unknown>): AsyncGenerator<ListingEvent<unknown>> {
    const request = (position: ListPosition) =>
      this.options.http.json({
        method: 'POST',
        path: this.path(namespace, `list/${type}`),
        query: { limit: this.options.pageSize, sort: order.sort, order: order.order, ...('cursor' in position ? { cursor: position.cursor } : { page: position.page }) },
        body,
        context: { tenant: namespace, page: `${type} ${'cursor' in position ? 'after a cursor' : position.page}` },
      });
    /** Set once a cursor was refused: the rest of this list is read by page, whatever cursors the pages offer. */
    let byPage = false;
    return pagedListing<unknown, ListPosition>({
      what: `${type} of namespace ${namespace}`,
      tenantKey: namespace,
      first: { page: 1 },
      identity: (entry) => (isObject(entry) ? idOf(entry['id']) : null),
      fetchPage: async (position) => {
        let answer: unknown;
        let at = position;
        try {
          answer = await request(position);
        } catch (error) {
          if (!('cursor' in position) || !(error instanceof SourceError) || error.context.status !== 400) throw error;
          this.seen.cursorRefused = true;
          byPage = true;
          at = { page: 1 };
          answer = await request(at);
        }
        return this.page(answer, type, at, order, namespace, byPage);
      },
    });
  }

  /**
   * One list page as the paging loop wants it. An incremental listing stops after the page that reaches back past
   * the checkpoint (that page is the overlap), and then says no total: it listed only part of what the total counts.
   */
  private page(body: unknown, type: ListType, position: ListPosition, order: ListingOrder, namespace: string, byPage: boolean): ListingPage<unknown, ListPosition> {
    const entries = isObject(body) && Array.isArray(body[type]) ? body[type] : null;
    if (!entries) {
      throw new SourceError(`supermemory: POST ${this.path(namespace, `list/${type}`)} did not answer {"${type}": […], "pagination": …}`, {
        source: 'supermemory',
        tenant: namespace,
      });
    }
    const pagination = isObject(body) && isObject(body['pagination']) ? body['pagination'] : {};
    const cursor = byPage ? null : nonEmptyString(pagination['nextCursor']);
    // A server with cursors names `nextCursor` on every page (null on the last); one from before them never does.
    if ('nextCursor' in pagination) this.seen.cursors = true;
    const byCursor = !byPage && ('cursor' in position || cursor !== null);
    const totalPages = typeof pagination['totalPages'] === 'number' ? pagination['totalPages'] : null;
    const totalItems = typeof pagination['totalItems'] === 'number' ? pagination['totalItems'] : null;
    const page = 'page' in position ? position.page : null;
    // By cursor, the last page is the one without a next cursor; by page, the one the total number of pages names.
    const next: ListPosition | null = byCursor
      ? cursor !== null
        ? { cursor }
        : null
      : page !== null && (totalPages !== null ? page < totalPages : entries.length >= this.options.pageSize)
        ? { page: page + 1 }
        : null;
    if (order.until !== null) {
      const last = entries[entries.length - 1];
      const system = isObject(last) && isObject(last['system']) ? last['system'] : {};
      const lastTime = Date.parse(String(system[order.sort]));
      const reachedCheckpoint = Number.isFinite(lastTime) && lastTime < order.until;
      return { entries, next: reachedCheckpoint ? null : next, total: null };
    }
    return { entries, next, total: totalItems };
  }

  // ---- memories -------------------------------------------------------------------------------------------------

  /**
   * The namespace's memories, forgotten ones included (so that one an earlier run imported is known to be gone); a
   * server from before `include.forgotten` (400) lists them without. A later version of a memory is read once more
   * (`GET …/memories/{id}?include=related`) for the versions before it: an earlier run imported the chain under the
   * first one's id.
   */
  private async *memories(namespace: string, order: ListingOrder): AsyncIterable<SourceItem> {
    let body: Record<string, unknown> = this.seen.forgottenRefused ? {} : { include: { forgotten: true } };
    let listing = this.list(namespace, 'memories', order, body);
    let first: IteratorResult<ListingEvent<unknown>>;
    try {
      first = await listing.next();
    } catch (error) {
      if (!(error instanceof SourceError) || error.context.status !== 400 || Object.keys(body).length === 0) throw error;
      this.seen.forgottenRefused = true;
      body = {};
      listing = this.list(namespace, 'memories', order, body);
      first = await listing.next();
    }
    const events = (async function* () {
      if (!first.done) yield first.value;
      yield* listing;
    })();
    const read = inOrderAhead(events, this.options.lookahead, async (event): Promise<SourceItem> => {
      if (event.type === 'warning') return event;
      const entry = event.entry;
      const parents = isObject(entry) && needsParents(entry) ? await this.parents(namespace, entry) : undefined;
      return memoryItem({ supermemory: 'memory', api: 'v5', tag: namespace, firstTag: namespace, multiTag: this.options.multiTag, via: 'list', entry, ...(parents ? { parents } : {}) });
    });
    yield* read;
  }

  /** The ids of a memory's earlier versions, nearest first (`included.related.parents`); none when it is gone (404). */
  private async parents(namespace: string, entry: Record<string, unknown>): Promise<string[]> {
    const id = idOf(entry['id']) as string;
    const answer = await this.options.http.exchange({
      method: 'GET',
      path: this.path(namespace, `memories/${encodeURIComponent(id)}`),
      query: { include: 'related', relatedLimit: v5PageLimit },
      context: { tenant: namespace, page: `memory ${id}` },
      notFoundIsAnswer: true,
    });
    const included = isObject(answer.body) && isObject(answer.body['included']) ? answer.body['included'] : {};
    const related = isObject(included['related']) ? included['related'] : {};
    const parents = Array.isArray(related['parents']) ? related['parents'] : [];
    return parents
      .filter((parent) => isObject(parent) && (parent['relation'] === undefined || parent['relation'] === 'updates'))
      .map((parent) => idOf((parent as Record<string, unknown>)['id']))
      .filter((parent): parent is string => parent !== null);
  }

  // ---- documents ------------------------------------------------------------------------------------------------

  /** The namespace's documents, oldest first, each `done` one with its full text (`GET …/document/{id}?include=chunks`). */
  private async *documents(namespace: string, order: ListingOrder): AsyncIterable<SourceItem> {
    const listing = this.list(namespace, 'documents', order, {});
    const read = inOrderAhead(listing, this.options.lookahead, async (event): Promise<SourceItem> => {
      if (event.type === 'warning') return event;
      return documentItem(await this.readDocument(namespace, event.entry));
    });
    yield* read;
  }

  /**
   * A listed document with its text: the GET's `content`, else its chunks joined in `position` order, else none
   * (the summary is used, flagged). Documents that are not `done` are not read: they are skipped, and a later run
   * reads them. One that answers 404 was deleted (or moved) after it was listed.
   */
  private async readDocument(namespace: string, document: unknown): Promise<DocumentEnvelope> {
    const envelope = (text: string | null, textFrom: DocumentEnvelope['textFrom'], gone = false): DocumentEnvelope => ({
      supermemory: 'document',
      api: 'v5',
      tag: namespace,
      multiTag: this.options.multiTag,
      document,
      text,
      textFrom,
      ...(gone ? { gone: true as const } : {}),
    });
    const id = isObject(document) ? idOf(document['id']) : null;
    const system = isObject(document) && isObject(document['system']) ? document['system'] : {};
    if (!id || system['status'] !== 'done') return envelope(null, null);
    const answer = await this.options.http.exchange({
      method: 'GET',
      path: this.path(namespace, `document/${encodeURIComponent(id)}`),
      query: { include: 'chunks' },
      context: { tenant: namespace, page: `document ${id}` },
      notFoundIsAnswer: true,
    });
    if (answer.status === 404) return envelope(null, null, true);
    const full = isObject(answer.body) ? answer.body : {};
    const content = documentText(full['content']);
    if (content !== null) return envelope(content, 'document');
    const joined = chunksText(full);
    return envelope(joined, joined !== null ? 'chunks' : null);
  }
}

/** A latest, live memory past its first version: the versions before it name the memory an earlier run imported. */
function needsParents(entry: Record<string, unknown>): boolean {
  return entry['isLatest'] !== false && entry['isForgotten'] !== true && typeof entry['version'] === 'number' && entry['version'] > 1;
}
