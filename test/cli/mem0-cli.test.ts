import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveTargetConfig } from '../../src/database/open-target.js';
import { generatedMem0Account } from '../fakes/mem0/mem0-account.js';
import type { ServedHandlers } from '../fakes/serve-handlers.js';
import { cleanEnv, runCliProcess } from '../support/cli.js';
import { cleanAndResumedRuns, killTargets, stateOf } from '../support/kill-targets.js';
import { fixturePath } from '../support/fixtures.js';
import { startMem0Fake } from '../support/mem0-fake.js';
import { createTestDatabase } from '../support/postgres.js';
import { tempDir } from '../support/temp.js';

const exportFile = fixturePath('mem0', 'export.json');
const servers: ServedHandlers[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

describe('om-import mem0 (CLI, offline)', () => {
  it('imports the fixture export into the default SQLite database, then finds nothing to do', async () => {
    const cwd = tempDir();
    const first = await runCliProcess(['mem0', '--from-file', exportFile, '--json'], { cwd });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.totals).toMatchObject({ fetched: 12, created: 9, skipped: 3 });
    expect(report.migration).toMatchObject({ from: 'missing', to: 'v1.2' });
    expect(existsSync(path.join(cwd, 'data', 'openmemory.sqlite'))).toBe(true);

    const second = await runCliProcess(['mem0', '--from-file', exportFile], { cwd });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/imported 0 new and 0 changed memories, 9 unchanged, 3 skipped/);
    expect(second.stdout).toMatch(/^ {2}no-text: 1 of 1 user — no text \(missing or empty\): nothing to import$/m);
    expect(second.stdout).toMatch(/^ {4}e\.g\. bob\/5b0e5c1a-1f6…d7c2d1e0009: no text in `memory`$/m);
  });

  it('maps users many-to-one with --user-map, honours OM_DB_PATH, and reads .env', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, '.env'), 'OM_DB_PATH=./om/from-dotenv.sqlite\n');
    const result = await runCliProcess(['mem0', '--from-file', exportFile, '--user-map', fixturePath('mem0', 'user-map.json'), '--json'], { cwd });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    const users = Object.fromEntries(report.tenants.map((t: { tenant: string; userId: string }) => [t.tenant, t.userId]));
    expect(users).toMatchObject({ bob: 'robert', 'agent:support-bot': 'robert', 'carol@example.com': 'carol', alice: 'alice' });
    const state = await stateOf(resolveTargetConfig({ db: path.join(cwd, 'om', 'from-dotenv.sqlite') }, {}));
    expect(state['users']).toEqual(['alice', 'carol', 'robert']);
  });

  it('bad flags and files get one clear line on stderr and exit 2, before touching anything', async () => {
    const cwd = tempDir();
    const badMap = path.join(cwd, 'map.json');
    writeFileSync(badMap, '{"alice": 42}');
    const cases: [string[], RegExp][] = [
      [['mem0', '--from-file', exportFile, '--bogus'], /unknown option '--bogus'/],
      [['mem0', '--from-file', exportFile, '--user-map', badMap], /--user-map .*map\.json: the value for "alice" must be a non-empty string/],
      [['mem0', '--from-file', exportFile, '--user-map', path.join(cwd, 'nope.json')], /--user-map .*nope\.json: cannot read it \(ENOENT\)/],
      [['mem0', '--from-file', exportFile, '--unmapped', 'drop'], /option '--unmapped <policy>' argument 'drop' is invalid/],
      [['mem0', '--from-file', path.join(cwd, 'missing.json')], /--from-file .*missing\.json: no such file/],
      [['mem0'], /no Mem0 API key: pass --api-key or set MEM0_API_KEY/],
      [['mem0', '--from-file', exportFile, '--concurrency', '0'], /--concurrency <n>' argument '0' is invalid/],
      [['mem0', '--from-file', exportFile, '--pg', 'mysql://x'], /--pg must be a postgres:\/\/ URL/],
    ];
    for (const [args, message] of cases) {
      const result = await runCliProcess(args, { cwd });
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
    expect(existsSync(path.join(cwd, 'data'))).toBe(false);
    const noCommand = await runCliProcess([], { cwd });
    expect(noCommand.code).toBe(2);
    expect(noCommand.stderr).toMatch(/Usage: om-import/);
    expect((await runCliProcess(['mem0', '--help'], { cwd })).code).toBe(0);
  });
});

describe('om-import mem0 (CLI, against the fake API)', () => {
  const apiKey = 'm0-secret-key-for-tests-only';

  it('never shows the API key, and a refused key stops the run with a hint (exit 1)', async () => {
    const account = generatedMem0Account({ users: 2, perUser: 5, apiKey });
    const served = await startMem0Fake(account, { faults: { every: 3, kinds: ['500', '429'], retryAfterSeconds: 0 } });
    servers.push(served);
    const cwd = tempDir();
    const ok = await runCliProcess(['mem0', '--base-url', served.url, '--json'], { cwd, env: cleanEnv({ MEM0_API_KEY: apiKey }) });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).totals.created).toBe(10);
    for (const output of [ok.stdout, ok.stderr, JSON.stringify(served.requests.map((r) => r.path))]) expect(output).not.toContain(apiKey);

    const refused = await runCliProcess(['mem0', '--base-url', served.url, '--api-key', `${apiKey}-wrong`], { cwd });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/mem0: GET \/v1\/ping\/ was refused \(HTTP 401\): check the Mem0 API key/);
    expect(refused.stderr + refused.stdout).not.toContain(apiKey);
  });

  it('saves what it fetched, and the saved snapshot re-imports offline onto the same memories', async () => {
    const account = generatedMem0Account({ users: 2, perUser: 4, apiKey });
    const served = await startMem0Fake(account);
    servers.push(served);
    const cwd = tempDir();
    const online = await runCliProcess(['mem0', '--base-url', served.url, '--save-export', 'exports', '--json'], {
      cwd,
      env: cleanEnv({ MEM0_API_KEY: apiKey }),
    });
    expect(online.code).toBe(0);
    const saved = JSON.parse(online.stdout).exportFile as string;
    expect(readFileSync(path.resolve(cwd, saved), 'utf8')).not.toContain(apiKey);
    const offline = await runCliProcess(['mem0', '--from-file', saved, '--fresh', '--json'], { cwd });
    expect(offline.code).toBe(0);
    expect(JSON.parse(offline.stdout).totals).toMatchObject({ created: 0, unchanged: 8 });
  });

  it('counts memories whose records were deleted at Mem0, and removes them with --prune', async () => {
    const account = generatedMem0Account({ users: 2, perUser: 4, apiKey });
    const served = await startMem0Fake(account);
    servers.push(served);
    const cwd = tempDir();
    const env = cleanEnv({ MEM0_API_KEY: apiKey });
    expect((await runCliProcess(['mem0', '--base-url', served.url], { cwd, env })).code).toBe(0);
    const [removed] = account.memories.splice(0, 1);
    const removedId = (removed as { id: string }).id;
    const counted = await runCliProcess(['mem0', '--base-url', served.url, '--fresh'], { cwd, env });
    expect(counted.stdout.replace(/\n {2}(?! )/g, ' ')).toMatch(/gone at source: 1 memories of 1 users .*run with --prune to remove them/);
    // --prune --dry-run says what would go, and --report lists it by record; nothing is removed.
    const preview = await runCliProcess(['mem0', '--base-url', served.url, '--prune', '--dry-run', '--report', 'would-prune.json'], { cwd, env });
    expect(preview.code).toBe(0);
    expect(preview.stdout.replace(/\n {2}(?! )/g, ' ')).toMatch(/--prune would remove 1 memories of 1 users whose records are gone at the source \(their ids: --report FILE\.json\)/);
    const listed = JSON.parse(readFileSync(path.join(cwd, 'would-prune.json'), 'utf8')) as { goneAtSource: { records: { userId: string; recordId: string }[] } };
    expect(listed.goneAtSource.records).toEqual([{ userId: 'user-0', recordId: removedId, memoryId: expect.any(String) }]);
    const pruned = await runCliProcess(['mem0', '--base-url', served.url, '--fresh', '--prune', '--json'], { cwd, env });
    expect(pruned.code).toBe(0);
    expect(JSON.parse(pruned.stdout).goneAtSource).toMatchObject({ memories: 1, removed: true, byUser: { 'user-0': 1 }, usersRemoved: [] });
    const state = await stateOf(resolveTargetConfig({ db: path.join(cwd, 'data', 'openmemory.sqlite') }, {}));
    expect((state['memories'] as { rows: number }).rows).toBe(7);
  });

  it('imports into PostgreSQL with --pg, without showing the password', async () => {
    const url = await createTestDatabase();
    const password = decodeURIComponent(new URL(url).password);
    const result = await runCliProcess(['mem0', '--from-file', exportFile, '--pg', url], { cwd: tempDir() });
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(password);
    expect(result.stdout.replace(/\n {2}(?! )/g, ' ')).toMatch(/→ PostgreSQL postgres:\/\/om_test@127\.0\.0\.1:\d+\/om_test_/);
    const state = await stateOf(resolveTargetConfig({ pg: url }, {}));
    expect(state['users']).toEqual(['agent:support-bot', 'alice', 'bob', 'carol@example.com']);
  });
});

describe.each(killTargets)('om-import mem0 killed with SIGKILL (%s)', (_name, backend) => {
  it('a re-run after kill -9 in the middle gives the same database as one clean run', async () => {
    const apiKey = 'm0-secret-key-for-tests-only';
    // Slow pages leave a wide window between the first commit and the last, so the kill lands in the middle.
    const account = generatedMem0Account({ users: 8, perUser: 40, apiKey });
    const total = 8 * 40;
    const served = await startMem0Fake(account, { pageDelayMs: 150 });
    servers.push(served);
    const env = cleanEnv({ MEM0_API_KEY: apiKey });

    const { clean, resumed } = await cleanAndResumedRuns(backend, ['mem0', '--base-url', served.url], env, total);
    expect(await stateOf(resumed)).toEqual(await stateOf(clean));
  });
});
