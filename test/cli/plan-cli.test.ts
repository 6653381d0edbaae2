import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { displayWidth } from '../../src/pipeline/report.js';
import { generatedMem0Account } from '../fakes/mem0/mem0-account.js';
import { generatedSupermemoryAccount } from '../fakes/supermemory/supermemory-account.js';
import { generatedZepAccount } from '../fakes/zep/zep-account.js';
import type { ServedHandlers } from '../fakes/serve-handlers.js';
import { cleanEnv, runCliProcess } from '../support/cli.js';
import { startMem0Fake, startMem0SelfHostedFake } from '../support/mem0-fake.js';
import { startSupermemoryFake } from '../support/supermemory-fake.js';
import { createTestDatabase } from '../support/postgres.js';
import { tempDir } from '../support/temp.js';
import { startZepFake } from '../support/zep-fake.js';

const servers: ServedHandlers[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

interface PlannedUserJson {
  tenant: string;
  userId: string | null;
  mapping: string;
  announcedRecords: number | null;
  selected: boolean;
  present: { memories: number; records: number } | null;
}

const widest = (text: string): number => Math.max(...text.split('\n').map(displayWidth));

describe('om-import plan (CLI)', () => {
  it('mem0: lists every user with its announced count and mapping, names a mistyped --user-id and map key (exit 1), and sees users the target holds', async () => {
    const source = generatedMem0Account({ users: 3, perUser: 4 });
    const served = await startMem0Fake(source);
    servers.push(served);
    const cwd = tempDir();
    const env = cleanEnv({ MEM0_API_KEY: source.apiKey });
    writeFileSync(path.join(cwd, 'map.json'), JSON.stringify({ 'user-0': 'alice', 'user-9': 'bob' }));

    // --unmapped fail names every unmapped user, not the first, before anything is written.
    writeFileSync(path.join(cwd, 'good-map.json'), JSON.stringify({ 'user-0': 'alice' }));
    const strict = await runCliProcess(['mem0', '--base-url', served.url, '--user-map', 'good-map.json', '--unmapped', 'fail', '--quiet'], { cwd, env });
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/2 users are not in --user-map \(--unmapped fail\): "user-1", "user-2" — nothing was fetched or written/);
    expect(existsSync(path.join(cwd, 'data', 'openmemory.sqlite'))).toBe(false);
    // A map key that names nothing: the import goes on (a map may be shared), and its report says so.
    const imported = await runCliProcess(['mem0', '--base-url', served.url, '--user-id', 'user-0', '--user-map', 'map.json', '--quiet'], { cwd, env });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout.replace(/\n {2}(?! )/g, ' ')).toMatch(/^warning: --user-map names "user-9", which the source does not list \(for this key\)/m);

    const planned = await runCliProcess(['plan', 'mem0', '--base-url', served.url, '--user-map', 'map.json', '--user-id', 'user-1', '--user-id', 'usr-2', '--json'], { cwd, env });
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(1);
    const plan = JSON.parse(planned.stdout) as { users: PlannedUserJson[]; unknownUserIds: string[]; unknownMapKeys: string[]; totals: Record<string, number>; estimate: { requests: number; rough: string } };
    expect(plan.users).toEqual([
      { tenant: 'user-0', userId: 'alice', mapping: 'mapped', announcedRecords: 4, selected: false, present: { memories: 4, records: 4 } },
      { tenant: 'user-1', userId: 'user-1', mapping: 'identity', announcedRecords: 4, selected: true, present: { memories: 0, records: 0 } },
      { tenant: 'user-2', userId: 'user-2', mapping: 'identity', announcedRecords: 4, selected: false, present: { memories: 0, records: 0 } },
    ]);
    expect(plan.unknownUserIds).toEqual(['usr-2']);
    expect(plan.unknownMapKeys).toEqual(['user-9']);
    expect(plan.totals).toEqual({ users: 1, announcedRecords: 4, usersWithoutCount: 0, alreadyPresent: 0 });
    expect(plan.estimate.requests).toBeGreaterThan(0);
    expect(plan.estimate.rough).toMatch(/^rough/);

    const text = await runCliProcess(['plan', 'mem0', '--base-url', served.url, '--user-map', 'good-map.json'], { cwd, env });
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^user-0 +→ alice +4 +4$/m);
    expect(text.stdout).toMatch(/^user-1 +→ user-1 +4$/m);
    expect(text.stdout).toMatch(/^to read: 3 users, 12 records announced$/m);
    expect(text.stdout).toMatch(/^already in the target: 1 of these users have memories/m);
    expect(text.stdout).toMatch(/^estimate: ~\d+ requests, ~0:\d\d at 20 req\/s$/m);
    expect(widest(text.stdout)).toBeLessThanOrEqual(80);
  });

  it('zep: lists users, threads without a user and graphs (Zep announces no counts), and writes a map template on request, never over a file', async () => {
    const source = generatedZepAccount({ users: 2, threadsPerUser: 1, messagesPerThread: 2, factsPerUser: 1, orphanThreads: 1, graphs: 1, apiKey: 'z_plan-key-0123456789' });
    const served = await startZepFake(source);
    servers.push(served);
    const cwd = tempDir();
    const env = cleanEnv({ ZEP_API_KEY: source.apiKey });
    const planned = await runCliProcess(['plan', 'zep', '--base-url', served.baseUrl, '--write-map', 'map.json'], { cwd, env });
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    const tenants = [
      ...source.users.map((user) => user.user_id),
      ...source.threads.filter((thread) => !thread.user_id).map((thread) => `thread:${thread.thread_id}`),
      ...source.graphs.map((graph) => `graph:${graph.graph_id}`),
    ];
    expect(JSON.parse(readFileSync(path.join(cwd, 'map.json'), 'utf8'))).toEqual(Object.fromEntries(tenants.map((tenant) => [tenant, tenant])));
    expect(planned.stdout).toMatch(/^user \(= user_id\)/m);
    for (const tenant of tenants) expect(planned.stdout).toMatch(new RegExp(`^${tenant} +\\?`, 'm'));
    expect(planned.stdout).toMatch(/the source announces no counts/);
    expect(planned.stdout).toMatch(/^target: .*does not exist/m);
    expect(planned.stdout).toMatch(/map template written to map.json/);
    expect(widest(planned.stdout)).toBeLessThanOrEqual(80);

    const again = await runCliProcess(['plan', 'zep', '--base-url', served.baseUrl, '--write-map', 'map.json'], { cwd, env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--write-map map.json: the file exists/);
  });

  it('zep: an incremental run whose threads carry no updated_at (as v3 sends them) says that it read every thread again', async () => {
    const source = generatedZepAccount({ users: 2, threadsPerUser: 1, messagesPerThread: 2, factsPerUser: 1, orphanThreads: 0, graphs: 0, apiKey: 'z_plan-key-0123456789' });
    for (const thread of source.threads) delete thread.updated_at;
    const served = await startZepFake(source);
    servers.push(served);
    const cwd = tempDir();
    const env = cleanEnv({ ZEP_API_KEY: source.apiKey });
    const first = await runCliProcess(['zep', '--base-url', served.baseUrl, '--quiet'], { cwd, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).not.toMatch(/incremental/);
    const second = await runCliProcess(['zep', '--base-url', served.baseUrl, '--quiet'], { cwd, env });
    expect(second.code, second.stderr).toBe(0);
    const joined = second.stdout.replace(/\s+/g, ' ');
    expect(joined).toMatch(/incremental: records updated since /);
    expect(joined).toContain('incremental run, but these Zep threads carry no updated_at: every thread was read again');
    expect(joined.match(/carry no updated_at/g)).toHaveLength(1); // once a run, not once a user
  });

  it('supermemory: lists container tags with the counts the source announces; a mistyped --user-id stops a real import before anything is written', async () => {
    const source = generatedSupermemoryAccount({ tags: 2, documentsPerTag: 2, memoriesPerTag: 3, apiKey: 'sm_plan_key_for_tests_only_0123' });
    const served = await startSupermemoryFake(source);
    servers.push(served);
    const cwd = tempDir();
    const env = cleanEnv({ SUPERMEMORY_API_KEY: source.apiKey });
    const planned = await runCliProcess(['plan', 'supermemory', '--base-url', served.url, '--json'], { cwd, env });
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as { users: PlannedUserJson[] };
    // Documents without a tag are a partition of their own, whose count no listing announces.
    expect(plan.users.map((user) => user.tenant)).toEqual([...source.containerTags.map((tag) => tag.containerTag), '(untagged)']);
    for (const user of plan.users.slice(0, -1)) expect(user.announcedRecords).toBeGreaterThan(0);
    expect(plan.users.at(-1)!.announcedRecords).toBeNull();

    const [tag] = source.containerTags.map((t) => t.containerTag);
    const mistyped = await runCliProcess(['supermemory', '--base-url', served.url, '--user-id', tag!, '--user-id', `${tag}x`], { cwd, env });
    expect(mistyped.code).toBe(2);
    expect(mistyped.stderr).toMatch(new RegExp(`--user-id "${tag}x": the source lists no such container tag \\(for this key\\)`));
    expect(existsSync(path.join(cwd, 'data', 'openmemory.sqlite'))).toBe(false);
  });
});

describe('errors a program can read', () => {
  it('--json: an error is one JSON object on stderr with a stable code and the exit code; a self-hosted server that cannot list its users is a usage error (exit 2)', async () => {
    const source = generatedMem0Account({ users: 2, perUser: 2 });
    const served = await startMem0SelfHostedFake(source, { noEntities: true });
    servers.push(served);
    const cwd = tempDir();
    const env = cleanEnv({ MEM0_API_KEY: source.apiKey });
    const text = await runCliProcess(['mem0', '--self-hosted', '--base-url', served.url, '--quiet'], { cwd, env });
    expect(text.code).toBe(2);
    expect(text.stderr).toMatch(/^om-import: mem0: this self-hosted server has no GET \/entities .*name them with --user-id/);

    const json = await runCliProcess(['mem0', '--self-hosted', '--base-url', served.url, '--json'], { cwd, env });
    expect(json.code).toBe(2);
    expect(json.stdout).toBe('');
    expect(JSON.parse(json.stderr)).toEqual({ error: { code: 'usage', message: expect.stringMatching(/^mem0: this self-hosted server has no GET \/entities/), exitCode: 2 } });

    // Named with --user-id, its users are read (nothing to check them against).
    const named = await runCliProcess(['mem0', '--self-hosted', '--base-url', served.url, '--user-id', 'user-0', '--quiet'], { cwd, env });
    expect(named.stderr).toBe('');
    expect(named.code).toBe(0);
    expect(named.stdout).toMatch(/^the database now holds 2 records of 1 user from mem0/m);

    const planned = await runCliProcess(['plan', 'mem0', '--self-hosted', '--base-url', served.url, '--user-id', 'user-1'], { cwd, env });
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/^the source cannot list its users: the --user-ids are shown unchecked$/m);
    expect(planned.stdout).toMatch(/^user-1 +\? *$/m);

    const unreachable = await runCliProcess(['mem0', '--base-url', 'http://127.0.0.1:9', '--json', '--max-wait', '1'], { cwd, env });
    expect(unreachable.code).toBe(1);
    expect(JSON.parse(unreachable.stderr)).toMatchObject({ error: { code: 'source', exitCode: 1 } });
  });
});

describe('a PostgreSQL role the server refuses', () => {
  // This server asks for a password, so it says "password authentication failed" (28P01); one that trusts local
  // users says 'role "no_such_role" does not exist' (28000): the same hint for both.
  it('is named with a hint about the user, not about the server being unreachable', async () => {
    const url = new URL(await createTestDatabase());
    url.username = 'no_such_role';
    url.password = 'not-the-password';
    const result = await runCliProcess(['migrate', '--pg', url.toString()], { cwd: tempDir(), env: cleanEnv() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no_such_role.*the server refused the user: check the user and password .*and that the role exists/);
    expect(result.stderr).not.toContain('not-the-password');
    expect(result.stderr).not.toMatch(/running and reachable/);
  });
});
