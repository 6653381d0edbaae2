// The row pool gives what the main thread gives, byte for byte, for any number of worker threads.
// Its threads run the compiled worker (dist/src/openmemory/row-worker.js): `npm test` builds it first.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryEmbedder, type TextEmbeddingProvider } from '../../src/openmemory/embedder.js';
import { embeddingConfigFromEnv } from '../../src/openmemory/embedding-config.js';
import { buildMemoryRows, type MemoryInput, type MemoryRows } from '../../src/openmemory/memory-rows.js';
import { RowPool } from '../../src/openmemory/row-pool.js';
import { rowThreadNiceness } from '../../src/openmemory/row-worker.js';
import { tenantWaypoints, type WaypointNode } from '../../src/openmemory/waypoints.js';
import { fixturePath } from '../support/fixtures.js';

const pools: RowPool[] = [];
afterAll(async () => {
  for (const pool of pools.splice(0)) await pool.close();
});

function pool(embedder: MemoryEmbedder, workers: number): RowPool {
  const created = new RowPool(embedder, workers);
  pools.push(created);
  return created;
}

/** Every text of the golden row fixtures (multi-sector, chunked, forced sectors), many times over. */
function goldenInputs(copies: number): MemoryInput[] {
  const golden = ['rows-hybrid-256.jsonl', 'rows-deep-1536.jsonl'].flatMap((file) =>
    readFileSync(fixturePath('openmemory', 'golden', file), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { text: string; metadata: Record<string, unknown> | null }),
  );
  const inputs: MemoryInput[] = [];
  for (let copy = 0; copy < copies; copy++) {
    golden.forEach((row, i) => {
      const n = copy * golden.length + i;
      inputs.push({
        id: `m${n}`,
        userId: `u${n % 3}`,
        content: row.text,
        ...(n % 5 === 0 ? { sourceText: `${row.text} (full)` } : {}),
        tags: n % 2 === 0 ? ['a', 'b'] : [],
        meta: row.metadata ?? {},
        createdAt: n,
        updatedAt: n + 1,
      });
    });
  }
  return inputs;
}

/** Rows as comparable data: buffers as hex (a view of a bigger buffer and a buffer of its own compare equal). */
function comparable(rows: MemoryRows[]): unknown[] {
  return rows.map((row) => ({
    ...row,
    meanVector: row.meanVector.toString('hex'),
    compressedVector: row.compressedVector?.toString('hex') ?? null,
    vectors: row.vectors.map((vector) => ({ ...vector, bytes: vector.bytes.toString('hex') })),
  }));
}

describe('rows on worker threads', () => {
  it.each([
    ['hybrid 256', {}],
    ['smart 384 (compressed vector)', { OM_TIER: 'smart' }],
    ['fast 300', { OM_TIER: 'fast', OM_VEC_DIM: '300' }],
    ['OpenMemory 1.3.0 at 256 (its classifier in the threads)', { OM_IMPORT_OPENMEMORY: '1.3', OM_VEC_DIM: '256' }],
  ] as [string, Record<string, string>][])('%s: the same rows as the main thread, for 2 and 4 workers', async (_name, env) => {
    const embedder = new MemoryEmbedder(embeddingConfigFromEnv(env));
    const inputs = goldenInputs(4);
    const expected = comparable(await buildMemoryRows(inputs, embedder));
    if (env.OM_IMPORT_OPENMEMORY === '1.3') {
      // the inputs hold texts 1.3.0 classifies otherwise, so a thread on 1.2.3's classifier would be seen
      const sectorsOf = (rows: MemoryRows[]): string[] => rows.map((row) => row.primarySector);
      const older = await buildMemoryRows(inputs, new MemoryEmbedder(embeddingConfigFromEnv({})));
      expect(sectorsOf(older)).not.toEqual(sectorsOf(await buildMemoryRows(inputs, embedder)));
    }
    for (const workers of [2, 4]) {
      expect(comparable(await pool(embedder, workers).buildMemoryRows(inputs))).toEqual(expected);
    }
  });

  it.runIf(process.platform === 'linux')(
    'on Linux, its threads run at a lower priority than the main thread; rows take workers − 1 of them, a large user’s waypoints all',
    async () => {
      const niceOf = (stat: string): number => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      const threadNices = (): number[] =>
        readdirSync('/proc/self/task').flatMap((thread) => {
          try {
            return [niceOf(readFileSync(`/proc/self/task/${thread}/stat`, 'utf8'))];
          } catch {
            return []; // a thread that just ended
          }
        });
      const mainNice = os.getPriority();
      const lowered = Math.min(19, mainNice + rowThreadNiceness);
      const before = threadNices().filter((nice) => nice === lowered).length;
      const started = (): number => threadNices().filter((nice) => nice === lowered).length - before;
      const embedder = new MemoryEmbedder(embeddingConfigFromEnv({}));
      const threads = pool(embedder, 3);
      await threads.buildMemoryRows(goldenInputs(4)); // enough for a task on each row thread
      expect(started()).toBe(2);
      await threads.tenantWaypoints(randomNodes(300, 3)); // a small user: one task on a row thread
      expect(started()).toBe(2);
      const nodes = randomNodes(3000, 4);
      expect(await threads.tenantWaypoints(nodes)).toEqual(tenantWaypoints(nodes));
      expect(started()).toBe(3);
      expect(os.getPriority()).toBe(mainNice);
    },
  );

  it('with one worker, runs no thread (today’s code path)', async () => {
    const embedder = new MemoryEmbedder(embeddingConfigFromEnv({}));
    const single = pool(embedder, 1);
    expect(single.workers).toBe(1);
    const inputs = goldenInputs(1);
    expect(comparable(await single.buildMemoryRows(inputs))).toEqual(comparable(await buildMemoryRows(inputs, embedder)));
  });

  it('with a remote provider (smart, deep), builds rows on the main thread, which makes the calls', async () => {
    const calls: string[] = [];
    const provider: TextEmbeddingProvider = {
      modelFor: () => 'fake-model',
      embedTexts: async (texts, sector) => {
        calls.push(sector);
        return texts.map((text) => Float32Array.from({ length: 64 }, (_, i) => Math.sin(text.length + i)));
      },
    };
    for (const tier of ['smart', 'deep']) {
      const embedder = new MemoryEmbedder(embeddingConfigFromEnv({ OM_TIER: tier, OM_EMBEDDINGS: 'openai', OM_VEC_DIM: '256' }), provider);
      const inputs = goldenInputs(1);
      const expected = comparable(await buildMemoryRows(inputs, embedder));
      calls.length = 0;
      expect(comparable(await pool(embedder, 2).buildMemoryRows(inputs))).toEqual(expected);
      expect(calls.length).toBeGreaterThan(0);
    }
  });

  it('refuses a number of workers that is not a whole number above 0', () => {
    const embedder = new MemoryEmbedder(embeddingConfigFromEnv({}));
    expect(() => new RowPool(embedder, 0)).toThrow(/workers must be a whole number above 0/);
    expect(() => new RowPool(embedder, 1.5)).toThrow(/workers must be a whole number above 0/);
  });
});

/** A deterministic pseudo-random user: vectors of a few directions (so similarities tie), some missing, some of another length. */
function randomNodes(count: number, seed: number): WaypointNode[] {
  let state = seed;
  const next = (): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const directions = Array.from({ length: 5 }, () => Float32Array.from({ length: 64 }, () => next() - 0.5));
  return Array.from({ length: count }, (_, i) => {
    const roll = next();
    if (roll < 0.05) return { id: `n${i}`, meanVector: null };
    if (roll < 0.08) return { id: `n${i}`, meanVector: Float32Array.from({ length: 32 }, () => next()) };
    if (roll < 0.3) return { id: `n${i}`, meanVector: directions[i % 5]! };
    if (roll < 0.32) return { id: `n${i}`, meanVector: new Float32Array(64) };
    if (roll < 0.4) return { id: `n${i}`, meanVector: Float64Array.from({ length: 64 }, () => next() - 0.5) };
    return { id: `n${i}`, meanVector: Float32Array.from({ length: 64 }, () => next() - 0.5) };
  });
}

describe('waypoints on worker threads', () => {
  const embedder = new MemoryEmbedder(embeddingConfigFromEnv({}));

  it.each([2, 4])('a user split in slices over %i workers gets the waypoints the main thread chooses', async (workers) => {
    const nodes = randomNodes(3000, 11);
    const threads = pool(embedder, workers);
    for (const [window, from] of [[1000, 0], [1000, 1700], [100, 0], [100, 2345], [5000, 0], [1000, 2500], [1000, 2999], [1000, 3000]] as const) {
      expect({ window, from, waypoints: await threads.tenantWaypoints(nodes, window, from) }).toEqual({
        window,
        from,
        waypoints: tenantWaypoints(nodes, window, from),
      });
    }
  });

  it('small users (one task, or none for a handful of memories) get the same waypoints', async () => {
    const threads = pool(embedder, 2);
    for (const [count, from] of [[300, 0], [100, 0], [100, 60], [15, 0], [2, 0], [1, 0]] as const) {
      const nodes = randomNodes(count, 5);
      expect({ count, from, waypoints: await threads.tenantWaypoints(nodes, 1000, from) }).toEqual({ count, from, waypoints: tenantWaypoints(nodes, 1000, from) });
    }
  });
});
