import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mem0Source } from '../../adapters/mem0/index.js';
import { supermemorySource } from '../../adapters/supermemory/index.js';
import { zepSource } from '../../adapters/zep/index.js';
import { UsageError } from '../../src/errors.js';
import { importFrom } from '../../src/pipeline/import.js';
import type { OpenedSource, Source, SourceItem } from '../../src/records.js';
import { openTarget, resolveTargetConfig, type TargetConfig } from '../../src/database/open-target.js';
import type { Target } from '../../src/database/target.js';
import {
  compareWithSource, embeddedSectorsOf, formatVerification, sourceDiffers, verifyDatabase, type DatabaseVerification, type Violation,
} from '../../src/verify.js';
import { displayWidth, fitCell } from '../../src/pipeline/report.js';
import { unwrapped } from '../support/terminal.js';
import { generatedSupermemoryAccount } from '../fakes/supermemory/supermemory-account.js';
import { generatedZepAccount } from '../fakes/zep/zep-account.js';
import { fixturePath } from '../support/fixtures.js';
import { createTestDatabase, customPostgresNames, dumpInCustomSchema, runSql } from '../support/postgres.js';
import { startSupermemoryFake } from '../support/supermemory-fake.js';
import { backends } from '../support/targets.js';
import { copyFixtureDatabase, tempDir } from '../support/temp.js';
import { startZepFake } from '../support/zep-fake.js';

const exportFile = fixturePath('mem0', 'export.json');
const cleanups: (() => Promise<void>)[] = [];

/** Makes a file or folder unwritable for this process (root: immutable; others: its mode); false where it cannot. */
function makeReadOnly(file: string): boolean {
  try {
    if (process.getuid?.() === 0) {
      execFileSync('chattr', ['+i', file], { stdio: 'ignore' });
      cleanups.push(async () => {
        execFileSync('chattr', ['-i', file], { stdio: 'ignore' });
      });
    } else {
      chmodSync(file, 0o555);
      cleanups.push(async () => chmodSync(file, 0o755));
    }
    appendFileSync(statSync(file).isDirectory() ? path.join(file, 'probe') : file, ''); // the proof: this write must fail
    return false;
  } catch {
    return true;
  }
}
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function open(config: TargetConfig): Promise<Target> {
  const target = await openTarget(config);
  cleanups.push(() => target.close());
  return target;
}

async function importAndClose(opened: OpenedSource, config: TargetConfig): Promise<void> {
  try {
    await importFrom({ source: opened.source, target: config, env: {} });
  } finally {
    await opened.http?.close();
  }
}

const customNames = customPostgresNames;

function expectClean(result: DatabaseVerification): void {
  expect(result.violations).toEqual([]);
  expect(result.violationCounts).toEqual({});
}

describe.each(backends)('verify after an import into %s', (_name, makeTarget) => {
  it('finds nothing wrong after importing the Mem0 export, and the source holds the same records', async () => {
    const config = await makeTarget();
    await importAndClose(mem0Source({ fromFile: exportFile }), config);
    const result = await verifyDatabase(config, { env: {} });
    expectClean(result);
    expect(result).toMatchObject({
      schema: 'v1.2',
      vectorDimension: 256,
      counts: { memories: 9, usersWithMemories: 4, vectors: 11, waypoints: 9, userRows: 4, importRecords: 9 },
      preTenantMemories: 0,
    });
    const comparison = await compareWithSource(config, mem0Source({ fromFile: exportFile }).source);
    expect(comparison).toEqual({ source: 'mem0', sourceRecords: 9, skippedAtSource: 3, databaseRecords: 9, missingFromDatabase: [], missingFromSource: [], underAnotherOwner: [] });
  });

  it('finds nothing wrong after importing a Zep account (users, threads without a user, graphs) and a Supermemory account', async () => {
    const config = await makeTarget();
    const zepAccount = generatedZepAccount({ users: 3, threadsPerUser: 2, messagesPerThread: 5, factsPerUser: 6, orphanThreads: 1, graphs: 1 });
    const zep = await startZepFake(zepAccount);
    cleanups.push(zep.close);
    const openZep = () => zepSource({ apiKey: zepAccount.apiKey, baseUrl: zep.baseUrl, requestsPerSecond: 2000 });
    await importAndClose(openZep(), config);

    const supermemoryAccount = generatedSupermemoryAccount({ tags: 3, documentsPerTag: 4, memoriesPerTag: 3 });
    const supermemory = await startSupermemoryFake(supermemoryAccount);
    cleanups.push(supermemory.close);
    await importAndClose(supermemorySource({ apiKey: supermemoryAccount.apiKey, baseUrl: supermemory.url, requestsPerSecond: 2000 }), config);

    const result = await verifyDatabase(config, { env: {} });
    expectClean(result);
    expect(result.counts.memories).toBeGreaterThan(50);
    expect(result.counts.importRecords).toBe(result.counts.memories);

    const zepComparison = await compareWithSource(config, openZep().source);
    expect(zepComparison.missingFromDatabase).toEqual([]);
    expect(zepComparison.missingFromSource).toEqual([]);
    expect(zepComparison.skippedAtSource).toBeGreaterThan(0); // invalidated and expired facts
    expect(zepComparison.databaseRecords).toBe(zepComparison.sourceRecords);
  });

  it('finds each hand-made violation, with its ids', async () => {
    const config = await makeTarget();
    await importAndClose(mem0Source({ fromFile: exportFile }), config);
    const target = await open(config);
    const { executor, dialect } = target;
    const table = (role: 'memories' | 'vectors' | 'waypoints' | 'users'): string => dialect.qualified(dialect.tables[role]);
    const records = dialect.qualified('om_import_records');
    const memories = await executor.all<{ id: string; content: string }>(`select cast(id as text) as id, content from ${table('memories')}`);
    const memoryOf = (start: string): string => {
      const found = memories.find((memory) => memory.content.startsWith(start));
      if (!found) throw new Error(`no memory starting with ${start}`);
      return found.id;
    };
    const darkMode = memoryOf('Prefers dark mode'); // alice
    const marathon = memoryOf('Is training for the Berlin marathon'); // alice
    const espresso = memoryOf('I went to the espresso bar'); // alice: episodic + emotional
    const sentences = memoryOf('Sentence number 0'); // alice
    const vpn = memoryOf('How to configure the VPN'); // bob
    const worried = memoryOf('Feels worried'); // bob
    const garden = memoryOf('Ça coûte'); // carol
    const obrien = memoryOf("O'Brien"); // carol
    const supportBot = memoryOf('The support bot'); // agent:support-bot
    const ghostMemory = '00000000-0000-4000-8000-00000000dead';
    const ghostRecordMemory = '00000000-0000-4000-8000-00000000beef';

    // A memory deleted without its vectors (its waypoint and om-import record went with it).
    await executor.run(`delete from ${table('waypoints')} where src_id = ?`, [supportBot]);
    await executor.run(`delete from ${records} where memory_id = ?`, [supportBot]);
    await executor.run(`delete from ${table('memories')} where id = ?`, [supportBot]);
    // A vector under another user.
    await executor.run(`update ${table('vectors')} set user_id = 'mallory' where id = ?`, [vpn]);
    // A vector of the wrong dimension.
    await executor.run(`update ${table('vectors')} set v = ?, dim = 100 where id = ?`, [Buffer.alloc(400), sentences]);
    // A memory missing one of its (additional) sector vectors.
    await executor.run(`delete from ${table('vectors')} where id = ? and sector = 'emotional'`, [espresso]);
    // A dangling waypoint, one crossing users, one under another user.
    await executor.run(`update ${table('waypoints')} set dst_id = ? where src_id = ?`, [ghostMemory, marathon]);
    await executor.run(`update ${table('waypoints')} set dst_id = ? where src_id = ?`, [darkMode, obrien]);
    await executor.run(`update ${table('waypoints')} set user_id = 'carol@example.com' where src_id = ?`, [worried]);
    // A user with memories but no users row.
    await executor.run(`delete from ${table('users')} where user_id = 'bob'`);
    // om-import records: one pointing at a missing memory, one under another user.
    await executor.run(`update ${records} set memory_id = ? where memory_id = ?`, [ghostRecordMemory, garden]);
    await executor.run(`update ${records} set user_id = 'bob' where memory_id = ?`, [darkMode]);
    await target.close();

    const result = await verifyDatabase(config, { env: {} });
    const expected: Violation[] = [
      { kind: 'vector-without-memory', memoryId: supportBot, sector: 'semantic', vectorUserId: 'agent:support-bot' },
      { kind: 'vector-under-another-user', memoryId: vpn, sector: 'procedural', vectorUserId: 'mallory', memoryUserId: 'bob' },
      { kind: 'vector-dimension-wrong', memoryId: sentences, sector: 'procedural', dimension: 100, bytes: 400 },
      { kind: 'sector-vector-missing', memoryId: espresso, userId: 'alice', sector: 'emotional', primary: false },
      { kind: 'waypoint-dangling', sourceId: marathon, destinationId: ghostMemory, userId: 'alice', missing: ['destination'] },
      {
        kind: 'waypoint-crossing-users', sourceId: obrien, destinationId: darkMode, userId: 'carol@example.com',
        sourceUserId: 'carol@example.com', destinationUserId: 'alice',
      },
      { kind: 'waypoint-under-another-user', sourceId: worried, destinationId: vpn, userId: 'carol@example.com', memoryUserId: 'bob' },
      { kind: 'user-row-missing', userId: 'bob', memories: 2 },
      { kind: 'record-memory-missing', source: 'mem0', recordId: '5b0e5c1a-1f6e-4a43-9a55-0d7c2d1e0006', memoryId: ghostRecordMemory, userId: 'carol@example.com' },
      {
        kind: 'record-under-another-user', source: 'mem0', recordId: '5b0e5c1a-1f6e-4a43-9a55-0d7c2d1e0001', memoryId: darkMode,
        recordUserId: 'bob', memoryUserId: 'alice',
      },
    ];
    expect(result.violations).toEqual(expected);
    expect(Object.values(result.violationCounts)).toEqual(expected.map(() => 1));

    const text = unwrapped(formatVerification(result));
    expect(text).toMatch(/^10 violations:$/m);
    expect(text).toContain(`  vectors under another user_id than their memory's: 1\n    vector ${vpn}/procedural: user_id "mallory", its memory's "bob"`);
    expect(text).toContain(`memory ${espresso} (user_id "alice"): no emotional vector`);
    expect(text).toContain(`waypoint ${marathon} → ${ghostMemory} (user_id "alice"): no destination memory`);
    expect(text).toContain(`user_id "bob": 2 memories, no users row`);

    // A missing primary-sector vector is named as such.
    const again = await open(config);
    await again.executor.run(`delete from ${table('vectors')} where id = ?`, [garden]);
    await again.close();
    const primaryMissing = (await verifyDatabase(config, { env: {} })).violations.filter((violation) => violation.kind === 'sector-vector-missing');
    expect(primaryMissing).toContainEqual({ kind: 'sector-vector-missing', memoryId: garden, userId: 'carol@example.com', sector: 'semantic', primary: true });
  });

  it('lists what the source has that the database lacks, and the reverse', async () => {
    const config = await makeTarget();
    const exported = JSON.parse(readFileSync(exportFile, 'utf8')) as { results: Record<string, unknown>[] };
    const extraRecord = { id: 'extra-record-1', memory: 'Collects vintage fountain pens', user_id: 'alice', created_at: '2026-03-09T10:00:00Z' };
    const withExtra = path.join(tempDir(), 'with-extra.json');
    writeFileSync(withExtra, JSON.stringify({ results: [...exported.results, extraRecord] }));
    await importAndClose(mem0Source({ fromFile: withExtra }), config);

    const target = await open(config);
    const { executor, dialect } = target;
    const [deleted] = await executor.all<{ memory_id: string }>(
      `select memory_id from ${dialect.qualified('om_import_records')} where record_id = '5b0e5c1a-1f6e-4a43-9a55-0d7c2d1e0004'`,
    );
    await executor.run(`delete from ${dialect.qualified(dialect.tables.memories)} where id = ?`, [deleted!.memory_id]);
    await target.close();

    const comparison = await compareWithSource(config, mem0Source({ fromFile: exportFile }).source);
    expect(comparison).toMatchObject({
      sourceRecords: 9,
      databaseRecords: 9,
      missingFromDatabase: [{ recordId: '5b0e5c1a-1f6e-4a43-9a55-0d7c2d1e0004', memoryId: deleted!.memory_id }],
      missingFromSource: [{ recordId: 'extra-record-1', memoryId: expect.any(String) }],
    });
    const text = unwrapped(formatVerification(await verifyDatabase(config, { env: {} }), comparison));
    expect(text).toMatch(/in the source, not in the database: 1\n {4}5b0e5c1a-1f6e-4a43-9a55-0d7c2d1e0004 \(imported as memory .*, since deleted\)/);
    expect(text).toMatch(/in the database, no longer in the source: 1\n {4}extra-record-1 \(memory /);
  });
});

describe.each(backends)('verify with a source that still lists what it skips (%s)', (_name, makeTarget) => {
  it('a record the source now skips for a passing reason (a Mem0 memory since expired) is not gone from it; after a listing said incomplete, nothing is', async () => {
    const config = await makeTarget();
    const exported = JSON.parse(readFileSync(exportFile, 'utf8')) as { results: Record<string, unknown>[] };
    const trial = { id: 'trial-1', memory: 'Has a trial subscription', user_id: 'alice', expiration_date: '2099-12-31', created_at: '2026-03-09T10:00:00Z' };
    const extra = { id: 'extra-record-1', memory: 'Collects vintage fountain pens', user_id: 'alice', created_at: '2026-03-09T10:00:00Z' };
    const written = (name: string, results: Record<string, unknown>[]): string => {
      const file = path.join(tempDir(), name);
      writeFileSync(file, JSON.stringify({ results }));
      return file;
    };
    await importAndClose(mem0Source({ fromFile: written('before.json', [...exported.results, trial, extra]) }), config);

    // trial-1 has expired since (Mem0 still lists it), extra-record-1 is deleted.
    const now = written('now.json', [...exported.results, { ...trial, expiration_date: '2020-01-01' }]);
    const comparison = await compareWithSource(config, mem0Source({ fromFile: now }).source);
    expect(comparison.missingFromSource).toEqual([{ recordId: 'extra-record-1', memoryId: expect.any(String) }]);
    expect(comparison.skippedAtSource).toBe(4);

    const file = mem0Source({ fromFile: now }).source;
    const capped: Source = {
      name: file.name,
      filtersByUpdateTime: false,
      account: () => file.account(),
      partitions: () => file.partitions(),
      async *items(partition, options): AsyncIterable<SourceItem> {
        yield { type: 'warning', warning: { tenantKey: null, message: 'listed 1000, the cap' } };
        yield* file.items(partition, options);
      },
    };
    const incomplete = await compareWithSource(config, capped);
    expect(incomplete.missingFromSource).toBeNull();
    expect(unwrapped(formatVerification(await verifyDatabase(config, { env: {} }), incomplete))).toContain(
      'the source was read in part (--user-id, or a listing it said is incomplete): records it did not read are not listed as gone from it',
    );
  });
});

describe.each(backends)('verify after an import that did not finish (%s)', (_name, makeTarget) => {
  it('names the interrupted run and the users it left pending, until a run of the same command finishes it', async () => {
    const config = await makeTarget();
    const { source } = mem0Source({ fromFile: exportFile });
    // The import stops at its second user: the first was written, its waypoints and summary were not.
    let partitionsRead = 0;
    const failing: Source = {
      name: source.name,
      filtersByUpdateTime: false,
      account: () => source.account(),
      partitions: () => source.partitions(),
      async *items(partition, options): AsyncIterable<SourceItem> {
        let records = 0;
        for await (const item of source.items(partition, options)) {
          if (item.type === 'memory' && ++records > 3 && partitionsRead++ > 0) throw new Error('connection lost');
          yield item;
        }
      },
    };
    await expect(importFrom({ source: failing, target: config, env: {}, concurrency: 1, batchSize: 2 })).rejects.toThrow('connection lost');
    const halfway = await verifyDatabase(config, { env: {} });
    expect(halfway.violationCounts['import-unfinished']).toBe(1);
    expect(halfway.violationCounts['user-pending']).toBeGreaterThan(0);
    const text = unwrapped(formatVerification(halfway));
    expect(text).toContain('imports interrupted or still running (run the same command again to finish; `om-import status` tells which): 1');
    expect(text).toMatch(/mem0 \(file export\.json\): run \S+ started \S+, not finished/);
    await importAndClose(mem0Source({ fromFile: exportFile }), config);
    expect((await verifyDatabase(config, { env: {} })).violations).toEqual([]);
  });
});

describe.each(backends)('verify <source> checks owners (%s)', (_name, makeTarget) => {
  it('a memory moved to another user, records and vectors along, is under another owner than its source says', async () => {
    const config = await makeTarget();
    await importAndClose(mem0Source({ fromFile: exportFile }), config);
    const target = await openTarget(config);
    const { qualified, tables } = target.dialect;
    const [moved] = await target.executor.all<{ record_id: string; memory_id: string; user_id: string }>(
      `select record_id, memory_id, user_id from ${qualified('om_import_records')} order by record_id limit 1`,
    );
    // Everything the audit checks stays consistent: the memory, its vectors and its record all name the new user.
    await target.executor.run(`update ${qualified(tables.memories)} set user_id = 'mallory' where cast(id as text) = ?`, [moved!.memory_id]);
    await target.executor.run(`update ${qualified(tables.vectors)} set user_id = 'mallory' where cast(id as text) = ?`, [moved!.memory_id]);
    await target.executor.run(`delete from ${qualified(tables.waypoints)} where cast(src_id as text) = ? or cast(dst_id as text) = ?`, [moved!.memory_id, moved!.memory_id]);
    await target.executor.run(`update ${qualified('om_import_records')} set user_id = 'mallory' where record_id = ?`, [moved!.record_id]);
    await target.executor.run(`insert into ${qualified(tables.users)}(user_id, summary, reflection_count, created_at, updated_at) values ('mallory', '', 0, 0, 0)`);
    await target.close();
    expect((await verifyDatabase(config, { env: {} })).violations).toEqual([]);
    const comparison = await compareWithSource(config, mem0Source({ fromFile: exportFile }).source);
    expect(comparison.underAnotherOwner).toEqual([{ recordId: moved!.record_id, memoryId: moved!.memory_id, expectedUserId: moved!.user_id, userId: 'mallory' }]);
    expect(sourceDiffers(comparison)).toBe(true);
    expect(unwrapped(formatVerification(await verifyDatabase(config, { env: {} }), comparison))).toContain('in the database under another user than their owner at the source: 1');
  });
});

describe("verify on OpenMemory's own databases", () => {
  it('OpenMemory 1.2.3 SQLite: no violations, and the file is not changed', async () => {
    const file = copyFixtureDatabase('om-v1.2.3.sqlite');
    const before = readFileSync(file);
    const result = await verifyDatabase(resolveTargetConfig({ db: file }, {}), { env: {} });
    expectClean(result);
    expect(result).toMatchObject({
      counts: { memories: 33, usersWithMemories: 3, vectors: 36, waypoints: 33, userRows: 3, importRecords: null },
      preTenantMemories: 0,
    });
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('reads a database it may not write (file and folder read-only)', async (context) => {
    const file = copyFixtureDatabase('om-v1.2.3.sqlite');
    if (!makeReadOnly(file) || !makeReadOnly(path.dirname(file))) return context.skip();
    const result = await verifyDatabase(resolveTargetConfig({ db: file }, {}), { env: {} });
    expectClean(result);
    expect(result.counts.memories).toBe(33);
  });

  it('OpenMemory 1.2.3 PostgreSQL, under default and custom schema and table names: no violations', async () => {
    const url = await createTestDatabase();
    await runSql(url, readFileSync(fixturePath('openmemory', 'databases', 'om-v1.2.3.pg.sql'), 'utf8'));
    const result = await verifyDatabase(resolveTargetConfig({ pg: url }, {}), { env: {} });
    expectClean(result);
    expect(result.counts).toMatchObject({ memories: 33, usersWithMemories: 3, waypoints: 33, userRows: 3, importRecords: null });

    const custom = await createTestDatabase();
    await runSql(custom, dumpInCustomSchema('om-v1.2.3.pg.sql'));
    const customResult = await verifyDatabase(resolveTargetConfig({ pg: custom }, customNames), { env: customNames });
    expectClean(customResult);
    expect(customResult.counts.memories).toBe(33);
  });

  it('every vector OpenMemory wrote is in the sectors classification gives its memory', async () => {
    const target = await open(resolveTargetConfig({ db: copyFixtureDatabase('om-v1.2.3.sqlite') }, {}));
    const rows = await target.executor.all<{ id: string; primary_sector: string; content: string; meta: string | null; sectors: string }>(
      `select m.id, m.primary_sector, m.content, m.meta, (select group_concat(sector) from vectors v where v.id = m.id) as sectors from memories m`,
    );
    const multiSector = rows.filter((row) => row.sectors.includes(','));
    expect(multiSector.length).toBeGreaterThan(0);
    for (const row of rows) {
      const expected = embeddedSectorsOf({ primarySector: row.primary_sector, content: row.content, meta: row.meta }, '1.2');
      expect([...expected].sort()).toEqual(row.sectors.split(',').sort());
    }
  });

  it('v1.1 databases migrated by om-import: pre-tenant memories are information, not violations', async () => {
    const file = copyFixtureDatabase('om-v1.1.sqlite');
    const config = resolveTargetConfig({ db: file }, {});
    await (await open(config)).migrate();
    const result = await verifyDatabase(config, { env: {} });
    expectClean(result);
    expect(result.preTenantMemories).toBe(33);
    expect(formatVerification(result)).toMatch(/information: 33 memories have no user_id/);

    const url = await createTestDatabase();
    await runSql(url, readFileSync(fixturePath('openmemory', 'databases', 'om-v1.1.pg.sql'), 'utf8'));
    const pgConfig = resolveTargetConfig({ pg: url }, {});
    await (await open(pgConfig)).migrate();
    await importAndClose(mem0Source({ fromFile: exportFile }), pgConfig);
    const pgResult = await verifyDatabase(pgConfig, { env: {} });
    expectClean(pgResult);
    expect(pgResult).toMatchObject({ preTenantMemories: 33, counts: { memories: 42, importRecords: 9 } });
  });

  it('a database that is not v1.2 is refused with one line naming its state and `om-import migrate`', async () => {
    const v11 = copyFixtureDatabase('om-v1.1.sqlite');
    const before = readFileSync(v11);
    await expect(verifyDatabase(resolveTargetConfig({ db: v11 }, {}), { env: {} })).rejects.toThrow(
      /^SQLite .*om-v1\.1\.sqlite is v1\.1, not an OpenMemory v1\.2 database: nothing to verify \(run `om-import migrate` first\)$/,
    );
    expect(readFileSync(v11).equals(before)).toBe(true);

    const partial = copyFixtureDatabase('om-v1.1-half-migrated-by-v1.2.3.sqlite');
    await expect(verifyDatabase(resolveTargetConfig({ db: partial }, {}), { env: {} })).rejects.toThrow(/is partly migrated \(missing: memories\.user_id, /);

    const missing = path.join(tempDir(), 'nested', 'openmemory.sqlite');
    const refused = verifyDatabase(resolveTargetConfig({ db: missing }, {}), { env: {} });
    await expect(refused).rejects.toBeInstanceOf(UsageError);
    await expect(refused).rejects.toThrow(/does not exist: nothing to verify/);
    expect(existsSync(path.dirname(missing))).toBe(false);

    const pg = await createTestDatabase();
    await runSql(pg, readFileSync(fixturePath('openmemory', 'databases', 'om-v1.1-half-migrated-by-failed-1.2.0.pg.sql'), 'utf8'));
    await expect(verifyDatabase(resolveTargetConfig({ pg }, {}), { env: {} })).rejects.toThrow(/is partly migrated .*om-import migrate/);
  });

  it('expects the dimension OpenMemory is configured with', async () => {
    const result = await verifyDatabase(resolveTargetConfig({ db: copyFixtureDatabase('om-v1.2.3.sqlite') }, {}), { env: { OM_VEC_DIM: '300' } });
    expect(result.vectorDimension).toBe(300);
    expect(result.violationCounts).toEqual({ 'vector-dimension-wrong': 36 });
    expect(result.violations[0]).toMatchObject({ kind: 'vector-dimension-wrong', dimension: 256, bytes: 1024 });
  });
});

describe('formatVerification', () => {
  it('lists the first 20 of each kind, then how many more', () => {
    const violations: Violation[] = Array.from({ length: 25 }, (_, i) => ({ kind: 'user-row-missing', userId: `user-${String(i).padStart(2, '0')}`, memories: 1 }));
    const text = formatVerification({
      target: 'SQLite x.sqlite', schema: 'v1.2', vectorDimension: 256, preTenantMemories: 0, violations, violationCounts: { 'user-row-missing': 25 },
      counts: { memories: 25, usersWithMemories: 25, vectors: 25, waypoints: 25, userRows: 0, importRecords: null },
    });
    // The kind's line is wrapped at 80 columns: read whole.
    expect(unwrapped(text)).toContain('users with memories but no users row (OpenMemory answers 404 for their summary): 25');
    expect(text).toContain('user_id "user-19": 1 memory, no users row\n    5 more (see --json)');
    expect(text).not.toContain('user-20');
  });
});

describe('formatVerification at 80 columns', () => {
  const longUser = `tenant-${'x'.repeat(120)}-end`;
  const cjkUser = '山田太郎の長いユーザー名前'.repeat(6);
  const longRecord = `thread:${'r'.repeat(90)}:message:7`;
  const memoryId = '5b0e5c1a-1f6e-4a43-9a55-0d7c2d1e0004';
  const violations: Violation[] = [
    { kind: 'vector-dimension-wrong', memoryId, sector: 'semantic', dimension: 256, bytes: 1024 },
    { kind: 'waypoint-crossing-users', sourceId: memoryId, destinationId: memoryId, userId: longUser, sourceUserId: cjkUser, destinationUserId: longUser },
    { kind: 'user-row-missing', userId: cjkUser, memories: 3 },
    { kind: 'record-under-another-user', source: 'zep', recordId: longRecord, memoryId, recordUserId: longUser, memoryUserId: cjkUser },
    { kind: 'import-unfinished', source: 'zep', account: `account-${'a'.repeat(100)}`, runId: memoryId, shard: '2/8', startedAt: 0 },
  ];
  const text = formatVerification(
    {
      target: 'SQLite ./data/openmemory.sqlite', schema: 'v1.2', vectorDimension: 256, preTenantMemories: 4, violations,
      violationCounts: { 'vector-dimension-wrong': 1, 'waypoint-crossing-users': 1, 'user-row-missing': 1, 'record-under-another-user': 1, 'import-unfinished': 1 },
      counts: { memories: 1_234_567, usersWithMemories: 98_765, vectors: 2_345_678, waypoints: 3_456_789, userRows: 98_000, importRecords: 1_234_000 },
    },
    {
      source: 'zep', sourceRecords: 10, skippedAtSource: 2, databaseRecords: 9, missingFromSource: null,
      missingFromDatabase: [{ recordId: longRecord, memoryId }],
      underAnotherOwner: [{ recordId: longRecord, memoryId, expectedUserId: cjkUser, userId: longUser }],
    },
  );

  it('every line fits 80 terminal columns (long user ids, CJK names, long record ids, long descriptions)', () => {
    for (const line of text.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
  });

  it('names are shortened in the middle as the import report shortens them; ids a person looks up stay whole', () => {
    expect(text).toContain(`"${fitCell(longUser, 24)}"`);
    expect(text).toContain(`"${fitCell(cjkUser, 24)}"`);
    expect(fitCell(longUser, 24)).toMatch(/^tenant-x+…x+-end$/);
    expect(text).toContain(memoryId);
    // A wrapped line goes on indented under the line it continues; the count of a kind is still on its line's end.
    expect(text).toMatch(/^ {2}vectors of another dimension than configured .*\n {6}.*: 1$/m);
  });
});
