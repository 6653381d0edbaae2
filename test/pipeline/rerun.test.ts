// Second and later runs (issue 9, items 1–4, 8, 14): identity independent of how the data arrived, incremental runs
// only within the same scope, bookkeeping per target, duplicate ids reported, the snapshot file checked up front.
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mem0Source } from '../../adapters/mem0/index.js';
import { UsageError } from '../../src/errors.js';
import { importFrom, type ImportOptions } from '../../src/pipeline/import.js';
import { TenantMap } from '../../src/pipeline/tenant-map.js';
import { openTarget, resolveTargetConfig, type TargetConfig } from '../../src/database/open-target.js';
import { generatedMem0Account, type Mem0Account } from '../fakes/mem0/mem0-account.js';
import type { ServedHandlers } from '../fakes/serve-handlers.js';
import { verifyDatabase } from '../../src/verify.js';
import { fixturePath } from '../support/fixtures.js';
import { startMem0Fake } from '../support/mem0-fake.js';
import { query } from '../support/postgres.js';
import { backends } from '../support/targets.js';
import { tempDir } from '../support/temp.js';
import { testSource } from '../support/test-source.js';
import type { SourceItem } from '../../src/records.js';

const servers: ServedHandlers[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function rows(config: TargetConfig): Promise<{ id: string; user_id: string; content: string }[]> {
  const target = await openTarget(config);
  try {
    const { qualified, tables } = target.dialect;
    return await target.executor.all(`select cast(id as text) as id, user_id, content from ${qualified(tables.memories)} order by content, user_id`);
  } finally {
    await target.close();
  }
}

async function vectorCount(config: TargetConfig, table: string): Promise<number> {
  const target = await openTarget(config);
  try {
    const found = await target.executor.all<{ n: number }>(`select count(*) as n from ${target.dialect.qualified(table)}`);
    return Number(found[0]!.n);
  } finally {
    await target.close();
  }
}

function exportCopy(name: string): string {
  const file = path.join(tempDir(), name);
  copyFileSync(fixturePath('mem0', 'export.json'), file);
  return file;
}

async function fromApi(account: Mem0Account, target: TargetConfig, extra: Partial<ImportOptions> & { userIds?: string[] } = {}) {
  const served = await startMem0Fake(account);
  servers.push(served);
  const { userIds, ...options } = extra;
  const { source, http } = mem0Source({ apiKey: account.apiKey, baseUrl: served.url, requestsPerSecond: 1000, pageSize: 50, userIds });
  try {
    return await importFrom({ source, target, env: {}, ...options });
  } finally {
    await http?.close();
  }
}

describe.each(backends)('re-runs on %s', (_name, makeTarget) => {
  it('the same records through another export file name, or first through the API, become the same memories', async () => {
    const target = await makeTarget();
    await importFrom({ source: mem0Source({ fromFile: exportCopy('mem0-export-2026-11-24.json') }).source, target, env: {} });
    const first = await rows(target);
    expect(first).toHaveLength(9);
    const again = await importFrom({ source: mem0Source({ fromFile: exportCopy('mem0-export-2026-11-25.json') }).source, target, env: {} });
    expect(again.totals).toMatchObject({ created: 0, updated: 0, unchanged: 9 });
    expect(await rows(target)).toEqual(first);

    const account = generatedMem0Account({ users: 3, perUser: 5 });
    const apiTarget = await makeTarget();
    await fromApi(account, apiTarget);
    const file = path.join(tempDir(), 'mem0-export.json');
    writeFileSync(file, JSON.stringify({ results: account.memories }));
    const viaFile = await importFrom({ source: mem0Source({ fromFile: file }).source, target: apiTarget, env: {} });
    expect(viaFile.totals).toMatchObject({ created: 0, unchanged: 15 });
    expect(await rows(apiTarget)).toHaveLength(15);
  });

  it('a run narrowed to one user does not make the next full run incremental: the other users are read whole', async () => {
    const account = generatedMem0Account({ users: 3, perUser: 4 });
    const target = await makeTarget();
    const narrowed = await fromApi(account, target, { userIds: ['user-0'] });
    expect(narrowed.totals.created).toBe(4);
    const full = await fromApi(account, target);
    expect(full.incrementalSince).toBeNull();
    expect(full.fullFetchReason).toMatch(/different scope \(users\)/);
    expect(full.totals).toMatchObject({ created: 8, unchanged: 4 });
    // The same scope again: now the run is incremental.
    const next = await fromApi(account, target);
    expect(next.incrementalSince).not.toBeNull();
    expect(next.fullFetchReason).toBeNull();
  });

  it('a changed --user-map moves the records to their new user without --fresh', async () => {
    const account = generatedMem0Account({ users: 2, perUser: 3 });
    const target = await makeTarget();
    await fromApi(account, target);
    const moved = await fromApi(account, target, { tenantMap: new TenantMap(new Map([['user-1', 'bob']])) });
    expect(moved.fullFetchReason).toMatch(/userMap/);
    expect(moved.totals).toMatchObject({ updated: 3, unchanged: 3 });
    expect([...new Set((await rows(target)).map((row) => row.user_id))].sort()).toEqual(['bob', 'user-0']);
  });

  it('one id under two owners in one export: the first is imported, the other reported', async () => {
    const target = await makeTarget();
    const file = path.join(tempDir(), 'twins.json');
    const memory = { id: 'm-1', memory: 'Likes green tea', user_id: 'alice', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' };
    writeFileSync(file, JSON.stringify([memory, { ...memory, user_id: 'bob', memory: 'Likes black coffee' }, memory]));
    const report = await importFrom({ source: mem0Source({ fromFile: file }).source, target, env: {} });
    expect(report.totals).toMatchObject({ created: 1, skipped: 1 });
    const bob = report.tenants.find((tenant) => tenant.tenant === 'bob')!;
    expect(bob.skippedReasons).toEqual([{ sourceId: 'm-1', reason: expect.stringMatching(/duplicate id: .*read before under alice; the first one read is imported/), kind: 'duplicate-id' }]);
    expect((await rows(target)).map((row) => row.user_id)).toEqual(['alice']);
  });
});

describe('bookkeeping per target', () => {
  it('after OM_VECTOR_TABLE changes, the records are written into the new vector table', async () => {
    const file = path.join(tempDir(), 'om.sqlite');
    const source = () => mem0Source({ fromFile: fixturePath('mem0', 'export.json') }).source;
    await importFrom({ source: source(), target: resolveTargetConfig({ db: file }, {}), env: {} });
    const other = resolveTargetConfig({ db: file }, { OM_VECTOR_TABLE: 'vectors_v2' });
    const report = await importFrom({ source: source(), target: other, env: {}, fresh: true });
    expect(report.totals).toMatchObject({ created: 9, unchanged: 0 });
    expect(await vectorCount(other, 'vectors_v2')).toBe(await vectorCount(other, 'vectors'));
    expect(await vectorCount(other, 'vectors_v2')).toBeGreaterThan(0);
    // The second vector table gets its own index, so the database is whole v1.2 for both (and verify finds nothing).
    const opened = await openTarget(other);
    expect(['v1.2', 'newer']).toContain((await opened.inspect()).state.name); // newer: the first vector table is an extra one
    await opened.close();
    expect((await verifyDatabase(other, { env: {} })).violations).toEqual([]);
  });

  it('after OM_PG_TABLE changes, the records are written into the new tables', async () => {
    const [, makePostgres] = backends[1]!;
    const first = await makePostgres();
    if (first.kind !== 'postgres') throw new Error('expected a PostgreSQL target');
    const source = () => mem0Source({ fromFile: fixturePath('mem0', 'export.json') }).source;
    await importFrom({ source: source(), target: first, env: {} });
    const renamed = { ...first, memoryTable: 'memories_v2', vectorTable: 'vectors_v2' } as TargetConfig;
    const report = await importFrom({ source: source(), target: renamed, env: {} });
    expect(report.totals).toMatchObject({ created: 9 });
    expect(await rows(renamed)).toHaveLength(9);
  });
});

describe('databases written by om-import 0.1', () => {
  it('keep their memory ids: the same export under another name duplicates nothing, and the bookkeeping is brought forward', async () => {
    const file = path.join(tempDir(), 'openmemory.sqlite');
    copyFileSync(fixturePath('om-import-0.1', 'mem0-export-2026-11-24.sqlite'), file);
    const target = resolveTargetConfig({ db: file }, {});
    const before = await rows(target);
    expect(before).toHaveLength(9);
    const report = await importFrom({ source: mem0Source({ fromFile: exportCopy('mem0-export-2026-11-25.json') }).source, target, env: {} });
    expect(report.totals).toMatchObject({ created: 0, updated: 0, unchanged: 9 });
    expect(await rows(target)).toEqual(before);
  });

  it('on PostgreSQL too (the 0.1 bookkeeping tables, rebuilt in place)', async () => {
    const [, makePostgres] = backends[1]!;
    const target = await makePostgres();
    if (target.kind !== 'postgres') throw new Error('expected a PostgreSQL target');
    await importFrom({ source: mem0Source({ fromFile: exportCopy('a.json') }).source, target, env: {} });
    // Turn the bookkeeping into what om-import 0.1 wrote: keyed by account, the ids it computed with that account.
    const url = (target.connection as { connectionString: string }).connectionString;
    await query(url, `alter table public.om_import_records rename to records_now`);
    await query(url, `create table public.om_import_records(source text not null, account text not null, record_id text not null,
      memory_id text not null, user_id text not null, fingerprint text not null, imported_at bigint not null, primary key(source, account, record_id))`);
    await query(url, `insert into public.om_import_records select source, 'file a.json', record_id, memory_id, user_id, fingerprint, imported_at from records_now`);
    await query(url, `drop table records_now`);
    await query(url, `drop table public.om_import_pending_users`);
    await query(url, `create table public.om_import_pending_users(user_id text primary key, since bigint not null, source_summary text)`);
    await query(url, `alter table public.om_import_runs drop column target, drop column scope`);
    const before = await rows(target);
    const report = await importFrom({ source: mem0Source({ fromFile: exportCopy('b.json') }).source, target, env: {} });
    expect(report.totals).toMatchObject({ created: 0, unchanged: 9 });
    expect(await rows(target)).toEqual(before);
  });
});

describe('--save-export', () => {
  it('is checked before anything is fetched or written, and the snapshot is readable by its owner only', async () => {
    const dir = tempDir();
    const blocker = path.join(dir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const database = path.join(dir, 'data', 'om.sqlite');
    const target = resolveTargetConfig({ db: database }, {});
    const source = () => mem0Source({ fromFile: fixturePath('mem0', 'export.json') }).source;
    const error = await importFrom({ source: source(), target, env: {}, saveExportDir: path.join(blocker, 'exports') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/--save-export .*not-a-folder.*cannot create the folder/);
    expect(() => statSync(database)).toThrow();

    const now = () => Date.UTC(2026, 10, 25, 12);
    const saved = await importFrom({ source: source(), target, env: {}, saveExportDir: path.join(dir, 'exports'), now });
    expect(statSync(saved.exportFile!).mode & 0o777).toBe(0o600);
    const content = readFileSync(saved.exportFile!, 'utf8');
    const again = await importFrom({ source: source(), target, env: {}, saveExportDir: path.join(dir, 'exports'), now }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(UsageError);
    expect((again as Error).message).toMatch(/already exists; om-import never overwrites a snapshot/);
    expect(readFileSync(saved.exportFile!, 'utf8')).toBe(content);
  });
});

describe('one user_id written by two sources', () => {
  it('the second source warns that the user also holds the first one’s memories; a source alone does not', async () => {
    const memory = (id: string, text: string): SourceItem => ({
      type: 'memory',
      record: { sourceKind: 'test.memory', sourceId: id, tenantKey: 'alice', content: text, role: null, tags: [], metadata: {}, sourceFields: {}, createdAt: Date.UTC(2026, 0, 1), updatedAt: null },
      raw: null,
    });
    const target = resolveTargetConfig({ db: path.join(tempDir(), 'om.sqlite') }, {});
    const zepLike = { ...testSource(['alice'], () => [memory('z1', 'Lives in Lisbon')]), name: 'zep' };
    const supermemoryLike = { ...testSource(['alice'], () => [memory('s1', 'Prefers tea')]), name: 'supermemory' };
    const first = await importFrom({ source: zepLike, target, env: {} });
    expect(first.warnings).toEqual([]);
    const second = await importFrom({ source: supermemoryLike, target, env: {} });
    expect(second.warnings).toEqual([
      'user_id alice also holds memories imported from zep: they are now one OpenMemory user (map one side elsewhere with --user-map if they are different people)',
    ]);
  });
});

describe('a --user-map that merges one user into another', () => {
  it('leaves no empty users row behind: the user every memory moved away from is removed', async () => {
    const memory = (id: string, tenantKey: string, text: string): SourceItem => ({
      type: 'memory',
      record: { sourceKind: 'test.memory', sourceId: id, tenantKey, content: text, role: null, tags: [], metadata: {}, sourceFields: {}, createdAt: Date.UTC(2026, 0, 1), updatedAt: null },
      raw: null,
    });
    const source = testSource(['Alice', 'alice'], (user) => (user === 'Alice' ? [memory('a1', 'Alice', 'Plays the cello')] : [memory('a2', 'alice', 'Lives in Porto')]));
    const target = resolveTargetConfig({ db: path.join(tempDir(), 'om.sqlite') }, {});
    await importFrom({ source, target, env: {} });
    const merged = await importFrom({ source, target, env: {}, tenantMap: new TenantMap(new Map([['Alice', 'alice']])) });
    expect(merged.users.find((user) => user.userId === 'Alice')).toMatchObject({ removed: true });
    const opened = await openTarget(target);
    try {
      const rows = await opened.executor.all<{ user_id: string }>('select user_id from users order by user_id');
      expect(rows.map((row) => row.user_id)).toEqual(['alice']);
    } finally {
      await opened.close();
    }
    expect((await verifyDatabase(target, { env: {} })).violations).toEqual([]);
  });
});
