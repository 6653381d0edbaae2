// OpenAI-compatible embeddings (`POST {base}/embeddings`), many texts per request — OpenMemory sends one text per
// sector per memory; the vectors are the same.
import { SourceError } from '../errors.js';
import type { HttpClient } from '../http/http-client.js';
import type { TextEmbeddingProvider } from '../openmemory/embedder.js';
import type { Sector } from '../openmemory/sectors.js';

export interface OpenAiEmbeddingsOptions {
  http: HttpClient;
  /** OM_OPENAI_MODEL; without it, OpenMemory's per-sector defaults. */
  model: string | undefined;
  dimension: number;
  /** Texts per request. */
  batchSize?: number;
}

/** OpenMemory's default models per sector when OM_OPENAI_MODEL is not set. */
export function openAiModelFor(sector: Sector, configured: string | undefined): string {
  if (configured) return configured;
  return sector === 'reflective' ? 'text-embedding-3-large' : 'text-embedding-3-small';
}

export class OpenAiEmbeddings implements TextEmbeddingProvider {
  private readonly batchSize: number;

  constructor(private readonly options: OpenAiEmbeddingsOptions) {
    this.batchSize = options.batchSize ?? 64;
  }

  modelFor(sector: Sector): string {
    return openAiModelFor(sector, this.options.model);
  }

  async embedTexts(texts: readonly string[], sector: Sector): Promise<Float32Array[]> {
    const batches: string[][] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) batches.push(texts.slice(start, start + this.batchSize));
    const results = await Promise.all(batches.map((batch, i) => this.embedBatch(batch, sector, i)));
    return results.flat();
  }

  private async embedBatch(input: string[], sector: Sector, batchNumber: number): Promise<Float32Array[]> {
    const model = this.modelFor(sector);
    const body = await this.options.http.json({
      method: 'POST',
      path: '/embeddings',
      body: { input, model, dimensions: this.options.dimension },
      context: { page: `${sector} batch ${batchNumber + 1}` },
    });
    const data = (body as { data?: unknown } | null)?.data;
    if (!Array.isArray(data) || data.length !== input.length) {
      throw new SourceError(`embeddings: ${model} answered ${Array.isArray(data) ? data.length : 'no'} vectors for ${input.length} texts`, { source: 'embeddings' });
    }
    const vectors = new Array<Float32Array>(input.length);
    for (const [position, entry] of data.entries()) {
      const { embedding, index } = (entry ?? {}) as { embedding?: unknown; index?: unknown };
      if (!Array.isArray(embedding) || !embedding.every((x) => typeof x === 'number')) {
        throw new SourceError(`embeddings: ${model} answered an embedding that is not a list of numbers`, { source: 'embeddings' });
      }
      vectors[typeof index === 'number' ? index : position] = Float32Array.from(embedding as number[]);
    }
    return vectors;
  }
}
