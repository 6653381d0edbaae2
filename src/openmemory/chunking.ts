// Long texts are embedded chunk by chunk, ported from OpenMemory 1.2.3 `utils/chunking.ts` (chunk_text).

const targetTokens = 768;
const charactersPerToken = 4;
const targetCharacters = targetTokens * charactersPerToken;
const overlapCharacters = Math.floor(targetCharacters * 0.1);

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / charactersPerToken);
}

/** Splits a text into the chunks OpenMemory embeds separately; short texts are one chunk. */
export function chunkText(text: string): string[] {
  if (estimateTokens(text) <= targetTokens) return [text];
  const chunks: string[] = [];
  let current = '';
  for (const paragraph of text.split(/\n\n+/)) {
    for (const sentence of paragraph.split(/(?<=[.!?])\s+/)) {
      const grown = current.length > 0 ? `${current} ${sentence}` : sentence;
      if (grown.length > targetCharacters && current.length > 0) {
        chunks.push(current);
        current = `${current.slice(-overlapCharacters)} ${sentence}`;
      } else {
        current = grown;
      }
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
