import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generatedSupermemoryAccount, type SupermemoryAccount } from '../fakes/supermemory/supermemory-account.js';
import type { ServedHandlers } from '../fakes/serve-handlers.js';
import { cleanEnv, runCliProcess } from '../support/cli.js';
import { cleanAndResumedRuns, importedUsers, killTargets, stateOf } from '../support/kill-targets.js';
import { startSupermemoryFake } from '../support/supermemory-fake.js';
import { tempDir } from '../support/temp.js';

const apiKey = 'sm_secret_key_for_tests_only_0123';
const servers: ServedHandlers[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function account(tags = 4, documentsPerTag = 6, memoriesPerTag = 10): SupermemoryAccount {
  return generatedSupermemoryAccount({ tags, documentsPerTag, memoriesPerTag, apiKey });
}

/** What each container tag must become: its memory texts (documents' full text and latest entries) and its summary. */
function expectedByTag(source: SupermemoryAccount): Map<string, { contents: string[]; summary: string }> {
  const users = new Map<string, { contents: string[]; summary: string }>();
  for (const tag of source.containerTags) {
    const userId = tag.containerTag;
    const documents = source.documents.filter((document) => document.containerTags?.includes(tag.containerTag)).map((document) => document.content!);
    const entries = source.memoryEntries.filter((entry) => entry.spaceId === tag.id && entry.isLatest && !entry.isForgotten).map((entry) => entry.memory);
    const profile = source.profiles[tag.containerTag]!;
    users.set(userId, { contents: [...documents, ...entries].sort(), summary: [...profile.static, ...profile.dynamic].join('\n') });
  }
  return users;
}

describe.each(killTargets)('om-import supermemory (CLI, %s)', (_name, backend) => {
  it('lands every document (full text) and latest memory entry under its mapped user, the profile as summary; a second run writes nothing', async () => {
    const source = account();
    const served = await startSupermemoryFake(source);
    servers.push(served);
    const cwd = tempDir();
    const flags = await backend.flags(cwd);
    const userMap = { [source.containerTags[0]!.containerTag]: 'alice', [source.containerTags[1]!.containerTag]: 'alice' };
    writeFileSync(path.join(cwd, 'map.json'), JSON.stringify(userMap));
    const env = cleanEnv({ SUPERMEMORY_API_KEY: apiKey });
    const first = await runCliProcess(['supermemory', '--base-url', served.url, '--user-map', 'map.json', '--json', ...flags], { cwd, env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.totals).toMatchObject({ created: 4 * (6 + 10), skipped: 0 });
    expect(report.warnings).toEqual([]);

    // Two tags mapped onto one user: both tags' memories under it; the first tag's profile (by tag name) as its summary.
    const byTag = expectedByTag(source);
    const imported = await importedUsers(backend.config(flags, cwd));
    const [firstTag, secondTag, ...others] = source.containerTags.map((tag) => tag.containerTag);
    expect([...imported.keys()].sort()).toEqual(['alice', ...others].sort());
    expect(imported.get('alice')).toEqual({
      contents: [...byTag.get(firstTag!)!.contents, ...byTag.get(secondTag!)!.contents].sort(),
      summary: byTag.get([firstTag!, secondTag!].sort()[0]!)!.summary,
    });
    for (const tag of others) expect(imported.get(tag)).toEqual(byTag.get(tag));

    const again = await runCliProcess(['supermemory', '--base-url', served.url, '--user-map', 'map.json', '--json', '--fresh', ...flags], { cwd, env });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).totals).toMatchObject({ created: 0, updated: 0, unchanged: 4 * (6 + 10) });
    for (const output of [first.stdout, first.stderr, again.stdout, again.stderr]) expect(output).not.toContain(apiKey);
  });

  it('a re-run after kill -9 in the middle gives the same database as one clean run', async () => {
    const source = account(8, 10, 10);
    const total = 8 * 20;
    const served = await startSupermemoryFake(source, { pageDelayMs: 150 });
    servers.push(served);
    const env = cleanEnv({ SUPERMEMORY_API_KEY: apiKey });

    const { clean, resumed } = await cleanAndResumedRuns(backend, ['supermemory', '--base-url', served.url], env, total);
    expect(await stateOf(resumed)).toEqual(await stateOf(clean));
    expect(await importedUsers(resumed)).toEqual(await importedUsers(clean));
  });
});

describe('om-import supermemory (CLI, faults and errors)', () => {
  it('a fault storm (429 in every form, 5xx, HTML 502, resets) completes with nothing lost', async () => {
    const source = account(3, 5, 5);
    const calm = await startSupermemoryFake(source);
    const stormy = await startSupermemoryFake(source, {
      faults: { every: 3, kinds: ['429-retry-after', '500', '429-http-date', '502-html', '429-retry-after-ms', 'reset'], retryAfterSeconds: 0, retryAfterMs: 20 },
    });
    servers.push(calm, stormy);
    const env = cleanEnv({ SUPERMEMORY_API_KEY: apiKey });
    const calmDir = tempDir();
    const stormDir = tempDir();
    expect((await runCliProcess(['supermemory', '--base-url', calm.url], { cwd: calmDir, env })).code).toBe(0);
    const storm = await runCliProcess(['supermemory', '--base-url', stormy.url, '--json'], { cwd: stormDir, env });
    expect(storm.stderr).toBe('');
    expect(storm.code).toBe(0);
    expect(stormy.counters.rateLimited).toBeGreaterThan(0);
    const database = (cwd: string) => ({ kind: 'sqlite' as const, path: path.join(cwd, 'data', 'openmemory.sqlite'), vectorTable: undefined });
    expect(await stateOf(database(stormDir))).toEqual(await stateOf(database(calmDir)));
  });

  it('a used-up quota, a scoped key and a monthly Retry-After stop with one clear line naming the tag, never the key', async () => {
    const source = account(2, 2, 2);
    const quota = await startSupermemoryFake(source, { quotaExhausted: true });
    const monthly = await startSupermemoryFake(source, { faults: { every: 1, kinds: ['429-3600'] } });
    const scopedKey = 'sm_scoped_key_for_tests_only_456';
    const scoped = await startSupermemoryFake({ ...source, scopedKeys: { [scopedKey]: [source.containerTags[0]!.containerTag] } });
    servers.push(quota, monthly, scoped);
    const cwd = tempDir();
    const env = cleanEnv({ SUPERMEMORY_API_KEY: apiKey });
    const cases: [ServedHandlers, string[], RegExp][] = [
      [quota, [], /HTTP 402.*quota or credits/],
      [monthly, ['--max-wait', '30'], /asked to wait 3600 s .*more than --max-wait 30 s/],
      // A tag the key cannot see is not in its listing: named with --user-id, it stops the run before any read (exit 2).
      [scoped, ['--api-key', scopedKey, '--user-id', source.containerTags[1]!.containerTag], new RegExp(`--user-id "${source.containerTags[1]!.containerTag}": the source lists no such container tag \\(for this key\\)`)],
    ];
    for (const [server, args, message] of cases) {
      const result = await runCliProcess(['supermemory', '--base-url', server.url, ...args], { cwd, env });
      expect(result.code).toBe(server === scoped ? 2 : 1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
      expect(result.stdout + result.stderr).not.toContain(apiKey);
      expect(result.stdout + result.stderr).not.toContain(scopedKey);
    }
  });

  it('saves a snapshot that re-imports offline onto the same memories, and refuses a snapshot of another source', async () => {
    const source = account(2, 3, 3);
    const served = await startSupermemoryFake(source);
    servers.push(served);
    const cwd = tempDir();
    const env = cleanEnv({ SUPERMEMORY_API_KEY: apiKey });
    const online = await runCliProcess(['supermemory', '--base-url', served.url, '--save-export', 'exports', '--json'], { cwd, env });
    expect(online.code).toBe(0);
    const saved = JSON.parse(online.stdout).exportFile as string;
    expect(readFileSync(path.resolve(cwd, saved), 'utf8')).not.toContain(apiKey);
    const offline = await runCliProcess(['supermemory', '--from-file', saved, '--fresh', '--json'], { cwd });
    expect(offline.code).toBe(0);
    expect(JSON.parse(offline.stdout).totals).toMatchObject({ created: 0, updated: 0, unchanged: 2 * 6 });
    const wrong = await runCliProcess(['zep', '--from-file', saved], { cwd });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/is a snapshot of supermemory, not zep/);
  });
});
