// The Supermemory v5 reader against the fake v5 server (test/fakes/supermemory/supermemory-v5-handlers.ts), which
// serves the same in-memory account as the v3/v4 fake: every request the reader sends is checked against the v5
// OpenAPI reads (v5RequestProblems), and a database imported through v3/v4 is imported again through v5.
import Database from 'better-sqlite3';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { supermemorySource } from '../../../adapters/supermemory/index.js';
import { importFrom } from '../../../src/pipeline/import.js';
import { compareWithSource } from '../../../src/verify.js';
import {
  generatedSupermemoryAccount,
  trickySupermemoryAccount,
  trickySupermemoryIds as ids,
  trickySupermemoryTags as tags,
  type SupermemoryAccount,
} from '../../fakes/supermemory/supermemory-account.js';
import { v5RequestProblems } from '../../fakes/supermemory/supermemory-v5-handlers.js';
import { stateOf } from '../../support/kill-targets.js';
import { startSupermemoryFake, type SupermemoryFakeServeOptions, type SupermemoryFakeServer } from '../../support/supermemory-fake.js';
import { tempDir } from '../../support/temp.js';
import { rowsOf, runSupermemory, sqliteTarget, summariesOf, type Row } from '../../support/supermemory-import.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function fake(account: SupermemoryAccount, options: SupermemoryFakeServeOptions = {}): Promise<SupermemoryFakeServer> {
  const served = await startSupermemoryFake(account, options);
  cleanups.push(served.close);
  return served;
}

/** The tricky account without its 1 MiB document (it only slows the test down). */
function tricky(): SupermemoryAccount {
  const account = trickySupermemoryAccount();
  account.documents = account.documents.filter((document) => document.id !== ids.documents.large);
  return account;
}

/** Every request the reader sent to a v5 route, with what the v5 OpenAPI reads find wrong in it. */
function v5Problems(served: SupermemoryFakeServer): string[] {
  return served.requests
    .filter((request) => /^\/(ns|namespaces|organization)\b/.test(request.path))
    .flatMap((request) => v5RequestProblems(request).map((problem) => `${request.method} ${request.path}: ${problem}`));
}

const d = ids.documents;
const m = ids.memories;

describe('Supermemory v5 → OpenMemory (SQLite)', () => {
  it('reads every namespace through v5 where the server has it: full texts, latest memories, profiles; requests valid per the v5 spec', async () => {
    const account = tricky();
    const served = await fake(account, { generations: 'v5' });
    const target = sqliteTarget();
    const report = await runSupermemory(served, account, target);

    expect(report.api).toBe('Supermemory v5 (cursor paging)');
    expect(v5Problems(served)).toEqual([]);
    expect(served.counters.requests).toBe(0); // not one legacy request the fake answered (the session check is 404 there)
    const rows = rowsOf(target);
    const byUser: Record<string, string[]> = {};
    for (const row of rows) (byUser[row.userId] ??= []).push(row.sourceId);
    for (const sourceIds of Object.values(byUser)) sourceIds.sort();
    // v5 keys documents `<public id>@<namespace>` (the caller id where v3 had one); memories by their latest version.
    const doc = (id: string, namespace: string): string => `${id}@${namespace}`;
    const byId = new Map(account.documents.map((document) => [document.id, document]));
    const publicId = (id: string): string => byId.get(id)!.customId ?? id;
    expect(byUser).toEqual({
      [tags.user]: [
        ...[d.trip, d.pdf, d.webpage, d.summaryOnly, d.twoTags, d.sharedCustomIdUser].map((id) => doc(publicId(id), tags.user)),
        m.versionTwo, m.inference, m.nulls,
      ].sort(),
      [tags.acme]: [doc(publicId(d.twoTags), tags.acme), doc(publicId(d.unicode), tags.acme), m.unicode].sort(),
      [tags.project]: [doc(publicId(d.googleDoc), tags.project), m.project].sort(),
      [tags.other]: [doc(publicId(d.sharedCustomIdOther), tags.other), doc(publicId(d.otherNote), tags.other)].sort(),
    });
    const text = (sourceId: string): Row => rows.find((row) => row.sourceId === sourceId)!;
    expect(text(doc('chat-42', tags.user)).content).toBe(byId.get(d.trip)!.content);
    // A file document whose content is null: its chunks, in position order.
    expect(text(doc(publicId(d.pdf), tags.user)).content).toBe(
      'Q1 2025 financial report — revenue and costs.\n\nRevenue: €1.2M (+12% YoY). Costs: €0.9M.\n\nOutlook: revenue is expected to grow 8% in Q2.\n\nChart: revenue by month, January to March.',
    );
    expect(text(doc(publicId(d.summaryOnly), tags.user))).toMatchObject({ content: byId.get(d.summaryOnly)!.summary, flags: ['content-from-summary'] });
    expect(text(m.versionTwo).content).toBe('Jane lives in Lisbon');
    // The same caller id in two namespaces: two documents, two memories.
    expect(text(doc('shared-note-1', tags.user)).id).not.toBe(text(doc('shared-note-1', tags.other)).id);

    const skipped = Object.fromEntries(report.tenants.filter((t) => t.skipped > 0).map((t) => [t.tenant, t.skippedReasons.map((s) => s.reason)]));
    expect(skipped[tags.user]).toEqual(['forgotten at Supermemory']);
    expect(skipped[tags.acme]).toEqual(
      expect.arrayContaining(['processing failed at Supermemory', 'not processed yet (status queued); a later run picks it up']),
    );
    expect(summariesOf(target)[tags.user]).toBe('Lives in Lisbon\nWorks as a product designer\nPlanning a trip to Lisbon in June');

    // Documents that are not done are not read; a later version of a memory is read once for its earlier ones.
    expect(served.v5Counters.byRoute.memory).toBe(1);
    const before = await stateOf(target);
    const again = await runSupermemory(served, account, target, {}, { fresh: true });
    expect(again.totals).toMatchObject({ created: 0, updated: 0, unchanged: report.totals.created });
    expect(await stateOf(target)).toEqual(before);
  });

  describe.each([
    ['caller ids (v5 id = customId ?? id)', 'caller'],
    ['internal ids (v5 id = v3 id)', 'internal'],
  ] as const)('the switch from v3/v4 to v5, documents under %s', (_name, documentIds) => {
    it('imported through v3/v4, then through v5 after the shutdown: nothing created, changed or duplicated; a document added since appears', async () => {
      const account = tricky();
      const legacy = await fake(account, { generations: 'legacy' });
      const target = sqliteTarget();
      const first = await runSupermemory(legacy, account, target);
      expect(first.api).toMatch(/^Supermemory v3\/v4/);
      const before = await stateOf(target);
      const rowsBefore = rowsOf(target);

      const current = await fake(account, { generations: 'v5', v5: { documentIds } });
      const switched = await runSupermemory(current, account, target);
      expect(switched.api).toMatch(/^Supermemory v5/);
      expect(switched.totals).toMatchObject({ created: 0, updated: 0 });
      expect(switched.goneAtSource.memories).toBe(0);
      expect(await stateOf(target)).toEqual(before);
      expect(rowsOf(target).map((row) => row.id)).toEqual(rowsBefore.map((row) => row.id));

      // A document added after the switch, and a new version of a memory: one memory more, one updated in place.
      const added = { ...account.documents.find((document) => document.id === d.trip)!, id: 'nEwDoc0AfterTheSwitch01', customId: 'after-switch', content: 'Added after the switch.' };
      account.documents.push(added);
      const v2 = account.memoryEntries.find((entry) => entry.id === m.versionTwo)!;
      const v3 = { ...v2, id: 'mEmV3AfterTheSwitch00001', memory: 'Jane lives in Madrid', version: 3, parentMemoryId: m.versionTwo, history: [], updatedAt: new Date(Date.now() + 60_000).toISOString() };
      Object.assign(v2, { isLatest: false });
      account.memoryEntries.push(v3);
      const after = await runSupermemory(current, account, target, {}, { fresh: true });
      expect(after.totals).toMatchObject({ created: 1, updated: 1 });
      const rows = rowsOf(target);
      expect(rows.length).toBe(rowsBefore.length + 1);
      const chain = rows.find((row) => row.content === 'Jane lives in Madrid')!;
      expect(chain.id).toBe(rowsBefore.find((row) => row.content === 'Jane lives in Lisbon')!.id);
      expect(rows.find((row) => row.content === 'Added after the switch.')?.userId).toBe(tags.user);
    });
  });

  it('verify supermemory through v5 finds a database imported through v3/v4 complete, before and after the v5 import', async () => {
    const account = tricky();
    const legacy = await fake(account, { generations: 'legacy' });
    const target = sqliteTarget();
    await runSupermemory(legacy, account, target);
    const current = await fake(account, { generations: 'v5' });
    const compare = async () => {
      const { source, http } = supermemorySource({ apiKey: account.apiKey, baseUrl: current.url, requestsPerSecond: 2000 });
      try {
        return await compareWithSource(target, source);
      } finally {
        await http?.close();
      }
    };
    const before = await compare();
    expect(before.missingFromDatabase).toEqual([]);
    // The untagged documents are in no v5 namespace: the only records v5 no longer lists.
    expect(before.missingFromSource?.map((record) => record.recordId).sort()).toEqual([d.untagged, d.emptyTags].sort());
    await runSupermemory(current, account, target);
    const after = await compare();
    expect(after.missingFromDatabase).toEqual([]);
    expect(after.missingFromSource?.map((record) => record.recordId).sort()).toEqual([d.untagged, d.emptyTags].sort());
    expect(after.sourceRecords).toBe(before.sourceRecords);
  });

  it('a database an om-import from before aliases wrote is matched by what its memories stored (customId, text)', async () => {
    const account = tricky();
    const legacy = await fake(account, { generations: 'legacy' });
    const target = sqliteTarget();
    await runSupermemory(legacy, account, target);
    const before = await stateOf(target);
    // As an earlier om-import left it: no aliases kept, and none read back yet.
    const db = new Database(target.kind === 'sqlite' ? target.path : '');
    db.exec('delete from om_import_record_aliases; delete from om_import_alias_backfills;');
    db.close();
    const current = await fake(account, { generations: 'v5' });
    const switched = await runSupermemory(current, account, target);
    expect(switched.totals).toMatchObject({ created: 0, updated: 0 });
    expect(await stateOf(target)).toEqual(before);
  });

  it('v5 then v3/v4 again (--api v4, while both answer) finds the same memories', async () => {
    const account = tricky();
    const both = await fake(account, { generations: 'both' });
    const target = sqliteTarget();
    const first = await runSupermemory(both, account, target);
    expect(first.api).toMatch(/^Supermemory v5/);
    const before = await stateOf(target);
    const legacy = await runSupermemory(both, account, target, { api: 'v4' }, { fresh: true });
    expect(legacy.api).toMatch(/^Supermemory v3\/v4/);
    // The untagged documents exist only in v3/v4: they are new; everything else is the same.
    expect(legacy.totals).toMatchObject({ created: 2, updated: 0 });
    const rows = rowsOf(target);
    expect(rows.filter((row) => row.userId === '(untagged)').length).toBe(2);
    const back = await runSupermemory(both, account, target, {}, { fresh: true });
    expect(back.totals).toMatchObject({ created: 0, updated: 0 });
    expect(rowsOf(target).length).toBe(rows.length);
    void before;
  });

  it('pages by page where the server has no cursors, and by page again after a refused cursor; announced totals are checked', async () => {
    const account = generatedSupermemoryAccount({ tags: 2, documentsPerTag: 250, memoriesPerTag: 120, apiKey: 'sm_test_paging_key_0001' });
    for (const cursors of ['off', 'absent-on-last', 'on'] as const) {
      const served = await fake(account, { generations: 'v5', v5: { cursors } });
      const target = sqliteTarget();
      const report = await runSupermemory(served, account, target);
      expect(report.totals).toMatchObject({ created: 2 * (250 + 120), skipped: 0 });
      expect(report.warnings).toEqual([]);
      expect(report.api).toBe(cursors === 'off' ? 'Supermemory v5 (page paging)' : 'Supermemory v5 (cursor paging)');
      expect(v5Problems(served)).toEqual([]);
      // 3 pages of documents and 2 of memories per namespace, one namespace page, one probe, profiles.
      expect(served.v5Counters.byRoute['list/documents']).toBe(2 * 3);
      expect(served.v5Counters.byRoute['list/memories']).toBe(2 * 2);
    }
    const expiring = await fake(account, { generations: 'v5', v5: { cursorLifetimeMs: 0 } });
    const target = sqliteTarget();
    const report = await runSupermemory(expiring, account, target);
    expect(report.totals).toMatchObject({ created: 2 * (250 + 120) });
    expect(report.api).toContain('a refused cursor was read again by page');
  });

  it('forgotten memories are gone at the source (pruned with --prune); a server without include.forgotten is read without it', async () => {
    const account = tricky();
    const served = await fake(account, { generations: 'v5' });
    const target = sqliteTarget();
    await runSupermemory(served, account, target);
    const inference = account.memoryEntries.find((entry) => entry.id === m.inference)!;
    inference.isForgotten = true;
    const kept = await runSupermemory(served, account, target, {}, { fresh: true });
    expect(kept.goneAtSource).toMatchObject({ memories: 1, removed: false });
    const pruned = await runSupermemory(served, account, target, {}, { fresh: true, prune: true });
    expect(pruned.goneAtSource).toMatchObject({ memories: 1, removed: true });
    expect(rowsOf(target).some((row) => row.sourceId === m.inference)).toBe(false);

    const old = await fake(tricky(), { generations: 'v5', v5: { forgottenOption: false } });
    const report = await runSupermemory(old, account, sqliteTarget());
    expect(report.api).toContain('this server cannot list forgotten memories');
    expect(report.totals.created).toBeGreaterThan(0);
  });

  it('a multi-tag legacy copy that v5 lists under one namespace only is reported, and removed only with --prune', async () => {
    const account = tricky();
    const legacy = await fake(account, { generations: 'legacy' });
    const target = sqliteTarget();
    await runSupermemory(legacy, account, target);
    const current = await fake(account, { generations: 'v5', v5: { multiTagDocuments: 'first' } });
    const switched = await runSupermemory(current, account, target);
    expect(switched.totals).toMatchObject({ created: 0, updated: 0 });
    expect(switched.goneAtSource).toMatchObject({ memories: 1, removed: false, byUser: { [tags.acme]: 1 } });
    expect(rowsOf(target).some((row) => row.sourceId === `${d.twoTags}@${tags.acme}`)).toBe(true);
  });

  it('a namespace gone between listing and reading, a document deleted after listing, 429s and 5xx: the run goes on and says what it skipped', async () => {
    const account = tricky();
    const served = await fake(account, {
      generations: 'v5',
      v5: {
        deletedAfterListing: ['chat-42'],
        namespacesGoneAfterListing: [tags.other],
        faults: { every: 4, kinds: ['429-retry-after', '500', '429-retry-after-ms', '502-html', '429-http-date'], retryAfterMs: 20 },
      },
    });
    const target = sqliteTarget();
    const report = await runSupermemory(served, account, target);
    expect(report.tenants.find((t) => t.tenant === tags.user)?.skippedReasons).toContainEqual({
      sourceId: `chat-42@${tags.user}`,
      reason: 'deleted at Supermemory after it was listed (reading it answered 404)',
      kind: 'deleted',
    });
    expect(rowsOf(target).some((row) => row.sourceId === m.versionTwo)).toBe(true);
    expect(report.warnings).toEqual([expect.stringMatching(/^user_456: namespace user_456 answered 404 while it was read/)]);
    expect(rowsOf(target).some((row) => row.userId === tags.other)).toBe(false);
  });

  it('a namespace that answers 404 while it is read after an import keeps its memories, even with --prune', async () => {
    const account = tricky();
    const served = await fake(account, { generations: 'v5' });
    const target = sqliteTarget();
    await runSupermemory(served, account, target);
    const before = rowsOf(target).filter((row) => row.userId === tags.other).length;
    const moved = await fake(account, { generations: 'v5', v5: { namespacesGoneAfterListing: [tags.other] } });
    const report = await runSupermemory(moved, account, target, {}, { fresh: true, prune: true });
    expect(report.goneAtSource.memories).toBe(0);
    expect(rowsOf(target).filter((row) => row.userId === tags.other).length).toBe(before);
    expect(report.warnings).toContain('tag:user_456: not checked for records gone at the source, as its listing did not end normally (see the warning above); nothing of it was pruned');
  });

  it('--prune with a key scoped to some namespaces removes nothing of the namespaces it cannot see; a namespace deleted at the source goes', async () => {
    const account = tricky();
    const served = await fake(account, { generations: 'v5' });
    const target = sqliteTarget();
    await runSupermemory(served, account, target);
    const heldBy = (tag: string): number => rowsOf(target).filter((row) => row.userId === tag).length;
    const others = [tags.acme, tags.project, tags.other].map(heldBy);
    expect(others[0]! + others[1]!).toBeGreaterThan(0);

    // A scoped key lists only its own namespace (the fake's reading of the note's open question 10), and gets 403
    // under the others: they are not gone, whatever --prune says.
    const scoped = await runSupermemory(served, { ...account, apiKey: ids.scopedKey }, target, {}, { fresh: true, prune: true });
    expect(scoped.goneAtSource).toMatchObject({ memories: 0, usersRemoved: [] });
    expect([tags.acme, tags.project, tags.other].map(heldBy)).toEqual(others);
    expect(scoped.warnings).toContainEqual(
      `tag:${tags.project}: not listed by the source this time, but not known to be gone (namespace ${tags.project} answers 403 to this key: a key scoped to some namespaces?): nothing of it was counted as gone or pruned`,
    );

    // A namespace deleted at the source (the org-wide key lists the others, and it answers with nothing): pruned.
    const spaces = new Set(account.containerTags.filter((tag) => tag.containerTag === tags.project).map((tag) => tag.id));
    account.containerTags = account.containerTags.filter((tag) => tag.containerTag !== tags.project);
    account.documents = account.documents
      .map((document) => ({ ...document, containerTags: (document.containerTags ?? []).filter((tag) => tag !== tags.project) }))
      .filter((document) => document.containerTags.length > 0);
    account.memoryEntries = account.memoryEntries.filter((entry) => !spaces.has(entry.spaceId));
    delete account.profiles[tags.project];
    const pruned = await runSupermemory(served, account, target, {}, { fresh: true, prune: true });
    expect(pruned.goneAtSource).toMatchObject({ memories: others[1], usersRemoved: [tags.project] });
    expect(heldBy(tags.project)).toBe(0);
    expect(heldBy(tags.acme)).toBe(others[0]);
    expect(v5Problems(served)).toEqual([]); // the requests asking whether a namespace is gone, too
  });

  it('a used-up quota (402), a scoped key outside its namespaces (403) and a monthly Retry-After stop with one clear error naming the namespace', async () => {
    const account = tricky();
    const broke = await fake(account, { generations: 'v5', v5: { quotaExhausted: true } });
    await expect(runSupermemory(broke, account, sqliteTarget(), { tags: [tags.acme] })).rejects.toThrow(/HTTP 402.*quota or credits/);
    const scoped = await fake(account, { generations: 'v5' });
    await expect(runSupermemory(scoped, { ...account, apiKey: ids.scopedKey }, sqliteTarget(), { tags: [tags.user, tags.other] })).rejects.toThrow(
      /tenant user_456.*HTTP 403.*namespaces/,
    );
    const quota = await fake(account, { generations: 'v5', v5: { faults: { every: 3, kinds: ['429-3600'] } } });
    await expect(runSupermemory(quota, account, sqliteTarget())).rejects.toThrow(/asked to wait 3600 s.*--max-wait/);
  });

  it('--save-export on v5 keeps the generation in each line; --from-file on it lands on the same memories', async () => {
    const account = tricky();
    const served = await fake(account, { generations: 'v5' });
    const online = sqliteTarget();
    const exportDir = path.join(tempDir(), 'export');
    await runSupermemory(served, account, online, {}, { saveExportDir: exportDir });
    const [file] = readdirSync(exportDir);
    const offline = sqliteTarget();
    const { source } = supermemorySource({ fromFile: path.join(exportDir, file!) });
    await importFrom({ source, target: offline, env: {} });
    expect(await stateOf(offline)).toEqual(await stateOf(online));
    // Onto the database the live run wrote: nothing new.
    const again = await importFrom({ source: supermemorySource({ fromFile: path.join(exportDir, file!) }).source, target: online, env: {} });
    expect(again.totals).toMatchObject({ created: 0, updated: 0 });
  });

  it('--api v4 against the cloud warns once that Supermemory shuts v3/v4 down on 2026-12-31', async () => {
    const { source } = supermemorySource({ apiKey: 'sm_test_key', baseUrl: 'https://api.supermemory.ai', api: 'v4', tags: [tags.user] });
    const partitions = [];
    for await (const partition of source.partitions()) partitions.push(partition);
    const items = source.items(partitions[0]!, { updatedSince: null })[Symbol.asyncIterator]();
    const first = await items.next();
    await items.return?.();
    expect(first.value).toEqual({
      type: 'warning',
      warning: { tenantKey: null, notice: true, message: expect.stringMatching(/v3\/v4 API, which Supermemory shuts down on 2026-12-31/) },
    });
  });
});
