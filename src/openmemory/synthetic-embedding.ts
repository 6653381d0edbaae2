// The synthetic embedding, ported bit for bit from OpenMemory 1.2.3 `memory/embed.ts` (gen_syn_emb).
import { sectorConfigs, type Sector } from './sectors.js';
import { canonicalTokenList } from './tokens.js';

// upstream: fnv1a
function fnv1a(key: string): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  return hash >>> 0;
}

// upstream: murmur-style mix with a seed
function mix(key: string, seed: number): number {
  let hash = seed | 0;
  for (let i = 0; i < key.length; i++) {
    hash = Math.imul(hash ^ key.charCodeAt(i), 0x5bd1e995);
    hash = (hash >>> 13) ^ hash;
  }
  return hash >>> 0;
}

/** `vector[index] += value`, rounding to float32 as a Float32Array does. */
function addAt(vector: Float32Array, index: number, value: number): void {
  vector[index] = (vector[index] as number) + value;
}

/** Adds one hashed feature to the vector (upstream: add_feat). */
function addFeature(vector: Float32Array, dimension: number, key: string, weight: number): void {
  const hash = fnv1a(key);
  const secondHash = mix(key, 0xdeadbeef);
  const value = hash & 1 ? -weight : weight;
  if ((dimension & (dimension - 1)) === 0) {
    addAt(vector, hash & (dimension - 1), value);
    addAt(vector, secondHash & (dimension - 1), value * 0.5);
  } else {
    addAt(vector, hash % dimension, value);
    addAt(vector, secondHash % dimension, value * 0.5);
  }
}

// upstream: norm (in place, sum of squares in double precision)
export function normalizeInPlace(vector: Float32Array | Float64Array): void {
  let sumOfSquares = 0;
  for (let i = 0; i < vector.length; i++) sumOfSquares += (vector[i] as number) * (vector[i] as number);
  if (sumOfSquares === 0) return;
  const inverse = 1 / Math.sqrt(sumOfSquares);
  for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) * inverse;
}

/** OpenMemory's deterministic, model-free embedding of a text for one sector (upstream: gen_syn_emb). */
export function syntheticEmbedding(text: string, sector: Sector, dimension: number): Float32Array {
  const vector = new Float32Array(dimension);
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

  for (const [token, count] of counts) {
    const termFrequency = count / expandedLength;
    const inverseFrequency = Math.log(1 + expandedLength / count);
    const weight = (termFrequency * inverseFrequency + 1) * sectorWeight;
    addFeature(vector, dimension, `${sector}|tok|${token}`, weight);
    if (token.length >= 3) {
      for (let i = 0; i <= token.length - 3; i++) addFeature(vector, dimension, `${sector}|c3|${token.slice(i, i + 3)}`, weight * 0.4);
    }
    if (token.length >= 4) {
      for (let i = 0; i <= token.length - 4; i++) addFeature(vector, dimension, `${sector}|c4|${token.slice(i, i + 4)}`, weight * 0.3);
    }
  }
  for (let i = 0; i < tokens.length - 1; i++) {
    const positionWeight = 1 / (1 + i * 0.1);
    addFeature(vector, dimension, `${sector}|bi|${tokens[i]}_${tokens[i + 1]}`, 1.4 * sectorWeight * positionWeight);
  }
  for (let i = 0; i < tokens.length - 2; i++) {
    addFeature(vector, dimension, `${sector}|tri|${tokens[i]}_${tokens[i + 1]}_${tokens[i + 2]}`, sectorWeight);
  }
  for (let i = 0; i < Math.min(tokens.length - 2, 20); i++) {
    addFeature(vector, dimension, `${sector}|skip|${tokens[i]}_${tokens[i + 2]}`, 0.7 * sectorWeight);
  }
  for (let i = 0; i < Math.min(tokens.length, 50); i++) {
    const index = i % dimension;
    const angle = i / Math.pow(10000, (2 * index) / dimension);
    addAt(vector, index, ((0.5 * sectorWeight) / documentLengthLog) * Math.sin(angle));
    addAt(vector, (index + 1) % dimension, ((0.5 * sectorWeight) / documentLengthLog) * Math.cos(angle));
  }
  addFeature(vector, dimension, `${sector}|len|${Math.min(Math.floor(Math.log2(expandedLength + 1)), 10)}`, 0.6 * sectorWeight);
  addFeature(vector, dimension, `${sector}|dens|${Math.floor((counts.size / expandedLength) * 10)}`, 0.5 * sectorWeight);
  normalizeInPlace(vector);
  return vector;
}
