// The fake Supermemory API (v3/v4) as msw handlers over an in-memory account: the wire the official `supermemory`
// 4.x client speaks (Bearer or x-api-key auth, camelCase JSON, POST listings with page/limit in the body and a
// `pagination` envelope), plus the drift, faults, rate limits and error shapes of the wire reference's §7 and §11.
// Paths match on their suffix (`*/v3/…`), so a base URL with a path prefix works.
import { delay, http, HttpResponse, type RequestHandler } from 'msw';
import {
  tagCounts,
  type SupermemoryAccount,
  type SupermemoryWireDocument,
  type SupermemoryWireDocumentMemory,
  type SupermemoryWireMemoryEntry,
} from './supermemory-account.js';

export type SupermemoryFaultKind =
  | '429-retry-after'
  | '429-http-date'
  | '429-retry-after-ms'
  | '429-3600'
  | '500'
  | '502-html'
  | 'reset';

export interface SupermemoryFaults {
  /** Every n-th data request (the session check is not counted) gets the next fault of `kinds`, in turn. */
  every?: number;
  kinds?: SupermemoryFaultKind[];
  /** The wait `429-retry-after` and `429-http-date` ask for; 0 by default. */
  retryAfterSeconds?: number;
  /** The wait `429-retry-after-ms` asks for; 100 by default. */
  retryAfterMs?: number;
}

export type SupermemoryRoute =
  | 'session'
  | 'container-tags'
  | 'container-tag'
  | 'documents/list'
  | 'documents/get'
  | 'documents/processing'
  | 'chunks'
  | 'memories/list'
  | 'profile';

export interface SupermemoryFakeCounters {
  /** Every request a route received, refused ones included. */
  requests: number;
  /** 429 answers sent, by the rate limit or by faults. */
  rateLimited: number;
  byRoute: Record<SupermemoryRoute, number>;
}

export function createSupermemoryCounters(): SupermemoryFakeCounters {
  return {
    requests: 0,
    rateLimited: 0,
    byRoute: {
      session: 0,
      'container-tags': 0,
      'container-tag': 0,
      'documents/list': 0,
      'documents/get': 0,
      'documents/processing': 0,
      chunks: 0,
      'memories/list': 0,
      profile: 0,
    },
  };
}

export interface SupermemoryFakeOptions {
  /** Filled in as requests arrive; pass one to read it (`startSupermemoryFake` does). */
  counters?: SupermemoryFakeCounters;
  /** `/v3/container-tags/…` answers 404, as on an older or self-hosted server. */
  noContainerTagList?: boolean;
  /** `/v4/memories/list` answers 404, as on the self-hosted server. */
  noMemoriesList?: boolean;
  /** Leave `limit` out of `pagination` (the spec makes it optional). */
  omitPaginationLimit?: boolean;
  /**
   * Once page `afterPage` of a document listing has been served, add `document` to the account with createdAt and
   * updatedAt set to now, so later pages shift (under `order: desc`) and totals grow.
   */
  insertDuringListing?: { afterPage: number; document: SupermemoryWireDocument };
  /** Documents still listed but deleted before they are read: GET and chunks answer 404. */
  deletedAfterListing?: string[];
  /** Requests per second (sliding window) before answering 429 with `Retry-After: 1`. */
  rateLimitPerSecond?: number;
  faults?: SupermemoryFaults;
  /** Every data request answers 402, as when the plan's quota or credits are used up. */
  quotaExhausted?: boolean;
  /** Latency added to every answer. */
  latencyMs?: number;
  /** Extra delay on every listing page (documents and memory entries). */
  pageDelayMs?: number;
}

/** Who is calling: the whole org, or a scoped key that sees only `allowedTags`. */
interface Caller {
  key: string;
  allowedTags: readonly string[] | null;
}

interface ValidationIssue {
  path: (string | number)[];
  message: string;
}

interface ListQuery {
  page: number;
  limit: number;
  sort: 'createdAt' | 'updatedAt';
  order: 'asc' | 'desc';
}

interface Pagination {
  currentPage: number;
  limit?: number;
  totalItems: number;
  totalPages: number;
}

const defaultLimit = 10;
const maximumLimit = 1100;
const tagPattern = /^[a-zA-Z0-9_:-]{1,100}$/;
/** Keys only `GET /v3/documents/{id}` carries, never a list item. */
const getOnlyKeys = new Set(['content', 'raw', 'ogImage', 'source', 'taskType', 'spatialPoint', 'dreamingStatus', 'memories']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new HttpResponse(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function errorBody(status: number, error: string, details?: string): Response {
  return json(details === undefined ? { error } : { error, details }, status);
}

/** A zod-style validation failure: `error` is an ARRAY of issues, next to the request as `data` (§7). */
function validationFailure(data: unknown, issues: ValidationIssue[]): Response {
  return json({ data, error: issues }, 400);
}

/** What the server answers for a route it does not have (a Hono default: plain text). */
function routeMissing(): Response {
  return new HttpResponse('404 Not Found', { status: 404, headers: { 'content-type': 'text/plain; charset=UTF-8' } });
}

async function readJsonObject(request: Request): Promise<Record<string, unknown> | null> {
  const text = await request.text();
  if (text.trim() === '') return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function positiveInteger(value: unknown): number | null {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  if (typeof value === 'string' && /^\d+$/.test(value) && Number(value) >= 1) return Number(value);
  return null;
}

/** page, limit (numbers or digit strings), sort and order, with the spec's defaults and bounds. */
function readListQuery(body: Record<string, unknown>, issues: ValidationIssue[]): ListQuery {
  const page = body['page'] === undefined ? 1 : positiveInteger(body['page']);
  if (page === null) issues.push({ path: ['page'], message: 'Expected a positive integer' });
  const limit = body['limit'] === undefined ? defaultLimit : positiveInteger(body['limit']);
  if (limit === null || limit > maximumLimit) {
    issues.push({ path: ['limit'], message: `Expected an integer from 1 to ${maximumLimit}` });
  }
  const sort = body['sort'] ?? 'createdAt';
  if (sort !== 'createdAt' && sort !== 'updatedAt') {
    issues.push({ path: ['sort'], message: "Invalid enum value. Expected 'createdAt' | 'updatedAt'" });
  }
  const order = body['order'] ?? 'desc';
  if (order !== 'asc' && order !== 'desc') issues.push({ path: ['order'], message: "Invalid enum value. Expected 'asc' | 'desc'" });
  return {
    page: page ?? 1,
    limit: limit ?? defaultLimit,
    sort: sort === 'updatedAt' ? 'updatedAt' : 'createdAt',
    order: order === 'asc' ? 'asc' : 'desc',
  };
}

/** The `containerTags` of a body: absent → [], else every item must be a valid tag. */
function readTags(value: unknown, issues: ValidationIssue[]): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    issues.push({ path: ['containerTags'], message: 'Expected array' });
    return [];
  }
  value.forEach((tag: unknown, index) => {
    if (typeof tag !== 'string' || !tagPattern.test(tag)) {
      issues.push({
        path: ['containerTags', index],
        message: 'Container tag must be 1-100 characters of letters, digits, underscores, hyphens and colons',
      });
    }
  });
  return value.filter((tag: unknown): tag is string => typeof tag === 'string');
}

/** Sorted by the chosen time (parsed, so `Z`, `.000Z` and `+00:00` compare right), ties by id. */
function sorted<T extends { id: string; createdAt: string; updatedAt: string }>(items: T[], query: ListQuery): T[] {
  const direction = query.order === 'asc' ? 1 : -1;
  return items
    .map((item) => ({ item, time: Date.parse(item[query.sort]) }))
    .sort((a, b) => (a.time - b.time || (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0)) * direction)
    .map(({ item }) => item);
}

function paginate<T>(items: T[], query: ListQuery, omitLimit: boolean): { page: T[]; pagination: Pagination } {
  const start = (query.page - 1) * query.limit;
  const pagination: Pagination = omitLimit
    ? { currentPage: query.page, totalItems: items.length, totalPages: Math.ceil(items.length / query.limit) }
    : { currentPage: query.page, limit: query.limit, totalItems: items.length, totalPages: Math.ceil(items.length / query.limit) };
  return { page: items.slice(start, start + query.limit), pagination };
}

function listItem(document: SupermemoryWireDocument, includeContent: boolean): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) if (!getOnlyKeys.has(key)) item[key] = value;
  if (includeContent) item['content'] = document.content;
  return item;
}

function documentMemory(entry: SupermemoryWireMemoryEntry): SupermemoryWireDocumentMemory {
  return {
    id: entry.id,
    memory: entry.memory,
    createdAt: entry.createdAt,
    updatedAt: entry.updatedAt,
    isLatest: entry.isLatest,
    isForgotten: entry.isForgotten,
    isStatic: entry.isStatic,
    isInference: entry.isInference,
    version: entry.version,
    sourceCount: entry.sourceCount,
    metadata: entry.metadata,
    parentMemoryId: entry.parentMemoryId,
    rootMemoryId: entry.rootMemoryId,
  };
}

function pathParameter(value: string | readonly string[] | undefined): string {
  return typeof value === 'string' ? value : '';
}

export function supermemoryHandlers(account: SupermemoryAccount, options: SupermemoryFakeOptions = {}): RequestHandler[] {
  const counters = options.counters ?? createSupermemoryCounters();
  const recentRequests: number[] = [];
  let faultCount = 0;
  let faultTurn = 0;
  let inserted = false;

  function identify(request: Request): Caller | null {
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]?.trim();
    const key = bearer ?? request.headers.get('x-api-key')?.trim();
    if (!key) return null;
    if (key === account.apiKey) return { key, allowedTags: null };
    const scoped = account.scopedKeys?.[key];
    return scoped ? { key, allowedTags: scoped } : null;
  }

  /** The first of `tags` outside the caller's scope, if any. */
  function forbiddenTag(caller: Caller, tags: readonly string[]): string | undefined {
    return caller.allowedTags ? tags.find((tag) => !caller.allowedTags?.includes(tag)) : undefined;
  }

  function forbidden(tag: string): Response {
    return errorBody(403, `This API key does not have access to container tag "${tag}"`);
  }

  function visible(caller: Caller, document: SupermemoryWireDocument): boolean {
    return caller.allowedTags === null || (document.containerTags ?? []).some((tag) => caller.allowedTags?.includes(tag));
  }

  function fault(): Response | null {
    const faults = options.faults;
    if (!faults?.every || !faults.kinds?.length) return null;
    faultCount++;
    if (faultCount % faults.every !== 0) return null;
    const kind = faults.kinds[faultTurn++ % faults.kinds.length] as SupermemoryFaultKind;
    const seconds = faults.retryAfterSeconds ?? 0;
    const tooMany = (headers: Record<string, string>): Response =>
      json({ error: 'Too many requests', details: 'Rate limit exceeded, retry later' }, 429, headers);
    switch (kind) {
      case '429-retry-after':
        return tooMany({ 'retry-after': String(seconds) });
      case '429-http-date':
        return tooMany({ 'retry-after': new Date(Date.now() + seconds * 1000).toUTCString() });
      case '429-retry-after-ms':
        return tooMany({ 'retry-after-ms': String(faults.retryAfterMs ?? 100) });
      case '429-3600':
        return tooMany({ 'retry-after': '3600' });
      case '500':
        return errorBody(500, 'Internal server error');
      case '502-html':
        return new HttpResponse(
          '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n',
          { status: 502, headers: { 'content-type': 'text/html' } },
        );
      case 'reset':
        return HttpResponse.error();
    }
  }

  /** Auth, latency, rate limit, then (data routes only) faults and quota; answers what to send instead, if anything. */
  async function gate(request: Request, dataRoute: boolean): Promise<Response | Caller> {
    const caller = identify(request);
    if (!caller) return errorBody(401, 'Unauthorized', 'Invalid or missing API key');
    if (options.latencyMs) await delay(options.latencyMs);
    if (options.rateLimitPerSecond) {
      const now = Date.now();
      while (recentRequests.length > 0 && (recentRequests[0] as number) <= now - 1000) recentRequests.shift();
      if (recentRequests.length >= options.rateLimitPerSecond) {
        return json({ error: 'Too many requests', details: 'Rate limit exceeded' }, 429, { 'retry-after': '1' });
      }
      recentRequests.push(now);
    }
    if (!dataRoute) return caller;
    const injected = fault();
    if (injected) return injected;
    if (options.quotaExhausted) return errorBody(402, 'Payment required', 'Your plan’s usage quota is exhausted');
    return caller;
  }

  type Resolve = (request: Request, caller: Caller, params: Record<string, string | readonly string[] | undefined>) => Promise<Response> | Response;

  /** One route: counted, gated, answered; 429s are counted whoever sent them. */
  function route(method: 'get' | 'post', path: string, name: SupermemoryRoute, resolve: Resolve): RequestHandler {
    return http[method](path, async ({ request, params }) => {
      counters.requests++;
      counters.byRoute[name]++;
      const gated = await gate(request, name !== 'session');
      const response = gated instanceof Response ? gated : await resolve(request, gated, params);
      if (response.status === 429) counters.rateLimited++;
      return response;
    });
  }

  const tagsVisibleTo = (caller: Caller) =>
    account.containerTags.filter((tag) => caller.allowedTags === null || caller.allowedTags.includes(tag.containerTag));

  const badBody = (): Response => errorBody(400, 'Invalid request body', 'Expected a JSON object');

  return [
    route('get', '*/v3/session', 'session', (_request, caller) =>
      json({
        user: { id: 'uSeR0wner1Tricky2Test3', email: 'owner@example.com', name: 'Test Owner' },
        org: { id: account.orgId, name: 'Test Org', slug: 'test-org' },
        role: 'owner',
        accessType: caller.allowedTags ? 'scoped' : 'full',
        containerTags: caller.allowedTags ? caller.allowedTags.map((containerTag) => ({ containerTag, permission: 'read' })) : null,
        ...(caller.allowedTags
          ? {
              scope: {
                type: 'scoped',
                permission: 'read',
                tag: caller.allowedTags[0] ?? null,
                tags: caller.allowedTags,
                rateLimit: null,
                expires: null,
              },
            }
          : {}),
      }),
    ),

    route('get', '*/v3/container-tags/list', 'container-tags', (_request, caller) => {
      if (options.noContainerTagList) return routeMissing();
      return json(tagsVisibleTo(caller).map((tag) => ({ ...tag, ...tagCounts(account, tag.containerTag) })));
    }),

    route('get', '*/v3/container-tags/:tag', 'container-tag', (_request, caller, params) => {
      if (options.noContainerTagList) return routeMissing();
      const containerTag = pathParameter(params['tag']);
      const outside = forbiddenTag(caller, [containerTag]);
      if (outside) return forbidden(outside);
      const tag = account.containerTags.find((candidate) => candidate.containerTag === containerTag);
      if (!tag) return errorBody(404, 'Container tag not found');
      return json({
        containerTag,
        entityContext: account.entityContexts?.[containerTag] ?? null,
        memoryFilesystemPaths: null,
        createdAt: tag.createdAt,
        updatedAt: tag.updatedAt,
      });
    }),

    route('post', '*/v3/documents/list', 'documents/list', async (request, caller) => {
      const body = await readJsonObject(request);
      if (!body) return badBody();
      const issues: ValidationIssue[] = [];
      const query = readListQuery(body, issues);
      const tags = readTags(body['containerTags'], issues);
      const includeContent = body['includeContent'] === true || body['includeContent'] === 'true';
      const filepath = typeof body['filepath'] === 'string' ? body['filepath'] : null;
      if (issues.length > 0) return validationFailure(body, issues);
      const outside = forbiddenTag(caller, tags);
      if (outside) return forbidden(outside);
      if (options.pageDelayMs) await delay(options.pageDelayMs);

      const selected = account.documents.filter(
        (document) =>
          visible(caller, document) &&
          tags.every((tag) => document.containerTags?.includes(tag) ?? false) &&
          (filepath === null ||
            (filepath.endsWith('/') ? (document.filepath ?? '').startsWith(filepath) : document.filepath === filepath)),
      );
      const { page, pagination } = paginate(sorted(selected, query), query, options.omitPaginationLimit ?? false);
      const response = json({ memories: page.map((document) => listItem(document, includeContent)), pagination });

      const drift = options.insertDuringListing;
      if (drift && !inserted && query.page === drift.afterPage) {
        inserted = true;
        const now = new Date().toISOString();
        account.documents.push({ ...drift.document, createdAt: now, updatedAt: now });
      }
      return response;
    }),

    route('get', '*/v3/documents/processing', 'documents/processing', (_request, caller) => {
      const processing = account.documents.filter(
        (document) => visible(caller, document) && document.status !== 'done' && document.status !== 'failed',
      );
      return json({
        documents: processing.map(({ id, customId, title, type, status, createdAt, updatedAt, metadata, containerTags }) => ({
          id,
          customId,
          title,
          type,
          status,
          createdAt,
          updatedAt,
          metadata,
          ...(containerTags ? { containerTags } : {}),
        })),
        totalCount: processing.length,
      });
    }),

    route('get', '*/v3/documents/:id/chunks', 'chunks', (_request, caller, params) => {
      const id = pathParameter(params['id']);
      const document = account.documents.find((candidate) => candidate.id === id);
      if (!document || !visible(caller, document) || options.deletedAfterListing?.includes(id)) {
        return errorBody(404, 'Document not found');
      }
      const chunks = [...(account.chunks[id] ?? [])].sort((a, b) => a.position - b.position);
      return json({ documentId: id, chunks, total: chunks.length });
    }),

    route('get', '*/v3/documents/:id', 'documents/get', (_request, caller, params) => {
      const id = pathParameter(params['id']);
      const document = account.documents.find((candidate) => candidate.id === id);
      if (!document || !visible(caller, document) || options.deletedAfterListing?.includes(id)) {
        return errorBody(404, 'Document not found');
      }
      const memories = account.memoryEntries
        .filter((entry) => entry.documentIds.includes(id))
        .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))
        .map(documentMemory);
      return json({
        raw: null,
        ogImage: null,
        source: null,
        taskType: 'memory',
        spatialPoint: null,
        ...document,
        ...(memories.length > 0 ? { memories } : {}),
      });
    }),

    route('post', '*/v4/memories/list', 'memories/list', async (request, caller) => {
      if (options.noMemoriesList) return routeMissing();
      const body = await readJsonObject(request);
      if (!body) return badBody();
      const given = body['containerTags'];
      if (!Array.isArray(given) || given.length === 0) return errorBody(400, 'containerTags are required');
      const issues: ValidationIssue[] = [];
      const tags = readTags(given, issues);
      const query = readListQuery(body, issues);
      if (issues.length > 0) return validationFailure(body, issues);
      const outside = forbiddenTag(caller, tags);
      if (outside) return forbidden(outside);
      if (options.pageDelayMs) await delay(options.pageDelayMs);

      const spaceIds = new Set(account.containerTags.filter((tag) => tags.includes(tag.containerTag)).map((tag) => tag.id));
      // Forgotten entries are listed (flagged `isForgotten`): whether the real server does is unknown, so the
      // importer must cope. Superseded versions appear only inside their successor's `history`.
      const latest = account.memoryEntries.filter((entry) => spaceIds.has(entry.spaceId) && entry.isLatest);
      const { page, pagination } = paginate(sorted(latest, query), query, options.omitPaginationLimit ?? false);
      return json({ memoryEntries: page, pagination });
    }),

    route('post', '*/v4/profile', 'profile', async (request, caller) => {
      const body = await readJsonObject(request);
      if (!body) return badBody();
      const containerTag = body['containerTag'];
      if (typeof containerTag !== 'string' || !tagPattern.test(containerTag)) {
        return validationFailure(body, [{ path: ['containerTag'], message: 'Required: a valid container tag' }]);
      }
      const outside = forbiddenTag(caller, [containerTag]);
      if (outside) return forbidden(outside);
      const profile = account.profiles[containerTag];
      return json({
        profile: {
          static: profile?.static ?? [],
          dynamic: profile?.dynamic ?? [],
          ...(profile?.buckets ? { buckets: profile.buckets } : {}),
        },
      });
    }),
  ];
}
