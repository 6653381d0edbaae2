// OpenMemory's "essence": the sentences it keeps instead of a long text when OM_USE_SUMMARY_ONLY is on
// (upstream: extract_essence in memory/hsg.ts). om-import stores it only when the user asks, keeping the full text.

const monthDay = /\b(january|february|march|april|may|june|july|august|september|october|november|december)\s+\d+/i;
const amount = /\$\d+|\d+\s*(miles|dollars|years|months|km)/;
const properName = /\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+/;
const eventVerb =
  /\b(bought|purchased|serviced|visited|went|got|received|paid|earned|learned|discovered|found|saw|met|completed|finished|fixed|implemented|created|updated|added|removed|resolved)\b/i;
const questionWord = /\b(who|what|when|where|why|how)\b/i;
const firstPerson = /\b(I|my|me)\b/;

/** How much a sentence is worth keeping; `position` is its index in the text. */
function sentenceScore(sentence: string, position: number): number {
  let score = 0;
  if (position === 0) score += 10;
  if (position === 1) score += 5;
  if (/^#+\s/.test(sentence) || /^[A-Z][A-Z\s]+:/.test(sentence)) score += 8;
  if (/^[A-Z][a-z]+:/i.test(sentence)) score += 6;
  if (/\d{4}-\d{2}-\d{2}/.test(sentence)) score += 7;
  if (monthDay.test(sentence)) score += 5;
  if (amount.test(sentence)) score += 4;
  if (properName.test(sentence)) score += 3;
  if (eventVerb.test(sentence)) score += 4;
  if (questionWord.test(sentence)) score += 2;
  if (sentence.length < 80) score += 2;
  if (firstPerson.test(sentence)) score += 1;
  return score;
}

/**
 * The essence of `text` within `maxLength` characters: the first sentence, then the best-scoring others that fit,
 * in their original order. When nothing fits (one sentence longer than the limit) OpenMemory 1.2.3 answers an
 * empty string; om-import answers the text's first `maxLength` characters instead, as later upstream versions do.
 */
export function essence(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const sentences = text
    .split(/(?<=[.!?])\s+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 10);
  if (sentences.length === 0) return text.slice(0, maxLength);
  const ranked = sentences.map((sentence, position) => ({ sentence, position, score: sentenceScore(sentence, position) }));
  ranked.sort((a, b) => b.score - a.score);
  const selected: typeof ranked = [];
  let length = 0;
  const first = ranked.find((entry) => entry.position === 0);
  if (first && first.sentence.length < maxLength) {
    selected.push(first);
    length += first.sentence.length;
  }
  for (const entry of ranked) {
    if (entry.position === 0) continue;
    if (length + entry.sentence.length + 2 <= maxLength) {
      selected.push(entry);
      length += entry.sentence.length + 2;
    }
  }
  selected.sort((a, b) => a.position - b.position);
  return selected.map((entry) => entry.sentence).join(' ') || text.slice(0, maxLength);
}
