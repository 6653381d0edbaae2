import { readdirSync } from 'node:fs';
import path from 'node:path';
import { http as route, HttpResponse, getResponse, type RequestHandler } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { supermemorySource, type SupermemorySourceOptions } from '../../../adapters/supermemory/index.js';
import { importFrom } from '../../../src/pipeline/import.js';
import { TenantMap } from '../../../src/pipeline/tenant-map.js';
import type { TargetConfig } from '../../../src/database/open-target.js';
import {
  generatedSupermemoryAccount,
  trickySupermemoryAccount,
  trickySupermemoryIds as ids,
  trickySupermemoryTags as tags,
  type SupermemoryAccount,
  type SupermemoryWireDocument,
} from '../../fakes/supermemory/supermemory-account.js';
import { createSupermemoryCounters, supermemoryHandlers, type SupermemoryFakeOptions } from '../../fakes/supermemory/supermemory-handlers.js';
import { serveHandlers } from '../../fakes/serve-handlers.js';
import { stateOf } from '../../support/kill-targets.js';
import { startSupermemoryFake, type SupermemoryFake } from '../../support/supermemory-fake.js';
import { rowsOf, runSupermemory, sqliteTarget, summariesOf, type Row } from '../../support/supermemory-import.js';
import { tempDir } from '../../support/temp.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** The fake over real HTTP; `before` handlers see each request first (they answer, or fall through to the fake). */
async function fake(account: SupermemoryAccount, options: SupermemoryFakeOptions = {}, before: RequestHandler[] = []): Promise<SupermemoryFake> {
  let served: SupermemoryFake;
  if (before.length === 0) {
    served = await startSupermemoryFake(account, options);
  } else {
    const counters = createSupermemoryCounters();
    served = { ...(await serveHandlers([...before, ...supermemoryHandlers(account, { ...options, counters })])), counters };
  }
  cleanups.push(served.close);
  return served;
}

/** user → source id → text, the part of a row every way of reading must agree on. */
function landed(rows: Row[]): string[] {
  return rows.map((row) => `${row.userId} | ${row.sourceId} | ${row.content.slice(0, 80)}`);
}

/** The tricky account without its 1 MiB document, where size does not matter (it only slows the test down). */
function trickyWithoutLarge(): SupermemoryAccount {
  const account = trickySupermemoryAccount();
  account.documents = account.documents.filter((document) => document.id !== ids.documents.large);
  return account;
}

const d = ids.documents;
const m = ids.memories;
const acmeCopy = `${d.twoTags}@${tags.acme}`;

/** What the tricky account must become: each done document once per tag, each latest non-forgotten entry. */
const trickyExpected: Record<string, string[]> = {
  [tags.user]: [d.trip, d.pdf, d.webpage, d.summaryOnly, d.twoTags, d.sharedCustomIdUser, m.versionOne, m.inference, m.nulls],
  [tags.acme]: [acmeCopy, d.unicode, m.unicode],
  [tags.project]: [d.googleDoc, d.large, m.project],
  [tags.other]: [d.sharedCustomIdOther, d.otherNote],
  '(untagged)': [d.untagged, d.emptyTags],
};

describe('Supermemory API → OpenMemory (SQLite)', () => {
  it('lands every done document of every tag with its full text, once per tag; entries, profiles, skips; a second run writes nothing', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    const target = sqliteTarget();
    const report = await runSupermemory(served, account, target);

    expect(report.account).toBe(account.orgId);
    expect(report.api).toBe('Supermemory v3/v4');
    const rows = rowsOf(target);
    const byUser: Record<string, string[]> = {};
    for (const row of rows) (byUser[row.userId] ??= []).push(row.sourceId);
    expect(byUser).toEqual(Object.fromEntries(Object.entries(trickyExpected).map(([user, sourceIds]) => [user, [...sourceIds].sort()])));

    const text = (sourceId: string, userId: string = tags.user): Row => rows.find((row) => row.sourceId === sourceId && row.userId === userId)!;
    const byId = new Map(account.documents.map((document) => [document.id, document]));
    // Full text, not the summary: from the listing, the chunks (position order), or as sent (a URL, 1 MiB, unicode).
    expect(text(d.trip).content).toBe(byId.get(d.trip)!.content);
    expect(text(d.pdf).content).toBe(
      'Q1 2025 financial report — revenue and costs.\n\nRevenue: €1.2M (+12% YoY). Costs: €0.9M.\n\nOutlook: revenue is expected to grow 8% in Q2.\n\nChart: revenue by month, January to March.',
    );
    expect(text(d.webpage).content).toBe('https://example.com/guides/lisbon-food');
    expect(text(d.large, tags.project).content).toBe(byId.get(d.large)!.content);
    expect(text(d.unicode, tags.acme).content).toBe(byId.get(d.unicode)!.content);
    expect(text(d.untagged, '(untagged)').content).toBe('A note saved without any container tag.');
    expect(text(acmeCopy, tags.acme).content).toBe(text(d.twoTags).content);
    // Only the summary-only document carries the summary, flagged.
    expect(rows.filter((row) => row.flags.length > 0).map((row) => [row.sourceId, row.content, row.flags])).toEqual([
      [d.summaryOnly, byId.get(d.summaryOnly)!.summary, ['content-from-summary']],
    ]);
    expect(report.tenants.find((t) => t.tenant === tags.user)?.flagged).toEqual({ 'content-from-summary': 1 });
    // Document fields in meta; the version chain under its root with its history.
    expect(text(d.trip).fields).toMatchObject({ title: 'Trip notes', customId: 'chat-42', status: 'done', type: 'text', containerTags: [tags.user] });
    expect(text(d.trip).tags).toEqual(['supermemory.document', 'text']);
    const chain = text(m.versionOne);
    expect(chain).toMatchObject({ kind: 'supermemory.memory', content: 'Jane lives in Lisbon', tags: ['supermemory.memory', 'static'] });
    expect(chain.fields).toMatchObject({ id: m.versionTwo, version: 2, rootMemoryId: m.versionOne, history: [{ id: m.versionOne, memory: 'Jane lives in Porto' }] });
    expect(text(m.inference).tags).toEqual(['supermemory.memory', 'dynamic', 'inference']);

    // Skipped, by id, with reasons.
    const skipped = Object.fromEntries(report.tenants.filter((t) => t.skipped > 0).map((t) => [t.tenant, t.skippedReasons]));
    expect(skipped).toEqual({
      [tags.user]: [{ sourceId: m.forgotten, reason: 'forgotten at Supermemory (forgetReason: User asked to forget this)', kind: 'forgotten' }],
      [tags.acme]: expect.arrayContaining([
        { sourceId: d.queued, reason: 'not processed yet (status queued); a later run picks it up', kind: 'not-processed' },
        { sourceId: d.extracting, reason: 'not processed yet (status extracting); a later run picks it up', kind: 'not-processed' },
        { sourceId: d.indexing, reason: 'not processed yet (status indexing); a later run picks it up', kind: 'not-processed' },
        { sourceId: d.unknown, reason: 'not processed yet (status unknown); a later run picks it up', kind: 'not-processed' },
        { sourceId: d.failed, reason: 'processing failed at Supermemory', kind: 'processing-failed' },
      ]),
    });
    expect(report.totals).toMatchObject({ created: 19, skipped: 6 });
    expect(report.warnings).toEqual([]);

    // Each user's summary is its profile (static, then dynamic); an empty profile leaves OpenMemory's own.
    const summaries = summariesOf(target);
    expect(summaries[tags.user]).toBe('Lives in Lisbon\nWorks as a product designer\nPlanning a trip to Lisbon in June');
    expect(summaries[tags.acme]).toBe('Reviewing the quarterly plan 📈');
    expect(summaries[tags.project]).toBe('The project stores its data in PostgreSQL 17');
    expect(summaries[tags.other]).toMatch(/^2 memories, /);
    expect(Object.keys(summaries)).not.toContain(tags.empty);

    // Requests: no document is read whose listing carried its text.
    const gets = served.requests.filter((r) => r.method === 'GET' && /\/v3\/documents\/[^/]+$/.test(r.path)).map((r) => r.path.split('/').pop());
    expect(gets.sort()).toEqual([d.pdf, d.summaryOnly, d.untagged, d.emptyTags].sort());
    const listing = served.requests.find((r) => r.path === '/v3/documents/list' && r.body.includes(tags.user))!;
    expect(JSON.parse(listing.body)).toEqual({ containerTags: [tags.user], page: 1, limit: 100, sort: 'createdAt', order: 'asc', includeContent: true });
    expect(served.requests.every((r) => r.headers['authorization'] === `Bearer ${account.apiKey}`)).toBe(true);

    const before = await stateOf(target);
    const summariesBefore = summariesOf(target);
    const again = await runSupermemory(served, account, target, {}, { fresh: true });
    expect(again.totals).toMatchObject({ created: 0, updated: 0, unchanged: 19, skipped: 6 });
    // Profiles are fetched again and their users looked at again (see the report), but nothing is rewritten.
    expect(again.users.every((user) => user.waypointsWritten === 0 && user.summarySource === 'source')).toBe(true);
    expect(await stateOf(target)).toEqual(before);
    expect(summariesOf(target)).toEqual(summariesBefore);

    // Incremental: newest changes first, down to the last run; nothing changed, nothing written.
    served.requests.length = 0;
    const incremental = await runSupermemory(served, account, target);
    expect(incremental.incrementalSince).not.toBeNull();
    expect(incremental.totals).toMatchObject({ created: 0, updated: 0 });
    const incrementalListing = served.requests.find((r) => r.path === '/v3/documents/list' && r.body.includes(tags.user))!;
    expect(JSON.parse(incrementalListing.body)).toMatchObject({ sort: 'updatedAt', order: 'desc' });
    expect(await stateOf(target)).toEqual(before);
  });

  it('an incremental run picks up a changed document and a document done since', async () => {
    const account = trickyWithoutLarge();
    const served = await fake(account);
    const target = sqliteTarget();
    await runSupermemory(served, account, target);
    const later = new Date(Date.now() + 60_000).toISOString();
    const trip = account.documents.find((document) => document.id === d.trip)!;
    Object.assign(trip, { content: 'Jane moved the trip to July.', updatedAt: later });
    const indexing = account.documents.find((document) => document.id === d.indexing)!;
    Object.assign(indexing, { status: 'done', updatedAt: later });
    const report = await runSupermemory(served, account, target);
    expect(report.incrementalSince).not.toBeNull();
    expect(report.totals).toMatchObject({ created: 1, updated: 1 });
    const rows = rowsOf(target);
    expect(rows.find((row) => row.sourceId === d.trip)?.content).toBe('Jane moved the trip to July.');
    expect(rows.find((row) => row.sourceId === d.indexing)?.userId).toBe(tags.acme);
  });

  it('--multi-tag first imports a shared document under its first tag only and says so for the other', async () => {
    const account = trickyWithoutLarge();
    const served = await fake(account);
    const target = sqliteTarget();
    const report = await runSupermemory(served, account, target, { multiTag: 'first' });
    expect(rowsOf(target).filter((row) => row.sourceId.startsWith(d.twoTags)).map((row) => [row.userId, row.sourceId])).toEqual([[tags.user, d.twoTags]]);
    expect(report.tenants.find((t) => t.tenant === tags.acme)?.skippedReasons).toContainEqual({
      sourceId: acmeCopy,
      reason: `also in tag ${tags.user}: imported there only (--multi-tag first)`,
      kind: 'multi-tag',
    });
  });

  it('a document in two tags mapped onto one user is one memory of that user, the copy skipped with the reason', async () => {
    const account = trickyWithoutLarge();
    const served = await fake(account);
    const target = sqliteTarget();
    const tenantMap = new TenantMap(new Map([[tags.user, 'alice'], [tags.acme, 'alice']]));
    const report = await runSupermemory(served, account, target, {}, { tenantMap });
    expect(rowsOf(target).filter((row) => row.sourceId.startsWith(d.twoTags)).map((row) => [row.userId, row.sourceId])).toEqual([['alice', d.twoTags]]);
    expect(report.tenants.find((t) => t.tenant === tags.acme)?.skippedReasons).toContainEqual({
      sourceId: acmeCopy,
      reason: `a copy of ${d.twoTags} (tag ${tags.user}), which lands on the same user alice: imported once`,
      kind: 'copy',
    });
  });

  it('--user-id and --include narrow what is read; a base URL prefix is kept', async () => {
    const account = trickySupermemoryAccount();
    const prefixed = await fake(account, {});
    const target = sqliteTarget();
    const report = await runSupermemory(prefixed, account, target, { baseUrl: `${prefixed.url}/prefix`, tags: [tags.project, '(untagged)'], include: ['memories', 'profile'] });
    expect(rowsOf(target).map((row) => [row.userId, row.sourceId])).toEqual([[tags.project, m.project]]);
    expect(summariesOf(target)[tags.project]).toBe('The project stores its data in PostgreSQL 17');
    expect(report.tenants.map((t) => t.tenant)).toEqual([tags.project]);
    expect(prefixed.requests.every((r) => r.path.startsWith('/prefix/v') || r.path.startsWith('/prefix/namespaces?'))).toBe(true);
    expect(prefixed.counters.byRoute['container-tags']).toBe(0);
    expect(prefixed.counters.byRoute['documents/list']).toBe(0);
  });

  it('a memory-entry listing cut short by a 404 past its first page is a warning: nothing of the tag is pruned, and no other tag falls back to documents', async () => {
    const account = generatedSupermemoryAccount({ tags: 2, documentsPerTag: 5, memoriesPerTag: 150 });
    const target = sqliteTarget();
    await runSupermemory(await fake(account), account, target);
    const [cutTag] = account.containerTags.map((tag) => tag.containerTag);
    const cut = route.post('*/v4/memories/list', async ({ request }) => {
      const body = JSON.parse(await request.clone().text()) as { page: number; containerTags?: string[] };
      return body.page === 2 && body.containerTags?.[0] === cutTag ? HttpResponse.json({ error: 'Not found' }, { status: 404 }) : undefined;
    });
    const served = await fake(account, {}, [cut]);
    const report = await runSupermemory(served, account, target, {}, { fresh: true, prune: true });
    expect(report.goneAtSource.memories).toBe(0);
    expect(report.warnings).toEqual([
      `${cutTag}: memory entries of tag ${cutTag}: listed 100 memory entries of tag ${cutTag} but the source announced 150; run again to pick up what changed during the run`,
      `${cutTag}: POST /v4/memories/list answered 404 at page 2 of tag ${cutTag}: the rest of its memory entries were not read (run again)`,
      `tag:${cutTag}: not checked for records gone at the source, as its listing did not end normally (see the warning above); nothing of it was pruned`,
    ]);
    expect(report.api).toBe('Supermemory v3/v4');
    expect(served.counters.byRoute['documents/get']).toBe(0);
  });

  it('counts that disagree with totalItems are a warning; documents shifted between pages are listed once', async () => {
    const account = generatedSupermemoryAccount({ tags: 1, documentsPerTag: 150, memoriesPerTag: 0 });
    const [first] = account.documents;
    let inserted = false;
    // After page 1, a document dated before everything appears: page 2 shifts by one (its first entry is a repeat).
    const drift = route.post('*/v3/documents/list', async ({ request }) => {
      const body = JSON.parse(await request.clone().text()) as { page: number; containerTags?: string[] };
      if (body.page === 2 && body.containerTags && !inserted) {
        inserted = true;
        account.documents.push({ ...first!, id: 'eArLy0Inserted0Between1', createdAt: '2020-01-01T00:00:00.000Z', updatedAt: '2020-01-01T00:00:00.000Z' });
      }
      return undefined;
    });
    const served = await fake(account, {}, [drift]);
    const target = sqliteTarget();
    const report = await runSupermemory(served, account, target, {}, { concurrency: 1 });
    expect(report.warnings).toEqual([
      `${first!.containerTags![0]}: documents of tag ${first!.containerTags![0]}: listed 150 documents of tag ${first!.containerTags![0]} but the source announced 151 (1 listed twice as pages shifted, counted once); run again to pick up what changed during the run`,
    ]);
    expect(rowsOf(target)).toHaveLength(150);
    const again = await runSupermemory(served, account, target, {}, { fresh: true });
    expect(again.totals).toMatchObject({ created: 1, unchanged: 150 });
    expect(again.warnings).toEqual([]);
  });

  it('a document added while a tag is listed is imported once; one deleted before it is read is skipped with the reason', async () => {
    const account = generatedSupermemoryAccount({ tags: 2, documentsPerTag: 250, memoriesPerTag: 3 });
    const tag = account.containerTags[0]!.containerTag;
    const added: SupermemoryWireDocument = { ...account.documents[0]!, id: 'nEwDoc0AddedWhileListed', content: 'Added during the listing.' };
    const served = await fake(account, { insertDuringListing: { afterPage: 1, document: added } });
    const target = sqliteTarget();
    const report = await runSupermemory(served, account, target, { tags: [tag] });
    expect(report.warnings).toEqual([]);
    const rows = rowsOf(target);
    expect(rows.filter((row) => row.kind === 'supermemory.document')).toHaveLength(251);
    expect(new Set(rows.map((row) => row.sourceId)).size).toBe(rows.length);
    expect(rows.find((row) => row.sourceId === added.id)?.content).toBe('Added during the listing.');

    const tricky = trickySupermemoryAccount();
    const deleting = await fake(tricky, { deletedAfterListing: [d.pdf] });
    const second = await runSupermemory(deleting, tricky, sqliteTarget(), { tags: [tags.user] });
    expect(second.tenants[0]?.skippedReasons).toContainEqual({ sourceId: d.pdf, reason: 'deleted at Supermemory after it was listed (reading it answered 404)', kind: 'deleted' });
  });

  it('without /v3/container-tags/list or /v4/memories/list, the same memories land', async () => {
    const account = trickyWithoutLarge();
    const clean = sqliteTarget();
    await runSupermemory(await fake(account), account, clean);

    const noTags = sqliteTarget();
    const tagless = await runSupermemory(await fake(trickyWithoutLarge(), { noContainerTagList: true }), account, noTags);
    expect(tagless.api).toBe('Supermemory v3/v4 (container tags taken from the document listing: /v3/container-tags/list is missing)');
    expect(await stateOf(noTags)).toEqual(await stateOf(clean));
    expect(summariesOf(noTags)).toEqual(summariesOf(clean));

    const noList = sqliteTarget();
    const listless = await runSupermemory(await fake(trickyWithoutLarge(), { noMemoriesList: true }), account, noList);
    expect(listless.api).toBe('Supermemory v3/v4 (memory entries read from each document: /v4/memories/list is missing)');
    // Only entries attached to a document can be found that way: not the one with no document, nor the one whose
    // document is gone.
    const reachable = landed(rowsOf(clean).filter((row) => row.sourceId !== m.inference && row.sourceId !== m.nulls));
    expect(landed(rowsOf(noList))).toEqual(reachable);
    // A document's entries carry no forgetReason.
    expect(listless.tenants.find((t) => t.tenant === tags.user)?.skippedReasons).toEqual([{ sourceId: m.forgotten, reason: 'forgotten at Supermemory', kind: 'forgotten' }]);
    const chain = rowsOf(noList).find((row) => row.sourceId === m.versionOne)!;
    expect(chain.fields).toMatchObject({ id: m.versionTwo, history: [{ id: m.versionOne }], documentIds: [d.trip] });

    // A generated account: every entry hangs off a document, so every one lands either way.
    const generated = generatedSupermemoryAccount({ tags: 3, documentsPerTag: 10, memoriesPerTag: 12 });
    const viaList = sqliteTarget();
    const viaDocuments = sqliteTarget();
    await runSupermemory(await fake(generated), generated, viaList);
    await runSupermemory(await fake(generated, { noMemoriesList: true }), generated, viaDocuments);
    expect(landed(rowsOf(viaDocuments))).toEqual(landed(rowsOf(viaList)));
    expect(rowsOf(viaList)).toHaveLength(3 * 22);
  });

  it('a server that wants the singular containerTag gets it; an array `error` body is read, not crashed on', async () => {
    const account = trickySupermemoryAccount();
    const handlers = supermemoryHandlers(account);
    const singular = route.post('*/v4/memories/list', async ({ request }) => {
      const body = JSON.parse(await request.clone().text()) as Record<string, unknown>;
      if ('containerTags' in body) return HttpResponse.json({ data: body, error: [{ path: ['containerTag'], message: 'Required' }] }, { status: 400 });
      const { containerTag, ...rest } = body;
      const rewritten = new Request(request.url, { method: 'POST', headers: request.headers, body: JSON.stringify({ ...rest, containerTags: [containerTag] }) });
      return getResponse(handlers, rewritten);
    });
    const served = await fake(account, {}, [singular]);
    const target = sqliteTarget();
    await runSupermemory(served, account, target, { tags: [tags.user], include: ['memories'] });
    expect(rowsOf(target).map((row) => row.sourceId)).toEqual([m.inference, m.nulls, m.versionOne].sort());
    const bodies = served.requests.filter((r) => r.path === '/v4/memories/list').map((r) => Object.keys(JSON.parse(r.body) as object)[0]);
    expect(bodies).toEqual(['containerTags', 'containerTag']);

    // A 400 that the singular form does not cure stops the run with the server's words.
    const refusing = await fake(account, {}, [route.post('*/v4/memories/list', () => HttpResponse.json({ error: [{ path: ['containerTags', 0], message: 'Invalid' }] }, { status: 400 }))]);
    await expect(runSupermemory(refusing, account, sqliteTarget(), { tags: [tags.user], include: ['memories'] })).rejects.toThrow(
      /POST \/v4\/memories\/list \(tenant user_123, page memories 1\) failed with HTTP 400: containerTags\.0: Invalid/,
    );
  });

  it('a scoped key, a used-up quota and a monthly-quota Retry-After stop with clear errors naming the tag', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    await expect(runSupermemory(served, { ...account, apiKey: ids.scopedKey }, sqliteTarget(), { tags: [tags.user, tags.other] })).rejects.toThrow(
      /tenant user_456.*HTTP 403.*scoped to other container tags \/ namespaces \(name yours with --user-id, or use a full-access key\)/,
    );
    // A scoped key reads everything it may see without naming tags.
    const scoped = await runSupermemory(served, { ...account, apiKey: ids.scopedKey }, sqliteTarget());
    expect(scoped.tenants.map((t) => t.tenant)).toEqual([tags.user]);

    const broke = await fake(account, { quotaExhausted: true });
    await expect(runSupermemory(broke, account, sqliteTarget(), { tags: [tags.acme] })).rejects.toThrow(
      /tenant org:acme:user:1.*HTTP 402.*quota or credits of the Supermemory plan are used up/,
    );
    await expect(runSupermemory(broke, account, sqliteTarget())).rejects.toThrow(/container-tags\/list failed with HTTP 402/);

    const monthly = await fake(account, { faults: { every: 1, kinds: ['429-3600'] } });
    await expect(runSupermemory(monthly, account, sqliteTarget(), { tags: [tags.user], maxWaitMs: 1000 })).rejects.toThrow(
      /tenant user_123.*asked to wait 3600 s \(HTTP 429, Retry-After\), more than --max-wait 1 s \(rate limit or monthly quota/,
    );

    const wrongKey = await fake(account);
    await expect(runSupermemory(wrongKey, { ...account, apiKey: 'sm_wrong' }, sqliteTarget())).rejects.toThrow(/HTTP 401.*--api-key or SUPERMEMORY_API_KEY/);
  });

  it('rate limits and transient faults slow the run down but lose nothing', async () => {
    const account = trickyWithoutLarge();
    const clean = sqliteTarget();
    await runSupermemory(await fake(account), account, clean);
    const stormy = await fake(account, { faults: { every: 5, kinds: ['429-retry-after', '500', '502-html', 'reset', '429-retry-after-ms', '429-http-date'], retryAfterMs: 10 } });
    const target = sqliteTarget();
    await runSupermemory(stormy, account, target);
    expect(await stateOf(target)).toEqual(await stateOf(clean));
    expect(stormy.counters.rateLimited).toBeGreaterThan(0);
  });

  it('a run stopped in the middle, then run again, equals a clean run; a profile fetched before the stop stays the summary', async () => {
    const account = trickySupermemoryAccount();
    const clean = sqliteTarget();
    await runSupermemory(await fake(account), account, clean);

    // The 10th data request (into the second tag) asks for an hour's wait: the run stops there.
    const target = sqliteTarget();
    const failing = await fake(account, { faults: { every: 10, kinds: ['429-3600'] } });
    await expect(runSupermemory(failing, account, target, { maxWaitMs: 1000 }, { concurrency: 1 })).rejects.toThrow(/asked to wait 3600 s/);
    expect(rowsOf(target).map((row) => row.userId)).toEqual(trickyExpected[tags.user]!.map(() => tags.user));

    const healthy = await fake(account);
    const resumed = await runSupermemory(healthy, account, target, {}, { concurrency: 1 });
    expect(resumed.resumed).toBe(true);
    // The finished tag was not read again, its profile included.
    expect(healthy.requests.some((r) => r.body.includes(`"${tags.user}"`))).toBe(false);
    expect(await stateOf(target)).toEqual(await stateOf(clean));
    expect(summariesOf(target)).toEqual(summariesOf(clean));
    expect(summariesOf(target)[tags.user]).toBe('Lives in Lisbon\nWorks as a product designer\nPlanning a trip to Lisbon in June');
  });

  it('--save-export, then --from-file on the snapshot, gives the same rows offline', async () => {
    const account = trickySupermemoryAccount();
    const served = await fake(account);
    const online = sqliteTarget();
    const exportDir = tempDir();
    const report = await runSupermemory(served, account, online, {}, { saveExportDir: exportDir });
    expect(report.exportFile).not.toBeNull();
    const [file] = readdirSync(exportDir);

    const offline = sqliteTarget();
    const { source } = supermemorySource({ fromFile: path.join(exportDir, file!) });
    const replay = await importFrom({ source, target: offline, env: {} });
    expect(replay.account).toBe(account.orgId);
    expect(replay.totals).toMatchObject({ created: 19, skipped: 6 });
    expect(await stateOf(offline)).toEqual(await stateOf(online));
    expect(summariesOf(offline)).toEqual(summariesOf(online));
    expect(rowsOf(offline).find((row) => row.sourceId === d.summaryOnly)?.flags).toEqual(['content-from-summary']);

    expect(() => supermemorySource({ fromFile: path.join(exportDir, 'missing.jsonl') })).toThrow(/no such file/);
  });

  it('--from-file honours --include, --multi-tag and --user-id as the API does, and a file run never resumes an API run', async () => {
    const account = trickyWithoutLarge();
    const served = await fake(account);
    const exportDir = path.join(tempDir(), 'export');
    await runSupermemory(served, account, sqliteTarget(), {}, { saveExportDir: exportDir });
    const [file] = readdirSync(exportDir);
    const offline = async (options: Partial<SupermemorySourceOptions>): Promise<TargetConfig> => {
      const target = sqliteTarget();
      await importFrom({ source: supermemorySource({ fromFile: path.join(exportDir, file!), ...options }).source, target, env: {} });
      return target;
    };
    expect(new Set(rowsOf(await offline({ include: ['memories'] })).map((row) => row.kind))).toEqual(new Set(['supermemory.memory']));
    expect(rowsOf(await offline({ multiTag: 'first' })).filter((row) => row.sourceId.startsWith(d.twoTags)).map((row) => row.sourceId)).toEqual([d.twoTags]);
    expect(new Set(rowsOf(await offline({ tags: [tags.acme] })).map((row) => row.userId))).toEqual(new Set([tags.acme]));
    const { source } = supermemorySource({ fromFile: path.join(exportDir, file!), include: ['documents'] });
    expect(source.scope).toEqual({ file: file!, tags: 'all', include: ['documents'], multiTag: 'as saved' });
  });

  it('needs one listing page per 100 documents or entries and one profile per tag: few requests per document', async () => {
    const account = generatedSupermemoryAccount({ tags: 10, documentsPerTag: 40, memoriesPerTag: 60 });
    const served = await fake(account);
    const report = await runSupermemory(served, account, sqliteTarget());
    expect(report.totals).toMatchObject({ created: 10 * 100, skipped: 0 });
    // session + tag list + per tag (profile, one entry page, one document page) + the unfiltered listing for
    // untagged documents (400 documents, 4 pages); no document needs a read of its own.
    expect(served.counters.requests).toBe(2 + 10 * 3 + 4);
    expect(served.counters.byRoute['documents/get']).toBe(0);
  });
});
