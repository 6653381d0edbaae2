// Imports with 1, 2 and 4 worker threads write the same database, byte for byte: rows and waypoints, including a
// user large enough that its waypoints are split across the workers, a change deep in its history, and the CLI's
// `--workers` run from dist/. (Threads run the compiled worker: `npm test` builds it first.)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mem0Source } from '../../adapters/mem0/index.js';
import { importFrom } from '../../src/pipeline/import.js';
import { openTarget, resolveTargetConfig, type TargetConfig } from '../../src/database/open-target.js';
import { generatedMem0Account } from '../fakes/mem0/mem0-account.js';
import { cleanEnv, runCliProcess } from '../support/cli.js';
import { importedState } from '../support/database-snapshot.js';
import { fixturePath } from '../support/fixtures.js';
import { stateOf } from '../support/kill-targets.js';
import { createTestDatabase } from '../support/postgres.js';
import { tempDir } from '../support/temp.js';

/** Three small users, one of 2,600 memories (waypoints in slices on every worker), and the golden texts (multi-sector, chunked). */
function account(): unknown[] {
  const small = generatedMem0Account({ users: 3, perUser: 40 }).memories;
  const large = generatedMem0Account({ users: 1, perUser: 2600 }).memories.map((memory) => {
    const wire = memory as { id: string };
    return { ...wire, id: wire.id.replace(/^00000000/, 'bbbbbbbb'), user_id: 'large' };
  });
  const golden = ['rows-hybrid-256.jsonl', 'rows-deep-1536.jsonl'].flatMap((file) =>
    readFileSync(fixturePath('openmemory', 'golden', file), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { text: string; metadata: Record<string, unknown> | null }),
  );
  const goldenMemories = golden.map((row, i) => {
    const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
    return { id: `cccccccc-0000-4000-8000-${String(i).padStart(12, '0')}`, memory: row.text, user_id: 'golden', metadata: row.metadata, created_at: at, updated_at: at };
  });
  return [...small, ...large, ...goldenMemories];
}

function exportFile(memories: unknown[]): string {
  const file = path.join(tempDir(), 'export.json');
  writeFileSync(file, JSON.stringify(memories));
  return file;
}

async function importWith(file: string, target: TargetConfig, workers: number, env: Record<string, string> = {}): Promise<void> {
  await importFrom({ source: mem0Source({ fromFile: file }).source, target, env, workers });
}

async function stateAt(target: TargetConfig): Promise<Record<string, unknown>> {
  const opened = await openTarget(target);
  try {
    return await importedState(opened);
  } finally {
    await opened.close();
  }
}

const sqlite = (): TargetConfig => resolveTargetConfig({ db: path.join(tempDir(), 'om.sqlite') }, {});

describe('imports on 1, 2 and 4 worker threads', () => {
  // Other tiers' rows are compared on threads and on the main thread in test/openmemory/row-pool.test.ts.
  it.each([
    ['hybrid 256', {}, [1, 2, 4]],
    ['smart 384 (compressed vectors)', { OM_TIER: 'smart' }, [1, 4]],
  ])('%s: the same memories, vectors and waypoints', async (_name, env, counts) => {
    const file = exportFile(account());
    const states: Record<number, Record<string, unknown>> = {};
    for (const workers of counts) {
      const target = sqlite();
      await importWith(file, target, workers, env);
      states[workers] = await stateAt(target);
    }
    expect(states[1]).toMatchObject({ memories: { rows: 2810 }, waypoints: { rows: 2810 } });
    for (const workers of counts) expect({ workers, state: states[workers] }).toEqual({ workers, state: states[1] });
  });

  it('a change deep in the large user’s history: the same waypoints from it on, on any number of workers', async () => {
    const memories = account();
    const changed = memories.map((memory, i) => (i === 120 + 1500 ? { ...(memory as object), memory: 'Completely different: loves sailing now' } : memory));
    const states: Record<number, Record<string, unknown>> = {};
    for (const workers of [1, 2, 4]) {
      const target = sqlite();
      await importWith(exportFile(memories), target, workers);
      const report = await importFrom({ source: mem0Source({ fromFile: exportFile(changed) }).source, target, env: {}, workers });
      expect(report.totals).toMatchObject({ updated: 1 });
      expect(report.users.find((user) => user.userId === 'large')?.waypointsWritten).toBe(1100); // the changed memory and the 1,099 after it
      states[workers] = await stateAt(target);
    }
    expect(states[2]).toEqual(states[1]);
    expect(states[4]).toEqual(states[1]);
  });

  it('PostgreSQL: the same with 1 and 2 workers', async () => {
    const file = exportFile(account());
    const states: Record<number, Record<string, unknown>> = {};
    for (const workers of [1, 2]) {
      const target = resolveTargetConfig({ pg: await createTestDatabase() }, {});
      await importWith(file, target, workers);
      states[workers] = await stateAt(target);
    }
    expect(states[2]).toEqual(states[1]);
  });
});

describe('om-import --workers (CLI, from dist/)', () => {
  it('--workers 2 imports what --workers 1 imports; --workers 0 is a usage error', async () => {
    const file = exportFile(account());
    const states: Record<number, Record<string, unknown>> = {};
    for (const workers of [1, 2]) {
      const cwd = tempDir();
      const result = await runCliProcess(['mem0', '--from-file', file, '--workers', String(workers), '--json'], { cwd, env: cleanEnv() });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).totals).toMatchObject({ created: 2810 });
      states[workers] = await stateOf(resolveTargetConfig({ db: path.join(cwd, 'data', 'openmemory.sqlite') }, {}));
    }
    expect(states[2]).toEqual(states[1]);

    const bad = await runCliProcess(['mem0', '--from-file', file, '--workers', '0'], { cwd: tempDir(), env: cleanEnv() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/option '--workers <n>' argument '0' is invalid/);
  });
});
