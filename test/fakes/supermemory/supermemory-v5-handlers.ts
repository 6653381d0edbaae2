// The fake Supermemory API v5 (namespaces) as msw handlers over the SAME in-memory account as the v3/v4 fake
// (supermemory-handlers.ts), projected by supermemory-v5-wire.ts: one account can be served over both generations
// at once, imported through each, and compared. The wire is /work/shared/sources/supermemory-v5.md (§2–§8, the
// tricky cases of §10); the read operations' schemas are fixtures/supermemory/v5-openapi-reads.json, against which
// the contract test (supermemory-v5-handlers.test.ts) checks every answer.
//
// v5 routes are unversioned and live at the root: `/v5/ns/...` (or any other prefix) answers 404 JSON. The last
// handler answers every unmatched request with 404 JSON (as the cloud does since 2026-08-23), so put these
// handlers after any others.
//
// Choices where the note leaves the real behaviour open ([?]), each made visible so a test can rely on it:
// - document metadata drops keys starting with `sm_internal` (internalMetadataKeyPrefix); non-objects read as {};
// - a scoped key sees only its own namespaces in `/namespaces` and `/organization` (a filtered list, not 403;
//   `scopedKeyNamespaceList: 'forbidden'` gives 403 instead) and gets 403 under any other namespace;
// - profile item ids: the id of a latest, unforgotten memory of the namespace with the same text (trimmed,
//   case-insensitive), else `aggregated_<fnv1a hash>`, which 404s on `GET memories/{id}`;
// - `GET document?include=memories` lists every version linked to the document (superseded and forgotten ones
//   too, flagged), oldest first; `related` lists leave forgotten memories out;
// - list and profile routes under a namespace that never existed answer empty 200s (the spec declares no 404
//   there); under a namespace in `namespacesGoneAfterListing` every route answers 404 `Namespace not found`;
// - a cursor is bound to its namespace, type, sort, order, limit and body: any change answers 400; with both
//   `page` and `cursor` the cursor wins.
import { delay, http, HttpResponse, type RequestHandler } from 'msw';
import type { SupermemoryAccount, SupermemoryWireDocument } from './supermemory-account.js';
import type { SupermemoryFaultKind, SupermemoryFaults } from './supermemory-handlers.js';
import {
  chunksByPosition,
  documentsIn,
  findDocument,
  findTag,
  fnv1a,
  memoryRecordsIn,
  namespaceCounts,
  objectMetadata,
  publicDocumentId,
  utc,
  v5Chunk,
  v5Document,
  v5DocumentListItem,
  v5IncludedDocument,
  v5Memory,
  v5Namespace,
  type MemoryRecord,
  type SupermemoryV5Projection,
} from './supermemory-v5-wire.js';
import {
  cursorPage,
  decodeCursor,
  filterIssues,
  filterMatches,
  offsetPage,
  sameBinding,
  sortRows,
  type CursorMode,
  type CursorState,
  type ListBinding,
  type ListRow,
  type V5ListSort,
  type V5ListType,
} from './supermemory-v5-lists.js';

export { v5RequestProblems } from './supermemory-v5-spec.js';
export { internalMetadataKeyPrefix } from './supermemory-v5-wire.js';

/** The legacy fault kinds, plus a 400 whose `error` is an array (a ValidationErrorResponse, §8). */
export type SupermemoryV5FaultKind = SupermemoryFaultKind | '400-validation';

export interface SupermemoryV5Faults extends Omit<SupermemoryFaults, 'kinds'> {
  kinds?: SupermemoryV5FaultKind[];
}

export type SupermemoryV5Route =
  | 'namespaces'
  | 'namespace'
  | 'organization'
  | 'list/documents'
  | 'list/chunks'
  | 'list/memories'
  | 'document'
  | 'memory'
  | 'profile'
  | 'profile/buckets'
  | 'unknown';

export interface SupermemoryV5FakeCounters {
  /** Every request a v5 handler received, refused ones and unknown routes included. */
  requests: number;
  /** 429 answers sent, by the rate limit or by faults. */
  rateLimited: number;
  byRoute: Record<SupermemoryV5Route, number>;
}

export function createSupermemoryV5Counters(): SupermemoryV5FakeCounters {
  return {
    requests: 0,
    rateLimited: 0,
    byRoute: {
      namespaces: 0,
      namespace: 0,
      organization: 0,
      'list/documents': 0,
      'list/chunks': 0,
      'list/memories': 0,
      document: 0,
      memory: 0,
      profile: 0,
      'profile/buckets': 0,
      unknown: 0,
    },
  };
}

export interface SupermemoryV5FakeOptions {
  /** Filled in as requests arrive; pass one to read it (`startSupermemoryFake` does). */
  counters?: SupermemoryV5FakeCounters;
  /** 'every' (default, variant A): a multi-tag document is in each tag's namespace. 'first' (variant B): only its first. */
  multiTagDocuments?: 'every' | 'first';
  /** 'caller' (default): a v5 document `id` is the legacy `customId ?? id`. 'internal': always the legacy `id`. */
  documentIds?: 'caller' | 'internal';
  /** Memory lists also carry superseded versions (`isLatest: false`), history-only ones included. Default false. */
  listSuperseded?: boolean;
  /** false = a server from before OAS-b: a list body with `include` answers 400. Default true. */
  forgottenOption?: boolean;
  /** 'bare-array' = the pre-release `/ns` answer: every namespace in a bare array, no paging. Default 'envelope'. */
  namespaceListShape?: 'envelope' | 'bare-array';
  /**
   * 'on' (default): `pagination.nextCursor` on every list page, `null` on the last. 'absent-on-last': the key is left
   * out on the last page. 'off': a server from before 2026-11-02, no `nextCursor`, a `cursor` parameter answers 400.
   */
  cursors?: CursorMode;
  /** A cursor older than this answers 400 (expired). Default: cursors never expire. */
  cursorLifetimeMs?: number;
  /** Leave `limit` out of every `pagination` (the spec makes it optional). */
  omitPaginationLimit?: boolean;
  /** Pre-release variant: memory and chunk `metadata` is `null` where the account has none (instead of `{}`). */
  nullMetadata?: boolean;
  /**
   * A scoped key (account.scopedKeys) gets 403 on every namespace outside its tags. On the namespace list and
   * `/organization` it sees only its own namespaces ('filtered', default) or gets 403 ('forbidden', §9.4's fallback).
   */
  scopedKeyNamespaceList?: 'filtered' | 'forbidden';
  /** Document ids (internal or caller) and memory ids still listed but deleted before they are read: GET answers 404. */
  deletedAfterListing?: string[];
  /** Namespaces still listed but deleted or moved away (`DELETE /ns?moveTo=`): every route under them answers 404. */
  namespacesGoneAfterListing?: string[];
  /**
   * Once page `afterPage` of a documents listing has been served (by page or by cursor), add `document` to the
   * account with createdAt and updatedAt set to now: page mode drifts (under `order=desc`), cursor mode does not.
   */
  insertDuringListing?: { afterPage: number; document: SupermemoryWireDocument };
  /** Requests per second (sliding window) before answering 429 with `Retry-After: 1`. */
  rateLimitPerSecond?: number;
  faults?: SupermemoryV5Faults;
  /** Every request answers 402, as when the plan's quota or credits are used up. */
  quotaExhausted?: boolean;
  /** Latency added to every answer. */
  latencyMs?: number;
  /** Extra delay on every list page. */
  pageDelayMs?: number;
}

type PathParameters = Record<string, string | readonly string[] | undefined>;

interface Caller {
  /** null: the org key, every namespace. */
  allowedNamespaces: readonly string[] | null;
}

interface ValidationIssue {
  message: string;
  path: (string | number)[];
}

const namespacePattern = /^[a-zA-Z0-9_:-]{1,100}$/;
const maximumLimit = 100;
const defaultLimit = 10;
const queryPagingKeys = new Set(['page', 'limit', 'sort', 'order', 'cursor']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new HttpResponse(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function errorBody(status: number, error: string, details?: string): Response {
  return json(details === undefined ? { error } : { error, details }, status);
}

/** The spec's ValidationErrorResponse: `error` is an ARRAY of issues, the input echoed as `data` (§8). */
function validationFailure(data: unknown, issues: ValidationIssue[]): Response {
  return json({ success: false, error: issues, data }, 400);
}

/** Whether `pathname` starts at the origin's root with `firstSegment` (`/ns`), not behind a prefix (`/v5/ns`). */
function atRoot(pathname: string, firstSegment: string): boolean {
  return pathname === firstSegment || pathname.startsWith(`${firstSegment}/`);
}

/** What the cloud answers for a route it does not have, since 2026-08-23: JSON. */
export function unknownRoute(): Response {
  return errorBody(404, 'Not Found');
}

function parameter(value: string | readonly string[] | undefined): string {
  return typeof value === 'string' ? value : '';
}

/** A request body as an object: absent or blank → {}, anything but a JSON object → null. */
async function readOptionalObject(request: Request): Promise<Record<string, unknown> | null> {
  const text = await request.text();
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function notJsonObject(): Response {
  return errorBody(400, 'Bad Request', 'The request body must be a JSON object');
}

/** A digit string from 1 to `maximum`, or null. */
function boundedInteger(value: string, maximum: number): number | null {
  if (!/^\d+$/.test(value)) return null;
  const number = Number(value);
  return number >= 1 && number <= maximum ? number : null;
}

/** Comma-separated (`include=a,b`), repeated (`include=a&include=b`) and legacy `attach=` values, together. */
function includeValues(query: URLSearchParams): string[] {
  return [...query.getAll('include'), ...query.getAll('attach')]
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

/** Body keys the route does not take: misplaced paging (query only), legacy `containerTags`, anything unknown. */
function unknownBodyKeyIssues(body: Record<string, unknown>, allowed: readonly string[]): ValidationIssue[] {
  return Object.keys(body)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({
      path: [key],
      message: queryPagingKeys.has(key)
        ? `'${key}' belongs in the query string, not the body`
        : key === 'containerTags' || key === 'containerTag'
          ? `'${key}' is not accepted: the namespace is the path`
          : `Unrecognized key: '${key}'`,
    }));
}

/** The counter of a list request: one per type, so a bench can count pages per document. */
function listRouteName(params: PathParameters): SupermemoryV5Route {
  const type = parameter(params['type']);
  return type === 'chunks' ? 'list/chunks' : type === 'memories' ? 'list/memories' : 'list/documents';
}

interface ListRequest {
  binding: ListBinding;
  page: number;
  cursor: CursorState | null;
  includeForgotten: boolean;
  filter: unknown;
}

export function supermemoryV5Handlers(account: SupermemoryAccount, options: SupermemoryV5FakeOptions = {}): RequestHandler[] {
  const counters = options.counters ?? createSupermemoryV5Counters();
  const projection: SupermemoryV5Projection = {
    multiTagDocuments: options.multiTagDocuments ?? 'every',
    documentIds: options.documentIds ?? 'caller',
    nullMetadata: options.nullMetadata ?? false,
  };
  const cursors: CursorMode = options.cursors ?? 'on';
  const recentRequests: number[] = [];
  let faultCount = 0;
  let faultTurn = 0;
  let inserted = false;

  // --- Who is calling, and may they? ----------------------------------------------------------------------------

  function identify(request: Request): Caller | null {
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]?.trim();
    const key = bearer ?? request.headers.get('x-api-key')?.trim();
    if (!key) return null;
    if (key === account.apiKey) return { allowedNamespaces: null };
    const scoped = account.scopedKeys?.[key];
    return scoped ? { allowedNamespaces: scoped } : null;
  }

  const mayRead = (caller: Caller, namespace: string): boolean =>
    caller.allowedNamespaces === null || caller.allowedNamespaces.includes(namespace);

  const visibleTags = (caller: Caller) => account.containerTags.filter((tag) => mayRead(caller, tag.containerTag));

  function forbidden(what: string): Response {
    return errorBody(403, 'Forbidden', `This API key cannot access ${what}`);
  }

  /** The namespace path parameter: 400 if malformed, 403 outside a scoped key, 404 if deleted or moved away. */
  function namespaceRefusal(caller: Caller, namespace: string): Response | null {
    if (!namespacePattern.test(namespace)) {
      return validationFailure({ namespace }, [
        { path: ['namespace'], message: 'Namespace must be 1-100 characters of letters, digits, underscores, hyphens and colons' },
      ]);
    }
    if (!mayRead(caller, namespace)) return forbidden(`namespace "${namespace}"`);
    if (options.namespacesGoneAfterListing?.includes(namespace)) return errorBody(404, 'Namespace not found');
    return null;
  }

  // --- Faults, limits, quota (as the legacy fake) ----------------------------------------------------------------

  function tooMany(headers: Record<string, string>): Response {
    return json({ error: 'Too Many Requests', details: 'Rate limit exceeded. Please try again later.' }, 429, headers);
  }

  function fault(): Response | null {
    const faults = options.faults;
    if (!faults?.every || !faults.kinds?.length) return null;
    faultCount++;
    if (faultCount % faults.every !== 0) return null;
    const kind = faults.kinds[faultTurn++ % faults.kinds.length] as SupermemoryV5FaultKind;
    const seconds = faults.retryAfterSeconds ?? 0;
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
        return errorBody(500, 'Internal Server Error', 'An unexpected error occurred');
      case '502-html':
        return new HttpResponse(
          '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n',
          { status: 502, headers: { 'content-type': 'text/html' } },
        );
      case 'reset':
        return HttpResponse.error();
      case '400-validation':
        return validationFailure({}, [{ path: [], message: 'Injected validation failure' }]);
    }
  }

  function rateLimited(): boolean {
    if (!options.rateLimitPerSecond) return false;
    const now = Date.now();
    while (recentRequests.length > 0 && (recentRequests[0] as number) <= now - 1000) recentRequests.shift();
    if (recentRequests.length >= options.rateLimitPerSecond) return true;
    recentRequests.push(now);
    return false;
  }

  /** Auth, latency, rate limit, faults, quota: what to answer instead of the route, if anything. */
  async function gate(request: Request): Promise<Response | Caller> {
    const caller = identify(request);
    if (!caller) return errorBody(401, 'Unauthorized', 'Invalid or missing API key');
    if (options.latencyMs) await delay(options.latencyMs);
    if (rateLimited()) return tooMany({ 'retry-after': '1' });
    const injected = fault();
    if (injected) return injected;
    if (options.quotaExhausted) return errorBody(402, 'Payment Required', 'Your plan’s usage quota is exhausted');
    return caller;
  }

  type Resolve = (request: Request, caller: Caller, params: PathParameters, query: URLSearchParams) => Promise<Response> | Response;

  /**
   * One route at the root of the origin (`*` only so msw matches any origin; behind a path prefix such as `/v5` it
   * falls through to the catch-all's 404 JSON, as the real server answers). Counted, gated, answered; 429s counted
   * whoever sent them.
   */
  function route(
    method: 'get' | 'post',
    path: string,
    name: SupermemoryV5Route | ((params: PathParameters) => SupermemoryV5Route),
    resolve: Resolve,
  ): RequestHandler {
    const wholePath = new RegExp(`^${path.replace(/:[a-zA-Z]+/g, '[^/]+')}$`);
    return http[method](`*${path}`, async ({ request, params }) => {
      const url = new URL(request.url);
      // msw's `*` also matches a prefix (`/v5/ns/x`) or a route's own tail (`/ns/ns` matches `*/ns`): fall through,
      // so the right route or the catch-all's 404 answers.
      if (!wholePath.test(url.pathname)) return undefined;
      counters.requests++;
      counters.byRoute[typeof name === 'function' ? name(params) : name]++;
      const gated = await gate(request);
      const response = gated instanceof Response ? gated : await resolve(request, gated, params, url.searchParams);
      if (response.status === 429) counters.rateLimited++;
      return response;
    });
  }

  // --- Namespaces and organization -------------------------------------------------------------------------------

  function namespaceList(caller: Caller, query: URLSearchParams): Response {
    if (caller.allowedNamespaces !== null && options.scopedKeyNamespaceList === 'forbidden') return forbidden('the namespace list');
    const newestFirst = [...visibleTags(caller)].sort(
      (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    const counts = namespaceCounts(account, projection);
    const namespaces = newestFirst.map((tag) => v5Namespace(tag, counts.get(tag.containerTag)));
    if (options.namespaceListShape === 'bare-array') return json(namespaces);

    const issues: ValidationIssue[] = [];
    const page = query.has('page') ? boundedInteger(query.get('page') ?? '', Number.MAX_SAFE_INTEGER) : 1;
    const limit = query.has('limit') ? boundedInteger(query.get('limit') ?? '', maximumLimit) : defaultLimit;
    if (page === null) issues.push({ path: ['page'], message: 'Expected an integer of at least 1' });
    if (limit === null) issues.push({ path: ['limit'], message: `Expected an integer from 1 to ${maximumLimit}` });
    if (page === null || limit === null) return validationFailure(Object.fromEntries(query), issues);

    const pagination: Record<string, number> = { currentPage: page };
    if (!options.omitPaginationLimit) pagination['limit'] = limit;
    pagination['totalItems'] = namespaces.length;
    pagination['totalPages'] = Math.ceil(namespaces.length / limit);
    return json({ namespaces: namespaces.slice((page - 1) * limit, page * limit), pagination });
  }

  function organization(caller: Caller): Response {
    if (caller.allowedNamespaces !== null && options.scopedKeyNamespaceList === 'forbidden') return forbidden('the organization');
    return json({ organizationalContext: null, namespaceCount: visibleTags(caller).length });
  }

  function namespaceDetail(caller: Caller, namespace: string): Response {
    const refusal = namespaceRefusal(caller, namespace);
    if (refusal) return refusal;
    const tag = findTag(account, namespace);
    if (!tag) return errorBody(404, 'Namespace not found');
    const system = { createdAt: utc(tag.createdAt), updatedAt: utc(tag.updatedAt) };
    return json({ namespace, supportingContext: account.entityContexts?.[namespace] ?? null, system });
  }

  // --- Lists -----------------------------------------------------------------------------------------------------

  interface ListQuery {
    page: number;
    limit: number;
    sort: V5ListSort;
    order: 'asc' | 'desc';
  }

  /** page, limit (digit strings), sort, order from the query string, with the spec's defaults and bounds. */
  function readListQuery(type: V5ListType, query: URLSearchParams, issues: ValidationIssue[]): ListQuery {
    const page = query.has('page') ? boundedInteger(query.get('page') ?? '', Number.MAX_SAFE_INTEGER) : 1;
    if (page === null) issues.push({ path: ['page'], message: 'Expected an integer of at least 1' });
    const limit = query.has('limit') ? boundedInteger(query.get('limit') ?? '', maximumLimit) : defaultLimit;
    if (limit === null) issues.push({ path: ['limit'], message: `Expected an integer from 1 to ${maximumLimit}` });
    const sort = query.get('sort') ?? 'createdAt';
    if (sort !== 'createdAt' && sort !== 'updatedAt' && sort !== 'position') {
      issues.push({ path: ['sort'], message: "Invalid enum value. Expected 'createdAt' | 'updatedAt' | 'position'" });
    } else if (sort === 'position' && type !== 'chunks') {
      issues.push({ path: ['sort'], message: "'position' sorts chunks only" });
    }
    const order = query.get('order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') issues.push({ path: ['order'], message: "Invalid enum value. Expected 'asc' | 'desc'" });
    // A server from before 2026-11-02 validates its query strictly, so it refuses the parameter it does not know.
    if (cursors === 'off' && query.has('cursor')) issues.push({ path: ['cursor'], message: "Unrecognized query parameter: 'cursor'" });
    return {
      page: page ?? 1,
      limit: limit ?? defaultLimit,
      sort: sort === 'updatedAt' || sort === 'position' ? sort : 'createdAt',
      order: order === 'asc' ? 'asc' : 'desc',
    };
  }

  /** The body's `filter` and `include` (the latter only on servers with `forgottenOption`); nothing else. */
  function listBodyIssues(body: Record<string, unknown>): ValidationIssue[] {
    const issues = unknownBodyKeyIssues(body, options.forgottenOption === false ? ['filter'] : ['filter', 'include']);
    const include = body['include'];
    if (include !== undefined && !isRecord(include)) issues.push({ path: ['include'], message: 'Expected an object' });
    if (isRecord(include)) {
      for (const key of Object.keys(include)) if (key !== 'forgotten') issues.push({ path: ['include', key], message: `Unrecognized key: '${key}'` });
      if (include['forgotten'] !== undefined && typeof include['forgotten'] !== 'boolean') {
        issues.push({ path: ['include', 'forgotten'], message: 'Expected a boolean' });
      }
    }
    if (body['filter'] !== undefined) issues.push(...filterIssues(body['filter'], ['filter']));
    return issues;
  }

  /** The cursor to continue from: 400 if this fake did not issue it, it belongs to another listing, or it expired. */
  function resumeCursor(token: string, binding: ListBinding): CursorState | Response {
    const cursor = decodeCursor(token);
    if (!cursor || !sameBinding(cursor, binding)) return validationFailure({ cursor: token }, [{ path: ['cursor'], message: 'Invalid cursor' }]);
    if (options.cursorLifetimeMs !== undefined && Date.now() - cursor.issuedAt > options.cursorLifetimeMs) {
      return validationFailure({ cursor: token }, [{ path: ['cursor'], message: 'Cursor expired' }]);
    }
    return cursor;
  }

  /** Query (page, limit, sort, order, cursor) and body (filter, include) of a list request, or the 400 to send. */
  function readListRequest(type: V5ListType, namespace: string, query: URLSearchParams, body: Record<string, unknown>): ListRequest | Response {
    const issues: ValidationIssue[] = [];
    const { page, limit, sort, order } = readListQuery(type, query, issues);
    issues.push(...listBodyIssues(body));
    if (issues.length > 0) return validationFailure(body, issues);

    const include = body['include'];
    const includeForgotten = isRecord(include) && include['forgotten'] === true;
    const bodyDigest = fnv1a(JSON.stringify({ filter: body['filter'] ?? null, includeForgotten }));
    const binding: ListBinding = { type, namespace, sort, order, limit, bodyDigest };
    const token = query.get('cursor');
    const cursor = token === null ? null : resumeCursor(token, binding);
    if (cursor instanceof Response) return cursor;
    return { binding, page, cursor, includeForgotten, filter: body['filter'] };
  }

  const timeOf = (time: string): number => Date.parse(time);

  function documentRows(namespace: string, list: ListRequest): ListRow[] {
    const sort = list.binding.sort === 'updatedAt' ? 'updatedAt' : 'createdAt';
    return documentsIn(account, namespace, projection)
      .filter((document) => filterMatches(list.filter, objectMetadata(document.metadata)))
      .map((document) => {
        const item = v5DocumentListItem(document, projection);
        return { key: [timeOf(document[sort]), item.id, document.id], item };
      });
  }

  /**
   * Chunks of every document in the namespace, each with its `documentId`. Under a time sort the ties (a document's
   * chunks share their createdAt) break by a hash of the chunk id, so rows come out of position order unless
   * `sort=position` (which orders by document, then position).
   */
  function chunkRows(namespace: string, list: ListRequest): ListRow[] {
    return documentsIn(account, namespace, projection).flatMap((document) => {
      const documentId = publicDocumentId(document, projection);
      return (account.chunks[document.id] ?? [])
        .filter((chunk) => filterMatches(list.filter, chunk.metadata ?? {}))
        .map((chunk) => ({
          key: list.binding.sort === 'position' ? [documentId, chunk.position, chunk.id] : [timeOf(chunk.createdAt), fnv1a(chunk.id), chunk.id],
          item: { ...v5Chunk(chunk, projection), documentId },
        }));
    });
  }

  /** Latest, unforgotten memories by default; superseded versions with `listSuperseded`; forgotten ones on request. */
  function memoryRows(namespace: string, list: ListRequest): ListRow[] {
    const sort = list.binding.sort === 'updatedAt' ? 'updatedAt' : 'createdAt';
    return memoryRecordsIn(account, namespace)
      .filter((record) => (record.isLatest || options.listSuperseded === true) && (!record.isForgotten || list.includeForgotten))
      .filter((record) => filterMatches(list.filter, record.metadata ?? {}))
      .map((record) => ({ key: [timeOf(record[sort]), record.id], item: v5Memory(record, projection) }));
  }

  function insertAfterServing(type: V5ListType, servedPage: number): void {
    const drift = options.insertDuringListing;
    if (!drift || inserted || type !== 'documents' || servedPage !== drift.afterPage) return;
    inserted = true;
    const now = new Date().toISOString();
    account.documents.push({ ...drift.document, createdAt: now, updatedAt: now });
  }

  async function list(request: Request, caller: Caller, params: PathParameters, query: URLSearchParams): Promise<Response> {
    const namespace = parameter(params['namespace']);
    const type = parameter(params['type']);
    const refusal = namespaceRefusal(caller, namespace);
    if (refusal) return refusal;
    if (type !== 'documents' && type !== 'chunks' && type !== 'memories') {
      return validationFailure({ type }, [{ path: ['type'], message: "Invalid enum value. Expected 'documents' | 'chunks' | 'memories'" }]);
    }
    const body = await readOptionalObject(request);
    if (!body) return notJsonObject();
    const listRequest = readListRequest(type, namespace, query, body);
    if (listRequest instanceof Response) return listRequest;
    if (options.pageDelayMs) await delay(options.pageDelayMs);

    const rows = type === 'documents' ? documentRows(namespace, listRequest) : type === 'chunks' ? chunkRows(namespace, listRequest) : memoryRows(namespace, listRequest);
    const sorted = sortRows(rows, listRequest.binding.order);
    const pageOptions = { binding: listRequest.binding, cursors, omitLimit: options.omitPaginationLimit ?? false, now: Date.now() };
    const served = listRequest.cursor ? cursorPage(sorted, listRequest.cursor, pageOptions) : offsetPage(sorted, listRequest.page, pageOptions);
    const response = json({
      documents: type === 'documents' ? served.items : [],
      chunks: type === 'chunks' ? served.items : [],
      memories: type === 'memories' ? served.items : [],
      pagination: served.pagination,
    });
    insertAfterServing(type, served.pagination.currentPage);
    return response;
  }

  // --- One document, one memory ----------------------------------------------------------------------------------

  const isDeleted = (...ids: (string | null)[]): boolean =>
    ids.some((id) => id !== null && (options.deletedAfterListing?.includes(id) ?? false));

  /** Every version linked to the document in this namespace, forgotten ones flagged (whether v5 filters them is [?]). */
  function documentMemories(namespace: string, document: SupermemoryWireDocument): MemoryRecord[] {
    return memoryRecordsIn(account, namespace)
      .filter((record) => record.documentIds.includes(document.id))
      .sort((a, b) => timeOf(a.createdAt) - timeOf(b.createdAt) || (a.id < b.id ? -1 : 1));
  }

  function documentDetail(caller: Caller, params: PathParameters, query: URLSearchParams): Response {
    const namespace = parameter(params['namespace']);
    const refusal = namespaceRefusal(caller, namespace);
    if (refusal) return refusal;
    const includes = includeValues(query);
    const unknownIncludes = includes.filter((value) => value !== 'chunks' && value !== 'memories');
    if (unknownIncludes.length > 0) {
      return validationFailure({ include: includes }, [{ path: ['include'], message: "Invalid enum value. Expected 'chunks' | 'memories'" }]);
    }
    const document = findDocument(account, namespace, parameter(params['id']), projection);
    if (!document || isDeleted(document.id, document.customId)) return errorBody(404, 'Document not found');

    const body = v5Document(document, projection);
    if (includes.includes('chunks')) body['chunks'] = chunksByPosition(account, document).map((chunk) => v5Chunk(chunk, projection));
    if (includes.includes('memories')) body['memories'] = documentMemories(namespace, document).map((record) => v5Memory(record, projection));
    return json(body);
  }

  /** The most recently updated existing source document of a memory (§5.2), if any is left. */
  function latestSourceDocument(record: MemoryRecord): SupermemoryWireDocument | undefined {
    return account.documents
      .filter((document) => record.documentIds.includes(document.id))
      .sort((a, b) => timeOf(b.updatedAt) - timeOf(a.updatedAt))[0];
  }

  function relatedEntry(record: MemoryRecord, relation: string, withDocument: boolean): Record<string, unknown> {
    const entry: Record<string, unknown> = {
      id: record.id,
      relation,
      version: record.version,
      memory: record.memory,
      metadata: objectMetadata(record.metadata),
      system: { updatedAt: new Date(timeOf(record.updatedAt)).toISOString() },
    };
    const document = withDocument ? latestSourceDocument(record) : undefined;
    if (document) entry['document'] = v5IncludedDocument(document, projection);
    return entry;
  }

  /**
   * parents: earlier versions, nearest first; children: later versions; at most three steps each way (REF).
   * siblings: `extends`/`derives` links either way. Forgotten memories are left out of all three (§5.2).
   */
  function related(records: MemoryRecord[], memory: MemoryRecord, limit: number, withDocument: boolean): Record<string, unknown> {
    const byId = new Map(records.map((record) => [record.id, record]));
    const live = (record: MemoryRecord | undefined): record is MemoryRecord => record !== undefined && !record.isForgotten;
    const parents: MemoryRecord[] = [];
    for (let step = byId.get(memory.parentMemoryId ?? ''); step && parents.length < 3; step = byId.get(step.parentMemoryId ?? '')) {
      parents.push(step);
    }
    const children: MemoryRecord[] = [];
    const childOf = (parent: MemoryRecord) => records.find((record) => record.parentMemoryId === parent.id);
    for (let step = childOf(memory); step && children.length < 3; step = childOf(step)) children.push(step);
    const siblingRelations = new Map<string, string>();
    for (const [id, relation] of Object.entries(memory.relations)) if (relation !== 'updates') siblingRelations.set(id, relation);
    for (const record of records) {
      const relation = record.relations[memory.id];
      if (relation && relation !== 'updates') siblingRelations.set(record.id, relation);
    }
    const siblings = [...siblingRelations].map(([id, relation]) => ({ record: byId.get(id), relation }));
    const entries = (list: MemoryRecord[]) => list.filter(live).slice(0, limit).map((record) => relatedEntry(record, 'updates', withDocument));
    return {
      parents: entries(parents),
      children: entries(children),
      siblings: siblings
        .filter((sibling): sibling is { record: MemoryRecord; relation: string } => live(sibling.record))
        .slice(0, limit)
        .map(({ record, relation }) => relatedEntry(record, relation, withDocument)),
    };
  }

  function memoryDetail(caller: Caller, params: PathParameters, query: URLSearchParams): Response {
    const namespace = parameter(params['namespace']);
    const refusal = namespaceRefusal(caller, namespace);
    if (refusal) return refusal;
    const includes = includeValues(query);
    const issues: ValidationIssue[] = [];
    if (includes.some((value) => value !== 'related' && value !== 'documents')) {
      issues.push({ path: ['include'], message: "Invalid enum value. Expected 'related' | 'documents'" });
    }
    const relatedLimit = query.has('relatedLimit') ? boundedInteger(query.get('relatedLimit') ?? '', 100) : 10;
    if (relatedLimit === null) issues.push({ path: ['relatedLimit'], message: 'Expected an integer from 1 to 100' });
    if (issues.length > 0 || relatedLimit === null) return validationFailure(Object.fromEntries(query), issues);

    const id = parameter(params['id']);
    const records = memoryRecordsIn(account, namespace);
    const memory = records.find((record) => record.id === id);
    if (!memory || isDeleted(id)) return errorBody(404, 'Memory not found');

    const body: Record<string, unknown> = { ...v5Memory(memory, projection) };
    const included: Record<string, unknown> = {};
    const withDocuments = includes.includes('documents');
    if (includes.includes('related')) included['related'] = related(records, memory, relatedLimit, withDocuments);
    const source = withDocuments ? latestSourceDocument(memory) : undefined;
    if (source) included['document'] = v5IncludedDocument(source, projection);
    if (Object.keys(included).length > 0) body['included'] = included;
    return json(body);
  }

  // --- Profile ---------------------------------------------------------------------------------------------------

  /** A profile line's id: the latest live memory with the same text, else a synthetic `aggregated_` id (§6.1). */
  function profileItems(namespace: string, section: string, lines: readonly string[]): { id: string; memory: string }[] {
    const latest = memoryRecordsIn(account, namespace).filter((record) => record.isLatest && !record.isForgotten);
    const normalise = (text: string) => text.trim().toLowerCase();
    return lines.map((memory) => ({
      id: latest.find((record) => normalise(record.memory) === normalise(memory))?.id ?? `aggregated_${fnv1a(`${namespace}\n${section}\n${memory}`)}`,
      memory,
    }));
  }

  function profileMarkdown(namespace: string, profile: { static: { memory: string }[]; dynamic: { memory: string }[]; buckets: Record<string, { memory: string }[]> }): string {
    const bullets = (items: { memory: string }[]) => (items.length > 0 ? items.map((item) => `- ${item.memory}`).join('\n') : '_None_');
    const buckets = Object.entries(profile.buckets).map(([name, items]) => `### ${name}\n\n${bullets(items)}`);
    return [`# Profile: ${namespace}`, `## Static\n\n${bullets(profile.static)}`, `## Dynamic\n\n${bullets(profile.dynamic)}`, ...(buckets.length > 0 ? ['## Buckets', ...buckets] : [])].join('\n\n') + '\n';
  }

  async function profile(request: Request, caller: Caller, params: PathParameters): Promise<Response> {
    const namespace = parameter(params['namespace']);
    const refusal = namespaceRefusal(caller, namespace);
    if (refusal) return refusal;
    const body = await readOptionalObject(request);
    if (!body) return notJsonObject();
    const issues = unknownBodyKeyIssues(body, ['filter', 'buckets']);
    const wanted = body['buckets'];
    if (
      wanted !== undefined &&
      (!Array.isArray(wanted) || wanted.length > 50 || !wanted.every((name) => typeof name === 'string' && name.length >= 1 && name.length <= 64))
    ) {
      issues.push({ path: ['buckets'], message: 'Expected up to 50 bucket names of 1-64 characters' });
    }
    if (body['filter'] !== undefined) issues.push(...filterIssues(body['filter'], ['filter']));
    if (issues.length > 0) return validationFailure(body, issues);

    const stored = account.profiles[namespace];
    const bucketNames = Object.keys(stored?.buckets ?? {}).filter((name) => !Array.isArray(wanted) || wanted.includes(name));
    const result = {
      static: profileItems(namespace, 'static', stored?.static ?? []),
      dynamic: profileItems(namespace, 'dynamic', stored?.dynamic ?? []),
      buckets: Object.fromEntries(bucketNames.map((name) => [name, profileItems(namespace, `bucket:${name}`, stored?.buckets?.[name] ?? [])])),
    };
    if ((request.headers.get('accept') ?? '').includes('text/markdown')) {
      return new HttpResponse(profileMarkdown(namespace, result), { status: 200, headers: { 'content-type': 'text/markdown; charset=utf-8' } });
    }
    return json({ profile: result });
  }

  function profileBuckets(caller: Caller, params: PathParameters): Response {
    const namespace = parameter(params['namespace']);
    const refusal = namespaceRefusal(caller, namespace);
    if (refusal) return refusal;
    const names = Object.keys(account.profiles[namespace]?.buckets ?? {});
    return json({ buckets: Object.fromEntries(names.map((name) => [name, `Facts about ${name}`])) });
  }

  return [
    route('get', '/namespaces', 'namespaces', (_request, caller, _params, query) => namespaceList(caller, query)),
    route('get', '/ns', 'namespaces', (_request, caller, _params, query) => namespaceList(caller, query)),
    route('get', '/organization', 'organization', (_request, caller) => organization(caller)),
    route('get', '/ns/:namespace', 'namespace', (_request, caller, params) => namespaceDetail(caller, parameter(params['namespace']))),
    route('post', '/ns/:namespace/list/:type', listRouteName, list),
    route('get', '/ns/:namespace/document/:id', 'document', (_request, caller, params, query) => documentDetail(caller, params, query)),
    route('get', '/ns/:namespace/memories/:id', 'memory', (_request, caller, params, query) => memoryDetail(caller, params, query)),
    route('post', '/ns/:namespace/profile', 'profile', profile),
    route('get', '/ns/:namespace/profile/buckets', 'profile/buckets', (_request, caller, params) => profileBuckets(caller, params)),
    http.all('*', () => {
      counters.requests++;
      counters.byRoute.unknown++;
      return unknownRoute();
    }),
  ];
}

/** Self-hosted supermemory-server 0.0.8 (and the cloud before v5): every v5 route answers 404 in plain text. */
export function supermemoryV5RoutesAbsent(): RequestHandler[] {
  const missing = (firstSegment: string) => ({ request }: { request: Request }) =>
    atRoot(new URL(request.url).pathname, firstSegment)
      ? new HttpResponse('404 Not Found', { status: 404, headers: { 'content-type': 'text/plain; charset=UTF-8' } })
      : undefined;
  return ['/ns', '/namespaces', '/organization'].map((firstSegment) => http.all(`*${firstSegment}*`, missing(firstSegment)));
}

/** After the 2026-12-31 shutdown: every v3/v4 route answers `{"error":"Not Found"}` (404, or 410 if chosen; unknown). */
export function supermemoryLegacyRoutesGone(status: 404 | 410 = 404): RequestHandler[] {
  // Only at the root: `/ns/v3/list/documents` is namespace "v3", not a legacy route.
  const gone = (firstSegment: string) => ({ request }: { request: Request }) =>
    atRoot(new URL(request.url).pathname, firstSegment) ? errorBody(status, status === 410 ? 'Gone' : 'Not Found') : undefined;
  return ['/v3', '/v4'].map((firstSegment) => http.all(`*${firstSegment}/*`, gone(firstSegment)));
}
