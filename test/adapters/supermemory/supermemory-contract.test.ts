// The official `supermemory` 4.x client against our fake Supermemory API: if the fake drifted from the wire the client
// speaks, this fails. Then raw-fetch tests for what the client cannot show (keys on the wire, prefixes, headers,
// drift, error bodies). Everything runs against 127.0.0.1.
import Supermemory, {
  APIConnectionError,
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from 'supermemory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generatedSupermemoryAccount,
  tagCounts,
  trickySupermemoryAccount,
  trickySupermemoryIds as ids,
  trickySupermemoryTags as tags,
  type SupermemoryAccount,
  type SupermemoryProfile,
  type SupermemoryWireChunk,
  type SupermemoryWireDocument,
  type SupermemoryWireDocumentMemory,
  type SupermemoryWireMemoryEntry,
  type SupermemoryWireTag,
} from '../../fakes/supermemory/supermemory-account.js';
import type { SupermemoryFakeOptions } from '../../fakes/supermemory/supermemory-handlers.js';
import { startSupermemoryFake, type SupermemoryFake } from '../../support/supermemory-fake.js';

interface DocumentPage {
  memories: (Record<string, unknown> & { id: string })[];
  pagination: { currentPage: number; limit?: number; totalItems: number; totalPages: number };
}
interface MemoryEntryPage {
  memoryEntries: SupermemoryWireMemoryEntry[];
  pagination: DocumentPage['pagination'];
}
interface WireAnswer<Body> {
  status: number;
  headers: Headers;
  body: Body;
}

const account = trickySupermemoryAccount();
let fake: SupermemoryFake;

beforeAll(async () => {
  fake = await startSupermemoryFake(account);
});
afterAll(() => fake.close());

function clientFor(served: SupermemoryFake, apiKey = account.apiKey, prefix = ''): Supermemory {
  return new Supermemory({ apiKey, baseURL: served.url + prefix, maxRetries: 0 });
}

async function withFake<T>(
  fakeAccount: SupermemoryAccount,
  options: SupermemoryFakeOptions,
  use: (served: SupermemoryFake) => Promise<T>,
): Promise<T> {
  const served = await startSupermemoryFake(fakeAccount, options);
  try {
    return await use(served);
  } finally {
    await served.close();
  }
}

/** One raw request; the body is parsed as JSON when the answer says it is JSON, else kept as text. */
async function send<Body>(
  served: SupermemoryFake,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${account.apiKey}` },
): Promise<WireAnswer<Body>> {
  const response = await fetch(served.url + path, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed: unknown = response.headers.get('content-type')?.includes('application/json') ? JSON.parse(text) : text;
  return { status: response.status, headers: response.headers, body: parsed as Body };
}

const userDocumentsOldestFirst = [
  ids.documents.trip,
  ids.documents.pdf,
  ids.documents.webpage,
  ids.documents.summaryOnly,
  ids.documents.twoTags,
  ids.documents.sharedCustomIdUser,
];

describe('the official supermemory client against the fake Supermemory API', () => {
  it('pages through every document of a tag, oldest first, with a short last page', async () => {
    const generated = generatedSupermemoryAccount({ tags: 1, documentsPerTag: 250, memoriesPerTag: 0 });
    const tag = generated.containerTags[0]!.containerTag;
    await withFake(generated, {}, async (served) => {
      const client = clientFor(served, generated.apiKey);
      const pages = [];
      for (let page = 1; ; page++) {
        const answer = await client.documents.list({
          containerTags: [tag],
          page,
          limit: 100,
          sort: 'createdAt',
          order: 'asc',
          includeContent: true,
        });
        pages.push(answer);
        if (page >= answer.pagination.totalPages) break;
      }
      expect(pages.map((page) => page.memories.length)).toEqual([100, 100, 50]);
      expect(pages[0]!.pagination).toEqual({ currentPage: 1, limit: 100, totalItems: 250, totalPages: 3 });
      const items = pages.flatMap((page) => page.memories);
      expect(items.map((item) => item.id)).toEqual(generated.documents.map((document) => document.id));
      const times = items.map((item) => Date.parse(item.createdAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      for (const item of items.slice(0, 3)) {
        const stored = generated.documents.find((document) => document.id === item.id)!;
        expect(item).toEqual({
          id: stored.id,
          customId: stored.customId,
          connectionId: null,
          containerTags: [tag],
          title: stored.title,
          summary: stored.summary,
          status: 'done',
          type: stored.type,
          metadata: stored.metadata,
          filepath: stored.filepath,
          url: null,
          content: stored.content,
          createdAt: stored.createdAt,
          updatedAt: stored.updatedAt,
        });
      }

      // The client sends the body exactly as given: camelCase, numbers as numbers.
      expect(JSON.parse(served.requests[0]!.body)).toEqual({
        containerTags: [tag],
        page: 1,
        limit: 100,
        sort: 'createdAt',
        order: 'asc',
        includeContent: true,
      });
      expect(served.requests[0]!.headers['authorization']).toBe(`Bearer ${generated.apiKey}`);

      const pastTheEnd = await client.documents.list({ containerTags: [tag], page: 4, limit: 100 });
      expect(pastTheEnd).toEqual({ memories: [], pagination: { currentPage: 4, limit: 100, totalItems: 250, totalPages: 3 } });
      expect(served.counters.byRoute['documents/list']).toBe(4);
    });
  });

  it('lists a tag without content unless asked, newest first by default, and filters on all the tags given', async () => {
    const client = clientFor(fake);
    const withoutContent = await client.documents.list({ containerTags: [tags.user], limit: 100, sort: 'createdAt', order: 'asc' });
    expect(withoutContent.memories.map((item) => item.id)).toEqual(userDocumentsOldestFirst);
    for (const item of withoutContent.memories) {
      expect(Object.keys(item)).not.toContain('content');
      expect(Object.keys(item)).not.toContain('ogImage'); // GET-only keys stay out of the list
      for (const key of ['id', 'connectionId', 'createdAt', 'customId', 'filepath', 'metadata', 'status', 'summary', 'title', 'type', 'updatedAt']) {
        expect(item).toHaveProperty(key);
      }
    }

    const withContent = await client.documents.list({ containerTags: [tags.user], limit: 100, includeContent: true });
    expect(withContent.memories.map((item) => item.id)).toEqual([...userDocumentsOldestFirst].reverse());
    const contentOf = (id: string): unknown => withContent.memories.find((item) => item.id === id)?.content;
    expect(contentOf(ids.documents.pdf)).toBeNull(); // typed `string | undefined` by the client, null on the wire
    expect(contentOf(ids.documents.webpage)).toBe('https://example.com/guides/lisbon-food');
    expect(contentOf(ids.documents.summaryOnly)).toBe('');

    const both = await client.documents.list({ containerTags: [tags.user, tags.acme] });
    expect(both.memories.map((item) => item.id)).toEqual([ids.documents.twoTags]);
    const everything = await client.documents.list({ limit: 100 });
    expect(everything.pagination.totalItems).toBe(account.documents.length);
    const untagged = everything.memories.filter((item) => !item.containerTags?.length).map((item) => item.id);
    expect(untagged.sort()).toEqual([ids.documents.emptyTags, ids.documents.untagged].sort());
  });

  it('gets one document with its content, the memories key the types lack, and its chunks in position order', async () => {
    const client = clientFor(fake);
    const trip = await client.documents.get(ids.documents.trip);
    expect(trip.content).toMatch(/^Jane is planning a two-week trip to Lisbon/);
    expect(trip.taskType).toBe('memory');
    const memories = (trip as typeof trip & { memories?: SupermemoryWireDocumentMemory[] }).memories;
    expect(memories?.map((memory) => [memory.id, memory.version, memory.isLatest, memory.isForgotten])).toEqual([
      [ids.memories.versionOne, 1, false, false],
      [ids.memories.forgotten, 1, true, true],
      [ids.memories.versionTwo, 2, true, false],
    ]);

    const queued = await client.documents.get(ids.documents.queued);
    expect([queued.status, queued.content, queued.summary]).toEqual(['queued', null, null]);
    expect(Object.keys(queued)).not.toContain('memories');
    expect((await client.documents.get(ids.documents.webpage)).ogImage).toBe('https://example.com/guides/lisbon-food/cover.jpg');

    const chunks = await client.get<{ documentId: string; chunks: SupermemoryWireChunk[]; total: number }>(
      `/v3/documents/${ids.documents.pdf}/chunks`,
    );
    expect(chunks.documentId).toBe(ids.documents.pdf);
    expect(chunks.total).toBe(4);
    expect(chunks.chunks.map((chunk) => [chunk.position, chunk.type])).toEqual([[0, 'text'], [1, 'text'], [2, 'text'], [3, 'image']]);

    await expect(client.documents.get('a/b c@d')).rejects.toBeInstanceOf(NotFoundError);
    expect(fake.requests.at(-1)?.path).toBe('/v3/documents/a%2Fb%20c@d');
  });

  it('reads profiles: buckets pass through, a tag with documents or without a profile answers empty arrays', async () => {
    const client = clientFor(fake);
    const user = await client.profile({ containerTag: tags.user });
    expect(user.profile).toEqual(account.profiles[tags.user]);
    expect((user.profile as SupermemoryProfile).buckets).toEqual({ travel: ['Prefers window seats'], work: [] });
    expect(JSON.parse(fake.requests.at(-1)!.body)).toEqual({ containerTag: tags.user });
    expect((await client.profile({ containerTag: tags.other })).profile).toEqual({ static: [], dynamic: [] });
    expect((await client.profile({ containerTag: tags.empty })).profile).toEqual({ static: [], dynamic: [] });
  });

  it('lists container tags and memory entries through the generic get and post', async () => {
    const client = clientFor(fake);
    const listed = await client.get<SupermemoryWireTag[]>('/v3/container-tags/list');
    expect(listed.map((tag) => [tag.containerTag, tag.documentCount, tag.memoryCount])).toEqual([
      [tags.user, 6, 3], // the forgotten entry and the superseded v1 are not counted
      [tags.acme, 7, 1],
      [tags.project, 2, 1],
      [tags.empty, 0, 0],
      [tags.other, 2, 0],
    ]);
    const acme = listed.find((tag) => tag.containerTag === tags.acme)!;
    expect([acme.description, acme.lastActivityAt, acme.mergeStatus, 'visibility' in acme]).toEqual([null, null, 'source', false]);
    expect(listed.find((tag) => tag.containerTag === tags.project)?.isNova).toBe(true);

    const entries = await client.post<MemoryEntryPage>('/v4/memories/list', {
      body: { containerTags: [tags.user], page: 1, limit: 100, sort: 'createdAt', order: 'asc' },
    });
    expect(entries.memoryEntries.map((entry) => entry.id)).toEqual([
      ids.memories.forgotten,
      ids.memories.versionTwo,
      ids.memories.inference,
      ids.memories.nulls,
    ]);
    expect(entries.pagination).toEqual({ currentPage: 1, limit: 100, totalItems: 4, totalPages: 1 });
    const [forgotten, latest, inference, nulls] = entries.memoryEntries;
    expect([forgotten?.isForgotten, forgotten?.forgetReason]).toEqual([true, 'User asked to forget this']);
    expect(latest).toMatchObject({
      version: 2,
      parentMemoryId: ids.memories.versionOne,
      rootMemoryId: ids.memories.versionOne,
      memoryRelations: { [ids.memories.versionOne]: 'updates' },
      spaceId: ids.spaces.user,
    });
    expect(latest?.history.map((version) => [version.id, version.version, version.isLatest])).toEqual([[ids.memories.versionOne, 1, false]]);
    expect([inference?.isInference, inference?.documentIds, inference?.forgetAfter]).toEqual([true, [], '2099-01-01T00:00:00.000Z']);
    expect([nulls?.isInference, nulls?.metadata, nulls?.memoryRelations, nulls?.temporalContext, nulls?.documentIds]).toEqual([
      null,
      null,
      null,
      null,
      [ids.deletedDocument],
    ]);
    for (const entry of entries.memoryEntries) expect(Object.keys(entry)).toHaveLength(21);
  });

  it('raises the client’s error classes: 401, 402, 403, 400 for a body-less list', async () => {
    const wrongKey = clientFor(fake, 'sm_wrong_key_000000000000');
    const refused = await wrongKey.documents.list({}).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AuthenticationError);
    expect((refused as AuthenticationError).error).toEqual({ error: 'Unauthorized', details: 'Invalid or missing API key' });

    await withFake(account, { quotaExhausted: true }, async (served) => {
      const exhausted = await clientFor(served).documents.list({ containerTags: [tags.user] }).catch((error: unknown) => error);
      expect(exhausted).toBeInstanceOf(APIError);
      expect((exhausted as APIError).constructor).toBe(APIError); // no subclass for 402
      expect((exhausted as APIError).status).toBe(402);
    });

    const scoped = clientFor(fake, ids.scopedKey);
    await expect(scoped.documents.list({ containerTags: [tags.acme] })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(scoped.profile({ containerTag: tags.other })).rejects.toBeInstanceOf(PermissionDeniedError);
    const ownTags = await scoped.documents.list({ limit: 100 }); // no tag: scoped to the key's own
    expect(ownTags.memories.map((item) => item.id).sort()).toEqual([...userDocumentsOldestFirst].sort());

    const client = clientFor(fake);
    // @ts-expect-error the 4.25.4 types want a body, yet `list()` without one is what the note captured
    await expect(client.documents.list()).rejects.toBeInstanceOf(BadRequestError);
    const bodyless = fake.requests.at(-1)!;
    expect([bodyless.path, bodyless.body, bodyless.headers['content-type']]).toEqual(['/v3/documents/list', '', undefined]);
  });

  it('raises RateLimitError on a 429 with retry-after-ms, InternalServerError on HTML, a connection error on a reset', async () => {
    const faults: SupermemoryFakeOptions['faults'] = { every: 1, kinds: ['429-retry-after-ms', '502-html', 'reset'], retryAfterMs: 300 };
    await withFake(account, { faults }, async (served) => {
      const client = clientFor(served);
      const limited = await client.documents.list({ containerTags: [tags.user] }).catch((error: unknown) => error);
      expect(limited).toBeInstanceOf(RateLimitError);
      expect((limited as RateLimitError).headers.get('retry-after-ms')).toBe('300');

      const gateway = await client.documents.get(ids.documents.trip).catch((error: unknown) => error);
      expect(gateway).toBeInstanceOf(InternalServerError);
      expect((gateway as InternalServerError).error).toBeUndefined();
      expect((gateway as InternalServerError).message).toMatch(/^502 <html>/);

      await expect(client.profile({ containerTag: tags.user })).rejects.toBeInstanceOf(APIConnectionError);
      expect(served.counters).toMatchObject({ requests: 3, rateLimited: 1 });
    });
  });
});

describe('the fake Supermemory wire, read with fetch', () => {
  it('speaks camelCase in every answer, outside user data', async () => {
    const answers = await Promise.all([
      send(fake, 'POST', '/v3/documents/list', { limit: 100, includeContent: true }),
      send(fake, 'POST', '/v4/memories/list', { containerTags: [tags.user, tags.acme, tags.project] }),
      send(fake, 'GET', '/v3/container-tags/list'),
      send(fake, 'GET', `/v3/documents/${ids.documents.trip}`),
      send(fake, 'GET', `/v3/documents/${ids.documents.pdf}/chunks`),
      send(fake, 'POST', '/v4/profile', { containerTag: tags.user }),
      send(fake, 'GET', '/v3/session'),
      send(fake, 'GET', '/v3/documents/processing'),
    ]);
    const userData = new Set(['metadata', 'memoryRelations', 'buckets', 'temporalContext']);
    const keys = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (typeof value === 'object' && value !== null) {
        for (const [key, inner] of Object.entries(value)) {
          keys.add(key);
          if (!userData.has(key)) collect(inner);
        }
      }
    };
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      collect(answer.body);
    }
    expect([...keys].filter((key) => !/^[a-z][a-zA-Z0-9]*$/.test(key))).toEqual([]);
    expect(keys).toContain('containerTags');
    expect(keys).toContain('totalPages');
  });

  it('keeps a base-URL path prefix, takes x-api-key, refuses a missing key with {error, details}', async () => {
    const viaHeader = await send<DocumentPage>(fake, 'POST', '/prefix/v3/documents/list', { containerTags: [tags.user] }, { 'x-api-key': account.apiKey });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.body.pagination.totalItems).toBe(6);

    const profile = await clientFor(fake, account.apiKey, '/prefix').profile({ containerTag: tags.acme });
    expect(profile.profile.dynamic).toEqual(['Reviewing the quarterly plan 📈']);
    expect(fake.requests.at(-1)?.path).toBe('/prefix/v4/profile');

    const anonymous = await send(fake, 'GET', '/v3/container-tags/list', undefined, {});
    expect([anonymous.status, anonymous.body]).toEqual([401, { error: 'Unauthorized', details: 'Invalid or missing API key' }]);
    const wrongBearer = await send(fake, 'GET', '/v3/session', undefined, { authorization: 'Bearer sm_not_this_one_00000000' });
    expect(wrongBearer.status).toBe(401);
  });

  it('accepts digit-string page and limit, and answers validation failures with an array `error`', async () => {
    const page = await send<DocumentPage>(fake, 'POST', '/v3/documents/list', { containerTags: [tags.user], page: '2', limit: '2', order: 'asc' });
    expect(page.body.memories.map((item) => item.id)).toEqual([ids.documents.webpage, ids.documents.summaryOnly]);
    expect(page.body.pagination).toEqual({ currentPage: 2, limit: 2, totalItems: 6, totalPages: 3 });

    const badTag = { containerTags: [tags.user, 'bad tag!'] };
    const invalid = await send<{ data: unknown; error: { path: (string | number)[]; message: string }[] }>(fake, 'POST', '/v3/documents/list', badTag);
    expect(invalid.status).toBe(400);
    expect(invalid.body.data).toEqual(badTag);
    expect(invalid.body.error).toEqual([{ path: ['containerTags', 1], message: expect.any(String) }]);

    const badPaging = await send<{ error: { path: (string | number)[] }[] }>(fake, 'POST', '/v4/memories/list', {
      containerTags: [tags.user],
      page: 'two',
      limit: 1101,
    });
    expect(badPaging.body.error.map((issue) => issue.path)).toEqual([['page'], ['limit']]);
    const noTags = await send(fake, 'POST', '/v4/memories/list', { containerTags: [] });
    expect([noTags.status, noTags.body]).toEqual([400, { error: 'containerTags are required' }]);
  });

  it('shifts pages when a document arrives mid-listing: newest-first repeats an item and misses the newcomer', async () => {
    const newcomer: SupermemoryWireDocument = {
      ...account.documents.find((document) => document.id === ids.documents.trip)!,
      id: 'nEwCoMeR1ArrivedMid2Ls',
      customId: null,
      title: 'Arrived during the export',
    };
    const listAll = async (order: 'asc' | 'desc'): Promise<{ seen: string[]; totalItems: number; fresh: SupermemoryAccount }> => {
      const fresh = trickySupermemoryAccount();
      return withFake(fresh, { insertDuringListing: { afterPage: 1, document: newcomer } }, async (served) => {
        const seen: string[] = [];
        let totalItems = 0;
        for (let page = 1; ; page++) {
          const answer = await send<DocumentPage>(served, 'POST', '/v3/documents/list', { containerTags: [tags.user], page, limit: 2, order });
          seen.push(...answer.body.memories.map((item) => item.id));
          totalItems = answer.body.pagination.totalItems;
          if (page >= answer.body.pagination.totalPages) break;
        }
        return { seen, totalItems, fresh };
      });
    };

    const newestFirst = await listAll('desc');
    expect(newestFirst.totalItems).toBe(7);
    expect(newestFirst.seen).toHaveLength(7);
    expect(new Set(newestFirst.seen).size).toBe(6); // one repeat; deduped, one short of totalItems
    expect(newestFirst.seen).not.toContain(newcomer.id);
    const stored = newestFirst.fresh.documents.find((document) => document.id === newcomer.id)!;
    expect(Date.now() - Date.parse(stored.createdAt)).toBeLessThan(10_000);

    const oldestFirst = await listAll('asc');
    expect(oldestFirst.seen).toEqual([...userDocumentsOldestFirst, newcomer.id]);
  });

  it('sends 429s with Retry-After as seconds, as an HTTP date and as 3600; faults come in turn and never change data', async () => {
    const faults: SupermemoryFakeOptions['faults'] = { every: 2, kinds: ['429-http-date', '429-retry-after', '429-3600', '500', 'reset'], retryAfterSeconds: 30 };
    await withFake(account, { faults }, async (served) => {
      const body = { containerTags: [tags.user], limit: 3, order: 'asc' };
      const answers: WireAnswer<unknown>[] = [];
      for (let attempt = 0; attempt < 9; attempt++) answers.push(await send(served, 'POST', '/v3/documents/list', body));
      await expect(send(served, 'POST', '/v3/documents/list', body)).rejects.toThrow(); // the reset

      expect(answers.map((answer) => answer.status)).toEqual([200, 429, 200, 429, 200, 429, 200, 500, 200]);
      const date = answers[1]!.headers.get('retry-after')!;
      expect(Number.isNaN(Number(date))).toBe(true);
      expect(Date.parse(date) - Date.now()).toBeGreaterThan(27_000);
      expect(Date.parse(date) - Date.now()).toBeLessThanOrEqual(30_000);
      expect(answers[3]!.headers.get('retry-after')).toBe('30');
      expect(answers[5]!.headers.get('retry-after')).toBe('3600');
      const successes = answers.filter((answer) => answer.status === 200).map((answer) => answer.body);
      for (const success of successes) expect(success).toEqual(successes[0]);
      expect(served.counters).toMatchObject({ requests: 10, rateLimited: 3 });
    });
  });

  it('rate-limits per second with Retry-After: 1 and counts requests per route', async () => {
    await withFake(account, { rateLimitPerSecond: 2 }, async (served) => {
      const statuses = [];
      for (let request = 0; request < 3; request++) {
        statuses.push((await send(served, 'POST', '/v4/profile', { containerTag: tags.user })).status);
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(served.requests.length).toBe(3);
      const limited = await send(served, 'GET', '/v3/container-tags/list');
      expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '1']);
      expect(served.counters.requests).toBe(4);
      expect(served.counters.rateLimited).toBe(2);
      expect(served.counters.byRoute).toMatchObject({ profile: 3, 'container-tags': 1, 'documents/list': 0 });
    });
  });

  it('lists documents deleted before they are read, then answers 404 for them; decodes ids in paths', async () => {
    await withFake(account, { deletedAfterListing: [ids.documents.trip] }, async (served) => {
      const listed = await send<DocumentPage>(served, 'POST', '/v3/documents/list', { containerTags: [tags.user], limit: 100 });
      expect(listed.body.memories.map((item) => item.id)).toContain(ids.documents.trip);
      const gone = await send(served, 'GET', `/v3/documents/${ids.documents.trip}`);
      expect([gone.status, gone.body]).toEqual([404, { error: 'Document not found' }]);
      expect((await send(served, 'GET', `/v3/documents/${ids.documents.trip}/chunks`)).status).toBe(404);
      const decoded = await send<SupermemoryWireDocument>(served, 'GET', '/v3/documents/doc%5Fabc123');
      expect([decoded.status, decoded.body.id, decoded.body.content]).toEqual([200, ids.documents.pdf, null]);
    });
  });

  it('answers 404 where an older or self-hosted server lacks a route, and can leave pagination.limit out', async () => {
    await withFake(account, { noContainerTagList: true, noMemoriesList: true, omitPaginationLimit: true }, async (served) => {
      expect((await send(served, 'GET', '/v3/container-tags/list')).status).toBe(404);
      expect((await send(served, 'POST', '/v4/memories/list', { containerTags: [tags.user] })).status).toBe(404);
      const empty = await send<DocumentPage>(served, 'POST', '/v3/documents/list', { containerTags: [tags.empty] });
      expect(empty.body).toEqual({ memories: [], pagination: { currentPage: 1, totalItems: 0, totalPages: 0 } });
    });
  });

  it('answers the session, a tag’s entity context, and only a scoped key’s own tags', async () => {
    const full = await send<{ org: { id: string }; scope?: unknown }>(fake, 'GET', '/v3/session');
    expect(full.body.org.id).toBe(account.orgId);
    expect(full.body.scope).toBeUndefined();
    const scopedHeaders = { authorization: `Bearer ${ids.scopedKey}` };
    const scoped = await send<{ scope: { type: string; tags: string[] } }>(fake, 'GET', '/v3/session', undefined, scopedHeaders);
    expect(scoped.body.scope).toMatchObject({ type: 'scoped', tags: [tags.user] });
    const scopedTags = await send<SupermemoryWireTag[]>(fake, 'GET', '/v3/container-tags/list', undefined, scopedHeaders);
    expect(scopedTags.body.map((tag) => tag.containerTag)).toEqual([tags.user]);
    const outside = await send<{ error: string }>(fake, 'POST', '/v4/memories/list', { containerTags: [tags.acme] }, scopedHeaders);
    expect([outside.status, typeof outside.body.error]).toEqual([403, 'string']);

    const context = await send<{ containerTag: string; entityContext: string | null }>(fake, 'GET', `/v3/container-tags/${tags.user}`);
    expect(context.body.entityContext).toMatch(/^Jane is a product designer/);
    expect((await send(fake, 'GET', `/v3/container-tags/${tags.acme}`)).body).toMatchObject({ containerTag: tags.acme, entityContext: null });
    expect((await send(fake, 'GET', '/v3/container-tags/no_such_tag')).status).toBe(404);
  });

  it('holds the data cases the importer must survive', () => {
    for (const tag of account.containerTags) expect(tag).toMatchObject(tagCounts(account, tag.containerTag));
    const allIds = [
      ...account.documents.map((document) => document.id),
      ...account.memoryEntries.map((entry) => entry.id),
      ...account.containerTags.map((tag) => tag.id),
    ];
    expect(allIds.filter((id) => !/^[A-Za-z0-9]{22}$/.test(id))).toEqual([ids.documents.pdf]);
    expect(new Set(account.documents.map((document) => document.status))).toEqual(
      new Set(['done', 'queued', 'extracting', 'indexing', 'unknown', 'failed']),
    );
    const large = account.documents.find((document) => document.id === ids.documents.large)!;
    expect(Buffer.byteLength(large.content ?? '')).toBeGreaterThan(1024 * 1024);
    const summaryOnly = account.documents.find((document) => document.id === ids.documents.summaryOnly)!;
    expect([summaryOnly.status, summaryOnly.content, account.chunks[summaryOnly.id], summaryOnly.summary]).toEqual(['done', '', undefined, expect.any(String)]);
    const customIds = account.documents.map((document) => document.customId).filter((customId) => customId === 'shared-note-1');
    expect(customIds).toHaveLength(2);
    expect(account.documents.some((document) => !('containerTags' in document))).toBe(true);
  });
});
