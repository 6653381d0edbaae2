// Embeds memories per sector as OpenMemory does (upstream: embed_multi_sector), but many texts at a time.
import { chunkText } from './chunking.js';
import { type EmbeddingConfig, usesProvider } from './embedding-config.js';
import type { Sector } from './sectors.js';
import { normalizeInPlace, syntheticEmbedding } from './synthetic-embedding.js';
import { averageVectors, compressVector, type Vector } from './vectors.js';

/** A remote model that embeds many texts of one sector per call (OpenAI-compatible, Ollama, …). */
export interface TextEmbeddingProvider {
  /** The model name recorded in `embed_logs`. */
  modelFor(sector: Sector): string;
  embedTexts(texts: readonly string[], sector: Sector): Promise<Float32Array[]>;
}

export interface EmbeddingRequest {
  text: string;
  sectors: readonly Sector[];
}

/** A memory's vectors by sector, before rounding to float32 (the mean vector is computed from these). */
export type SectorVectors = Map<Sector, Vector>;

export class MemoryEmbedder {
  constructor(
    readonly config: EmbeddingConfig,
    private readonly provider?: TextEmbeddingProvider,
  ) {
    if (usesProvider(config) && !provider) {
      throw new Error(`OM_EMBEDDINGS=${config.provider} with OM_TIER=${config.tier} needs an embedding provider`);
    }
  }

  /** What `embed_logs.model` records for these rows. */
  get modelName(): string {
    return usesProvider(this.config) && this.provider ? this.provider.modelFor('semantic') : 'synthetic';
  }

  /** Each memory's vectors by sector, in vectors of its own. */
  async embed(requests: readonly EmbeddingRequest[]): Promise<SectorVectors[]> {
    const vectorsOf = await this.sectorVectorsByIndex(requests);
    return requests.map((_, index) => vectorsOf(index));
  }

  /**
   * Makes the batch's remote calls (one per sector), then answers what computes memory `index`'s vectors. With
   * `reuse`, a one-chunk text's synthetic vectors are written over the same vector per sector at each call, and are
   * valid until the next call only: for a caller that stores them at once (computeRows), no vector is allocated per
   * memory.
   */
  async sectorVectorsByIndex(requests: readonly EmbeddingRequest[], reuse = false): Promise<(index: number) => SectorVectors> {
    const chunked = requests.map((request) => ({ chunks: chunkText(request.text), sectors: request.sectors }));
    const remote = usesProvider(this.config) ? await this.embedRemotely(chunked) : undefined;
    const reused = new Map<Sector, Float32Array>();
    const reusedFor = (sector: Sector): Float32Array => {
      let vector = reused.get(sector);
      if (!vector) reused.set(sector, (vector = new Float32Array(this.config.dimension)));
      return vector;
    };
    return (index) => {
      const { chunks, sectors } = chunked[index] as { chunks: string[]; sectors: readonly Sector[] };
      const vectors: SectorVectors = new Map();
      for (const sector of sectors) {
        if (chunks.length === 1) {
          const chunk = chunks[0] as string;
          vectors.set(sector, this.combine(chunk, sector, remote?.get(remoteKey(sector, chunk)), reuse ? reusedFor(sector) : undefined));
        } else {
          vectors.set(sector, averageVectors(chunks.map((chunk) => this.combine(chunk, sector, remote?.get(remoteKey(sector, chunk))))));
        }
      }
      return vectors;
    };
  }

  /** A chunk's vector for a sector; its synthetic part written into `into` when given. */
  private combine(chunk: string, sector: Sector, remoteVector: Float32Array | undefined, into?: Float32Array): Vector {
    const { tier, dimension } = this.config;
    if (!remoteVector) return syntheticEmbedding(chunk, sector, dimension, into);
    if (tier === 'deep') return remoteVector;
    // smart tier: 0.6 × synthetic ⧺ 0.4 × compress(remote, 128), normalised (upstream: gen_emb_smart).
    const synthetic = syntheticEmbedding(chunk, sector, dimension, into);
    const compressed = compressVector(remoteVector, 128);
    const fused = new Float64Array(dimension + 128);
    for (let i = 0; i < dimension; i++) fused[i] = 0.6 * (synthetic[i] as number);
    for (let i = 0; i < 128; i++) fused[dimension + i] = 0.4 * (compressed[i] as number);
    normalizeInPlace(fused);
    return fused;
  }

  /** One provider call per sector for all distinct chunk texts of the batch. */
  private async embedRemotely(chunked: readonly { chunks: string[]; sectors: readonly Sector[] }[]): Promise<Map<string, Float32Array>> {
    const textsBySector = new Map<Sector, Set<string>>();
    for (const { chunks, sectors } of chunked) {
      for (const sector of sectors) {
        let texts = textsBySector.get(sector);
        if (!texts) textsBySector.set(sector, (texts = new Set()));
        for (const chunk of chunks) texts.add(chunk);
      }
    }
    const result = new Map<string, Float32Array>();
    const provider = this.provider as TextEmbeddingProvider;
    await Promise.all(
      [...textsBySector].map(async ([sector, texts]) => {
        const list = [...texts];
        const vectors = await provider.embedTexts(list, sector);
        list.forEach((text, i) => result.set(remoteKey(sector, text), vectors[i] as Float32Array));
      }),
    );
    return result;
  }
}

function remoteKey(sector: Sector, text: string): string {
  return `${sector}\u0000${text}`;
}
