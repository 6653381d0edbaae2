// The fake Mem0 Platform as msw handlers over an in-memory account: the wire format the official `mem0ai`
// client speaks (Token auth, trailing slashes, page/page_size pagination, snake_case), plus injected faults; and
// the self-hosted REST server (mem0 2.x `server/`). Both as /work/shared/sources/mem0.md describes them today:
// the run id is `session_id` in Platform answers, expired memories are hidden unless asked for, superseded ones
// (`replaced_by`) are listed, merged ones hidden; the self-hosted `GET /memories` returns 20 unless `top_k` (≤ 1000).
import { delay, http, HttpResponse, type RequestHandler } from 'msw';
import type { Mem0Account } from './mem0-account.js';

export type Mem0FaultKind = '429' | '500' | '502' | '503' | 'reset' | 'slow' | 'malformed';

export interface Mem0Faults {
  /** Every n-th request (after the ping) gets the next fault of `kinds`, in turn. */
  every?: number;
  kinds?: Mem0FaultKind[];
  retryAfterSeconds?: number;
  slowMs?: number;
}

export interface Mem0FakeOptions {
  faults?: Mem0Faults;
  /** Latency added to every answer. */
  latencyMs?: number;
  /** Requests per second the fake accepts before answering 429 with Retry-After. */
  rateLimitPerSecond?: number;
  /** Delay every memory page by this much (for killing a run in the middle). */
  pageDelayMs?: number;
  /** `GET /v1/entities/` as the spec before 2026-08-03 described it: a bare array (default: the envelope). */
  entitiesAsArray?: boolean;
  /** Today, `YYYY-MM-DD` (UTC), against which expiration dates are read (default: the real today). */
  today?: () => string;
  /**
   * The account does not change while it is served (a benchmark's): each listing's selection is computed once and
   * its pages sliced from it, so that a user of a million memories is not filtered again for every page.
   */
  unchangingAccount?: boolean;
}

/** The largest `page_size` the v3 listing accepts. */
export const mem0MaxPageSize = 200;

const realToday = (): string => new Date().toISOString().slice(0, 10);

/** Mem0's rule: a memory holds through its `expiration_date` (UTC, inclusive); a date it cannot read never expires. */
function expired(memory: unknown, today: string): boolean {
  if (!isObject(memory) || typeof memory['expiration_date'] !== 'string') return false;
  const day = /^\d{4}-\d{2}-\d{2}/.exec(memory['expiration_date'])?.[0];
  return day !== undefined && !Number.isNaN(Date.parse(day)) && day < today;
}

/** A stored memory as Platform listings and `GET /v1/memories/{id}/` send it: the run id named `session_id`. */
function platformWire(memory: unknown): unknown {
  if (!isObject(memory) || !('run_id' in memory)) return memory;
  const { run_id: runId, ...rest } = memory;
  return { ...rest, session_id: runId };
}

/** Whether a filter names at least one entity positively (Mem0 refuses a listing without one). */
function scopesAnEntity(filter: unknown): boolean {
  if (!isObject(filter)) return false;
  return Object.entries(filter).some(([key, value]) =>
    (key === 'AND' || key === 'OR') && Array.isArray(value)
      ? value.some(scopesAnEntity)
      : ['user_id', 'agent_id', 'app_id', 'run_id'].includes(key) && (typeof value === 'string' || isObject(value)),
  );
}

type Filter = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Mem0's v2/v3 filter language, the part an exporter uses: owner fields, AND/OR, gte/lte on times. */
function matches(memory: unknown, filter: Filter): boolean {
  if (!isObject(memory)) return false;
  return Object.entries(filter).every(([key, condition]) => {
    if (key === 'AND' && Array.isArray(condition)) return condition.every((inner) => matches(memory, inner as Filter));
    if (key === 'OR' && Array.isArray(condition)) return condition.some((inner) => matches(memory, inner as Filter));
    const value = memory[key];
    if (isObject(condition)) {
      const time = Date.parse(String(value));
      if (typeof condition['gte'] === 'string' && !(time >= Date.parse(condition['gte']))) return false;
      if (typeof condition['lte'] === 'string' && !(time <= Date.parse(condition['lte']))) return false;
      return true;
    }
    return value === condition;
  });
}

function page<T>(items: T[], url: URL): { count: number; next: string | null; previous: string | null; results: T[] } {
  const pageNumber = Math.max(1, Number(url.searchParams.get('page') ?? 1));
  const size = Math.min(mem0MaxPageSize, Math.max(1, Number(url.searchParams.get('page_size') ?? 100)));
  const start = (pageNumber - 1) * size;
  const link = (n: number): string => {
    const copy = new URL(url);
    copy.searchParams.set('page', String(n));
    return copy.toString();
  };
  return {
    count: items.length,
    next: start + size < items.length ? link(pageNumber + 1) : null,
    previous: pageNumber > 1 ? link(pageNumber - 1) : null,
    results: items.slice(start, start + size),
  };
}

export function mem0Handlers(account: Mem0Account, options: Mem0FakeOptions = {}): RequestHandler[] {
  let counted = 0;
  let faultTurn = 0;
  const recent: number[] = [];
  const unauthorized = (): Response => HttpResponse.json({ detail: 'Invalid API key' }, { status: 401 });

  /** Auth, rate limit, latency and faults shared by every route; answers a response to send instead, if any. */
  async function gate(request: Request, countForFaults: boolean): Promise<Response | null> {
    if (request.headers.get('authorization') !== `Token ${account.apiKey}`) return unauthorized();
    if (options.latencyMs) await delay(options.latencyMs);
    if (options.rateLimitPerSecond) {
      const now = Date.now();
      while (recent.length > 0 && (recent[0] as number) <= now - 1000) recent.shift();
      if (recent.length >= options.rateLimitPerSecond) {
        return HttpResponse.json({ detail: 'Request was throttled.' }, { status: 429, headers: { 'Retry-After': '1' } });
      }
      recent.push(now);
    }
    const faults = options.faults;
    if (!countForFaults || !faults?.every || !faults.kinds?.length) return null;
    counted++;
    if (counted % faults.every !== 0) return null;
    const kind = faults.kinds[faultTurn++ % faults.kinds.length] as Mem0FaultKind;
    switch (kind) {
      case '429':
        return HttpResponse.json(
          { detail: 'Request was throttled.' },
          { status: 429, headers: { 'Retry-After': String(faults.retryAfterSeconds ?? 0) } },
        );
      case '500':
      case '502':
      case '503':
        return HttpResponse.json({ detail: 'upstream error' }, { status: Number(kind) });
      case 'reset':
        return HttpResponse.error();
      case 'slow':
        await delay(faults.slowMs ?? 200);
        return null;
      case 'malformed':
        return new HttpResponse('{"results": [ {"id": ', { status: 200, headers: { 'content-type': 'application/json' } });
    }
  }

  const entities = (): { id: string; name: string; type: string; total_memories: number; created_at: string; updated_at: string; owner: string }[] => {
    const found = new Map<string, { type: string; name: string; total: number }>();
    for (const memory of account.memories) {
      if (!isObject(memory)) continue;
      for (const [field, type] of [['user_id', 'user'], ['agent_id', 'agent'], ['app_id', 'app'], ['run_id', 'run']] as const) {
        const name = memory[field];
        if (typeof name !== 'string' || name === '') continue;
        const key = `${type}:${name}`;
        const entry = found.get(key) ?? { type, name, total: 0 };
        entry.total++;
        found.set(key, entry);
      }
    }
    return [...found.values()].map((entity, i) => ({
      id: String(i + 1),
      name: entity.name,
      type: entity.type,
      total_memories: entity.total,
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      owner: 'owner@example.com',
    }));
  };

  const today = options.today ?? realToday;
  /** What a listing shows: expired memories only when asked (`show_expired`), merged ones only when asked (`include_merged`). */
  const selections = new Map<string, unknown[]>();
  const listed = (filters: Filter, body: Record<string, unknown>): unknown[] => {
    if (!options.unchangingAccount) return select(filters, body);
    const key = JSON.stringify([filters, body['show_expired'] === true, body['include_merged'] === true]);
    let selection = selections.get(key);
    if (!selection) selections.set(key, (selection = select(filters, body)));
    return selection;
  };
  const select = (filters: Filter, body: Record<string, unknown>): unknown[] => {
    const merged = new Set(account.mergedIds ?? []);
    return account.memories.filter(
      (memory) =>
        matches(memory, filters) &&
        (body['show_expired'] === true || !expired(memory, today())) &&
        (body['include_merged'] === true || !(isObject(memory) && merged.has(String(memory['id'])))),
    );
  };
  /** A page of the v3 listing, or its refusals: page_size out of 1–200 (400), a page past the end (404). */
  const listMemories = async (request: Request, filters: Filter, body: Record<string, unknown>): Promise<Response> => {
    if (options.pageDelayMs) await delay(options.pageDelayMs);
    const url = new URL(request.url);
    const size = Number(url.searchParams.get('page_size') ?? 100);
    if (!Number.isInteger(size) || size < 1 || size > mem0MaxPageSize) {
      return HttpResponse.json({ error: `page_size must be between 1 and ${mem0MaxPageSize}` }, { status: 400 });
    }
    const selected = listed(filters, body);
    const answer = page(selected, url);
    if (answer.results.length === 0 && Number(url.searchParams.get('page') ?? 1) > 1) return HttpResponse.json({ detail: 'Invalid page.' }, { status: 404 });
    return HttpResponse.json({ ...answer, results: answer.results.map(platformWire) });
  };

  return [
    http.get('*/v1/ping/', async ({ request }) => {
      const refused = await gate(request, false);
      if (refused) return refused;
      return HttpResponse.json({ status: 'ok', org_id: account.orgId, project_id: account.projectId, user_email: 'owner@example.com' });
    }),
    http.get('*/v1/entities/', async ({ request }) => {
      const refused = await gate(request, true);
      if (refused) return refused;
      const all = entities();
      if (options.entitiesAsArray) return HttpResponse.json(all);
      const count = (type: string): number => all.filter((entity) => entity.type === type).length;
      const totals = { total_users: count('user'), total_agents: count('agent'), total_apps: count('app'), total_runs: count('run') };
      return HttpResponse.json({ ...page(all, new URL(request.url)), ...totals });
    }),
    http.post('*/v3/memories/', async ({ request }) => {
      const refused = await gate(request, true);
      if (refused) return refused;
      const body: unknown = await request.json().catch(() => null);
      if (isObject(body) && ['user_id', 'agent_id', 'app_id', 'run_id'].some((key) => key in body)) {
        return HttpResponse.json({ error: 'Top-level entity parameters are not supported; use filters' }, { status: 400 });
      }
      const filters = isObject(body) && isObject(body['filters']) ? body['filters'] : null;
      if (!filters || !scopesAnEntity(filters)) return HttpResponse.json({ error: 'One of the filters: app_id, user_id, agent_id, run_id is required!' }, { status: 400 });
      return listMemories(request, filters, body as Record<string, unknown>);
    }),
    http.post('*/v2/memories/', async ({ request }) => {
      const refused = await gate(request, true);
      if (refused) return refused;
      const body: unknown = await request.json().catch(() => null);
      const filters = isObject(body) && isObject(body['filters']) ? body['filters'] : {};
      // The spec answers a bare array; the v2 body has no show_expired.
      return HttpResponse.json(listed(filters, {}).map(platformWire));
    }),
    http.get('*/v1/memories/:id/', async ({ request, params }) => {
      const refused = await gate(request, true);
      if (refused) return refused;
      // One memory by id is always returned, expired or not.
      const memory = account.memories.find((m) => isObject(m) && m['id'] === params['id']);
      return memory ? HttpResponse.json(platformWire(memory) as Record<string, unknown>) : HttpResponse.json({ detail: 'Memory not found' }, { status: 404 });
    }),
  ];
}

export interface Mem0SelfHostedOptions {
  /** Keys accepted as `X-API-Key` (per-user `m0sk_` keys and the ADMIN_API_KEY); none, and no `jwts`: AUTH_DISABLED. */
  apiKeys?: string[];
  /** Tokens accepted as `Authorization: Bearer`. */
  jwts?: string[];
  /** A server before mem0 2.0.1: no `GET /entities` (404). */
  noEntities?: boolean;
  /** `GET /entities` scans at most this many memories, as the server does (default `selfHostedEntitiesScanLimit`). */
  entitiesScanLimit?: number;
  /** A server before mem0 2.0.8: `top_k` ignored, at most 20 returned. */
  ignoresTopK?: boolean;
  /** A mem0 2.0.0 server, whose route passes ids the library refuses (mem0ai/mem0#4955): every listing is a 400. */
  refusesListings?: boolean;
  today?: () => string;
}

/** `GET /memories` returns this many without `top_k`, and `top_k` may be at most `selfHostedMaxTopK`. */
export const selfHostedDefaultTopK = 20;
export const selfHostedMaxTopK = 1000;
/** `GET /entities` is computed from at most this many memory payloads (server/routers/entities.py). */
export const selfHostedEntitiesScanLimit = 10_000;

/**
 * The open-source Mem0 REST server (mem0 2.x): `X-API-Key` or `Authorization: Bearer` (never `Token`), no trailing
 * slashes, `GET /entities` (a bare array of users, agents and runs with their counts, expired memories included),
 * `GET /memories?user_id=…` answering `{results}` unpaginated: at most `top_k` (default 20, 422 above 1000), expired
 * memories only with `show_expired=true`.
 */
export function mem0SelfHostedHandlers(account: Mem0Account, options: Mem0SelfHostedOptions = {}): RequestHandler[] {
  const today = options.today ?? realToday;
  const authorized = (request: Request): boolean => {
    const keys = options.apiKeys ?? [];
    const jwts = options.jwts ?? [];
    if (keys.length === 0 && jwts.length === 0) return true;
    const key = request.headers.get('x-api-key');
    const bearer = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
    return (key !== null && keys.includes(key)) || (bearer !== undefined && jwts.includes(bearer));
  };
  const unauthorized = (): Response => HttpResponse.json({ detail: 'Not authenticated' }, { status: 401 });
  /** FastAPI with redirect_slashes=False: `/memories/` and `/entities/` are not found. */
  const trailingSlash = (request: Request): Response | null =>
    new URL(request.url).pathname.endsWith('/') ? HttpResponse.json({ detail: 'Not Found' }, { status: 404 }) : null;
  /** As `_get_all_from_vector_store` shapes an item: owner ids only when set, `metadata` only when not empty. */
  const wire = (memory: unknown): unknown => {
    if (!isObject(memory)) return memory;
    const { metadata, ...rest } = memory;
    const shaped: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(rest)) if (!(['user_id', 'agent_id', 'run_id', 'app_id', 'categories'].includes(key) && (value === null || value === undefined))) shaped[key] = value;
    return isObject(metadata) && Object.keys(metadata).length > 0 ? { ...shaped, metadata } : shaped;
  };
  return [
    http.get('*/entities', ({ request }) => {
      const notFound = trailingSlash(request);
      if (notFound) return notFound;
      if (!authorized(request)) return unauthorized();
      if (options.noEntities) return HttpResponse.json({ detail: 'Not Found' }, { status: 404 });
      const found = new Map<string, { id: string; type: string; total_memories: number; created_at: string; updated_at: string }>();
      for (const memory of account.memories.slice(0, options.entitiesScanLimit ?? selfHostedEntitiesScanLimit)) {
        if (!isObject(memory)) continue;
        for (const [field, type] of [['user_id', 'user'], ['agent_id', 'agent'], ['run_id', 'run']] as const) {
          const id = memory[field];
          if (typeof id !== 'string' || id === '') continue;
          const entry = found.get(`${type}:${id}`) ?? { id, type, total_memories: 0, created_at: '2026-01-01T00:00:00+00:00', updated_at: '2026-01-01T00:00:00+00:00' };
          entry.total_memories++;
          found.set(`${type}:${id}`, entry);
        }
      }
      return HttpResponse.json([...found.values()]);
    }),
    http.get('*/memories', ({ request }) => {
      const notFound = trailingSlash(request);
      if (notFound) return notFound;
      if (!authorized(request)) return unauthorized();
      const url = new URL(request.url);
      const filter: Filter = {};
      for (const field of ['user_id', 'agent_id', 'run_id']) {
        const value = url.searchParams.get(field);
        if (value) filter[field] = value;
      }
      if (Object.keys(filter).length === 0) {
        return HttpResponse.json({ detail: 'At least one identifier (user_id, agent_id, run_id) is required.' }, { status: 400 });
      }
      if (options.refusesListings) {
        return HttpResponse.json({ detail: "Top-level entity parameters frozenset({'user_id'}) are not supported in get_all(). Use filters={'user_id': '...'} instead." }, { status: 400 });
      }
      const topK = options.ignoresTopK ? selfHostedDefaultTopK : Number(url.searchParams.get('top_k') ?? selfHostedDefaultTopK);
      if (!Number.isInteger(topK) || topK < 0 || topK > selfHostedMaxTopK) {
        return HttpResponse.json({ detail: [{ type: 'less_than_equal', loc: ['query', 'top_k'], msg: `Input should be less than or equal to ${selfHostedMaxTopK}` }] }, { status: 422 });
      }
      const showExpired = !options.ignoresTopK && url.searchParams.get('show_expired') === 'true';
      const selected = account.memories.filter((memory) => matches(memory, filter) && (showExpired || !expired(memory, today())));
      return HttpResponse.json({ results: selected.slice(0, topK).map(wire) });
    }),
  ];
}
