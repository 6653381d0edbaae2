// The databases a CLI test runs against, each able to say how far a killed run got, and the state to compare.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openTarget, resolveTargetConfig } from '../../src/target/open-target.js';
import { importedState } from './database-snapshot.js';
import { createTestDatabase, query } from './postgres.js';

/** Everything an import wrote that equivalent runs must agree on (see `importedState`). */
export async function stateOf(config: Parameters<typeof openTarget>[0]): Promise<Record<string, unknown>> {
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

/** Polls until a killed-to-be run has committed some but not all of `total` memories (or gives up after 10 s). */
export async function waitForPartialImport(backend: KillTarget, flags: string[], cwd: string, total: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const count = await backend.memories(flags, cwd);
    if (count > 0 && count < total) return;
  }
}
