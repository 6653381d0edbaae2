// Ollama embeddings as OpenMemory requests them (`POST {url}/api/embeddings`, one prompt per request; the batch
// endpoint /api/embed normalises vectors and so would not give OpenMemory's), many requests in flight.
import { SourceError } from '../errors.js';
import type { HttpClient } from '../http/http-client.js';
import type { TextEmbeddingProvider } from '../openmemory/embedder.js';
import type { Sector } from '../openmemory/sectors.js';

export class OllamaEmbeddings implements TextEmbeddingProvider {
  constructor(
    private readonly http: HttpClient,
    private readonly model: string,
    private readonly dimension: number,
  ) {}

  modelFor(): string {
    return this.model;
  }

  async embedTexts(texts: readonly string[], sector: Sector): Promise<Float32Array[]> {
    return Promise.all(texts.map((prompt, i) => this.embedOne(prompt, sector, i)));
  }

  /** Truncated or zero-padded to the configured dimension, as upstream. */
  private async embedOne(prompt: string, sector: Sector, position: number): Promise<Float32Array> {
    const body = await this.http.json({
      method: 'POST',
      path: '/api/embeddings',
      body: { model: this.model, prompt },
      context: { page: `${sector} text ${position + 1}` },
    });
    const embedding = (body as { embedding?: unknown } | null)?.embedding;
    if (!Array.isArray(embedding) || !embedding.every((x) => typeof x === 'number')) {
      throw new SourceError(`embeddings: Ollama ${this.model} answered no embedding`, { source: 'embeddings' });
    }
    const vector = new Float32Array(this.dimension);
    vector.set((embedding as number[]).slice(0, this.dimension));
    return vector;
  }
}
