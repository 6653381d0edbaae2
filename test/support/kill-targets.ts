// The databases a CLI test runs against, each able to say how far a killed run got, and the state to compare.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { runCliProcess, startCli } from './cli.js';
import { openTarget, resolveTargetConfig } from '../../src/database/open-target.js';
import { verifyDatabase } from '../../src/verify.js';
import { importedState } from './database-snapshot.js';
import { createTestDatabase, query } from './postgres.js';
import { tempDir } from './temp.js';

/**
 * Everything an import wrote that equivalent runs must agree on (see `importedState`) — after `om-import verify`
 * has found nothing wrong with the database.
 */
export async function stateOf(config: Parameters<typeof openTarget>[0]): Promise<Record<string, unknown>> {
  const verification = await verifyDatabase(config, { env: {} });
  expect(verification.violations).toEqual([]);
  const target = await openTarget(config);
  try {
    return await importedState(target);
  } finally {
    await target.close();
  }
}

export interface KillTarget {
  /** Target flags for a fresh database. */
  flags(cwd: string): Promise<string[]>;
  config(flags: string[], cwd: string): Parameters<typeof openTarget>[0];
  memories(flags: string[], cwd: string): Promise<number>;
}

/** The default SQLite file under the working folder, and a fresh PostgreSQL database through --pg. */
export const killTargets: [string, KillTarget][] = [
  [
    'SQLite',
    {
      flags: async () => [],
      config: (_flags, cwd) => resolveTargetConfig({ db: path.join(cwd, 'data', 'openmemory.sqlite') }, {}),
      memories: (_flags, cwd) => memoryCount(path.join(cwd, 'data', 'openmemory.sqlite')),
    },
  ],
  [
    'PostgreSQL',
    {
      flags: async () => ['--pg', await createTestDatabase()],
      config: (flags) => resolveTargetConfig({ pg: flags[1] }, {}),
      memories: async (flags) =>
        query<{ n: number }>(flags[1]!, 'select count(*)::int as n from public.openmemory_memories').then(
          (rows) => rows[0]!.n,
          () => 0,
        ),
    },
  ],
];

/** Memories in a SQLite file another process may be writing; 0 before the table exists. */
export async function memoryCount(file: string): Promise<number> {
  if (!existsSync(file)) return 0;
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    return (db.prepare(`select count(*) as n from sqlite_master where name = 'memories'`).get() as { n: number }).n === 0
      ? 0
      : (db.prepare('select count(*) as n from memories').get() as { n: number }).n;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

/**
 * Runs an import (`args`, without target flags) once to the end, and once killed with SIGKILL after its first
 * commits and then resumed; answers both databases, for the caller to compare.
 */
export async function cleanAndResumedRuns(
  backend: KillTarget,
  args: string[],
  env: Record<string, string>,
  totalMemories: number,
): Promise<{ clean: Parameters<typeof openTarget>[0]; resumed: Parameters<typeof openTarget>[0] }> {
  const cleanDir = tempDir();
  const cleanFlags = await backend.flags(cleanDir);
  const clean = await runCliProcess([...args, ...cleanFlags], { cwd: cleanDir, env });
  expect(clean.code).toBe(0);

  const killedDir = tempDir();
  const killedFlags = await backend.flags(killedDir);
  const { child, done } = startCli([...args, '--concurrency', '2', ...killedFlags], { cwd: killedDir, env });
  // Wait until some memories are committed, then kill without warning.
  await waitForPartialImport(backend, killedFlags, killedDir, totalMemories);
  child.kill('SIGKILL');
  expect((await done).code).toBeNull();
  const partial = await backend.memories(killedFlags, killedDir);
  expect(partial).toBeGreaterThan(0);
  expect(partial).toBeLessThan(totalMemories);

  const resumed = await runCliProcess([...args, '--json', ...killedFlags], { cwd: killedDir, env });
  expect(resumed.code).toBe(0);
  expect(JSON.parse(resumed.stdout).resumed).toBe(true);
  return { clean: backend.config(cleanFlags, cleanDir), resumed: backend.config(killedFlags, killedDir) };
}

/**
 * Each OpenMemory user's memory texts (sorted) and summary, after checking what must hold for every user: every
 * memory has its vectors, one waypoint per memory, and no waypoint points at another user's memory.
 */
export async function importedUsers(config: Parameters<typeof openTarget>[0]): Promise<Map<string, { contents: string[]; summary: string }>> {
  const target = await openTarget(config);
  try {
    const { qualified, tables } = target.dialect;
    const [memoryTable, vectorTable, waypointTable] = [qualified(tables.memories), qualified(tables.vectors), qualified(tables.waypoints)];
    const memories = await target.executor.all<{ user_id: string; content: string }>(`select user_id, content from ${memoryTable}`);
    const users = await target.executor.all<{ user_id: string; summary: string }>(`select user_id, summary from ${qualified(tables.users)}`);
    const vectorless = await target.executor.all<{ n: number }>(
      `select count(*) as n from ${memoryTable} m where not exists (select 1 from ${vectorTable} v where cast(v.id as text) = cast(m.id as text) and v.user_id = m.user_id)`,
    );
    expect(Number(vectorless[0]!.n)).toBe(0);
    const waypoints = await target.executor.all<{ user_id: string; n: number }>(
      `select m.user_id, count(*) as n from ${waypointTable} w join ${memoryTable} m on cast(m.id as text) = cast(w.src_id as text) and m.user_id = w.user_id group by m.user_id`,
    );
    const crossing = await target.executor.all<{ n: number }>(
      `select count(*) as n from ${waypointTable} w join ${memoryTable} m on cast(m.id as text) = cast(w.dst_id as text) where m.user_id <> w.user_id`,
    );
    expect(Number(crossing[0]!.n)).toBe(0);
    const result = new Map<string, { contents: string[]; summary: string }>();
    for (const user of users) {
      const contents = memories.filter((m) => m.user_id === user.user_id).map((m) => m.content).sort();
      // One waypoint per imported memory, as OpenMemory writes after each memory it stores.
      expect(Number(waypoints.find((row) => row.user_id === user.user_id)?.n ?? 0)).toBe(contents.length);
      result.set(user.user_id, { contents, summary: user.summary });
    }
    return result;
  } finally {
    await target.close();
  }
}

/** Polls until a killed-to-be run has committed some but not all of `total` memories (or gives up after 10 s). */
export async function waitForPartialImport(backend: KillTarget, flags: string[], cwd: string, total: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const count = await backend.memories(flags, cwd);
    if (count > 0 && count < total) return;
  }
}
