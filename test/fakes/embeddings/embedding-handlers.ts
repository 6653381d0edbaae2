// Fake embedding endpoints: OpenAI-compatible `/embeddings` (batch input) and Ollama `/api/embeddings` (one prompt),
// answering deterministic vectors computed from the text.
import { http, HttpResponse, type RequestHandler } from 'msw';

/** The vector the fakes answer for a text: deterministic, not normalised. */
export function fakeEmbedding(text: string, dimension: number): number[] {
  let seed = 0;
  for (let i = 0; i < text.length; i++) seed = (Math.imul(seed, 31) + text.charCodeAt(i)) | 0;
  return Array.from({ length: dimension }, (_, i) => Math.sin(seed + i * 0.37) * 0.5);
}

export interface EmbeddingCalls {
  /** Input sizes of each OpenAI-compatible request, and the models asked for. */
  openai: { inputs: number; model: string; dimensions: number }[];
  ollama: number;
}

export function embeddingHandlers(calls: EmbeddingCalls, options: { apiKey?: string; ollamaDimension?: number } = {}): RequestHandler[] {
  return [
    // Ollama first: `*/embeddings` would match its path too.
    http.post('*/api/embeddings', async ({ request }) => {
      const body = (await request.json()) as { model: string; prompt: string };
      calls.ollama++;
      return HttpResponse.json({ embedding: fakeEmbedding(body.prompt, options.ollamaDimension ?? 768) });
    }),
    http.post('*/embeddings', async ({ request }) => {
      if (options.apiKey && request.headers.get('authorization') !== `Bearer ${options.apiKey}`) {
        return HttpResponse.json({ error: { message: 'Incorrect API key provided' } }, { status: 401 });
      }
      const body = (await request.json()) as { input: string | string[]; model: string; dimensions: number };
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      calls.openai.push({ inputs: inputs.length, model: body.model, dimensions: body.dimensions });
      return HttpResponse.json({
        object: 'list',
        model: body.model,
        data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text, body.dimensions) })),
        usage: { prompt_tokens: 0, total_tokens: 0 },
      });
    }),
  ];
}
