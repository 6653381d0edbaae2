// The Supermemory API v3/v4 (hosted until 2026-12-31, or a self-hosted server): every container tag is a
// partition, read as its profile (the user summary), its extracted memory entries and its documents with their
// full text; documents without a tag form one more partition. Each wire object is wrapped in an envelope and turned
// into its item by supermemory-records.ts, the function the snapshot reader calls too.
import { SourceError } from '../../src/errors.js';
import { pagedListing, type ListingEvent, type ListingPage } from '../../src/http/paged-listing.js';
import { inOrderAhead } from '../../src/http/read-ahead.js';
import type { FetchOptions, Partition, Source, SourceItem } from '../../src/records.js';
import { announcedRecords, listingOrder, sessionAccount, readsWholeTags, supermemoryScope, type ListingOrder, type SupermemoryReaderOptions } from './supermemory-listing.js';
import {
  chunksText,
  documentItem,
  documentMemoryChains,
  documentTags,
  documentText,
  idOf,
  isObject,
  memoryItem,
  nonEmptyString,
  profileItem,
  untaggedTenantKey,
  type DocumentEnvelope,
  type DocumentMemories,
  type DocumentTextSource,
} from './supermemory-records.js';

const untaggedPartitionKey = 'untagged';

/** A document listed under a tag, once its text (and, without a memory list endpoint, its entries) was read. */
interface ReadDocument {
  envelope: DocumentEnvelope;
  memories: DocumentMemories | null;
}

export class SupermemoryV4 implements Source {
  readonly name = 'supermemory';
  /**
   * Supermemory has no "changed since" filter: an incremental run lists by `updatedAt` descending and stops at the
   * checkpoint (see `page`). Hard deletes (a deleted document) leave no trace in any listing, and a forgotten
   * entry only flips `isForgotten`: neither removes what an earlier run imported.
   */
  readonly filtersByUpdateTime = true;
  private session: Promise<string> | null = null;
  /** Found out on the first request that needs it; a missing endpoint is a 404 there. */
  private tagListMissing = false;
  /** The tag list answered this run (every tag, in one answer). */
  private tagListAnswered = false;
  private memoriesEndpoint: 'unknown' | 'list' | 'missing' = 'unknown';
  /** The tag field of /v4/memories/list: the schema's array, or the singular one its own sample sends. */
  private memoriesTagField: 'containerTags' | 'containerTag' = 'containerTags';

  constructor(private readonly options: SupermemoryReaderOptions) {
    this.scope = supermemoryScope(options);
  }

  /** What this run was asked to read (see `Source.scope`). */
  readonly scope: Readonly<Record<string, unknown>>;

  get listsWholePartitions(): boolean {
    return readsWholeTags(this.options);
  }

  /**
   * Every tag, when none is named and the server lists them (`/v3/container-tags/list`, one answer; tags read off
   * the documents instead may miss one), and the untagged documents.
   */
  coversPartition(partitionKey: string): boolean {
    const listsAll = (this.options.tags?.length ?? 0) === 0 && this.tagListAnswered;
    return listsAll && (partitionKey.startsWith('tag:') || (partitionKey === untaggedPartitionKey && this.includesDocuments));
  }

  describeApi(): string | null {
    const notes = [
      this.tagListMissing ? 'container tags taken from the document listing: /v3/container-tags/list is missing' : null,
      this.memoriesEndpoint === 'missing' ? 'memory entries read from each document: /v4/memories/list is missing' : null,
    ].filter(Boolean);
    return `Supermemory v3/v4${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
  }

  /** The org id from `GET /v3/session`; a server without it (404) is named by its host. */
  async account(): Promise<string> {
    this.session ??= sessionAccount(this.options.http, this.options.baseUrl);
    return this.session;
  }

  private get includesDocuments(): boolean {
    return this.options.include.has('documents');
  }

  async *partitions(): AsyncIterable<Partition> {
    const named = this.options.tags && this.options.tags.length > 0 ? [...new Set(this.options.tags)] : null;
    const tags = named ? named.filter((tag) => tag !== untaggedTenantKey).map((tag) => ({ tag, expectedRecords: undefined })) : await this.listTags();
    for (const { tag, expectedRecords } of tags) yield { key: `tag:${tag}`, tenantKey: tag, expectedRecords };
    // Only documents can lack a tag (entries and profiles always have one).
    if (this.includesDocuments && (!named || named.includes(untaggedTenantKey))) yield { key: untaggedPartitionKey, tenantKey: untaggedTenantKey };
  }

  /**
   * Every container tag: `GET /v3/container-tags/list` (a bare array), else those the documents carry; with the
   * records its counts announce, where the list gives them.
   */
  private async listTags(): Promise<{ tag: string; expectedRecords?: number }[]> {
    const answer = await this.options.http.exchange({ method: 'GET', path: '/v3/container-tags/list', notFoundIsAnswer: true });
    if (answer.status === 404) {
      this.tagListMissing = true;
      return (await this.tagsFromDocuments()).map((tag) => ({ tag }));
    }
    const list = Array.isArray(answer.body) ? answer.body : isObject(answer.body) && Array.isArray(answer.body['containerTags']) ? answer.body['containerTags'] : null;
    if (!list) throw new SourceError('supermemory: GET /v3/container-tags/list did not answer a list of container tags', { source: 'supermemory' });
    this.tagListAnswered = true;
    const tags = new Map<string, number | undefined>();
    for (const item of list) {
      const tag = isObject(item) ? nonEmptyString(item['containerTag']) : nonEmptyString(item);
      if (tag !== null && !tags.has(tag)) tags.set(tag, isObject(item) ? announcedRecords(this.options, item) : undefined);
    }
    return [...tags].map(([tag, expectedRecords]) => ({ tag, expectedRecords }));
  }

  /** Tags in order of first appearance; the listing's count warning is dropped here (the untagged partition repeats it). */
  private async tagsFromDocuments(): Promise<string[]> {
    const tags = new Set<string>();
    for await (const event of this.documentListing(null, { sort: 'createdAt', order: 'asc', until: null }, false)) {
      if (event.type === 'entry' && isObject(event.entry)) for (const tag of documentTags(event.entry)) tags.add(tag);
    }
    return [...tags];
  }

  async *items(partition: Partition, options: FetchOptions): AsyncIterable<SourceItem> {
    const order = listingOrder(options);
    if (partition.key === untaggedPartitionKey) {
      yield* this.documents(null, order);
      return;
    }
    const tag = partition.tenantKey;
    if (tag === null) return;
    const { include } = this.options;
    // The profile first: it is one request, and stored at once, so a run killed later in this tag keeps it.
    if (include.has('profile')) yield* this.profile(tag);
    if (include.has('memories')) yield* this.memoryEntries(tag, order);
    if (this.includesDocuments || (include.has('memories') && this.memoriesEndpoint === 'missing')) yield* this.documents(tag, order);
  }

  private async *profile(tag: string): AsyncIterable<SourceItem> {
    const answer = await this.options.http.exchange({ method: 'POST', path: '/v4/profile', body: { containerTag: tag }, context: { tenant: tag, page: 'profile' }, notFoundIsAnswer: true });
    if (answer.status === 404) return;
    yield profileItem({ supermemory: 'profile', tag, profile: answer.body });
  }

  // ---- memory entries -------------------------------------------------------------------------------------------

  /** The tag's entries from `/v4/memories/list`; a server without it (404) gets them from the documents instead. */
  private async *memoryEntries(tag: string, order: ListingOrder): AsyncIterable<SourceItem> {
    if (this.memoriesEndpoint === 'missing') return;
    /** The page that answered 404 after the endpoint had answered (a listing cut short, not a missing endpoint). */
    let cutAt: number | null = null;
    const listing = pagedListing<unknown, number>({
      what: `memory entries of tag ${tag}`,
      tenantKey: tag,
      first: 1,
      identity: (entry) => (isObject(entry) ? idOf(entry['id']) : null),
      fetchPage: async (page) => {
        const answer = await this.memoriesPage(tag, page, order);
        if (answer === 'cut') cutAt = page;
        if (answer === 'missing' || answer === 'cut') return { entries: [], next: null };
        return this.page(answer.body, 'memoryEntries', page, order, `POST /v4/memories/list page ${page} of tag ${tag}`, tag);
      },
    });
    for await (const event of listing) {
      if (event.type === 'warning') yield event;
      // A tag's entries belong to its space alone, so the tag owns each chain's plain key.
      else yield memoryItem({ supermemory: 'memory', tag, firstTag: tag, multiTag: this.options.multiTag, via: 'list', entry: event.entry });
    }
    if (cutAt !== null) {
      yield { type: 'warning', warning: { tenantKey: tag, message: `POST /v4/memories/list answered 404 at page ${cutAt} of tag ${tag}: the rest of its memory entries were not read (run again)` } };
    }
  }

  /**
   * One page of `/v4/memories/list`; `missing` when the server has no such endpoint (a 404 on a first page before
   * any page answered), `cut` for a 404 after that (the listing ended early: a deleted tag, a server hiccup).
   */
  private async memoriesPage(tag: string, page: number, order: ListingOrder): Promise<{ body: unknown } | 'missing' | 'cut'> {
    const body = (field: 'containerTags' | 'containerTag') => ({
      ...(field === 'containerTags' ? { containerTags: [tag] } : { containerTag: tag }),
      page,
      limit: this.options.pageSize,
      sort: order.sort,
      order: order.order,
    });
    const send = (field: 'containerTags' | 'containerTag') =>
      this.options.http.exchange({ method: 'POST', path: '/v4/memories/list', body: body(field), context: { tenant: tag, page: `memories ${page}` }, notFoundIsAnswer: true });
    let answer;
    try {
      answer = await send(this.memoriesTagField);
    } catch (error) {
      // The spec's own sample sends the singular `containerTag`: a server that refuses the array form gets that once.
      if (!(error instanceof SourceError) || error.context.status !== 400 || this.memoriesTagField !== 'containerTags' || this.memoriesEndpoint === 'list') throw error;
      answer = await send('containerTag');
      this.memoriesTagField = 'containerTag';
    }
    if (answer.status === 404) {
      if (page > 1 || this.memoriesEndpoint === 'list') return 'cut';
      this.memoriesEndpoint = 'missing';
      return 'missing';
    }
    this.memoriesEndpoint = 'list';
    return { body: answer.body };
  }

  // ---- documents ------------------------------------------------------------------------------------------------

  /**
   * The documents of a tag (null: those without any tag), each with its full text; where the server has no memory
   * list endpoint, also the memory entries each document carries, once the whole tag was read.
   */
  private async *documents(tag: string | null, order: ListingOrder): AsyncIterable<SourceItem> {
    const tenant = tag ?? untaggedTenantKey;
    const gatherMemories = this.options.include.has('memories') && this.memoriesEndpoint === 'missing';
    const emitDocuments = this.includesDocuments;
    const gathered: DocumentMemories[] = [];
    // The unfiltered listing (for untagged documents) leaves content out: most of what it lists belongs to a tag.
    const listing = this.documentListing(tag, order, tag !== null);
    const read = inOrderAhead(listing, this.options.lookahead, async (event): Promise<ListingEvent<unknown> | ReadDocument | null> => {
      if (event.type === 'warning') return event;
      const document = event.entry;
      if (tag === null && isObject(document) && documentTags(document).length > 0) return null; // read under its tag
      return this.readDocument(document, tenant, gatherMemories);
    });
    for await (const result of read) {
      if (result === null) continue;
      if ('type' in result) {
        if (result.type === 'warning') yield result;
        continue;
      }
      if (result.memories) gathered.push(result.memories);
      if (emitDocuments) yield documentItem(result.envelope);
    }
    if (!gatherMemories) return;
    for (const { firstTag, entry } of documentMemoryChains(gathered)) {
      yield memoryItem({ supermemory: 'memory', tag: tenant, firstTag, multiTag: this.options.multiTag, via: 'documents', entry });
    }
  }

  /** `POST /v3/documents/list` for one tag (or unfiltered), page by page; pages are offsets, so entries dedupe by id. */
  private documentListing(tag: string | null, order: ListingOrder, includeContent: boolean): AsyncGenerator<ListingEvent<unknown>> {
    return pagedListing<unknown, number>({
      what: tag !== null ? `documents of tag ${tag}` : 'documents (all tags, read for the untagged ones)',
      tenantKey: tag ?? untaggedTenantKey,
      first: 1,
      identity: (entry) => (isObject(entry) ? idOf(entry['id']) : null),
      fetchPage: async (page) => {
        const body = await this.options.http.json({
          method: 'POST',
          path: '/v3/documents/list',
          body: {
            ...(tag !== null ? { containerTags: [tag] } : {}),
            page,
            limit: this.options.pageSize,
            sort: order.sort,
            order: order.order,
            ...(includeContent ? { includeContent: true } : {}),
          },
          context: { tenant: tag ?? untaggedTenantKey, page: `documents ${page}` },
        });
        return this.page(body, 'memories', page, order, `POST /v3/documents/list page ${page}${tag !== null ? ` of tag ${tag}` : ''}`, tag ?? untaggedTenantKey);
      },
    });
  }

  /**
   * One listing page (`{<key>: [...], pagination: {totalItems, totalPages}}`) as the paging loop wants it. An
   * incremental listing stops after the page that reaches back past the checkpoint (that page is the overlap),
   * and then says no total: it listed only part of what the total counts.
   */
  private page(body: unknown, key: 'memories' | 'memoryEntries', page: number, order: ListingOrder, what: string, tenant: string): ListingPage<unknown, number> {
    const entries = isObject(body) && Array.isArray(body[key]) ? body[key] : isObject(body) && key === 'memories' && Array.isArray(body['documents']) ? body['documents'] : null;
    if (!entries) throw new SourceError(`supermemory: ${what} did not answer {"${key}": […], "pagination": …}`, { source: 'supermemory', tenant, page: String(page) });
    const pagination = isObject(body) && isObject(body['pagination']) ? body['pagination'] : {};
    const totalPages = typeof pagination['totalPages'] === 'number' ? pagination['totalPages'] : null;
    const totalItems = typeof pagination['totalItems'] === 'number' ? pagination['totalItems'] : null;
    const more = totalPages !== null ? page < totalPages : entries.length >= this.options.pageSize;
    if (order.until !== null) {
      const last = entries[entries.length - 1];
      const lastTime = isObject(last) ? Date.parse(String(last[order.sort])) : Number.NaN;
      const reachedCheckpoint = Number.isFinite(lastTime) && lastTime < order.until;
      return { entries, next: more && !reachedCheckpoint ? page + 1 : null, total: null };
    }
    return { entries, next: more ? page + 1 : null, total: totalItems };
  }

  /**
   * A listed document with its text: the listing's `content`, else `GET /v3/documents/{id}`'s, else its chunks in
   * `position` order. Documents that are not `done` are not read (they are skipped, and a later run reads them).
   * Without a memory list endpoint every done document is read, for the entries it carries.
   */
  private async readDocument(document: unknown, tenant: string, gatherMemories: boolean): Promise<ReadDocument> {
    const envelope = (text: string | null, textFrom: DocumentTextSource | null, gone = false): DocumentEnvelope => ({
      supermemory: 'document',
      tag: tenant,
      multiTag: this.options.multiTag,
      document: isObject(document) ? withoutContent(document) : document,
      text,
      textFrom,
      ...(gone ? { gone: true as const } : {}),
    });
    const id = isObject(document) ? idOf(document['id']) : null;
    const listed = isObject(document) ? documentText(document['content']) : null;
    if (!isObject(document) || !id || document['status'] !== 'done') return { envelope: envelope(listed, listed !== null ? 'list' : null), memories: null };
    if (listed !== null && !gatherMemories) return { envelope: envelope(listed, 'list'), memories: null };

    const path = `/v3/documents/${encodeURIComponent(id)}`;
    const context = { tenant, page: `document ${id}` };
    const answer = await this.options.http.exchange({ method: 'GET', path, context, notFoundIsAnswer: true });
    if (answer.status === 404) return { envelope: envelope(null, null, true), memories: null };
    const full = isObject(answer.body) ? answer.body : {};
    const memories: DocumentMemories | null = gatherMemories ? { documentId: id, firstTag: documentTags(document)[0] ?? tenant, memories: full['memories'] } : null;
    if (listed !== null) return { envelope: envelope(listed, 'list'), memories };
    const fetched = documentText(full['content']);
    if (fetched !== null) return { envelope: envelope(fetched, 'document'), memories };
    const chunks = await this.options.http.exchange({ method: 'GET', path: `${path}/chunks`, context, notFoundIsAnswer: true });
    const joined = chunks.status === 404 ? null : chunksText(chunks.body);
    return { envelope: envelope(joined, joined !== null ? 'chunks' : null), memories };
  }
}

function withoutContent(document: Record<string, unknown>): Record<string, unknown> {
  const { content: _content, ...rest } = document;
  return rest;
}
