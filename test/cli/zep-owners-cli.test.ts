// `om-import zep` end to end on who owns what (issue 19): tenants of different kinds never share a key — a user
// whose id reads as another kind's key (`thread:t1`) is tenant `user:thread:t1` — and a user Zep deleted is found
// through v4 as through v3 (`--prune` removes it, a scoped run never does). On the fake of test/fakes/zep (v3 under
// /api/v2, v4 under /api/v4, one project).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteUser, generatedZepAccount, withUserRenamed, withV4Objects, type ZepAccount } from '../fakes/zep/zep-account.js';
import type { ServedHandlers } from '../fakes/serve-handlers.js';
import { cleanEnv, runCliProcess } from '../support/cli.js';
import { importedUsers } from '../support/kill-targets.js';
import { resolveTargetConfig } from '../../src/database/open-target.js';
import { tempDir } from '../support/temp.js';
import { startZepFake } from '../support/zep-fake.js';

const apiKey = 'z_secret-key-for-owner-tests-0123456789';
const env = cleanEnv({ ZEP_API_KEY: apiKey });
const servers: ServedHandlers[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

const database = (cwd: string) => resolveTargetConfig({ db: path.join(cwd, 'data', 'openmemory.sqlite') }, {});

function account(): ZepAccount {
  return generatedZepAccount({ users: 3, threadsPerUser: 1, messagesPerThread: 3, factsPerUser: 3, orphanThreads: 1, graphs: 1, apiKey });
}

async function importJson(args: string[], cwd: string): Promise<{ totals: Record<string, number>; api: string; warnings: string[] } & Record<string, unknown>> {
  const run = await runCliProcess(['zep', ...args, '--json'], { cwd, env });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).not.toContain(apiKey);
  return JSON.parse(run.stdout);
}

describe('om-import zep: a user named like an orphan thread (CLI, SQLite)', () => {
  it('the user `thread:t1` and the thread `t1` without a user land on two OpenMemory users, through v3 and v4; re-imports change nothing', async () => {
    const generated = account();
    const orphan = generated.threads.find((thread) => !thread.user_id)!.thread_id;
    const [renamed, ...ordinary] = generated.users.map((user) => user.user_id);
    const source = withUserRenamed(generated, renamed!, `thread:${orphan}`);
    const served = await startZepFake(source, { v4: true });
    servers.push(served);
    const cwd = tempDir();

    const viaV3 = await importJson(['--base-url', served.baseUrl], cwd);
    expect(viaV3.api).toBe('Zep Cloud v3 (threads)');
    const afterV3 = await importedUsers(database(cwd));
    const userSide = afterV3.get(`user:thread:${orphan}`)!;
    const threadSide = afterV3.get(`thread:${orphan}`)!;
    // The user's messages, facts and summary under the escaped key; the orphan thread's messages under its own.
    expect(userSide.contents).toEqual(expect.arrayContaining((source.messages[source.threads.find((thread) => thread.user_id === `thread:${orphan}`)!.thread_id] ?? []).map((message) => message.content)));
    expect(userSide.summary).toBe(source.userNodes[`thread:${orphan}`]!.summary);
    const orphanSummary = source.threadSummaries[orphan];
    expect(threadSide.contents).toEqual([...(source.messages[orphan] ?? []).map((message) => message.content), ...(orphanSummary ? [orphanSummary.summary] : [])].sort());
    // Every ordinary user keeps its user_id as its OpenMemory user.
    for (const user of ordinary) expect(afterV3.has(user!)).toBe(true);

    const viaV4 = await importJson(['--base-url', served.url, '--prune'], cwd);
    expect(viaV4.api).toBe('Zep v4');
    expect(viaV4.totals).toMatchObject({ created: 0, updated: 0, unchanged: viaV3.totals['created'] });
    expect((viaV4['goneAtSource'] as { memories: number }).memories).toBe(0);
    expect(await importedUsers(database(cwd))).toEqual(afterV3);
    const againV3 = await importJson(['--base-url', served.baseUrl], cwd);
    expect(againV3.totals).toMatchObject({ created: 0, updated: 0 });

    // A map names each side by its own key; `--user-id` reads one side only.
    const mapped = tempDir();
    writeFileSync(path.join(mapped, 'map.json'), JSON.stringify({ [`user:thread:${orphan}`]: 'ann', [`thread:${orphan}`]: 'support' }));
    await importJson(['--base-url', served.url, '--user-map', 'map.json'], mapped);
    const mappedUsers = await importedUsers(database(mapped));
    expect(mappedUsers.get('ann')!.contents).toEqual(userSide.contents);
    expect(mappedUsers.get('support')!.contents).toEqual(threadSide.contents);
    const scoped = tempDir();
    await importJson(['--base-url', served.baseUrl, '--user-id', `user:thread:${orphan}`], scoped);
    expect([...(await importedUsers(database(scoped))).keys()]).toEqual([`user:thread:${orphan}`]);
  });
});

describe('om-import zep --prune through v4: a user Zep deleted (CLI, SQLite)', () => {
  it('is counted without --prune, removed with it (memories and users row), and never by a --user-id run; imported first through v3', async () => {
    const source = withV4Objects(account());
    const served = await startZepFake(source, { v4: true });
    servers.push(served);
    const cwd = tempDir();
    await importJson(['--base-url', served.baseUrl], cwd); // the v3-born users, through v3
    await importJson(['--base-url', served.url], cwd); // and what only v4 sees (Li, created through v4)
    const before = await importedUsers(database(cwd));
    const [kept, deleted] = source.users.map((user) => user.user_id) as [string, string];
    const li = source.v4!.users.find((user) => user.email === 'li@example.com')!.uuid;
    const deletedMemories = { [deleted]: before.get(deleted)!.contents.length, [li]: before.get(li)!.contents.length };
    deleteUser(source, deleted);
    deleteUser(source, li);

    const scoped = await importJson(['--base-url', served.url, '--user-id', kept, '--prune'], cwd);
    expect((scoped['goneAtSource'] as { memories: number }).memories).toBe(0);
    expect(await importedUsers(database(cwd))).toEqual(before);

    const counted = await importJson(['--base-url', served.url], cwd);
    expect(counted['goneAtSource']).toMatchObject({ memories: deletedMemories[deleted]! + deletedMemories[li]!, byUser: deletedMemories, removed: false, usersRemoved: [] });
    expect(await importedUsers(database(cwd))).toEqual(before);

    const pruned = await importJson(['--base-url', served.url, '--prune'], cwd);
    expect(pruned['goneAtSource']).toMatchObject({ memories: deletedMemories[deleted]! + deletedMemories[li]!, removed: true });
    expect([...(pruned['goneAtSource'] as { usersRemoved: string[] }).usersRemoved].sort()).toEqual([deleted, li].sort());
    const after = await importedUsers(database(cwd));
    expect([...after.keys()].sort()).toEqual([...before.keys()].filter((user) => user !== deleted && user !== li).sort());
    for (const [user, imported] of after) expect(imported).toEqual(before.get(user));
  });
});
