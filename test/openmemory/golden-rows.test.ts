import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify, initialSalience, isSector, sectorConfigs, type Sector } from '../../src/openmemory/sectors.js';
import { simhash } from '../../src/openmemory/simhash.js';
import { chunkText } from '../../src/openmemory/chunking.js';
import { essence } from '../../src/openmemory/essence.js';
import { MemoryEmbedder } from '../../src/openmemory/embedder.js';
import { computeRows } from '../../src/openmemory/memory-rows.js';
import { embeddingConfigFromEnv } from '../../src/openmemory/embedding-config.js';
import { float32Bytes, float32FromBytes, meanVector } from '../../src/openmemory/vectors.js';
import type { OpenMemoryVersion } from '../../src/openmemory/openmemory-version.js';
import { fixturePath } from '../support/fixtures.js';

interface GoldenRow {
  case: number;
  text: string;
  metadata: Record<string, unknown> | null;
  tier: string;
  dim: number;
  classification: { primary: Sector; additional: Sector[]; confidence: number };
  simhash: string;
  chunks: unknown[];
  initial_salience: number;
  decay_lambda: number;
  vectors: Record<string, string>;
  mean_vec: string;
  essence_200: string;
}

function readGolden(file: string): GoldenRow[] {
  return readFileSync(fixturePath('openmemory', 'golden', file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as GoldenRow);
}

function maxAbsDiff(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let max = 0;
  for (let i = 0; i < actual.length; i++) max = Math.max(max, Math.abs((actual[i] as number) - (expected[i] as number)));
  return max;
}

/** Each golden file, with the version whose own code wrote it (1.3.0's: scripts/openmemory-1.3.0/golden-rows.mjs). */
const files: [string, OpenMemoryVersion][] = [
  ['rows-hybrid-256.jsonl', '1.2'],
  ['rows-hybrid-300.jsonl', '1.2'],
  ['rows-smart-384.jsonl', '1.2'],
  ['rows-deep-1536.jsonl', '1.2'],
  ['rows-1.3.0-hybrid-1536.jsonl', '1.3'],
  ['rows-1.3.0-hybrid-256.jsonl', '1.3'],
];

describe.each(files)('golden rows %s (OpenMemory %s)', (file, version) => {
  const rows = readGolden(file);
  const { tier, dim } = rows[0] as GoldenRow;
  const embedder = new MemoryEmbedder(
    embeddingConfigFromEnv({ OM_TIER: tier, OM_VEC_DIM: String(dim), OM_EMBEDDINGS: 'synthetic', OM_IMPORT_OPENMEMORY: version }),
  );

  it('has cases', () => expect(rows.length).toBeGreaterThan(40));

  it.each(rows.map((row) => [row.case, row] as const))('case %i: classification, simhash, salience, chunks', (_case, row) => {
    const classification = classify(row.text, row.metadata, version);
    expect(classification).toEqual(row.classification);
    expect(simhash(row.text)).toBe(row.simhash);
    expect(initialSalience(classification)).toBeCloseTo(row.initial_salience, 12);
    expect(sectorConfigs[classification.primary].decayLambda).toBe(row.decay_lambda);
    expect(chunkText(row.text)).toHaveLength(row.chunks.length);
    // OpenMemory 1.2.3 answers '' when no sentence fits; om-import keeps a prefix instead (see essence()).
    expect(essence(row.text, 200)).toBe(row.essence_200 === '' ? row.text.slice(0, 200) : row.essence_200);
  });

  it.each(rows.map((row) => [row.case, row] as const))('case %i: sector vectors and mean vector', async (_case, row) => {
    const classification = classify(row.text, row.metadata, version);
    const [vectors] = await embedder.embed([{ text: row.text, sectors: [classification.primary, ...classification.additional] }]);
    expect([...vectors!.keys()].sort()).toEqual(Object.keys(row.vectors).sort());
    for (const [sector, vector] of vectors!) {
      const expectedBytes = Buffer.from(row.vectors[sector] as string, 'base64');
      expect(maxAbsDiff(float32FromBytes(float32Bytes(vector)), float32FromBytes(expectedBytes))).toBeLessThanOrEqual(1e-6);
      expect(float32Bytes(vector).equals(expectedBytes)).toBe(true); // in fact bit for bit
    }
    const meanBytes = float32Bytes(meanVector(vectors!));
    expect(maxAbsDiff(float32FromBytes(meanBytes), float32FromBytes(Buffer.from(row.mean_vec, 'base64')))).toBeLessThanOrEqual(1e-6);
    expect(meanBytes.equals(Buffer.from(row.mean_vec, 'base64'))).toBe(true);
  });

  it('computeRows of all the cases in one batch (each computed in the vectors of the one before) stores the same bytes', async () => {
    const sources = rows.map((row) => ({ text: row.text, forcedSector: isSector(row.metadata?.['sector']) ? (row.metadata['sector'] as Sector) : null }));
    const computed = await computeRows(sources, embedder);
    computed.forEach((memory, i) => {
      const row = rows[i] as GoldenRow;
      expect(memory.simhash).toBe(row.simhash);
      expect(memory.primarySector).toBe(row.classification.primary);
      expect(memory.meanVector.toString('base64')).toBe(row.mean_vec);
      expect(Object.fromEntries(memory.vectors.map((vector) => [vector.sector, vector.bytes.toString('base64')]))).toEqual(row.vectors);
    });
  });
});

describe('OpenMemory 1.3.0 against 1.2.3 on the same inputs', () => {
  const older = readGolden('rows-hybrid-256.jsonl');
  const newer = readGolden('rows-1.3.0-hybrid-256.jsonl');

  it("1.3.0's default configuration is the dimension its golden rows were written at", () => {
    const config = embeddingConfigFromEnv({ OM_IMPORT_OPENMEMORY: '1.3' });
    expect(config.dimension).toBe((readGolden('rows-1.3.0-hybrid-1536.jsonl')[0] as GoldenRow).dim);
    expect(config.dimension).toBe(1536);
    expect(embeddingConfigFromEnv({}).dimension).toBe(256);
  });

  it('classifies the cases where the two differ as each version does, and the rest alike', () => {
    const changed = newer.slice(0, older.length).filter((row, i) => row.classification.primary !== older[i]?.classification.primary).map((row) => row.case);
    expect(changed).toEqual([2, 23, 32, 39]); // as VERSIONS.md §4 measured: 4 of the ASCII cases
    for (const row of older) expect(classify(row.text, row.metadata, '1.2')).toEqual(row.classification);
    for (const row of newer.slice(0, older.length)) expect(classify(row.text, row.metadata, '1.3')).toEqual(row.classification);
  });

  it('moves three of the twelve Mem0 facts to another sector', () => {
    const facts = newer.slice(older.length);
    expect(facts).toHaveLength(12);
    const moved = facts.filter((row) => classify(row.text, row.metadata, '1.2').primary !== row.classification.primary);
    expect(moved.map((row) => [row.text, row.classification.primary])).toEqual([
      ['Went to Paris last month', 'episodic'],
      ['Feels stressed about the deadline', 'emotional'],
      ['Planning a trip to Japan next week', 'episodic'],
    ]);
  });
});
