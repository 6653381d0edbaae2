import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generatedZepAccount, type ZepAccount } from '../fakes/zep/zep-account.js';
import type { ServedHandlers } from '../fakes/serve-handlers.js';
import { cleanEnv, runCliProcess } from '../support/cli.js';
import { cleanAndResumedRuns, importedUsers, killTargets, stateOf } from '../support/kill-targets.js';
import { tempDir } from '../support/temp.js';
import { startZepFake } from '../support/zep-fake.js';

const apiKey = 'z_secret-key-for-tests-only-0123456789';
const servers: ServedHandlers[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function account(users = 4, options: Partial<Parameters<typeof generatedZepAccount>[0]> = {}): ZepAccount {
  return generatedZepAccount({ users, threadsPerUser: 2, messagesPerThread: 6, factsPerUser: 7, orphanThreads: 1, graphs: 1, apiKey, ...options });
}

const current = (edge: { invalid_at?: string | null; expired_at?: string | null }): boolean => !edge.invalid_at && !edge.expired_at;

/**
 * What each Zep tenant must become: every message, the thread summaries, every current fact and every data episode
 * (its user's, its orphan thread's under `thread:<id>`, its graph's under `graph:<id>`); and the facts skipped.
 */
function expectedByTenant(source: ZepAccount): { contents: Map<string, string[]>; invalidated: string[] } {
  const contents = new Map<string, string[]>();
  const add = (tenant: string, texts: string[]): void => {
    contents.set(tenant, [...(contents.get(tenant) ?? []), ...texts]);
  };
  for (const thread of source.threads) {
    const tenant = thread.user_id ? thread.user_id : `thread:${thread.thread_id}`;
    add(tenant, (source.messages[thread.thread_id] ?? []).map((message) => message.content).filter((text) => text.trim() !== ''));
    const summary = source.threadSummaries[thread.thread_id];
    if (summary) add(tenant, [summary.summary]);
  }
  const owners = [...source.users.map((user) => [user.user_id, user.user_id]), ...source.graphs.map((graph) => [graph.graph_id, `graph:${graph.graph_id}`])];
  const invalidated: string[] = [];
  for (const [owner, tenant] of owners as [string, string][]) {
    add(tenant, (source.edges[owner] ?? []).filter(current).map((edge) => edge.fact));
    invalidated.push(...(source.edges[owner] ?? []).filter((edge) => !current(edge)).map((edge) => edge.uuid));
    add(tenant, (source.episodes[owner] ?? []).filter((episode) => episode.source !== 'message').map((episode) => episode.content));
  }
  for (const [tenant, texts] of contents) contents.set(tenant, texts.sort());
  return { contents, invalidated: invalidated.sort() };
}

describe.each(killTargets)('om-import zep (CLI, %s)', (_name, backend) => {
  it("lands every message, current fact, data episode and thread summary under its mapped user with Zep's user summary; a second run writes nothing", async () => {
    const source = account();
    const served = await startZepFake(source);
    servers.push(served);
    const cwd = tempDir();
    const flags = await backend.flags(cwd);
    const [firstUser, secondUser, ...otherUsers] = source.users.map((user) => user.user_id);
    const orphanTenant = `thread:${source.threads.find((thread) => !thread.user_id)!.thread_id}`;
    const graphTenant = `graph:${source.graphs[0]!.graph_id}`;
    writeFileSync(path.join(cwd, 'map.json'), JSON.stringify({ [firstUser!]: 'alice', [secondUser!]: 'alice', [orphanTenant]: 'alice' }));
    const env = cleanEnv({ ZEP_API_KEY: apiKey });
    const first = await runCliProcess(['zep', '--base-url', served.baseUrl, '--user-map', 'map.json', '--json', ...flags], { cwd, env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.api).toMatch(/Zep Cloud v3/);
    expect(report.warnings).toEqual([]);

    const { contents, invalidated } = expectedByTenant(source);
    const skipped = report.tenants.flatMap((tenant: { skippedReasons: { sourceId: string; reason: string }[] }) => tenant.skippedReasons);
    expect(skipped.map((note: { sourceId: string }) => note.sourceId).sort()).toEqual(invalidated);
    for (const note of skipped) expect(note.reason).toMatch(/(invalidated|expired) at \d{4}-\d\d-\d\d.*--include invalidated-facts/);

    const imported = await importedUsers(backend.config(flags, cwd));
    expect([...imported.keys()].sort()).toEqual(['alice', ...otherUsers, graphTenant].sort());
    expect(imported.get('alice')!.contents).toEqual([...contents.get(firstUser!)!, ...contents.get(secondUser!)!, ...contents.get(orphanTenant)!].sort());
    // The first source user (by id) gives the summary of a user many map onto.
    expect(imported.get('alice')!.summary).toBe(source.userNodes[[firstUser!, secondUser!].sort()[0]!]!.summary);
    for (const user of otherUsers) expect(imported.get(user)).toEqual({ contents: contents.get(user), summary: source.userNodes[user]!.summary });
    expect(imported.get(graphTenant)!.contents).toEqual(contents.get(graphTenant));

    const again = await runCliProcess(['zep', '--base-url', served.baseUrl, '--user-map', 'map.json', '--json', '--fresh', ...flags], { cwd, env });
    expect(again.code).toBe(0);
    const second = JSON.parse(again.stdout);
    expect(second.totals).toMatchObject({ created: 0, updated: 0, unchanged: report.totals.created });
    expect(second.users).toEqual([]);
    for (const output of [first.stdout, first.stderr, again.stdout, again.stderr]) expect(output).not.toContain(apiKey);
  });

  it('a re-run after kill -9 in the middle gives the same database as one clean run', async () => {
    const source = account(8);
    const total = [...expectedByTenant(source).contents.values()].reduce((sum, texts) => sum + texts.length, 0);
    const served = await startZepFake(source, { pageDelayMs: 150 });
    servers.push(served);
    const env = cleanEnv({ ZEP_API_KEY: apiKey });

    const { clean, resumed } = await cleanAndResumedRuns(backend, ['zep', '--base-url', served.baseUrl], env, total);
    expect(await stateOf(resumed)).toEqual(await stateOf(clean));
    expect(await importedUsers(resumed)).toEqual(await importedUsers(clean));
  });
});

describe('om-import zep (CLI, rate limits and faults)', () => {
  const database = (cwd: string) => ({ kind: 'sqlite' as const, path: path.join(cwd, 'data', 'openmemory.sqlite'), vectorTable: undefined });

  it('paces itself by the X-RateLimit headers of a per-minute limit and meets no 429', async () => {
    const source = account(3);
    // A 2-second window of 12 requests stands for Zep's per-minute window; the import needs several windows.
    const served = await startZepFake(source, { rateLimitPerMinute: 12, rateLimitWindowMs: 2000 });
    servers.push(served);
    const result = await runCliProcess(['zep', '--base-url', served.baseUrl, '--json'], { cwd: tempDir(), env: cleanEnv({ ZEP_API_KEY: apiKey }) });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.http.requests).toBeGreaterThan(2 * 12);
    expect(served.stats.rateLimited).toBe(0);
    expect(report.http.throttled).toBe(0);
  });

  it('a fault storm (429 with and without Retry-After, 5xx, resets) completes with nothing lost', async () => {
    const source = account(3);
    const calm = await startZepFake(source);
    const stormy = await startZepFake(source, { faults: { every: 3, kinds: ['429', '500', '429-no-retry-after', '502', 'reset', '503'], retryAfterSeconds: 0 } });
    servers.push(calm, stormy);
    const env = cleanEnv({ ZEP_API_KEY: apiKey });
    const calmDir = tempDir();
    const stormDir = tempDir();
    expect((await runCliProcess(['zep', '--base-url', calm.baseUrl], { cwd: calmDir, env })).code).toBe(0);
    // A high ceiling: every 429 halves the rate, and the storm sends many.
    const storm = await runCliProcess(['zep', '--base-url', stormy.baseUrl, '--rate-limit', '200', '--json'], { cwd: stormDir, env });
    expect(storm.stderr).toBe('');
    expect(storm.code).toBe(0);
    expect(stormy.stats.faults).toBeGreaterThan(0);
    expect(await stateOf(database(stormDir))).toEqual(await stateOf(database(calmDir)));
  });

  it('a refused key is one line with a hint (exit 1); no key at all is a usage error (exit 2)', async () => {
    const served = await startZepFake(account(1));
    servers.push(served);
    const cwd = tempDir();
    const refused = await runCliProcess(['zep', '--base-url', served.baseUrl, '--api-key', `${apiKey}-wrong`], { cwd });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/HTTP 401.*--api-key or ZEP_API_KEY/);
    expect(refused.stderr + refused.stdout).not.toContain(apiKey);
    const missing = await runCliProcess(['zep', '--base-url', served.baseUrl], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no Zep API key: pass --api-key or set ZEP_API_KEY/);
    const badInclude = await runCliProcess(['zep', '--include', 'messages,gossip'], { cwd, env: cleanEnv({ ZEP_API_KEY: apiKey }) });
    expect(badInclude.code).toBe(2);
    expect(badInclude.stderr).toMatch(/--include <list>' argument 'messages,gossip' is invalid/);
  });

  it('saves a snapshot (summaries included) that re-imports offline onto the same memories and summaries', async () => {
    const source = account(2);
    const served = await startZepFake(source);
    servers.push(served);
    const cwd = tempDir();
    const online = await runCliProcess(['zep', '--base-url', served.baseUrl, '--save-export', 'exports', '--json'], { cwd, env: cleanEnv({ ZEP_API_KEY: apiKey }) });
    expect(online.code).toBe(0);
    const saved = JSON.parse(online.stdout).exportFile as string;
    expect(readFileSync(path.resolve(cwd, saved), 'utf8')).not.toContain(apiKey);
    const offlineDir = tempDir();
    const offline = await runCliProcess(['zep', '--from-file', path.resolve(cwd, saved), '--json'], { cwd: offlineDir });
    expect(offline.code).toBe(0);
    expect(JSON.parse(offline.stdout).totals.created).toBe(JSON.parse(online.stdout).totals.created);
    expect(await stateOf(database(offlineDir))).toEqual(await stateOf(database(cwd)));
    expect(await importedUsers(database(offlineDir))).toEqual(await importedUsers(database(cwd)));
  });
});
