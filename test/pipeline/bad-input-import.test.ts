// Inputs a new user brings that once stopped or misled a run: numeric ids, times out of range, byte order marks,
// a --user-map with a prefix of another user, --user-id on an export file, an absurd OM_VEC_DIM.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mem0Source } from '../../adapters/mem0/index.js';
import { UsageError } from '../../src/errors.js';
import { importFrom } from '../../src/pipeline/import.js';
import { formatReport } from '../../src/pipeline/report.js';
import { loadTenantMap } from '../../src/pipeline/tenant-map.js';
import { openTarget, resolveTargetConfig, type TargetConfig } from '../../src/database/open-target.js';
import type { Target } from '../../src/database/target.js';
import { backends } from '../support/targets.js';
import { tempDir } from '../support/temp.js';

const opened: Target[] = [];
afterEach(async () => {
  for (const target of opened.splice(0)) await target.close().catch(() => undefined);
});

function exportFile(memories: unknown, text = JSON.stringify(memories)): string {
  const file = path.join(tempDir(), 'export.json');
  writeFileSync(file, text);
  return file;
}

function sqlite(): TargetConfig {
  return resolveTargetConfig({ db: path.join(tempDir(), 'openmemory.sqlite') }, {});
}

/** Each imported memory by its source id: its OpenMemory user and times. */
async function landed(config: TargetConfig): Promise<Record<string, { user: string; created: number; updated: number }>> {
  const target = await openTarget(config);
  opened.push(target);
  const rows = await target.executor.all<{ user_id: string; created_at: number | string; updated_at: number | string; meta: string }>(
    `select user_id, created_at, updated_at, meta from ${target.dialect.qualified(target.dialect.tables.memories)}`,
  );
  const byId: Record<string, { user: string; created: number; updated: number }> = {};
  for (const row of rows) {
    const sourceId = (JSON.parse(row.meta) as { om_import: { source_id: string } }).om_import.source_id;
    byId[sourceId] = { user: row.user_id, created: Number(row.created_at), updated: Number(row.updated_at) };
  }
  return byId;
}

const jan1 = Date.UTC(2026, 0, 1);

describe.each(backends)('a Mem0 export with numeric ids and times out of range, into %s', (_name, makeTarget) => {
  it('completes, lands every record under its user with the time read right (or none), and flags unreadable times; a re-run too', async () => {
    const file = exportFile([
      { id: 'nano', memory: 'Time in nanoseconds, the size that once crashed', user_id: 42, created_at: 1e17 },
      { id: 'micro', memory: 'Time in microseconds, not the year 55840', user_id: 42, agent_id: 'bot', created_at: jan1 * 1000 },
      { id: 'huge', memory: 'A time no date can hold', user_id: 'alice', created_at: 1e25, updated_at: '2026-01-02T00:00:00Z' },
      { id: 'words', memory: 'A time that is not one', user_id: 'alice', created_at: 'the day before yesterday' },
      { id: 'far', memory: 'Beyond the last day a Date knows', user_id: 'alice', created_at: '+275760-09-13T00:00:00.001Z', updated_at: 1_767_225_600 },
      { id: 'agent', memory: 'Owned by agent number 7', agent_id: 7, created_at: '2026-01-01T00:00:00Z' },
      { id: 7, memory: 'A numeric record id, owned by app number 8', app_id: 8, created_at: 1_767_225_600 },
    ]);
    const config = await makeTarget();
    const startedAt = Date.now();
    const report = await importFrom({ source: mem0Source({ fromFile: file }).source, target: config, env: {} });
    expect(report.totals).toMatchObject({ fetched: 7, created: 7, skipped: 0 });
    const byTenant = Object.fromEntries(report.tenants.map((t) => [t.tenant, t]));
    expect(Object.keys(byTenant).sort()).toEqual(['42', 'agent:7', 'alice', 'app:8']);
    expect(byTenant['alice']?.flagged).toEqual({ 'unreadable-time': 3 });
    expect(byTenant['42']?.flagged).toEqual({});
    expect(formatReport(report)).toContain('flagged alice: 3 records whose time could not be read');

    const rows = await landed(config);
    expect(rows['nano']).toEqual({ user: '42', created: 1e11, updated: 1e11 });
    expect(rows['micro']).toEqual({ user: '42', created: jan1, updated: jan1 });
    expect(rows['huge']).toEqual({ user: 'alice', created: Date.UTC(2026, 0, 2), updated: Date.UTC(2026, 0, 2) });
    expect(rows['far']).toEqual({ user: 'alice', created: jan1, updated: jan1 });
    expect(rows['words']?.user).toBe('alice'); // no time of its own: the run's
    expect(rows['words']?.created).toBeGreaterThanOrEqual(startedAt);
    expect(rows['agent']).toEqual({ user: 'agent:7', created: jan1, updated: jan1 });
    expect(rows['7']).toEqual({ user: 'app:8', created: jan1, updated: jan1 });

    const again = await importFrom({ source: mem0Source({ fromFile: file }).source, target: config, env: {} });
    expect(again.totals).toMatchObject({ fetched: 7, created: 0, updated: 0, unchanged: 7 });
  });
});

describe('Mem0 export files and maps as users bring them', () => {
  it('an export and a --user-map that start with a byte order mark import as without one', async () => {
    const memories = [{ id: 'm1', memory: 'Likes tea', user_id: 'alice' }];
    const folder = tempDir();
    const mapFile = path.join(folder, 'map.json');
    writeFileSync(mapFile, '\uFEFF{"alice": "alice@example.com"}');
    const config = sqlite();
    const report = await importFrom({
      source: mem0Source({ fromFile: exportFile(memories, `\uFEFF${JSON.stringify({ results: memories })}`) }).source,
      target: config,
      env: {},
      tenantMap: loadTenantMap(mapFile, 'fail'),
    });
    expect(report.tenants.map((t) => [t.tenant, t.userId, t.created])).toEqual([['alice', 'alice@example.com', 1]]);
  });

  it('a map key matches its user exactly: user1 does not capture user10', async () => {
    const folder = tempDir();
    const mapFile = path.join(folder, 'map.json');
    writeFileSync(mapFile, '{"user1": "alice"}');
    const config = sqlite();
    await importFrom({
      source: mem0Source({
        fromFile: exportFile([
          { id: 'a', memory: 'First user', user_id: 'user1' },
          { id: 'b', memory: 'Tenth user', user_id: 'user10' },
          { id: 'c', memory: 'Eleventh user', user_id: 'user11' },
        ]),
      }).source,
      target: config,
      env: {},
      tenantMap: loadTenantMap(mapFile, 'keep'),
    });
    const rows = await landed(config);
    expect([rows['a']?.user, rows['b']?.user, rows['c']?.user]).toEqual(['alice', 'user10', 'user11']);
  });

  it('--user-id with --from-file imports only those users, and does not report the others', async () => {
    const file = exportFile([
      { id: 'a', memory: 'Alice likes tea', user_id: 'alice' },
      { id: 'b', memory: 'Bob likes coffee', user_id: 'bob' },
      { id: 'c', memory: 'Carol likes water', user_id: 'carol' },
      { id: 'd', memory: 'Bob, with metadata that is not an object', user_id: 'bob', metadata: 'oops' },
      { id: 'e', memory: 'The bot answers in English', agent_id: 'bot' },
    ]);
    const config = sqlite();
    const report = await importFrom({ source: mem0Source({ fromFile: file, userIds: ['bob', 'agent:bot'] }).source, target: config, env: {} });
    expect(report.tenants.map((t) => [t.tenant, t.fetched, t.created, t.skipped])).toEqual([['agent:bot', 1, 1, 0], ['bob', 2, 1, 1]]);
    expect(Object.keys(await landed(config)).sort()).toEqual(['b', 'e']);
  });

  it('refuses an absurd OM_VEC_DIM with a usage error naming the variable and the range', async () => {
    const run = importFrom({ source: mem0Source({ fromFile: exportFile([]) }).source, target: sqlite(), env: { OM_VEC_DIM: '10000000000' } });
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow('OM_VEC_DIM=10000000000 is out of range: expected a whole number from 1 to 65536');
  });
});

describe('a record nested thousands of levels deep', () => {
  it('is skipped with its reason, on every run and into a snapshot too; the records beside it are imported', async () => {
    const deep = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    const file = exportFile(null, `{"results":[{"id":"deep-1","memory":"Nested","user_id":"u","metadata":{"deep":${deep}}},{"id":"plain-1","memory":"Plain","user_id":"u"}]}`);
    const target = sqlite();
    for (const run of [1, 2]) {
      const report = await importFrom({ source: mem0Source({ fromFile: file }).source, target, env: {}, saveExportDir: path.join(tempDir(), `export-${run}`) });
      expect(report.totals).toMatchObject({ fetched: 2, skipped: 1, created: run === 1 ? 1 : 0 });
      expect(report.tenants[0]!.skippedReasons).toEqual([{ sourceId: 'deep-1', reason: 'its fields are nested too deeply to store as JSON (thousands of levels)', kind: 'too-deep' }]);
      expect(formatReport(report).replace(/\n {2,}/g, ' ')).toContain('too-deep: 1 of 1 user — with fields nested too deeply to store as JSON (thousands of levels), left out');
    }
    expect(Object.keys(await landed(target))).toEqual(['plain-1']);
  });
});

describe('owners of different kinds with the same name', () => {
  it('the Mem0 user "agent:support-bot" and the agent "support-bot" are two users, and a map names each', async () => {
    const file = exportFile([
      { id: 'm-user', memory: 'Is a person whose login looks like a bot', user_id: 'agent:support-bot', created_at: '2026-01-01T00:00:00Z' },
      { id: 'm-agent', memory: 'Answers support tickets', agent_id: 'support-bot', created_at: '2026-01-01T00:00:00Z' },
    ]);
    const target = sqlite();
    await importFrom({ source: mem0Source({ fromFile: file }).source, target, env: {} });
    expect(Object.entries(await landed(target)).map(([id, row]) => [id, row.user]).sort()).toEqual([
      ['m-agent', 'agent:support-bot'],
      ['m-user', 'user:agent:support-bot'],
    ]);
    const mapFile = path.join(tempDir(), 'map.json');
    writeFileSync(mapFile, JSON.stringify({ 'user:agent:support-bot': 'dana', 'agent:support-bot': 'helpdesk' }));
    const mapped = sqlite();
    await importFrom({ source: mem0Source({ fromFile: file }).source, target: mapped, env: {}, tenantMap: loadTenantMap(mapFile) });
    expect(Object.entries(await landed(mapped)).map(([id, row]) => [id, row.user]).sort()).toEqual([
      ['m-agent', 'helpdesk'],
      ['m-user', 'dana'],
    ]);
  });
});

describe('two accounts whose exports number their records alike', () => {
  const teamA = [
    { id: '1', memory: 'Team A: prefers morning meetings', user_id: 'ana', created_at: '2026-01-01T00:00:00Z' },
    { id: '2', memory: 'Team A: works from Porto', user_id: 'ana', created_at: '2026-01-02T00:00:00Z' },
  ];
  const teamB = [
    { id: '1', memory: 'Team B: allergic to peanuts', user_id: 'ben', created_at: '2026-01-01T00:00:00Z' },
    { id: '3', memory: 'Team B: plays chess', user_id: 'ben', created_at: '2026-01-03T00:00:00Z' },
  ];
  const write = (name: string, memories: unknown[]): string => {
    const file = path.join(tempDir(), name);
    writeFileSync(file, JSON.stringify(memories));
    return file;
  };

  it.each([
    ['A then B', teamA, teamB],
    ['B then A', teamB, teamA],
  ])('%s: the second never touches the first’s memories; its conflicting record is skipped with the reason; the same export under another name changes nothing', async (_order, first, second) => {
    const target = sqlite();
    await importFrom({ source: mem0Source({ fromFile: write('export.json', first) }).source, target, env: {} });
    const before = await landed(target);
    const report = await importFrom({ source: mem0Source({ fromFile: write('export.json', second) }).source, target, env: {} });
    const after = await landed(target);
    for (const [id, memory] of Object.entries(before)) expect(after[id]).toEqual(memory);
    expect(report.totals).toMatchObject({ created: 1, updated: 0, skipped: 1 });
    expect(report.tenants.flatMap((tenant) => tenant.skippedReasons)).toEqual([
      { sourceId: '1', reason: expect.stringMatching(/^id 1 was imported before from file:export\.json under user (ana|ben) with other text: another account's record with the same id, not overwritten$/), kind: 'id-conflict' },
    ]);
    const renamed = await importFrom({ source: mem0Source({ fromFile: write('renamed-copy.json', first) }).source, target, env: {} });
    expect(renamed.totals).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
  });
});
