// The embedder OpenMemory's configuration asks for: synthetic, or a remote provider through the shared HTTP client.
import { UsageError } from '../errors.js';
import { HttpClient } from '../http/http-client.js';
import { MemoryEmbedder } from '../openmemory/embedder.js';
import { usesProvider, type EmbeddingConfig } from '../openmemory/embedding-config.js';
import { OllamaEmbeddings } from './ollama-embeddings.js';
import { OpenAiEmbeddings } from './openai-embeddings.js';

export interface EmbedderHandle {
  embedder: MemoryEmbedder;
  close(): Promise<void>;
}

/** `signal`: the run's interrupt, which cuts an embedding request in flight or a wait for one (see `HttpClientOptions`). */
export function createEmbedder(config: EmbeddingConfig, options: { concurrency?: number; requestsPerSecond?: number; signal?: AbortSignal } = {}): EmbedderHandle {
  if (!usesProvider(config)) return { embedder: new MemoryEmbedder(config), close: async () => undefined };
  const common = { requestsPerSecond: options.requestsPerSecond ?? 50, concurrency: options.concurrency ?? 4, signal: options.signal };
  switch (config.provider) {
    case 'openai': {
      if (!config.openai.apiKey && config.openai.baseUrl === 'https://api.openai.com/v1') {
        throw new UsageError('OM_EMBEDDINGS=openai needs OPENAI_API_KEY (or OM_OPENAI_API_KEY)');
      }
      const http = new HttpClient({
        source: 'embeddings',
        baseUrl: config.openai.baseUrl,
        headers: config.openai.apiKey ? { authorization: `Bearer ${config.openai.apiKey}` } : {},
        credentialHint: 'check OPENAI_API_KEY / OM_OPENAI_API_KEY',
        ...common,
      });
      const provider = new OpenAiEmbeddings({ http, model: config.openai.model, dimension: config.dimension });
      return { embedder: new MemoryEmbedder(config, provider), close: () => http.close() };
    }
    case 'ollama': {
      const http = new HttpClient({ source: 'embeddings', baseUrl: config.ollama.url, headers: {}, credentialHint: 'check OM_OLLAMA_URL', ...common });
      const provider = new OllamaEmbeddings(http, config.ollama.model, config.dimension);
      return { embedder: new MemoryEmbedder(config, provider), close: () => http.close() };
    }
    default:
      throw new UsageError(`OM_EMBEDDINGS=${config.provider} is not supported by om-import yet: use synthetic, openai or ollama`);
  }
}
