// The fake Mem0 Platform as msw handlers over an in-memory account: the wire format the official `mem0ai`
// client speaks (Token auth, trailing slashes, page/page_size pagination, snake_case), plus injected faults.
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
  const size = Math.min(1000, Math.max(1, Number(url.searchParams.get('page_size') ?? 100)));
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

  const listMemories = async (request: Request, filters: Filter): Promise<Response> => {
    if (options.pageDelayMs) await delay(options.pageDelayMs);
    const selected = account.memories.filter((memory) => matches(memory, filters));
    return HttpResponse.json(page(selected, new URL(request.url)));
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
      return HttpResponse.json(page(entities(), new URL(request.url)));
    }),
    http.post('*/v3/memories/', async ({ request }) => {
      const refused = await gate(request, true);
      if (refused) return refused;
      const body: unknown = await request.json().catch(() => null);
      const filters = isObject(body) && isObject(body['filters']) ? body['filters'] : null;
      if (!filters) return HttpResponse.json({ error: 'filters are required' }, { status: 400 });
      return listMemories(request, filters);
    }),
    http.post('*/v2/memories/', async ({ request }) => {
      const refused = await gate(request, true);
      if (refused) return refused;
      const body: unknown = await request.json().catch(() => null);
      return listMemories(request, isObject(body) && isObject(body['filters']) ? body['filters'] : {});
    }),
    http.get('*/v1/memories/:id/', async ({ request, params }) => {
      const refused = await gate(request, true);
      if (refused) return refused;
      const memory = account.memories.find((m) => isObject(m) && m['id'] === params['id']);
      return memory ? HttpResponse.json(memory) : HttpResponse.json({ detail: 'Memory not found' }, { status: 404 });
    }),
  ];
}

/** The open-source Mem0 REST server: no auth, `GET /memories?user_id=…` answers `{results}` unpaginated. */
export function mem0SelfHostedHandlers(account: Mem0Account): RequestHandler[] {
  return [
    http.get('*/memories', ({ request }) => {
      const url = new URL(request.url);
      const filter: Filter = {};
      for (const field of ['user_id', 'agent_id', 'run_id']) {
        const value = url.searchParams.get(field);
        if (value) filter[field] = value;
      }
      if (Object.keys(filter).length === 0) {
        return HttpResponse.json({ detail: 'At least one identifier (user_id, agent_id, run_id) is required.' }, { status: 400 });
      }
      return HttpResponse.json({ results: account.memories.filter((memory) => matches(memory, filter)) });
    }),
  ];
}
