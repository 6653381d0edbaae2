import { afterEach, describe, expect, it } from 'vitest';
import { createEmbedder } from '../../src/embeddings/index.js';
import { embeddingConfigFromEnv } from '../../src/openmemory/embedding-config.js';
import { classify, embeddedSectors } from '../../src/openmemory/sectors.js';
import { syntheticEmbedding, normalizeInPlace } from '../../src/openmemory/synthetic-embedding.js';
import { compressVector } from '../../src/openmemory/vectors.js';
import { embeddingHandlers, fakeEmbedding, type EmbeddingCalls } from '../fakes/embeddings/embedding-handlers.js';
import { serveHandlers, type ServedHandlers } from '../fakes/serve-handlers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function fakeProvider(options: { apiKey?: string; ollamaDimension?: number } = {}): Promise<{ served: ServedHandlers; calls: EmbeddingCalls }> {
  const calls: EmbeddingCalls = { openai: [], ollama: 0 };
  const served = await serveHandlers(embeddingHandlers(calls, options));
  cleanups.push(served.close);
  return { served, calls };
}

const texts = Array.from({ length: 150 }, (_, i) => `Memory ${i}: I feel happy about the marathon, then I think about the lesson ${i}`);

describe('remote embedding providers', () => {
  it('smart tier with an OpenAI-compatible endpoint: batched requests, 0.6 synthetic ⧺ 0.4 compressed remote, normalised', async () => {
    const { served, calls } = await fakeProvider({ apiKey: 'sk-test-not-real' });
    const config = embeddingConfigFromEnv({ OM_TIER: 'smart', OM_EMBEDDINGS: 'openai', OM_OPENAI_BASE_URL: `${served.url}/v1`, OPENAI_API_KEY: 'sk-test-not-real' });
    const handle = createEmbedder(config);
    cleanups.push(handle.close);
    const requests = texts.map((text) => ({ text, sectors: embeddedSectors(classify(text, null, '1.2')) }));
    const vectors = await handle.embedder.embed(requests);

    const sectorCount = requests.reduce((sum, request) => sum + request.sectors.length, 0);
    expect(sectorCount).toBeGreaterThan(texts.length);
    const totalInputs = calls.openai.reduce((sum, call) => sum + call.inputs, 0);
    expect(totalInputs).toBe(sectorCount);
    expect(calls.openai.length).toBeLessThan(sectorCount / 20); // batches, not one call per sector per memory
    expect(calls.openai.every((call) => call.dimensions === 384)).toBe(true);
    expect(new Set(calls.openai.map((call) => call.model))).toEqual(new Set(['text-embedding-3-small', 'text-embedding-3-large']));

    const [first] = vectors;
    const sector = requests[0]!.sectors[0]!;
    const expected = new Float64Array(384 + 128);
    const synthetic = syntheticEmbedding(texts[0]!, sector, 384);
    const compressed = compressVector(Float32Array.from(fakeEmbedding(texts[0]!, 384)), 128);
    for (let i = 0; i < 384; i++) expected[i] = 0.6 * synthetic[i]!;
    for (let i = 0; i < 128; i++) expected[384 + i] = 0.4 * compressed[i]!;
    normalizeInPlace(expected);
    expect(Array.from(first!.get(sector)!)).toEqual(Array.from(expected));
  });

  it('deep tier stores the provider’s own vectors', async () => {
    const { served } = await fakeProvider();
    const config = embeddingConfigFromEnv({ OM_TIER: 'deep', OM_EMBEDDINGS: 'openai', OM_OPENAI_BASE_URL: served.url, OM_OPENAI_MODEL: 'local-model' });
    const handle = createEmbedder(config);
    cleanups.push(handle.close);
    const [vectors] = await handle.embedder.embed([{ text: 'plain note', sectors: ['semantic'] }]);
    expect(Array.from(vectors!.get('semantic')!)).toEqual(Array.from(Float32Array.from(fakeEmbedding('plain note', 1536))));
    expect(handle.embedder.modelName).toBe('local-model');
  });

  it('Ollama: one prompt per request, truncated or zero-padded to OM_VEC_DIM', async () => {
    const { served, calls } = await fakeProvider({ ollamaDimension: 300 });
    const deep = createEmbedder(embeddingConfigFromEnv({ OM_TIER: 'deep', OM_EMBEDDINGS: 'ollama', OM_OLLAMA_URL: served.url, OM_VEC_DIM: '256' }));
    cleanups.push(deep.close);
    const [truncated] = await deep.embedder.embed([{ text: 'a b c', sectors: ['semantic', 'episodic'] }]);
    expect(calls.ollama).toBe(2);
    expect(Array.from(truncated!.get('semantic')!)).toEqual(Array.from(Float32Array.from(fakeEmbedding('a b c', 300).slice(0, 256))));

    const padded = createEmbedder(embeddingConfigFromEnv({ OM_TIER: 'deep', OM_EMBEDDINGS: 'ollama', OM_OLLAMA_URL: served.url, OM_VEC_DIM: '512' }));
    cleanups.push(padded.close);
    const [long] = await padded.embedder.embed([{ text: 'a b c', sectors: ['semantic'] }]);
    expect(long!.get('semantic')!.length).toBe(512);
    expect(Array.from(long!.get('semantic')!.slice(300))).toEqual(new Array(212).fill(0));
  });

  it('hybrid and fast tiers never call a provider; unsupported providers are a usage error', async () => {
    const config = embeddingConfigFromEnv({ OM_TIER: 'hybrid', OM_EMBEDDINGS: 'openai' });
    const handle = createEmbedder(config);
    const [vectors] = await handle.embedder.embed([{ text: 'note', sectors: ['semantic'] }]);
    expect(Array.from(vectors!.get('semantic')!)).toEqual(Array.from(syntheticEmbedding('note', 'semantic', 256)));
    expect(() => createEmbedder(embeddingConfigFromEnv({ OM_TIER: 'deep', OM_EMBEDDINGS: 'gemini' }))).toThrow(/not supported by om-import yet/);
    expect(() => embeddingConfigFromEnv({ OM_TIER: 'huge' })).toThrow(/OM_TIER=huge is not one of/);
  });
});
