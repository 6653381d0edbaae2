// `om-import supermemory` end to end against the fake Supermemory in each of its generations — v3/v4 only (a
// self-hosted server), both (Supermemory's cloud until 2026-12-31), v5 only (after it) — and across the switch.
import { afterEach, describe, expect, it } from 'vitest';
import { generatedSupermemoryAccount, type SupermemoryAccount } from '../fakes/supermemory/supermemory-account.js';
import { cleanEnv, runCliProcess, startCli } from '../support/cli.js';
import { databaseStatus } from '../../src/status.js';
import { openTarget } from '../../src/database/open-target.js';
import { tableChecksum } from '../support/database-snapshot.js';
import { importedUsers, killTargets, stateOf } from '../support/kill-targets.js';
import type { SupermemoryV5Faults } from '../fakes/supermemory/supermemory-v5-handlers.js';
import { startSupermemoryFake, type SupermemoryFakeServer, type SupermemoryGenerations } from '../support/supermemory-fake.js';
import { tempDir } from '../support/temp.js';

const apiKey = 'sm_secret_v5_key_for_tests_only_0123';
const servers: SupermemoryFakeServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function account(): SupermemoryAccount {
  return generatedSupermemoryAccount({ tags: 3, documentsPerTag: 7, memoriesPerTag: 9, apiKey });
}

async function serve(source: SupermemoryAccount, generations: SupermemoryGenerations): Promise<SupermemoryFakeServer> {
  const served = await startSupermemoryFake(source, { generations });
  servers.push(served);
  return served;
}

/** What each container tag must become: its documents' full texts and latest entries, its profile as summary. */
function expectedByTag(source: SupermemoryAccount): Map<string, { contents: string[]; summary: string }> {
  const users = new Map<string, { contents: string[]; summary: string }>();
  for (const tag of source.containerTags) {
    const documents = source.documents.filter((document) => document.containerTags?.includes(tag.containerTag)).map((document) => document.content!);
    const entries = source.memoryEntries.filter((entry) => entry.spaceId === tag.id && entry.isLatest && !entry.isForgotten).map((entry) => entry.memory);
    const profile = source.profiles[tag.containerTag]!;
    users.set(tag.containerTag, { contents: [...documents, ...entries].sort(), summary: [...profile.static, ...profile.dynamic].join('\n') });
  }
  return users;
}

describe.each(killTargets)('om-import supermemory across API generations (CLI, %s)', (_name, backend) => {
  it.each([
    ['legacy', /^Supermemory v3\/v4/],
    ['both', /^Supermemory v5/],
    ['v5', /^Supermemory v5/],
  ] as const)('a server that speaks %s: every namespace lands, the report names the API, a second run writes nothing', async (generations, api) => {
    const source = account();
    const served = await serve(source, generations);
    const cwd = tempDir();
    const flags = await backend.flags(cwd);
    const env = cleanEnv({ SUPERMEMORY_API_KEY: apiKey });
    const first = await runCliProcess(['supermemory', '--base-url', served.url, '--json', ...flags], { cwd, env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.api).toMatch(api);
    expect(report.totals).toMatchObject({ created: 3 * (7 + 9), skipped: 0 });
    expect(await importedUsers(backend.config(flags, cwd))).toEqual(expectedByTag(source));

    const text = await runCliProcess(['supermemory', '--base-url', served.url, '--fresh', ...flags], { cwd, env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(api.source.startsWith('^Supermemory v5') ? /^source API: Supermemory v5 \(/m : /^source API: Supermemory v3\/v4/m);
    expect(text.stdout).toMatch(/imported 0 new and 0 changed memories, 48 unchanged/);
    for (const output of [first.stdout, first.stderr, text.stdout, text.stderr]) expect(output).not.toContain(apiKey);
  });

  it('imported through v3/v4, then through v5 after the shutdown: nothing created, changed or duplicated; what was added since appears', async () => {
    const source = account();
    const legacy = await serve(source, 'legacy');
    const cwd = tempDir();
    const flags = await backend.flags(cwd);
    const env = cleanEnv({ SUPERMEMORY_API_KEY: apiKey });
    expect((await runCliProcess(['supermemory', '--base-url', legacy.url, ...flags], { cwd, env })).code).toBe(0);
    const config = backend.config(flags, cwd);
    const before = await stateOf(config);

    const current = await serve(source, 'v5');
    const switched = await runCliProcess(['supermemory', '--base-url', current.url, '--json', '--prune', ...flags], { cwd, env });
    expect(switched.stderr).toBe('');
    expect(switched.code).toBe(0);
    const report = JSON.parse(switched.stdout);
    expect(report.api).toMatch(/^Supermemory v5/);
    expect(report.totals).toMatchObject({ created: 0, updated: 0, unchanged: 48 });
    expect(report.goneAtSource.memories).toBe(0);
    expect(await stateOf(config)).toEqual(before);

    const [first] = source.documents;
    source.documents.push({ ...first!, id: 'dcNewAfterTheSwitch0001', customId: 'after-the-switch', content: 'Written after the switch.' });
    const after = await runCliProcess(['supermemory', '--base-url', current.url, '--json', ...flags], { cwd, env });
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout).totals).toMatchObject({ created: 1, updated: 0 });
    expect(await importedUsers(config)).toEqual(expectedByTag(source));
  });
});

describe.each(killTargets)('om-import supermemory --prune through faults and a kill -9 (CLI, %s)', (_name, backend) => {
  it('equals a clean import of the account as it now is: deleted documents, forgotten memories and a deleted namespace gone, new ones in', async () => {
    const source = generatedSupermemoryAccount({ tags: 6, documentsPerTag: 8, memoriesPerTag: 6, apiKey });
    const env = cleanEnv({ SUPERMEMORY_API_KEY: apiKey });
    const cwd = tempDir();
    const flags = await backend.flags(cwd);
    // One server for both runs (an account is named by its server's address once v3/v4 are gone); its faults start
    // with the pruning run (the fake reads them at each request).
    const storm: SupermemoryV5Faults = { every: 0, kinds: [], retryAfterMs: 20 };
    const stormy = await startSupermemoryFake(source, { generations: 'v5', v5: { pageDelayMs: 100, faults: storm } });
    servers.push(stormy);
    const first = await runCliProcess(['supermemory', '--base-url', stormy.url, '--quiet', ...flags], { cwd, env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);

    // The account moves on: a document deleted, a memory forgotten, a namespace deleted, a document added.
    const [firstTag, , , , , lastTag] = source.containerTags.map((tag) => tag.containerTag);
    source.documents.splice(source.documents.findIndex((document) => document.containerTags?.includes(firstTag!)), 1);
    source.memoryEntries.find((entry) => entry.isLatest && !entry.isForgotten)!.isForgotten = true;
    source.containerTags = source.containerTags.filter((tag) => tag.containerTag !== lastTag);
    source.documents = source.documents.filter((document) => !document.containerTags?.includes(lastTag!));
    const [template] = source.documents;
    source.documents.push({ ...template!, id: 'dcAddedBeforeThePrune01', customId: null, content: 'Added since the first import.' });

    Object.assign(storm, { every: 4, kinds: ['429-retry-after-ms', '500', '502-html'] });
    const args = ['supermemory', '--base-url', stormy.url, '--prune', '--concurrency', '2', '--quiet', ...flags];
    const { child, done } = startCli(args, { cwd, env });
    // Killed once some namespaces of the pruning run are done, before all are.
    for (let i = 0; i < 800; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const status = await databaseStatus(backend.config(flags, cwd)).catch(() => null);
      const latest = status?.accounts[0]?.runs[0];
      if (latest && latest.state !== 'completed' && latest.partitionsFinished > 0) break;
    }
    child.kill('SIGKILL');
    expect((await done).code).toBeNull();
    const resumed = await runCliProcess([...args, '--json'], { cwd, env });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).resumed).toBe(true);

    const cleanDir = tempDir();
    const cleanFlags = await backend.flags(cleanDir);
    const now = await serve(source, 'v5');
    expect((await runCliProcess(['supermemory', '--base-url', now.url, ...cleanFlags], { cwd: cleanDir, env })).code).toBe(0);
    expect(await importedUsers(backend.config(flags, cwd))).toEqual(await importedUsers(backend.config(cleanFlags, cleanDir)));
    // Rows as a clean import writes them, but for what OpenMemory's own update keeps of a memory, its segment (a
    // memory added later takes the next place) and its meta (which names the account: here each fake's address).
    const rowsOf = async (config: Parameters<typeof openTarget>[0]): Promise<unknown> => {
      await stateOf(config); // every user's rows in place (verify finds nothing)
      const target = await openTarget(config);
      try {
        const kept = ['segment', 'version', 'salience', 'last_seen_at', 'feedback_score', 'meta'];
        return { memories: await tableChecksum(target, 'memories', kept), vectors: await tableChecksum(target, 'vectors'), waypoints: await tableChecksum(target, 'waypoints') };
      } finally {
        await target.close();
      }
    };
    expect(await rowsOf(backend.config(flags, cwd))).toEqual(await rowsOf(backend.config(cleanFlags, cleanDir)));
  }, 180_000);
});

describe('om-import supermemory --api (CLI)', () => {
  it('--api v4 reads v3/v4 where both answer, --api v5 refuses a server without v5 with one line, a bad value is a usage error', async () => {
    const source = account();
    const both = await serve(source, 'both');
    const legacy = await serve(source, 'legacy');
    const cwd = tempDir();
    const env = cleanEnv({ SUPERMEMORY_API_KEY: apiKey });
    const forced = await runCliProcess(['supermemory', '--base-url', both.url, '--api', 'v4', '--json'], { cwd, env });
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout).api).toMatch(/^Supermemory v3\/v4/);
    expect(both.v5Counters.requests).toBe(0);

    const missing = await runCliProcess(['supermemory', '--base-url', legacy.url, '--api', 'v5', '--db', 'other.sqlite'], { cwd, env });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/GET \/namespaces.*HTTP 404/);

    const bad = await runCliProcess(['supermemory', '--api', 'v6'], { cwd, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--api.*v6.*auto, v5, v4/);
  });
});
