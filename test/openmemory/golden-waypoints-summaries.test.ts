import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify, embeddedSectors, type Sector } from '../../src/openmemory/sectors.js';
import { MemoryEmbedder } from '../../src/openmemory/embedder.js';
import { embeddingConfigFromEnv } from '../../src/openmemory/embedding-config.js';
import { float32Bytes, float32FromBytes, meanVector } from '../../src/openmemory/vectors.js';
import { tenantWaypoints } from '../../src/openmemory/waypoints.js';
import { generateUserSummary } from '../../src/openmemory/user-summary.js';
import { fixturePath } from '../support/fixtures.js';

const readJson = <T>(name: string): T => JSON.parse(readFileSync(fixturePath('openmemory', 'golden', name), 'utf8')) as T;

describe('golden waypoints', () => {
  const golden = readJson<{
    inputs: { content: string; metadata: { seq: number }; user_id: string }[];
    waypoints: { seq: number; user_id: string; dst_seq: number; weight: number }[];
  }>('waypoints.json');

  it('reproduces every stored memory’s waypoint target and weight, per user', async () => {
    const embedder = new MemoryEmbedder(embeddingConfigFromEnv({}));
    const stored = new Set(golden.waypoints.map((w) => w.seq));
    const byUser = new Map<string, { id: string; meanVector: Float32Array }[]>();
    for (const input of golden.inputs.filter((i) => stored.has(i.metadata.seq))) {
      const classification = classify(input.content, input.metadata, '1.2');
      const [vectors] = await embedder.embed([{ text: input.content, sectors: embeddedSectors(classification) }]);
      const node = { id: String(input.metadata.seq), meanVector: float32FromBytes(float32Bytes(meanVector(vectors!))) };
      byUser.set(input.user_id, [...(byUser.get(input.user_id) ?? []), node]);
    }
    const actual = new Map<number, { target: number; weight: number; user: string }>();
    for (const [user, nodes] of byUser) {
      for (const waypoint of tenantWaypoints(nodes)) {
        actual.set(Number(waypoint.sourceId), { target: Number(waypoint.targetId), weight: waypoint.weight, user });
      }
    }
    expect(actual.size).toBe(golden.waypoints.length);
    for (const expected of golden.waypoints) {
      const got = actual.get(expected.seq)!;
      expect({ seq: expected.seq, target: got.target, user: got.user }).toEqual({ seq: expected.seq, target: expected.dst_seq, user: expected.user_id });
      expect(got.weight).toBeCloseTo(expected.weight, 6);
    }
  });
});

describe('golden user summaries', () => {
  const golden = readJson<
    {
      user_id: string;
      now: number;
      summary: string;
      memories: { content: string; primary_sector: Sector; salience: number; created_at: number; updated_at: number }[];
    }[]
  >('user-summaries.json');

  it.each(golden.map((entry) => [entry.user_id, entry] as const))('%s', (_user, entry) => {
    const memories = entry.memories.map((m) => ({
      content: m.content,
      primarySector: m.primary_sector,
      salience: m.salience,
      createdAt: m.created_at,
      updatedAt: m.updated_at,
    }));
    expect(generateUserSummary(memories, entry.now)).toBe(entry.summary);
  });
});
