// The synthetic embedding, ported bit for bit from OpenMemory 1.2.3 `memory/embed.ts` (gen_syn_emb).
import { sectorConfigs, type Sector } from './sectors.js';
import { canonicalTokenList } from './tokens.js';

// A feature's key is `${sector}|${kind}|${text}`; its two hashes (upstream: fnv1a, and the murmur-style mix seeded
// with 0xdeadbeef) read it one character at a time, so they are fed here piece by piece — the key's prefix once per
// sector and kind, then the feature's text from the token itself — and the key is never built as a string. This runs
// a few hundred times per memory and sector.

/** Both hashes after a key's first characters. */
interface KeyHashes {
  fnv: number;
  mix: number;
}

let fnvState = 0;
let mixState = 0;

function feedCharacter(code: number): void {
  fnvState = Math.imul(fnvState ^ code, 16777619); // upstream: fnv1a
  mixState = Math.imul(mixState ^ code, 0x5bd1e995); // upstream: the seeded mix
  mixState = (mixState >>> 13) ^ mixState;
}

function feed(text: string, from = 0, to = text.length): void {
  for (let i = from; i < to; i++) feedCharacter(text.charCodeAt(i));
}

const featureKinds = ['tok', 'c3', 'c4', 'bi', 'tri', 'skip', 'len', 'dens'] as const;
type FeatureKind = (typeof featureKinds)[number];
const keyPrefixesBySector = new Map<Sector, Record<FeatureKind, KeyHashes>>();

/** Both hashes after each kind's key prefix `${sector}|${kind}|`, computed once per sector. */
function keyPrefixes(sector: Sector): Record<FeatureKind, KeyHashes> {
  let prefixes = keyPrefixesBySector.get(sector);
  if (!prefixes) {
    const hashed = {} as Record<FeatureKind, KeyHashes>;
    for (const kind of featureKinds) {
      fnvState = 0x811c9dc5 | 0;
      mixState = 0xdeadbeef | 0;
      feed(`${sector}|${kind}|`);
      hashed[kind] = { fnv: fnvState, mix: mixState };
    }
    keyPrefixesBySector.set(sector, (prefixes = hashed));
  }
  return prefixes;
}

function beginKey(prefix: KeyHashes): void {
  fnvState = prefix.fnv;
  mixState = prefix.mix;
}

/** `vector[index] += value`, rounding to float32 as a Float32Array does. */
function addAt(vector: Float32Array, index: number, value: number): void {
  vector[index] = (vector[index] as number) + value;
}

/** Adds the feature whose key was just fed to the vector (upstream: add_feat). */
function addFeature(vector: Float32Array, dimension: number, weight: number): void {
  const hash = fnvState >>> 0;
  const secondHash = mixState >>> 0;
  const value = hash & 1 ? -weight : weight;
  if ((dimension & (dimension - 1)) === 0) {
    addAt(vector, hash & (dimension - 1), value);
    addAt(vector, secondHash & (dimension - 1), value * 0.5);
  } else {
    addAt(vector, hash % dimension, value);
    addAt(vector, secondHash % dimension, value * 0.5);
  }
}

const underscore = '_'.charCodeAt(0);

// upstream: norm (in place, sum of squares in double precision)
export function normalizeInPlace(vector: Float32Array | Float64Array): void {
  let sumOfSquares = 0;
  for (let i = 0; i < vector.length; i++) sumOfSquares += (vector[i] as number) * (vector[i] as number);
  if (sumOfSquares === 0) return;
  const inverse = 1 / Math.sqrt(sumOfSquares);
  for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) * inverse;
}

/**
 * OpenMemory's deterministic, model-free embedding of a text for one sector (upstream: gen_syn_emb), in a new vector
 * or over the `dimension` values of `into`.
 */
export function syntheticEmbedding(text: string, sector: Sector, dimension: number, into?: Float32Array): Float32Array {
  const vector = into ?? new Float32Array(dimension);
  if (into) {
    if (into.length !== dimension) throw new RangeError(`syntheticEmbedding: a vector of ${into.length} values given for dimension ${dimension}`);
    into.fill(0);
  }
  const tokens = canonicalTokenList(text);
  if (tokens.length === 0) {
    vector.fill(1 / Math.sqrt(dimension));
    return vector;
  }

  // Upstream expands each distinct token with the canonical forms of its synonym group; those all
  // canonicalise to the token itself, so the expansion is exactly the distinct tokens.
  const expanded = [...new Set(tokens)];
  const counts = new Map<string, number>();
  for (const token of expanded) counts.set(token, (counts.get(token) ?? 0) + 1);
  const expandedLength = expanded.length;
  const sectorWeight = sectorConfigs[sector].syntheticWeight;
  const documentLengthLog = Math.log(1 + expandedLength);
  const prefix = keyPrefixes(sector);

  for (const [token, count] of counts) {
    const termFrequency = count / expandedLength;
    const inverseFrequency = Math.log(1 + expandedLength / count);
    const weight = (termFrequency * inverseFrequency + 1) * sectorWeight;
    beginKey(prefix.tok);
    feed(token);
    addFeature(vector, dimension, weight);
    for (let i = 0; i <= token.length - 3; i++) {
      beginKey(prefix.c3);
      feed(token, i, i + 3);
      addFeature(vector, dimension, weight * 0.4);
    }
    for (let i = 0; i <= token.length - 4; i++) {
      beginKey(prefix.c4);
      feed(token, i, i + 4);
      addFeature(vector, dimension, weight * 0.3);
    }
  }
  for (let i = 0; i < tokens.length - 1; i++) {
    const positionWeight = 1 / (1 + i * 0.1);
    beginKey(prefix.bi);
    feed(tokens[i]!);
    feedCharacter(underscore);
    feed(tokens[i + 1]!);
    addFeature(vector, dimension, 1.4 * sectorWeight * positionWeight);
  }
  for (let i = 0; i < tokens.length - 2; i++) {
    beginKey(prefix.tri);
    feed(tokens[i]!);
    feedCharacter(underscore);
    feed(tokens[i + 1]!);
    feedCharacter(underscore);
    feed(tokens[i + 2]!);
    addFeature(vector, dimension, sectorWeight);
  }
  for (let i = 0; i < Math.min(tokens.length - 2, 20); i++) {
    beginKey(prefix.skip);
    feed(tokens[i]!);
    feedCharacter(underscore);
    feed(tokens[i + 2]!);
    addFeature(vector, dimension, 0.7 * sectorWeight);
  }
  for (let i = 0; i < Math.min(tokens.length, 50); i++) {
    const index = i % dimension;
    const angle = i / Math.pow(10000, (2 * index) / dimension);
    addAt(vector, index, ((0.5 * sectorWeight) / documentLengthLog) * Math.sin(angle));
    addAt(vector, (index + 1) % dimension, ((0.5 * sectorWeight) / documentLengthLog) * Math.cos(angle));
  }
  beginKey(prefix.len);
  feed(String(Math.min(Math.floor(Math.log2(expandedLength + 1)), 10)));
  addFeature(vector, dimension, 0.6 * sectorWeight);
  beginKey(prefix.dens);
  feed(String(Math.floor((counts.size / expandedLength) * 10)));
  addFeature(vector, dimension, 0.5 * sectorWeight);
  normalizeInPlace(vector);
  return vector;
}
