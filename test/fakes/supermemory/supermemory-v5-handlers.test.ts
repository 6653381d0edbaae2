// Contract test of the fake Supermemory v5 server (supermemory-v5-handlers.ts), over real HTTP with raw fetch.
//
// What is checked against what:
// - Against the SPEC: every response of every v5 read route (200s and error bodies: 400, 401, 403, 404) is validated
//   with ajv (JSON Schema 2020-12, `#/components/...` refs resolved) against the response schema the operation
//   declares for that status and content type in fixtures/supermemory/v5-openapi-reads.json — the read operations of
//   the OpenAPI 3.1 document supermemoryai/sdk-ts fern/openapi.json, at the commit named in its `info.x-source`.
//   Statuses no operation declares (402, 429; 404 on routes that declare none, e.g. under a deleted namespace) are
//   validated against the spec's ErrorResponse component instead. Every request the sweep sends must also pass
//   v5RequestProblems, which is itself tested both ways below.
// - From the wire NOTE only (/work/shared/sources/supermemory-v5.md), not in either stored spec: `cursor` as a list
//   query parameter and `pagination.nextCursor` (null or absent on the last page), cursor validity and keyset
//   stability, `sort=position` being for chunks only, the bare-array `/ns` of the pre-release, `attach=` and the
//   repeated `include`, `Accept: text/markdown` content, the `/v5` prefix answering 404, 401 bodies with `details`,
//   429 headers, 402, the legacy generation's plain-text 404s and the post-shutdown legacy 404/410, and what the
//   switches for the open questions (§9.2 ids, §9.3 multi-tag documents, §5.1 superseded versions) do.
import { afterEach, describe, expect, it } from 'vitest';
import {
  generatedSupermemoryAccount,
  trickySupermemoryAccount,
  trickySupermemoryIds,
  trickySupermemoryTags,
  type SupermemoryAccount,
  type SupermemoryWireDocument,
} from './supermemory-account.js';
import { trickySupermemoryV5Account, trickySupermemoryV5Ids } from './supermemory-v5-account.js';
import { v5RequestProblems } from './supermemory-v5-handlers.js';
import { v5ComponentProblems, v5ResponseDeclared, v5ResponseProblems } from './supermemory-v5-spec.js';
import type { V5Chunk, V5DocumentListItem, V5Memory, V5Namespace } from './supermemory-v5-wire.js';
import type { V5Pagination } from './supermemory-v5-lists.js';
import { startSupermemoryFake, type SupermemoryFakeServeOptions, type SupermemoryFakeServer } from '../../support/supermemory-fake.js';

const tags = trickySupermemoryTags;
const ids = trickySupermemoryIds;

interface ListBody {
  documents: V5DocumentListItem[];
  chunks: (V5Chunk & { documentId: string })[];
  memories: V5Memory[];
  pagination: V5Pagination;
}

interface DocumentBody extends Omit<V5DocumentListItem, 'url'> {
  content: string | null;
  url?: unknown;
  chunks?: V5Chunk[];
  memories?: V5Memory[];
}

interface RelatedEntry {
  id: string;
  relation: string;
  version: number | null;
  memory: string;
  document?: { id: string };
}

interface MemoryBody extends V5Memory {
  included?: {
    related?: { parents: RelatedEntry[]; children: RelatedEntry[]; siblings: RelatedEntry[] };
    document?: { id: string };
  };
}

interface ProfileItem {
  id: string;
  memory: string;
}

interface ProfileBody {
  profile: { static: ProfileItem[]; dynamic: ProfileItem[]; buckets: Record<string, ProfileItem[]> };
}

interface Answer {
  status: number;
  contentType: string;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or the text when it is not JSON. */
  body: unknown;
}

interface Send {
  body?: unknown;
  /** The API key; `null` sends none. Default: the account's key as a Bearer token. */
  key?: string | null;
  /** Send the key as `x-api-key` instead of a Bearer token. */
  xApiKey?: boolean;
  headers?: Record<string, string>;
}

const started: SupermemoryFakeServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((served) => served.close()));
});

async function fake(account: SupermemoryAccount, options: SupermemoryFakeServeOptions = { generations: 'v5' }): Promise<SupermemoryFakeServer> {
  const served = await startSupermemoryFake(account, options);
  started.push(served);
  return served;
}

/** One request over HTTP; the answer's body parsed when it is JSON. */
async function send(served: SupermemoryFakeServer, account: SupermemoryAccount, method: string, path: string, options: Send = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  const key = options.key === undefined ? account.apiKey : options.key;
  if (key !== null) headers[options.xApiKey ? 'x-api-key' : 'authorization'] = options.xApiKey ? key : `Bearer ${key}`;
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${served.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  let parsed: unknown = text;
  if (contentType.startsWith('application/json')) parsed = JSON.parse(text) as unknown;
  return { status: response.status, contentType, headers: response.headers, text, body: parsed };
}

/** Problems of an answer against the spec: its declared response, or ErrorResponse for statuses declared nowhere. */
function contractProblems(method: string, path: string, answer: Answer): string[] {
  if (v5ResponseDeclared(method, path, answer.status)) {
    return v5ResponseProblems({ method, path, status: answer.status, contentType: answer.contentType, body: answer.text });
  }
  if (!answer.contentType.startsWith('application/json')) return [`${method} ${path} ${answer.status}: not JSON (${answer.contentType})`];
  return v5ComponentProblems('ErrorResponse', answer.body);
}

/** A v5 request whose request must be valid and whose answer must keep the contract; answers the parsed body. */
async function v5<T>(served: SupermemoryFakeServer, account: SupermemoryAccount, method: string, path: string, options: Send & { status?: number } = {}): Promise<T> {
  const answer = await send(served, account, method, path, options);
  expect(contractProblems(method, path, answer), `${method} ${path}`).toEqual([]);
  expect(answer.status, `${method} ${path}: ${answer.text.slice(0, 300)}`).toBe(options.status ?? 200);
  return answer.body as T;
}

/** An error answer: it must keep the contract too, whatever request provoked it. */
async function refused(served: SupermemoryFakeServer, account: SupermemoryAccount, method: string, path: string, status: number, options: Send = {}): Promise<Answer> {
  const answer = await send(served, account, method, path, options);
  expect(answer.status, `${method} ${path}: ${answer.text.slice(0, 300)}`).toBe(status);
  expect(contractProblems(method, path, answer), `${method} ${path}`).toEqual([]);
  return answer;
}

function isValidationError(body: unknown): body is { success: false; error: { message: string; path?: (string | number)[] }[] } {
  return typeof body === 'object' && body !== null && Array.isArray((body as { error?: unknown }).error);
}

const ns = (namespace: string) => `/ns/${encodeURIComponent(namespace)}`;

/** Every item of a list, walked by page (or by cursor when `byCursor`), checking each page on the way. */
async function walk(
  served: SupermemoryFakeServer,
  account: SupermemoryAccount,
  namespace: string,
  type: 'documents' | 'chunks' | 'memories',
  query: string,
  body: unknown = {},
  byCursor = false,
): Promise<{ items: unknown[]; pages: ListBody[] }> {
  const pages: ListBody[] = [];
  let cursor: string | null | undefined = null;
  for (let page = 1; page < 200; page++) {
    const paging: string = byCursor && cursor ? `cursor=${encodeURIComponent(cursor)}` : `page=${page}`;
    const listed: ListBody = await v5<ListBody>(served, account, 'POST', `${ns(namespace)}/list/${type}?${paging}&${query}`, { body });
    pages.push(listed);
    cursor = listed.pagination.nextCursor;
    const done = byCursor ? !cursor : listed.pagination.currentPage >= listed.pagination.totalPages;
    if (done) break;
  }
  return { items: pages.flatMap((listed): unknown[] => listed[type]), pages };
}

// ---------------------------------------------------------------------------------------------------------------

describe.each([
  ['the tricky account', trickySupermemoryAccount],
  ['the tricky account with the v5 cases', trickySupermemoryV5Account],
] as const)('every read route keeps the spec over %s', (_name, makeAccount) => {
  it.each(['both', 'v5'] as const)("in '%s' mode, for every namespace, document and memory", async (generations) => {
    const account = makeAccount();
    const served = await fake(account, { generations });
    const sent: { method: string; path: string; body: string }[] = [];
    const call = async <T>(method: string, path: string, options: Send = {}): Promise<T> => {
      sent.push({ method, path, body: options.body === undefined ? '' : JSON.stringify(options.body) });
      return v5<T>(served, account, method, path, options);
    };

    const listing = await call<{ namespaces: V5Namespace[]; pagination: V5Pagination }>('GET', '/namespaces?page=1&limit=100');
    expect(listing.namespaces.map((item) => item.namespace).sort()).toEqual(account.containerTags.map((tag) => tag.containerTag).sort());
    await call('GET', '/ns');
    await call('GET', '/namespaces');
    const organization = await call<{ namespaceCount: number }>('GET', '/organization');
    expect(organization.namespaceCount).toBe(listing.pagination.totalItems);

    for (const { namespace } of listing.namespaces) {
      await call('GET', ns(namespace));
      await call('GET', `${ns(namespace)}/profile/buckets`);
      await call('POST', `${ns(namespace)}/profile`);
      await call('POST', `${ns(namespace)}/profile`, { body: { buckets: ['travel'] } });
      const markdown = await send(served, account, 'POST', `${ns(namespace)}/profile`, { headers: { accept: 'text/markdown' } });
      expect(contractProblems('POST', `${ns(namespace)}/profile`, markdown)).toEqual([]);

      const documents = await walk(served, account, namespace, 'documents', 'limit=2&sort=createdAt&order=asc');
      await walk(served, account, namespace, 'documents', 'limit=3&sort=updatedAt', {}, true);
      await walk(served, account, namespace, 'chunks', 'limit=2&sort=position&order=asc');
      const memories = await walk(served, account, namespace, 'memories', 'limit=100', { include: { forgotten: true } });
      for (const document of documents.items as V5DocumentListItem[]) {
        const path = `${ns(namespace)}/document/${encodeURIComponent(document.id)}`;
        await call('GET', path);
        await call('GET', `${path}?include=chunks,memories`);
      }
      for (const memory of memories.items as V5Memory[]) {
        const path = `${ns(namespace)}/memories/${encodeURIComponent(memory.id)}`;
        await call('GET', path);
        await call('GET', `${path}?include=related,documents&relatedLimit=5`);
      }
      await refused(served, account, 'GET', `${ns(namespace)}/document/no-such-document`, 404);
      await refused(served, account, 'GET', `${ns(namespace)}/memories/no-such-memory`, 404);
    }

    // Error bodies of every kind the spec declares.
    await refused(served, account, 'GET', '/namespaces', 401, { key: null });
    await refused(served, account, 'GET', '/ns/not%20valid', 400);
    await refused(served, account, 'GET', ns('no_such_namespace'), 404);
    await refused(served, account, 'GET', ns(tags.acme), 403, { key: ids.scopedKey });
    await refused(served, account, 'POST', `${ns(tags.user)}/list/documents?limit=101`, 400);
    await refused(served, account, 'POST', `${ns(tags.user)}/list/documents`, 400, { body: { page: 1 } });
    await refused(served, account, 'POST', `${ns(tags.user)}/list/documents`, 400, { body: '[1' });
    await refused(served, account, 'POST', `${ns(tags.user)}/profile`, 400, { body: { containerTag: tags.user, q: 'x' } });

    expect(sent.flatMap((request) => v5RequestProblems(request).map((problem) => `${request.method} ${request.path}: ${problem}`))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('generations', () => {
  it("'legacy' (self-hosted 0.0.8): v3/v4 answer, every v5 route is a plain-text 404", async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account, { generations: 'legacy' });
    for (const path of ['/namespaces?page=1&limit=1', '/ns', `/ns/${tags.user}`, '/organization']) {
      const answer = await send(served, account, 'GET', path);
      expect([answer.status, answer.contentType.split(';')[0]]).toEqual([404, 'text/plain']);
    }
    expect((await send(served, account, 'POST', `/ns/${tags.user}/list/documents`, { body: {} })).status).toBe(404);
    expect((await send(served, account, 'GET', '/v3/container-tags/list')).status).toBe(200);
    expect(served.v5Counters.requests).toBe(0);
  });

  it("'both': one account over both generations, with the same namespaces and counts", async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account, { generations: 'both' });
    const legacyTags = (await send(served, account, 'GET', '/v3/container-tags/list')).body as { containerTag: string; documentCount: number; memoryCount: number }[];
    const { namespaces } = await v5<{ namespaces: V5Namespace[] }>(served, account, 'GET', '/namespaces?limit=100');
    const counts = (items: { documentCount: number; memoryCount: number }[]) => items.map(({ documentCount, memoryCount }) => [documentCount, memoryCount]);
    const byName = <T extends { documentCount: number; memoryCount: number }>(items: T[], name: (item: T) => string) =>
      counts([...items].sort((a, b) => name(a).localeCompare(name(b))));
    expect(byName(namespaces, (item) => item.namespace)).toEqual(byName(legacyTags, (item) => item.containerTag));
    expect(served.counters.byRoute['container-tags']).toBe(1);
    expect(served.v5Counters.byRoute.namespaces).toBe(1);
  });

  it("'v5': every v3/v4 route answers {\"error\":\"Not Found\"}, or 410 when chosen", async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account, { generations: 'v5' });
    const gone = await send(served, account, 'GET', '/v3/container-tags/list');
    expect([gone.status, gone.body]).toEqual([404, { error: 'Not Found' }]);
    expect((await send(served, account, 'POST', '/v4/memories/list', { body: { containerTags: [tags.user] } })).status).toBe(404);
    const after = await fake(account, { generations: 'v5', legacyGoneStatus: 410 });
    expect((await send(after, account, 'POST', '/v3/documents/list', { body: {} })).status).toBe(410);
    expect((await send(after, account, 'GET', '/namespaces')).status).toBe(200);
  });

  it("only root paths are legacy: namespaces named v3 and ns are v5 namespaces in 'v5' mode", async () => {
    const account = trickySupermemoryAccount();
    const template = account.containerTags[3];
    if (!template) throw new Error('the tricky account has five tags');
    for (const name of ['v3', 'v4', 'ns']) account.containerTags.push({ ...template, id: `sPaCe0${name}`, name, containerTag: name });
    const served = await fake(account, { generations: 'v5' });
    for (const name of ['v3', 'v4', 'ns']) {
      await v5(served, account, 'GET', `/ns/${name}`);
      await v5(served, account, 'POST', `/ns/${name}/list/documents`);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('namespaces (§10.1)', () => {
  it('pages more than 100 namespaces at limit 100, newest first, under /namespaces and /ns alike', async () => {
    const account = generatedSupermemoryAccount({ tags: 130, documentsPerTag: 0, memoriesPerTag: 0 });
    const served = await fake(account);
    type Listing = { namespaces: V5Namespace[]; pagination: V5Pagination };
    const first = await v5<Listing>(served, account, 'GET', '/namespaces?page=1&limit=100');
    const second = await v5<Listing>(served, account, 'GET', '/ns?page=2&limit=100');
    expect(first.pagination).toEqual({ currentPage: 1, limit: 100, totalItems: 130, totalPages: 2 });
    expect([first.namespaces.length, second.namespaces.length]).toEqual([100, 30]);
    const all = [...first.namespaces, ...second.namespaces];
    expect(new Set(all.map((item) => item.namespace)).size).toBe(130);
    const times = all.map((item) => Date.parse(item.system.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect((await v5<Listing>(served, account, 'GET', '/ns?page=3&limit=100')).namespaces).toEqual([]);
    expect(await v5<Listing>(served, account, 'GET', '/ns?page=1&limit=100')).toEqual(first);
    await refused(served, account, 'GET', '/namespaces?limit=101', 400);
    await refused(served, account, 'GET', '/namespaces?page=0', 400);
  });

  it('serves the bare-array pre-release shape behind a switch', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account, { generations: 'v5', v5: { namespaceListShape: 'bare-array' } });
    const answer = await send(served, account, 'GET', '/ns?page=1&limit=1');
    expect(Array.isArray(answer.body) && answer.body.length).toBe(account.containerTags.length);
  });

  it('projects the tags: space id, derived counts, null description, colons raw and encoded', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    const { namespaces } = await v5<{ namespaces: V5Namespace[] }>(served, account, 'GET', '/namespaces?limit=100');
    const named = (name: string) => namespaces.find((item) => item.namespace === name);
    expect(named(tags.empty)).toMatchObject({ id: ids.spaces.empty, documentCount: 0, memoryCount: 0 });
    expect(named(tags.acme)).toMatchObject({ id: ids.spaces.acme, description: null, documentCount: 7, memoryCount: 1 });
    expect(named(tags.user)).toMatchObject({ documentCount: 6, memoryCount: 3 });
    expect(named(tags.project)?.namespace).toBe('sm_project_default');
    const raw = await v5<{ namespace: string }>(served, account, 'GET', `/ns/${tags.acme}`);
    const encoded = await v5<{ namespace: string; supportingContext: string | null }>(served, account, 'GET', ns(tags.acme));
    expect([raw.namespace, encoded.namespace, encoded.supportingContext]).toEqual([tags.acme, tags.acme, null]);
    const user = await v5<{ supportingContext: string | null }>(served, account, 'GET', ns(tags.user));
    expect(user.supportingContext).toBe(account.entityContexts?.[tags.user]);
  });

  it('a namespace deleted or moved after listing: still listed, every route under it 404', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account, { generations: 'v5', v5: { namespacesGoneAfterListing: [tags.acme] } });
    const { namespaces } = await v5<{ namespaces: V5Namespace[] }>(served, account, 'GET', '/namespaces?limit=100');
    expect(namespaces.map((item) => item.namespace)).toContain(tags.acme);
    await refused(served, account, 'GET', ns(tags.acme), 404);
    await refused(served, account, 'POST', `${ns(tags.acme)}/list/documents`, 404, { body: {} });
    await refused(served, account, 'GET', `${ns(tags.acme)}/document/${ids.documents.unicode}`, 404);
    await refused(served, account, 'POST', `${ns(tags.acme)}/profile`, 404);
    await v5(served, account, 'GET', ns(tags.user));
  });

  it('a multi-tag document: in both namespaces with one id (variant A) or only its first tag, 404 under the other (B)', async () => {
    const account = trickySupermemoryAccount();
    const every = await fake(account);
    const first = await fake(account, { generations: 'v5', v5: { multiTagDocuments: 'first' } });
    const idsIn = async (served: SupermemoryFakeServer, namespace: string) =>
      (await walk(served, account, namespace, 'documents', 'limit=100')).items.map((item) => (item as V5DocumentListItem).id);
    expect(await idsIn(every, tags.user)).toContain(ids.documents.twoTags);
    expect(await idsIn(every, tags.acme)).toContain(ids.documents.twoTags);
    await v5(every, account, 'GET', `${ns(tags.acme)}/document/${ids.documents.twoTags}`);
    expect(await idsIn(first, tags.user)).toContain(ids.documents.twoTags);
    expect(await idsIn(first, tags.acme)).not.toContain(ids.documents.twoTags);
    const missing = await refused(first, account, 'GET', `${ns(tags.acme)}/document/${ids.documents.twoTags}`, 404);
    expect(missing.body).toEqual({ error: 'Document not found' });
    const { namespaces } = await v5<{ namespaces: V5Namespace[] }>(first, account, 'GET', '/namespaces?limit=100');
    expect(namespaces.find((item) => item.namespace === tags.acme)?.documentCount).toBe(6);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('lists (§10.2)', () => {
  it('always carry all four keys, the unselected arrays empty', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    for (const type of ['documents', 'chunks', 'memories'] as const) {
      const listed = await v5<ListBody>(served, account, 'POST', `${ns(tags.user)}/list/${type}?limit=100`);
      expect(Object.keys(listed).sort()).toEqual(['chunks', 'documents', 'memories', 'pagination']);
      for (const other of (['documents', 'chunks', 'memories'] as const).filter((candidate) => candidate !== type)) expect(listed[other]).toEqual([]);
      expect(listed[type].length).toBeGreaterThan(0);
    }
  });

  it('take paging only in the query string: in the body, unknown or legacy keys, limit>100, position outside chunks → 400', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    const list = `${ns(tags.user)}/list/documents`;
    for (const body of [{ page: 1 }, { limit: 10 }, { sort: 'createdAt' }, { order: 'asc' }, { cursor: 'x' }, { containerTags: [tags.user] }, { includeContent: true }]) {
      const answer = await refused(served, account, 'POST', list, 400, { body });
      expect(isValidationError(answer.body) && answer.body.error[0]?.path).toEqual([Object.keys(body)[0]]);
      expect(v5ComponentProblems('ValidationErrorResponse', answer.body)).toEqual([]);
    }
    for (const query of ['limit=101', 'limit=0', 'page=0', 'page=x', 'sort=position', 'sort=name', 'order=up']) {
      const answer = await refused(served, account, 'POST', `${list}?${query}`, 400);
      expect(isValidationError(answer.body)).toBe(true);
    }
    await refused(served, account, 'POST', `${ns(tags.user)}/list/memories?sort=position`, 400);
    await refused(served, account, 'POST', `${ns(tags.user)}/list/things`, 400);
    await v5(served, account, 'POST', `${ns(tags.user)}/list/chunks?sort=position`);
  });

  it('accept digit strings, answer an empty page past the end, totalPages 0 when empty, and can omit pagination.limit', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    const second = await v5<ListBody>(served, account, 'POST', `${ns(tags.user)}/list/documents?page=2&limit=4`);
    expect(second.pagination).toMatchObject({ currentPage: 2, limit: 4, totalItems: 6, totalPages: 2 });
    expect(second.documents).toHaveLength(2);
    const past = await v5<ListBody>(served, account, 'POST', `${ns(tags.user)}/list/documents?page=9&limit=4`);
    expect(past.documents).toEqual([]);
    const empty = await v5<ListBody>(served, account, 'POST', `${ns(tags.empty)}/list/documents`);
    expect(empty.pagination).toEqual({ currentPage: 1, limit: 10, totalItems: 0, totalPages: 0, nextCursor: null });
    const unknown = await v5<ListBody>(served, account, 'POST', `${ns('never_used_namespace')}/list/memories`);
    expect(unknown.pagination.totalPages).toBe(0);
    const bare = await fake(account, { generations: 'v5', v5: { omitPaginationLimit: true } });
    const withoutLimit = await v5<ListBody>(bare, account, 'POST', `${ns(tags.user)}/list/documents`);
    expect('limit' in withoutLimit.pagination).toBe(false);
  });

  it('filter documents by metadata (typed filters, §4.4)', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    const filter = { operator: 'or', operands: [{ field: 'source', operator: 'eq', value: 'chat' }, { field: 'items', operator: 'gte', value: 4 }] };
    const listed = await v5<ListBody>(served, account, 'POST', `${ns(tags.user)}/list/documents?limit=100`, { body: { filter } });
    expect(listed.documents.map((document) => document.id).sort()).toEqual(['chat-42', 'shared-note-1']);
    await refused(served, account, 'POST', `${ns(tags.user)}/list/documents`, 400, { body: { filter: { field: 'a b', operator: 'eq', value: 1 } } });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('cursors (§10.3; from the note only)', () => {
  it('nextCursor on every non-final page, null on the last; a cursor walk sees every document once', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    const { items, pages } = await walk(served, account, tags.acme, 'documents', 'limit=3&sort=createdAt&order=asc', {}, true);
    expect(pages.map((page) => page.pagination.nextCursor === null)).toEqual([false, false, true]);
    expect(pages.map((page) => page.pagination.currentPage)).toEqual([1, 2, 3]);
    expect(new Set(items.map((item) => (item as V5DocumentListItem).id)).size).toBe(7);
    const byPage = await walk(served, account, tags.acme, 'documents', 'limit=3&sort=createdAt&order=asc');
    expect(byPage.items).toEqual(items);
  });

  it("'absent-on-last' leaves the key out of the last page; 'off' never sends it and refuses a cursor", async () => {
    const account = trickySupermemoryAccount();
    const absent = await fake(account, { generations: 'v5', v5: { cursors: 'absent-on-last' } });
    const { pages } = await walk(absent, account, tags.acme, 'documents', 'limit=3', {}, true);
    expect(pages.map((page) => 'nextCursor' in page.pagination)).toEqual([true, true, false]);
    const off = await fake(account, { generations: 'v5', v5: { cursors: 'off' } });
    const first = await v5<ListBody>(off, account, 'POST', `${ns(tags.acme)}/list/documents?limit=3`);
    expect('nextCursor' in first.pagination).toBe(false);
    const cursor = pages[0]?.pagination.nextCursor ?? '';
    await refused(off, account, 'POST', `${ns(tags.acme)}/list/documents?limit=3&cursor=${encodeURIComponent(cursor)}`, 400);
  });

  it('a garbage, tampered, mismatched or expired cursor → 400', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account, { generations: 'v5', v5: { cursorLifetimeMs: 50 } });
    const first = await v5<ListBody>(served, account, 'POST', `${ns(tags.acme)}/list/documents?limit=3`);
    const cursor = first.pagination.nextCursor ?? '';
    const list = `${ns(tags.acme)}/list/documents`;
    for (const bad of ['garbage', `${cursor}x`, cursor.replace(/\.[^.]+\./, '.e30.')]) {
      await refused(served, account, 'POST', `${list}?limit=3&cursor=${encodeURIComponent(bad)}`, 400);
    }
    await refused(served, account, 'POST', `${list}?limit=4&cursor=${encodeURIComponent(cursor)}`, 400);
    await refused(served, account, 'POST', `${ns(tags.acme)}/list/memories?limit=3&cursor=${encodeURIComponent(cursor)}`, 400);
    await v5(served, account, 'POST', `${list}?limit=3&cursor=${encodeURIComponent(cursor)}`);
    await new Promise((resolve) => setTimeout(resolve, 80));
    const expired = await refused(served, account, 'POST', `${list}?limit=3&cursor=${encodeURIComponent(cursor)}`, 400);
    expect(JSON.stringify(expired.body)).toContain('expired');
  });

  it('a document inserted during the walk: page mode drifts (a repeat), cursor mode does not', async () => {
    const inserted: SupermemoryWireDocument = {
      id: 'iNsErTeD1DuringWalk2Xy',
      customId: null,
      connectionId: null,
      containerTags: [tags.acme],
      title: 'Inserted',
      summary: null,
      status: 'done',
      type: 'text',
      metadata: {},
      filepath: null,
      url: null,
      content: 'Inserted while listing.',
      createdAt: '',
      updatedAt: '',
    };
    const walkWith = async (byCursor: boolean) => {
      const account = trickySupermemoryAccount();
      const served = await fake(account, { generations: 'v5', v5: { insertDuringListing: { afterPage: 1, document: inserted } } });
      const { items } = await walk(served, account, tags.acme, 'documents', 'limit=3&sort=createdAt&order=desc', {}, byCursor);
      return items.map((item) => (item as V5DocumentListItem).id);
    };
    const byPage = await walkWith(false);
    expect(byPage.length - new Set(byPage).size).toBe(1);
    const byCursor = await walkWith(true);
    expect(byCursor).toHaveLength(7);
    expect(new Set(byCursor).size).toBe(7);
    expect(byCursor).not.toContain(inserted.id);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('documents and includes (§10.4, §10.5)', () => {
  it('every status; queued and failed with null content and empty includes; a done file with null content but chunks', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    const { items } = await walk(served, account, tags.acme, 'documents', 'limit=100');
    expect(new Set((items as V5DocumentListItem[]).map((item) => item.system.status))).toEqual(new Set(['done', 'queued', 'extracting', 'indexing', 'unknown', 'failed']));
    for (const id of [ids.documents.queued, ids.documents.failed]) {
      const document = await v5<DocumentBody>(served, account, 'GET', `${ns(tags.acme)}/document/${id}?include=chunks,memories`);
      expect([document.content, document.summary, document.chunks, document.memories]).toEqual([null, null, [], []]);
    }
    const pdf = await v5<DocumentBody>(served, account, 'GET', `${ns(tags.user)}/document/${ids.documents.pdf}?include=chunks`);
    expect([pdf.id, pdf.content, pdf.system.status]).toEqual(['reports.2025.q1', null, 'done']);
    expect(pdf.chunks?.map((chunk) => chunk.position)).toEqual([0, 1, 2, 3]);
    expect(pdf.chunks?.some((chunk) => 'documentId' in chunk)).toBe(false);
    expect(pdf.chunks?.find((chunk) => chunk.position === 2)?.metadata).toEqual({});
  });

  it('url on list items, absent from the GET; empty and >1 MB content; null title; open types; metadata always an object', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    const listed = (await walk(served, account, tags.user, 'documents', 'limit=100')).items as V5DocumentListItem[];
    const webpage = listed.find((item) => item.id === ids.documents.webpage);
    expect([webpage?.url, webpage?.metadata, webpage?.system.createdAt]).toEqual(['https://example.com/guides/lisbon-food', {}, '2025-04-17T10:15:00.000Z']);
    expect(listed.every((item) => !('content' in item))).toBe(true);
    const page = await v5<DocumentBody>(served, account, 'GET', `${ns(tags.user)}/document/${ids.documents.webpage}`);
    expect('url' in page).toBe(false);
    expect('chunks' in page || 'memories' in page).toBe(false);
    expect((await v5<DocumentBody>(served, account, 'GET', `${ns(tags.user)}/document/${ids.documents.summaryOnly}`)).content).toBe('');
    const large = await v5<DocumentBody>(served, account, 'GET', `${ns(tags.project)}/document/${ids.documents.large}`);
    expect(Buffer.byteLength(large.content ?? '')).toBeGreaterThan(1024 * 1024);
    const acme = (await walk(served, account, tags.acme, 'documents', 'limit=100')).items as V5DocumentListItem[];
    expect(acme.find((item) => item.id === ids.documents.queued)?.title).toBeNull();
    expect(acme.map((item) => item.type)).toEqual(expect.arrayContaining(['granola', 'something_new']));
    expect(acme.find((item) => item.id === ids.documents.unknown)?.metadata).toEqual({});
    expect(acme.find((item) => item.id === ids.documents.failed)?.metadata).toEqual({});
  });

  it('drops internal metadata keys (rule: names starting with sm_internal)', async () => {
    const account = trickySupermemoryV5Account();
    const served = await fake(account);
    const document = await v5<DocumentBody>(served, account, 'GET', `${ns(tags.project)}/document/${trickySupermemoryV5Ids.customIds.dotted}`);
    expect(document.metadata).toEqual({ month: '2026-01' });
  });

  it('include as a list, repeated, or as legacy attach; absent keys when not asked; [] when asked and empty', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    const path = `${ns(tags.user)}/document/chat-42`;
    const forms = ['include=chunks,memories', 'include=chunks&include=memories', 'attach=chunks&attach=memories', 'attach=chunks,memories'];
    const answers = await Promise.all(forms.map((query) => send(served, account, 'GET', `${path}?${query}`)));
    for (const answer of answers) expect(answer.body).toEqual(answers[0]?.body);
    const both = answers[0]?.body as DocumentBody;
    expect(both.chunks).toEqual([]);
    expect(both.memories?.map((memory) => memory.id)).toEqual([ids.memories.versionOne, ids.memories.forgotten, ids.memories.versionTwo]);
    const chunksOnly = await v5<DocumentBody>(served, account, 'GET', `${path}?include=chunks`);
    expect(['chunks' in chunksOnly, 'memories' in chunksOnly]).toEqual([true, false]);
    await refused(served, account, 'GET', `${path}?include=everything`, 400);
  });

  it('list chunks: every document of the namespace, with documentId, out of position order unless sort=position', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    const listed = (await walk(served, account, tags.user, 'chunks', 'limit=100')).items as ListBody['chunks'];
    expect(listed.every((chunk) => chunk.documentId === 'reports.2025.q1')).toBe(true);
    const positions = listed.map((chunk) => chunk.position);
    expect(positions).not.toEqual([0, 1, 2, 3]);
    expect([...positions].sort()).toEqual([0, 1, 2, 3]);
    const ordered = (await walk(served, account, tags.user, 'chunks', 'limit=3&sort=position&order=asc')).items as ListBody['chunks'];
    expect(ordered.map((chunk) => chunk.position)).toEqual([0, 1, 2, 3]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('ids (§10.6)', () => {
  it('a caller id is the v5 id; the internal id resolves too; switchable to internal ids', async () => {
    const account = trickySupermemoryAccount();
    const caller = await fake(account);
    const byInternal = await v5<DocumentBody>(caller, account, 'GET', `${ns(tags.user)}/document/${ids.documents.trip}`);
    const byCaller = await v5<DocumentBody>(caller, account, 'GET', `${ns(tags.user)}/document/chat-42`);
    expect([byInternal.id, byCaller.id]).toEqual(['chat-42', 'chat-42']);
    const listed = (await walk(caller, account, tags.user, 'documents', 'limit=100')).items as V5DocumentListItem[];
    expect(listed.map((item) => item.id)).toEqual(expect.arrayContaining(['chat-42', 'reports.2025.q1', ids.documents.webpage]));
    const internal = await fake(account, { generations: 'v5', v5: { documentIds: 'internal' } });
    const internalIds = (await walk(internal, account, tags.user, 'documents', 'limit=100')).items as V5DocumentListItem[];
    expect(internalIds.map((item) => item.id)).toContain(ids.documents.trip);
    expect((await v5<DocumentBody>(internal, account, 'GET', `${ns(tags.user)}/document/chat-42`)).id).toBe(ids.documents.trip);
  });

  it('an id needing URL encoding, a _merge suffix, the same caller id in two namespaces, the wrong namespace → 404', async () => {
    const account = trickySupermemoryV5Account();
    const served = await fake(account);
    const added = trickySupermemoryV5Ids;
    const encoded = await v5<DocumentBody>(served, account, 'GET', `${ns(tags.other)}/document/${encodeURIComponent(added.customIds.encoded)}`);
    expect(encoded.id).toBe('a/b c@d');
    expect((await v5<DocumentBody>(served, account, 'GET', `${ns(tags.other)}/document/chat-42_merge`)).title).toBe('Trip notes (merged)');
    const inUser = await v5<DocumentBody>(served, account, 'GET', `${ns(tags.user)}/document/shared-note-1`);
    const inOther = await v5<DocumentBody>(served, account, 'GET', `${ns(tags.other)}/document/shared-note-1`);
    expect([inUser.title, inOther.title]).toEqual(['Groceries', 'Reading list']);
    await refused(served, account, 'GET', `${ns(tags.other)}/document/chat-42`, 404);
    await refused(served, account, 'GET', `${ns(tags.acme)}/document/${ids.documents.trip}`, 404);
  });

  it('deleted after listing: still listed, GET 404 by either id; a deleted memory too', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account, { generations: 'v5', v5: { deletedAfterListing: ['chat-42', ids.memories.inference] } });
    const listed = (await walk(served, account, tags.user, 'documents', 'limit=100')).items as V5DocumentListItem[];
    expect(listed.map((item) => item.id)).toContain('chat-42');
    await refused(served, account, 'GET', `${ns(tags.user)}/document/chat-42`, 404);
    await refused(served, account, 'GET', `${ns(tags.user)}/document/${ids.documents.trip}`, 404);
    await refused(served, account, 'GET', `${ns(tags.user)}/memories/${ids.memories.inference}`, 404);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('memories (§10.7)', () => {
  const memoryIds = (body: ListBody) => body.memories.map((memory) => memory.id).sort();

  it('list latest, unforgotten memories by default; superseded with listSuperseded; forgotten and expired on request', async () => {
    const account = trickySupermemoryV5Account();
    const served = await fake(account);
    const plain = await v5<ListBody>(served, account, 'POST', `${ns(tags.user)}/list/memories?limit=100`);
    expect(memoryIds(plain)).toEqual([ids.memories.inference, ids.memories.versionTwo, ids.memories.nulls].sort());
    const withForgotten = await v5<ListBody>(served, account, 'POST', `${ns(tags.user)}/list/memories?limit=100`, { body: { include: { forgotten: true } } });
    expect(withForgotten.memories.find((memory) => memory.id === ids.memories.forgotten)?.isForgotten).toBe(true);
    expect(memoryIds(withForgotten)).not.toContain(ids.memories.versionOne);
    const expiredId = trickySupermemoryV5Ids.memories.expired;
    expect(memoryIds(await v5<ListBody>(served, account, 'POST', `${ns(tags.other)}/list/memories`))).toEqual([]);
    const expired = await v5<ListBody>(served, account, 'POST', `${ns(tags.other)}/list/memories`, { body: { include: { forgotten: true } } });
    expect(expired.memories).toMatchObject([{ id: expiredId, isForgotten: true, metadata: {} }]);
    const superseded = await fake(account, { generations: 'v5', v5: { listSuperseded: true } });
    const all = await v5<ListBody>(superseded, account, 'POST', `${ns(tags.user)}/list/memories?limit=100`);
    expect(all.memories.find((memory) => memory.id === ids.memories.versionOne)).toMatchObject({ isLatest: false, version: 1 });
  });

  it('lists history-only versions as their own items with listSuperseded', async () => {
    const account = generatedSupermemoryAccount({ tags: 1, documentsPerTag: 2, memoriesPerTag: 10 });
    const served = await fake(account, { generations: 'v5', v5: { listSuperseded: true } });
    const namespace = account.containerTags[0]?.containerTag ?? '';
    const listed = await v5<ListBody>(served, account, 'POST', `${ns(namespace)}/list/memories?limit=100`);
    expect(listed.memories).toHaveLength(11);
    expect(listed.memories.filter((memory) => !memory.isLatest)).toHaveLength(1);
  });

  it('flattens the entry: isInference null → false, metadata null → {} (null in the pre-release variant)', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    const nulls = await v5<MemoryBody>(served, account, 'GET', `${ns(tags.user)}/memories/${ids.memories.nulls}`);
    expect([nulls.isInference, nulls.metadata, 'included' in nulls]).toEqual([false, {}, false]);
    expect(Object.keys(nulls).sort()).toEqual(['id', 'isForgotten', 'isInference', 'isLatest', 'isStatic', 'memory', 'metadata', 'system', 'version']);
    const inference = await v5<MemoryBody>(served, account, 'GET', `${ns(tags.user)}/memories/${ids.memories.inference}`);
    expect([inference.isInference, inference.isStatic]).toEqual([true, false]);
    const preRelease = await fake(account, { generations: 'v5', v5: { nullMetadata: true } });
    const raw = await send(preRelease, account, 'GET', `${ns(tags.user)}/memories/${ids.memories.nulls}`);
    expect((raw.body as { metadata: unknown }).metadata).toBeNull();
  });

  it('GET with include=related,documents: parents (updates, nearest first), children, siblings, the source document', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    const latest = await v5<MemoryBody>(served, account, 'GET', `${ns(tags.user)}/memories/${ids.memories.versionTwo}?include=related,documents`);
    expect(latest.included?.related?.parents).toMatchObject([{ id: ids.memories.versionOne, relation: 'updates', version: 1, memory: 'Jane lives in Porto', document: { id: 'chat-42' } }]);
    expect(latest.included?.related?.siblings).toMatchObject([{ id: ids.memories.inference, relation: 'derives' }]);
    expect(latest.included?.document?.id).toBe('chat-42');
    const earlier = await v5<MemoryBody>(served, account, 'GET', `${ns(tags.user)}/memories/${ids.memories.versionOne}?include=related`);
    expect(earlier.isLatest).toBe(false);
    expect(earlier.included?.related?.children.map((child) => child.id)).toEqual([ids.memories.versionTwo]);
    expect(earlier.included && 'document' in earlier.included).toBe(false);
    const orphan = await v5<MemoryBody>(served, account, 'GET', `${ns(tags.user)}/memories/${ids.memories.nulls}?include=documents`);
    expect(orphan.included).toBeUndefined();
    await refused(served, account, 'GET', `${ns(tags.user)}/memories/${ids.memories.versionTwo}?relatedLimit=101`, 400);
  });

  it('GET a forgotten memory: returned with isForgotten; another namespace’s memory: 404', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    expect((await v5<MemoryBody>(served, account, 'GET', `${ns(tags.user)}/memories/${ids.memories.forgotten}`)).isForgotten).toBe(true);
    await refused(served, account, 'GET', `${ns(tags.acme)}/memories/${ids.memories.versionTwo}`, 404);
  });

  it('a memory shared by two documents appears under each', async () => {
    const account = trickySupermemoryV5Account();
    const served = await fake(account);
    for (const id of [trickySupermemoryV5Ids.customIds.encoded, trickySupermemoryV5Ids.customIds.merged]) {
      const document = await v5<DocumentBody>(served, account, 'GET', `${ns(tags.other)}/document/${encodeURIComponent(id)}?include=memories`);
      expect(document.memories?.map((memory) => memory.id)).toEqual([trickySupermemoryV5Ids.memories.expired]);
    }
  });

  it('a server from before include.forgotten answers 400 to it (forgottenOption: false)', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account, { generations: 'v5', v5: { forgottenOption: false } });
    const answer = await refused(served, account, 'POST', `${ns(tags.user)}/list/memories?limit=1`, 400, { body: { include: { forgotten: true } } });
    expect(isValidationError(answer.body)).toBe(true);
    await v5(served, account, 'POST', `${ns(tags.user)}/list/memories?limit=1`, { body: {} });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('profile (§10.8)', () => {
  it('{id, memory} items: a matching latest memory’s id, else an aggregated_ id that 404s as a memory', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    const project = await v5<ProfileBody>(served, account, 'POST', `${ns(tags.project)}/profile`, { body: {} });
    expect(project.profile.static).toEqual([{ id: ids.memories.project, memory: 'The project stores its data in PostgreSQL 17' }]);
    const user = await v5<ProfileBody>(served, account, 'POST', `${ns(tags.user)}/profile`);
    expect(user.profile.static.map((item) => item.memory)).toEqual(['Lives in Lisbon', 'Works as a product designer']);
    const aggregated = user.profile.static[0]?.id ?? '';
    expect(aggregated).toMatch(/^aggregated_/);
    await refused(served, account, 'GET', `${ns(tags.user)}/memories/${aggregated}`, 404);
    expect(Object.keys(user.profile.buckets)).toEqual(['travel', 'work']);
    const narrowed = await v5<ProfileBody>(served, account, 'POST', `${ns(tags.user)}/profile`, { body: { buckets: ['work'] } });
    expect(narrowed.profile.buckets).toEqual({ work: [] });
  });

  it('empty static, dynamic and buckets all present; markdown on request; 400 for the legacy body', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    expect(await v5<ProfileBody>(served, account, 'POST', `${ns(tags.empty)}/profile`)).toEqual({ profile: { static: [], dynamic: [], buckets: {} } });
    const markdown = await send(served, account, 'POST', `${ns(tags.user)}/profile`, { headers: { accept: 'text/markdown' } });
    expect(markdown.contentType).toMatch(/^text\/markdown/);
    expect(markdown.text).toContain('- Lives in Lisbon');
    for (const body of [{ containerTag: tags.user }, { q: 'trip' }, { threshold: 0.5 }]) {
      const answer = await refused(served, account, 'POST', `${ns(tags.user)}/profile`, 400, { body });
      expect(isValidationError(answer.body)).toBe(true);
    }
    const buckets = await v5<{ buckets: Record<string, string> }>(served, account, 'GET', `${ns(tags.user)}/profile/buckets`);
    expect(Object.keys(buckets.buckets)).toEqual(['travel', 'work']);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('errors, faults, limits (§10.9)', () => {
  it('401 without or with a bad key; Bearer and x-api-key both accepted', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    for (const key of [null, 'sm_wrong']) {
      const answer = await refused(served, account, 'GET', '/namespaces', 401, { key });
      expect(answer.body).toEqual({ error: 'Unauthorized', details: 'Invalid or missing API key' });
    }
    await v5(served, account, 'GET', '/namespaces', { xApiKey: true });
  });

  it('a scoped key: 403 outside its namespaces, a filtered namespace list (or 403 on it, when chosen)', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    const scoped = { key: ids.scopedKey };
    const { namespaces } = await v5<{ namespaces: V5Namespace[] }>(served, account, 'GET', '/namespaces', scoped);
    expect(namespaces.map((item) => item.namespace)).toEqual([tags.user]);
    expect((await v5<{ namespaceCount: number }>(served, account, 'GET', '/organization', scoped)).namespaceCount).toBe(1);
    await v5(served, account, 'POST', `${ns(tags.user)}/list/documents`, scoped);
    await refused(served, account, 'POST', `${ns(tags.acme)}/list/documents`, 403, scoped);
    await refused(served, account, 'GET', `${ns(tags.acme)}/document/${ids.documents.unicode}`, 403, scoped);
    const strict = await fake(account, { generations: 'v5', v5: { scopedKeyNamespaceList: 'forbidden' } });
    await refused(strict, account, 'GET', '/ns', 403, scoped);
  });

  it('unknown routes, a /v5 prefix included, answer 404 JSON', async () => {
    const account = trickySupermemoryAccount();
    for (const generations of ['both', 'v5'] as const) {
      const served = await fake(account, { generations });
      for (const path of ['/v5/ns/user_123/list/documents', '/v5/namespaces', '/ns/user_123/search', '/nothing/here']) {
        const answer = await send(served, account, 'POST', path, { body: {} });
        expect([answer.status, answer.body], path).toEqual([404, { error: 'Not Found' }]);
      }
      expect(served.v5Counters.byRoute.unknown).toBe(4);
    }
  });

  it('faults: 429 (seconds, HTTP date, 3600, retry-after-ms), 500, 502 HTML, reset, a 400 with an array error', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account, {
      generations: 'v5',
      v5: { faults: { every: 1, retryAfterSeconds: 2, retryAfterMs: 250, kinds: ['429-retry-after', '429-http-date', '429-3600', '429-retry-after-ms', '500', '502-html', '400-validation', 'reset'] } },
    });
    const next = () => send(served, account, 'GET', '/namespaces');
    expect((await next()).headers.get('retry-after')).toBe('2');
    expect(Date.parse((await next()).headers.get('retry-after') ?? '')).toBeGreaterThan(Date.now() - 5000);
    expect((await next()).headers.get('retry-after')).toBe('3600');
    const ms = await next();
    expect([ms.status, ms.headers.get('retry-after-ms')]).toEqual([429, '250']);
    expect(v5ComponentProblems('ErrorResponse', ms.body)).toEqual([]);
    const failed = await next();
    expect([failed.status, v5ComponentProblems('ErrorResponse', failed.body)]).toEqual([500, []]);
    const html = await next();
    expect([html.status, html.contentType, html.text.includes('502 Bad Gateway')]).toEqual([502, 'text/html', true]);
    const invalid = await next();
    expect([invalid.status, isValidationError(invalid.body), v5ComponentProblems('ValidationErrorResponse', invalid.body)]).toEqual([400, true, []]);
    await expect(next()).rejects.toThrow();
    expect(served.v5Counters.rateLimited).toBe(4);
  });

  it('quota exhausted → 402; a rate limit per second → 429 with Retry-After: 1; latency; counters per route', async () => {
    const account = trickySupermemoryAccount();
    const quota = await fake(account, { generations: 'v5', v5: { quotaExhausted: true } });
    const refusedByQuota = await refused(quota, account, 'POST', `${ns(tags.user)}/list/documents`, 402);
    expect((refusedByQuota.body as { error: string }).error).toBe('Payment Required');
    const limited = await fake(account, { generations: 'v5', v5: { rateLimitPerSecond: 2, latencyMs: 20 } });
    const started = Date.now();
    const answers = [];
    for (let index = 0; index < 3; index++) answers.push(await send(limited, account, 'GET', `${ns(tags.user)}/document/chat-42`));
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 429]);
    expect(answers[2]?.headers.get('retry-after')).toBe('1');
    expect(limited.v5Counters).toMatchObject({ requests: 3, rateLimited: 1, byRoute: { document: 3 } });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('v5RequestProblems', () => {
  const problems = (method: string, path: string, body = '') => v5RequestProblems({ method, path, body });

  it('passes valid requests', () => {
    expect(problems('GET', '/namespaces?page=2&limit=100')).toEqual([]);
    expect(problems('GET', '/ns')).toEqual([]);
    expect(problems('GET', '/organization')).toEqual([]);
    expect(problems('GET', '/ns/org%3Aacme%3Auser%3A1')).toEqual([]);
    expect(problems('GET', '/ns/org:acme:user:1/profile/buckets')).toEqual([]);
    expect(problems('POST', '/ns/user_123/list/documents?page=1&limit=100&sort=createdAt&order=asc', '{}')).toEqual([]);
    expect(problems('POST', '/ns/user_123/list/documents?limit=100&sort=createdAt&order=asc&cursor=smc1.abc.def', '')).toEqual([]);
    expect(problems('POST', '/ns/user_123/list/chunks?sort=position&order=asc')).toEqual([]);
    expect(problems('POST', '/ns/user_123/list/memories?limit=100', '{"include":{"forgotten":true}}')).toEqual([]);
    expect(problems('POST', '/ns/user_123/list/documents', JSON.stringify({ filter: { field: 'source', operator: 'eq', value: 'chat' } }))).toEqual([]);
    expect(problems('GET', `/ns/user_123/document/${encodeURIComponent('a/b c@d')}?include=chunks,memories`)).toEqual([]);
    expect(problems('GET', '/ns/user_123/memories/mEm7?include=related,documents&relatedLimit=10')).toEqual([]);
    expect(problems('POST', '/ns/user_123/profile')).toEqual([]);
    expect(problems('POST', '/ns/user_123/profile', '{"buckets":["travel"]}')).toEqual([]);
  });

  it('reports paging in the body, a limit over 100, a /v5 prefix, and other misplaced or invalid parts', () => {
    expect(problems('POST', '/ns/user_123/list/documents', '{"page":1}')).toEqual(['body key page is misplaced: it belongs in the query string']);
    expect(problems('POST', '/ns/user_123/list/documents?limit=101').join()).toMatch(/query parameter limit.*<= 100/);
    expect(problems('GET', '/namespaces?limit=101').join()).toMatch(/limit/);
    expect(problems('POST', '/v5/ns/user_123/list/documents').join()).toMatch(/no v5 read operation.*unversioned/);
    expect(problems('POST', '/ns/user_123/list/documents', '{"containerTags":["user_123"]}').join()).toMatch(/containerTags/);
    expect(problems('POST', '/ns/user_123/list/documents?page=2&cursor=abc').join()).toMatch(/page and cursor/);
    expect(problems('POST', '/ns/user_123/list/documents?sort=position').join()).toMatch(/sorts chunks only/);
    expect(problems('POST', '/ns/user_123/list/documents?sort=name').join()).toMatch(/sort/);
    expect(problems('POST', '/ns/user_123/list/things').join()).toMatch(/type/);
    expect(problems('POST', '/ns/user_123/list/documents?includeContent=true').join()).toMatch(/includeContent is not declared/);
    expect(problems('GET', '/ns/user_123/document/x?include=chunks&include=memories').join()).toMatch(/repeated/);
    expect(problems('GET', '/ns/user_123/document/x?attach=chunks').join()).toMatch(/attach is not declared/);
    expect(problems('GET', '/ns/user_123/document/x?include=content').join()).toMatch(/include/);
    expect(problems('GET', '/ns/user_123/document/x', '{}').join()).toMatch(/takes no body/);
    expect(problems('GET', '/ns/not%20valid').join()).toMatch(/path parameter namespace/);
    expect(problems('POST', '/ns/user_123/profile', '{"containerTag":"user_123","q":"x"}')).toHaveLength(2);
    expect(problems('POST', '/v3/documents/list', '{}')).toHaveLength(1);
    expect(problems('POST', '/namespaces')).toHaveLength(1);
  });
});
