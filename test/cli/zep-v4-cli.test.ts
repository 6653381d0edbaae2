// `om-import zep` end to end on a project Zep serves over both APIs (the fake of test/fakes/zep/zep-v4-handlers.ts,
// written from /work/shared/sources/zep-v4.md; no real v4 client or server was reachable to check it against):
// imported through v3 (`--base-url …/api/v2`), then through v4 (the server's root), on SQLite and PostgreSQL.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generatedZepAccount, withV4Objects, type ZepAccount } from '../fakes/zep/zep-account.js';
import type { ServedHandlers } from '../fakes/serve-handlers.js';
import { cleanEnv, runCliProcess } from '../support/cli.js';
import { importedUsers, killTargets, stateOf } from '../support/kill-targets.js';
import { tempDir } from '../support/temp.js';
import { startZepFake } from '../support/zep-fake.js';

const apiKey = 'z_secret-key-for-v4-tests-only-0123456789';
const servers: ServedHandlers[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function account(): ZepAccount {
  return withV4Objects(generatedZepAccount({ users: 3, threadsPerUser: 2, messagesPerThread: 5, factsPerUser: 7, orphanThreads: 1, graphs: 1, apiKey }));
}

const li = '0d6c2b1a-5e4f-4a3b-9c8d-7e6f5a4b3c2d';

describe.each(killTargets)('om-import zep through v3, then v4 (CLI, %s)', (_name, backend) => {
  it('the v4 run adds only what v3 could not see, changes nothing, and a --user-map names users by user_id, uuid or email', async () => {
    const source = account();
    const served = await startZepFake(source, { v4: true });
    servers.push(served);
    const cwd = tempDir();
    const flags = await backend.flags(cwd);
    const [first, second] = source.users;
    // user_id for one v3-born user, the uuid for another, the email for the v4-born Li (who has no user_id).
    writeFileSync(path.join(cwd, 'map.json'), JSON.stringify({ [first!.user_id]: 'alice', [second!.uuid]: 'bob', 'li@example.com': 'li' }));
    const env = cleanEnv({ ZEP_API_KEY: apiKey });

    const viaV3 = await runCliProcess(['zep', '--base-url', served.baseUrl, '--user-map', 'map.json', '--json', ...flags], { cwd, env });
    expect(viaV3.stderr).toBe('');
    expect(viaV3.code).toBe(0);
    const v3Report = JSON.parse(viaV3.stdout);
    expect(v3Report.api).toBe('Zep Cloud v3 (threads)');
    const afterV3 = await importedUsers(backend.config(flags, cwd));
    expect(afterV3.has('bob')).toBe(false); // v3 knows the second user by user_id only: the map's uuid entry is v4's

    const viaV4 = await runCliProcess(['zep', '--base-url', served.url, '--user-map', 'map.json', '--json', ...flags], { cwd, env });
    expect(viaV4.stderr).toBe('');
    expect(viaV4.code).toBe(0);
    const v4Report = JSON.parse(viaV4.stdout);
    expect(v4Report.api).toBe('Zep v4');
    expect(v4Report.warnings).toEqual([]);
    // The second user's memories move to `bob` (the map names its uuid now): counted as updated, not duplicated.
    const secondUsers = afterV3.get(second!.user_id)!.contents.length;
    expect(v4Report.totals).toMatchObject({ created: 19, updated: secondUsers, unchanged: v3Report.totals.created - secondUsers });
    const afterV4 = await importedUsers(backend.config(flags, cwd));
    expect(afterV4.get('alice')).toEqual(afterV3.get('alice'));
    expect(afterV4.get('bob')!.contents).toEqual(afterV3.get(second!.user_id)!.contents);
    expect(afterV4.get(second!.user_id)?.contents ?? []).toEqual([]); // moved, not copied (its users row stays, as on any map change)
    expect(afterV4.get('li')!.contents).toContain('Book me a train to Porto on Friday.');
    expect(afterV4.get('li')!.summary).toBe('Li travels by train between Lisbon and Porto.');
    expect(afterV4.has(li)).toBe(false);

    const text = await runCliProcess(['zep', '--base-url', served.url, '--user-map', 'map.json', ...flags], { cwd, env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/source API: Zep v4/);
    for (const output of [viaV3.stdout, viaV3.stderr, viaV4.stdout, viaV4.stderr, text.stdout, text.stderr]) expect(output).not.toContain(apiKey);
  });

  it('without a map: v3 then v4 is created 0 … for every v3 record, and equals one import through v4 alone', async () => {
    const source = account();
    const served = await startZepFake(source, { v4: true });
    servers.push(served);
    const env = cleanEnv({ ZEP_API_KEY: apiKey });
    const both = tempDir();
    const bothFlags = await backend.flags(both);
    const v3 = JSON.parse((await runCliProcess(['zep', '--base-url', served.baseUrl, '--json', ...bothFlags], { cwd: both, env })).stdout);
    const v4 = await runCliProcess(['zep', '--base-url', served.url, '--json', '--prune', ...bothFlags], { cwd: both, env });
    expect(v4.code).toBe(0);
    expect(JSON.parse(v4.stdout).totals).toMatchObject({ created: 19, updated: 0, unchanged: v3.totals.created });
    expect(JSON.parse(v4.stdout).goneAtSource.memories).toBe(0);

    const alone = tempDir();
    const aloneFlags = await backend.flags(alone);
    expect((await runCliProcess(['zep', '--base-url', served.url, ...aloneFlags], { cwd: alone, env })).code).toBe(0);
    expect(await importedUsers(backend.config(aloneFlags, alone))).toEqual(await importedUsers(backend.config(bothFlags, both)));
    const { memories: _both, ...bothState } = await stateOf(backend.config(bothFlags, both));
    const { memories: _alone, ...aloneState } = await stateOf(backend.config(aloneFlags, alone));
    expect(aloneState).toEqual(bothState);
  });
});

describe('om-import zep through v4 (CLI, pacing, faults, snapshots)', () => {
  const database = (cwd: string) => ({ kind: 'sqlite' as const, path: path.join(cwd, 'data', 'openmemory.sqlite'), vectorTable: undefined });
  const env = cleanEnv({ ZEP_API_KEY: apiKey });

  it('paces itself by the X-RateLimit headers and meets no 429; 409s, 503s and a refused page_size change nothing', async () => {
    const source = account();
    const calm = await startZepFake(source, { v4: true });
    // A 2-second window of 12 requests stands for Zep's per-minute window; the import needs several windows.
    const paced = await startZepFake(source, { v4: { rateLimitPerMinute: 12, rateLimitWindowMs: 2000 } });
    const stormy = await startZepFake(source, { v4: { failEvery: 3, nodeConflicts: 3, pageSizeParam: 'limit' } });
    servers.push(calm, paced, stormy);
    const [calmDir, pacedDir, stormDir] = [tempDir(), tempDir(), tempDir()];
    expect((await runCliProcess(['zep', '--base-url', calm.url], { cwd: calmDir, env })).code).toBe(0);
    const pacedRun = await runCliProcess(['zep', '--base-url', paced.url, '--json'], { cwd: pacedDir, env });
    expect(pacedRun.code).toBe(0);
    expect(JSON.parse(pacedRun.stdout).http.requests).toBeGreaterThan(2 * 12);
    expect(paced.v4Stats.rateLimited).toBe(0);
    const storm = await runCliProcess(['zep', '--base-url', stormy.url, '--json'], { cwd: stormDir, env });
    expect(storm.code).toBe(0);
    expect(stormy.v4Stats.conflicts).toBe(3);
    for (const dir of [pacedDir, stormDir]) expect(await stateOf(database(dir))).toEqual(await stateOf(database(calmDir)));
  });

  it('a snapshot saved through v4 re-imports offline onto the same memories', async () => {
    const source = account();
    const served = await startZepFake(source, { v4: true });
    servers.push(served);
    const cwd = tempDir();
    const online = await runCliProcess(['zep', '--base-url', served.url, '--save-export', 'exports', '--json'], { cwd, env });
    expect(online.code).toBe(0);
    const saved = path.resolve(cwd, JSON.parse(online.stdout).exportFile as string);
    const offlineDir = tempDir();
    const offline = await runCliProcess(['zep', '--from-file', saved, '--json'], { cwd: offlineDir });
    expect(offline.code).toBe(0);
    expect(JSON.parse(offline.stdout).api).toBe('snapshot of Zep v4');
    expect(await importedUsers(database(offlineDir))).toEqual(await importedUsers(database(cwd)));
  });
});

describe('om-import zep: what each API sees of the objects created through v4 (CLI, SQLite)', () => {
  const database = (cwd: string) => ({ kind: 'sqlite' as const, path: path.join(cwd, 'data', 'openmemory.sqlite'), vectorTable: undefined });
  const env = cleanEnv({ ZEP_API_KEY: apiKey });
  const strayThread = 'thread:7a1c9e3b-2d4f-4b6a-8c0e-1f3a5b7c9d4a';
  const v4Graph = 'graph:9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b';
  const importJson = async (baseUrl: string, cwd: string) => {
    const run = await runCliProcess(['zep', '--base-url', baseUrl, '--json'], { cwd, env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout);
  };

  it('v3 (…/api/v2) misses them, as v3 cannot address them; the server root is read through v4, which sees them', async () => {
    const source = account();
    const served = await startZepFake(source, { v4: true });
    servers.push(served);
    const cwd = tempDir();
    const viaV3 = await importJson(served.baseUrl, cwd);
    expect(viaV3.api).toBe('Zep Cloud v3 (threads)');
    expect(served.v4Stats.requests).toBe(0);
    const afterV3 = await importedUsers(database(cwd));
    for (const tenant of [li, strayThread, v4Graph]) expect(afterV3.has(tenant)).toBe(false);
    const seenByV3 = [...afterV3.values()].flatMap((user) => user.contents);
    expect(seenByV3).not.toContain('Book me a train to Porto on Friday.'); // Li's message, in a thread created through v4

    const viaRoot = await importJson(served.url, cwd);
    expect(viaRoot.api).toBe('Zep v4');
    expect(viaRoot.totals).toMatchObject({ created: 19, updated: 0, unchanged: viaV3.totals.created });
    const afterV4 = await importedUsers(database(cwd));
    expect(afterV4.get(li)!.contents).toContain('Book me a train to Porto on Friday.');
    expect(afterV4.get(strayThread)!.contents).toEqual(['A thread whose user is gone.']);
    expect(afterV4.get(v4Graph)!.contents).toEqual(['The rail timetable changes in December.', 'Trains to Porto leave every hour.']);
  });

  it('a server whose v3 lists them under their uuids (the note leaves it open): v3 imports them, and v4 after it creates nothing', async () => {
    const source = account();
    const served = await startZepFake(source, { v4: true, v4BornObjects: 'uuid-as-id' });
    servers.push(served);
    const cwd = tempDir();
    const viaV3 = await importJson(served.baseUrl, cwd);
    const afterV3 = await importedUsers(database(cwd));
    expect(afterV3.get(li)!.contents).toContain('Book me a train to Porto on Friday.');
    for (const tenant of [strayThread, v4Graph]) expect(afterV3.has(tenant)).toBe(true);
    const viaV4 = await importJson(served.url, cwd);
    expect(viaV4.totals).toMatchObject({ created: 0 });
    // Both readers import a hyperedge once (its first member by uuid) and skip its two other members as copies: every
    // v3 memory is read again through v4, and nothing is gone.
    const copiesOf = (report: { tenants: { skippedReasons: { kind: string }[] }[] }) =>
      report.tenants.flatMap((tenant) => tenant.skippedReasons).filter((skip) => skip.kind === 'copy');
    expect(copiesOf(viaV3)).toHaveLength(2);
    expect(copiesOf(viaV4)).toHaveLength(2);
    expect(viaV4.totals.updated + viaV4.totals.unchanged).toBe(viaV3.totals.created);
    expect(viaV4.goneAtSource.memories).toBe(0);
    expect([...(await importedUsers(database(cwd))).keys()].sort()).toEqual([...afterV3.keys()].sort());
  });
});
