// Records gone at the source (issue 9, item 6): counted by a complete run, removed with --prune, with their vectors
// and waypoints; the users' waypoints and summaries rebuilt; rows om-import did not write never touched.
import path from 'node:path';
import { http as route, HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { mem0Source } from '../../adapters/mem0/index.js';
import { supermemorySource } from '../../adapters/supermemory/index.js';
import { zepSource } from '../../adapters/zep/index.js';
import { importFrom, type ImportOptions } from '../../src/pipeline/import.js';
import { compareWithSource } from '../../src/verify.js';
import type { OpenedSource, SourceItem } from '../../src/records.js';
import { openTarget, type TargetConfig } from '../../src/database/open-target.js';
import { generatedMem0Account, type Mem0Account } from '../fakes/mem0/mem0-account.js';
import { serveHandlers, type ServedHandlers } from '../fakes/serve-handlers.js';
import { zepHandlers } from '../fakes/zep/zep-handlers.js';
import { generatedSupermemoryAccount } from '../fakes/supermemory/supermemory-account.js';
import { generatedZepAccount } from '../fakes/zep/zep-account.js';
import { importedUsers, stateOf } from '../support/kill-targets.js';
import { startMem0Fake } from '../support/mem0-fake.js';
import { startSupermemoryFake } from '../support/supermemory-fake.js';
import { backends } from '../support/targets.js';
import { tempDir } from '../support/temp.js';
import { testSource } from '../support/test-source.js';
import { startZepFake } from '../support/zep-fake.js';

const servers: ServedHandlers[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function run(opened: OpenedSource, target: TargetConfig, options: Partial<ImportOptions> = {}) {
  try {
    return await importFrom({ source: opened.source, target, env: {}, ...options });
  } finally {
    await opened.http?.close();
  }
}

async function memoryIds(target: TargetConfig): Promise<string[]> {
  const opened = await openTarget(target);
  try {
    const rows = await opened.executor.all<{ id: string }>(`select cast(id as text) as id from ${opened.dialect.qualified(opened.dialect.tables.memories)} order by 1`);
    return rows.map((row) => row.id);
  } finally {
    await opened.close();
  }
}

describe.each(backends)('gone at the source (%s)', (_name, makeTarget) => {
  it('Mem0: a deleted memory is counted, then removed with --prune, leaving what one import of the account gives', async () => {
    const account: Mem0Account = generatedMem0Account({ users: 2, perUser: 6 });
    const served = await startMem0Fake(account);
    servers.push(served);
    const mem0 = () => mem0Source({ apiKey: account.apiKey, baseUrl: served.url, requestsPerSecond: 1000 });
    const target = await makeTarget();
    await run(mem0(), target);
    const before = await memoryIds(target);

    // Two memories of user-0 are deleted at Mem0, one in the middle of its history.
    account.memories.splice(2, 2);
    const counted = await run(mem0(), target, { fresh: true });
    expect(counted.goneAtSource).toMatchObject({ memories: 2, removed: false, byUser: { 'user-0': 2 }, usersRemoved: [] });
    expect(await memoryIds(target)).toEqual(before);

    const pruned = await run(mem0(), target, { fresh: true, prune: true });
    expect(pruned.goneAtSource).toMatchObject({ memories: 2, removed: true, byUser: { 'user-0': 2 }, usersRemoved: [] });
    expect(await memoryIds(target)).toHaveLength(before.length - 2);
    // The same database as one import of the account as it is now: vectors, waypoints (re-pointed) and all.
    const clean = await makeTarget();
    await run(mem0(), clean);
    expect(await stateOf(target)).toEqual(await stateOf(clean));
    expect(await importedUsers(target)).toEqual(await importedUsers(clean));

    const again = await run(mem0(), target, { fresh: true, prune: true });
    expect(again.goneAtSource.memories).toBe(0);
  });

  it('an incremental run cannot tell what is gone, so it counts nothing; with --prune a run reads everything and removes it', async () => {
    const account = generatedMem0Account({ users: 1, perUser: 4 });
    const served = await startMem0Fake(account);
    servers.push(served);
    const mem0 = () => mem0Source({ apiKey: account.apiKey, baseUrl: served.url, requestsPerSecond: 1000 });
    const target = await makeTarget();
    await run(mem0(), target);
    account.memories.splice(0, 1);
    const incremental = await run(mem0(), target);
    expect(incremental.incrementalSince).not.toBeNull();
    expect(incremental.goneAtSource.memories).toBe(0);
    expect(await memoryIds(target)).toHaveLength(4);
    // --prune on a plain re-run (issue 19): it reads every record, so what it says it does, it does.
    const pruned = await run(mem0(), target, { prune: true });
    expect(pruned.incrementalSince).toBeNull();
    expect(pruned.fullFetchReason).toBe('--prune: everything is read, to find what is gone at the source');
    expect(pruned.goneAtSource).toMatchObject({ memories: 1, removed: true });
    expect(await memoryIds(target)).toHaveLength(3);
  });
});

describe.each(backends)('a listing the source says is incomplete (%s)', (_name, makeTarget) => {
  it('takes nothing of its partition as gone (not counted, not pruned) and says so; the other partitions and a later whole listing still are', async () => {
    const record = (id: string, user: string): SourceItem => ({
      type: 'memory',
      record: { sourceKind: 'test.note', sourceId: id, tenantKey: user, content: `Note ${id}`, role: null, tags: [], metadata: {}, sourceFields: {}, createdAt: 1_767_225_600_000, updatedAt: 1_767_225_600_000 },
      raw: { id },
    });
    const listed: Record<string, string[]> = { ana: ['a1', 'a2', 'a3'], bo: ['b1', 'b2'] };
    let capped = false;
    const source = {
      ...testSource(['ana', 'bo'], function* (user): Iterable<SourceItem> {
        if (user === 'ana' && capped) yield { type: 'warning', warning: { tenantKey: 'ana', message: 'listed 1 memory, the cap' } };
        for (const id of listed[user]!) yield record(id, user);
      }),
      listsWholePartitions: true,
    };
    const target = await makeTarget();
    await importFrom({ source, target, env: {} });
    listed['ana'] = ['a1'];
    listed['bo'] = ['b1'];
    capped = true;
    const cappedRun = await importFrom({ source, target, env: {}, prune: true });
    expect(cappedRun.goneAtSource).toMatchObject({ memories: 1, removed: true, byUser: { bo: 1 }, usersRemoved: [] });
    expect(cappedRun.warnings).toEqual([
      'ana: listed 1 memory, the cap',
      'user:ana: not checked for records gone at the source, as its listing did not end normally (see the warning above); nothing of it was pruned',
    ]);
    expect(await memoryIds(target)).toHaveLength(4);
    capped = false;
    const wholeRun = await importFrom({ source, target, env: {}, prune: true });
    expect(wholeRun.goneAtSource).toMatchObject({ memories: 2, removed: true, byUser: { ana: 2 }, usersRemoved: [] });
    expect(await memoryIds(target)).toHaveLength(2);
  });
});

describe('gone at the source, per source', () => {
  const sqlite = (): TargetConfig => ({ kind: 'sqlite', path: path.join(tempDir(), 'om.sqlite'), vectorTable: undefined });

  it('Mem0: a user deleted at the source, memories and all, is gone; --prune removes it, as verify mem0 reports it', async () => {
    const account = generatedMem0Account({ users: 3, perUser: 4 });
    const served = await startMem0Fake(account);
    servers.push(served);
    const mem0 = () => mem0Source({ apiKey: account.apiKey, baseUrl: served.url, requestsPerSecond: 1000 });
    const target = sqlite();
    await run(mem0(), target);
    const deleted = (account.memories[0] as { user_id: string }).user_id;
    account.memories = account.memories.filter((memory) => (memory as { user_id?: string }).user_id !== deleted);
    const counted = await run(mem0(), target, { fresh: true });
    expect(counted.goneAtSource).toMatchObject({ memories: 4, removed: false, byUser: { [deleted]: 4 }, usersRemoved: [] });
    const verified = await compareWithSource(target, mem0().source);
    expect(verified.missingFromSource).toHaveLength(4);
    const pruned = await run(mem0(), target, { prune: true });
    expect(pruned.goneAtSource).toMatchObject({ memories: 4, removed: true, byUser: { [deleted]: 4 }, usersRemoved: [deleted] });
    expect([...(await importedUsers(target)).keys()]).not.toContain(deleted);
    // A run narrowed to some users says nothing of the others.
    await run(mem0(), target, { fresh: true });
    const narrowed = await run(mem0Source({ apiKey: account.apiKey, baseUrl: served.url, requestsPerSecond: 1000, userIds: [(account.memories[0] as { user_id: string }).user_id] }), target, { fresh: true, prune: true });
    expect(narrowed.goneAtSource.memories).toBe(0);
  });

  it('Supermemory v5: a namespace deleted at the source is gone; --prune removes it; the untagged documents v5 cannot list are kept', async () => {
    const account = generatedSupermemoryAccount({ tags: 3, documentsPerTag: 3, memoriesPerTag: 2 });
    const served = await startSupermemoryFake(account, { generations: 'v5' });
    servers.push(served);
    const supermemory = () => supermemorySource({ apiKey: account.apiKey, baseUrl: served.url, requestsPerSecond: 1000 });
    const target = sqlite();
    await run(supermemory(), target);
    const deleted = account.containerTags.pop()!.containerTag;
    account.documents = account.documents.filter((document) => !document.containerTags?.includes(deleted));
    const pruned = await run(supermemory(), target, { fresh: true, prune: true });
    expect(pruned.goneAtSource).toMatchObject({ memories: 5, removed: true, byUser: { [deleted]: 5 }, usersRemoved: [deleted] });
    expect([...(await importedUsers(target)).keys()]).not.toContain(deleted);
  });

  it('Zep: a user deleted at the source, threads and graph and all, is gone; --prune removes it and its users row', async () => {
    const account = generatedZepAccount({ users: 3, threadsPerUser: 1, messagesPerThread: 3, factsPerUser: 2, apiKey: 'z_test-key-deleted-user' });
    const served = await startZepFake(account);
    servers.push(served);
    const zep = () => zepSource({ apiKey: account.apiKey, baseUrl: served.baseUrl, requestsPerSecond: 1000 });
    const target = sqlite();
    await run(zep(), target);
    const deleted = account.users.pop()!.user_id;
    const threads = account.threads.filter((thread) => thread.user_id === deleted).map((thread) => thread.thread_id);
    account.threads = account.threads.filter((thread) => thread.user_id !== deleted);
    for (const thread of threads) delete account.messages[thread];
    const before = [...(await importedUsers(target)).keys()];
    expect(before).toContain(deleted);
    const pruned = await run(zep(), target, { prune: true });
    expect(pruned.goneAtSource).toMatchObject({ removed: true, usersRemoved: [deleted] });
    expect(Object.keys(pruned.goneAtSource.byUser)).toEqual([deleted]);
    expect([...(await importedUsers(target)).keys()].sort()).toEqual(before.filter((user) => user !== deleted).sort());
  });

  it('Zep: a graph listing (facts here; episodes and thread summaries alike) that answers 404 past its first page is cut short: nothing of that user is pruned', async () => {
    const account = generatedZepAccount({ users: 2, threadsPerUser: 1, messagesPerThread: 4, factsPerUser: 60, apiKey: 'z_test-key-cut-short' });
    const target = sqlite();
    const calm = await startZepFake(account);
    servers.push(calm);
    await run(zepSource({ apiKey: account.apiKey, baseUrl: calm.baseUrl, requestsPerSecond: 1000, pageSize: 25 }), target);
    const before = await stateOf(target);
    // Page 2 of user-0001's facts answers 404 (a cursor the server lost, a hiccup): the listing ended early.
    const cut = route.post('*/graph/edge/user/user-0001', async ({ request }) => {
      const body = JSON.parse(await request.clone().text()) as Record<string, unknown>;
      return body['cursor'] !== undefined || body['uuid_cursor'] !== undefined ? HttpResponse.json({ message: 'not found' }, { status: 404 }) : undefined;
    });
    const cutShort = await serveHandlers([cut, ...zepHandlers(account)]);
    servers.push(cutShort);
    const report = await run(zepSource({ apiKey: account.apiKey, baseUrl: `${cutShort.url}/api/v2`, requestsPerSecond: 1000, pageSize: 25 }), target, { fresh: true, prune: true });
    expect(report.goneAtSource.memories).toBe(0);
    expect(report.warnings).toContain('user-0001: the facts of user-0001 answered 404 past their first page: the rest were not read (run again)');
    expect(await stateOf(target)).toEqual(before);
  });

  it('Zep: a fact invalidated since the last run is gone; with --prune it is removed', async () => {
    const account = generatedZepAccount({ users: 2, threadsPerUser: 1, messagesPerThread: 4, factsPerUser: 5, apiKey: 'z_test-key-prune' });
    const served = await startZepFake(account);
    servers.push(served);
    const zep = () => zepSource({ apiKey: account.apiKey, baseUrl: served.baseUrl, requestsPerSecond: 1000 });
    const target = sqlite();
    await run(zep(), target);
    const fact = account.edges['user-0001']!.find((edge) => !edge.invalid_at && !edge.expired_at)!;
    fact.invalid_at = '2026-11-20T10:00:00Z';
    const pruned = await run(zep(), target, { fresh: true, prune: true });
    expect(pruned.goneAtSource).toMatchObject({ memories: 1, removed: true, byUser: { 'user-0001': 1 }, usersRemoved: [] });
    const users = await importedUsers(target);
    expect(users.get('user-0001')!.contents).not.toContain(fact.fact);
  });

  it('Supermemory: a forgotten memory entry is gone; with --prune it is removed', async () => {
    const account = generatedSupermemoryAccount({ tags: 2, documentsPerTag: 2, memoriesPerTag: 3 });
    const served = await startSupermemoryFake(account);
    servers.push(served);
    const supermemory = () => supermemorySource({ apiKey: account.apiKey, baseUrl: served.url, requestsPerSecond: 1000 });
    const target = sqlite();
    await run(supermemory(), target);
    const entry = account.memoryEntries[0]!;
    entry.isForgotten = true;
    entry.forgetReason = 'user asked';
    const tag = account.containerTags.find((candidate) => candidate.id === entry.spaceId)!.containerTag;
    const pruned = await run(supermemory(), target, { fresh: true, prune: true });
    expect(pruned.goneAtSource).toMatchObject({ memories: 1, removed: true, byUser: { [tag]: 1 }, usersRemoved: [] });
    expect((await importedUsers(target)).get(tag)!.contents).not.toContain(entry.memory);
  });
});
