// Canonical tokens, ported from OpenMemory 1.2.3 `utils/text.ts` (canonical_tokens_from_text).

const synonymGroups: readonly (readonly string[])[] = [
  ['prefer', 'like', 'love', 'enjoy', 'favor'],
  ['theme', 'mode', 'style', 'layout'],
  ['meeting', 'meet', 'session', 'call', 'sync'],
  ['dark', 'night', 'black'],
  ['light', 'bright', 'day'],
  ['user', 'person', 'people', 'customer'],
  ['task', 'todo', 'job'],
  ['note', 'memo', 'reminder'],
  ['time', 'schedule', 'when', 'date'],
  ['project', 'initiative', 'plan'],
  ['issue', 'problem', 'bug'],
  ['document', 'doc', 'file'],
  ['question', 'query', 'ask'],
];

/** word → the canonical (first) word of its synonym group. */
const canonicalSynonym = new Map<string, string>();
for (const group of synonymGroups) {
  const canonical = group[0] as string;
  for (const word of group) canonicalSynonym.set(word, canonical);
}

const stemRules: readonly [RegExp, string][] = [
  [/ies$/, 'y'],
  [/ing$/, ''],
  [/ers?$/, 'er'],
  [/ed$/, ''],
  [/s$/, ''],
];

/** Raw tokens: runs of ASCII letters and digits, lower-cased. */
export function rawTokens(text: string): string[] {
  const matches = text.match(/[a-z0-9]+/gi);
  return matches ? matches.map((token) => token.toLowerCase()) : [];
}

// upstream: stem_token
export function stem(token: string): string {
  if (token.length <= 3) return token;
  for (const [pattern, replacement] of stemRules) {
    if (pattern.test(token)) {
      const stemmed = token.replace(pattern, replacement);
      if (stemmed.length >= 3) return stemmed;
    }
  }
  return token;
}

// upstream: canonicalize_token
export function canonicalToken(token: string): string {
  const lower = token.toLowerCase();
  const direct = canonicalSynonym.get(lower);
  if (direct !== undefined) return direct;
  const stemmed = stem(lower);
  return canonicalSynonym.get(stemmed) ?? stemmed;
}

/** The canonical tokens of a text, in order, with duplicates (upstream: canonical_tokens_from_text). */
export function canonicalTokenList(text: string): string[] {
  const tokens: string[] = [];
  for (const raw of rawTokens(text)) {
    const canonical = canonicalToken(raw);
    if (canonical.length > 1) tokens.push(canonical);
  }
  return tokens;
}

/** The canonical tokens of a text as an insertion-ordered set (upstream: canonical_token_set). */
export function canonicalTokenSet(text: string): Set<string> {
  return new Set(canonicalTokenList(text));
}
