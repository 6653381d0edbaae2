// Vector arithmetic OpenMemory applies after embedding: chunk means, the mean vector, the 128-d compression,
// cosine similarity, and the float32 little-endian storage format.
import os from 'node:os';
import { sectorConfigs, type Sector } from './sectors.js';
import { normalizeInPlace } from './synthetic-embedding.js';

export type Vector = Float32Array | Float64Array;

/** Element-wise mean in double precision (upstream: the chunk averaging in embed_multi_sector). */
export function averageVectors(vectors: readonly Vector[]): Float64Array {
  const first = vectors[0];
  if (!first) throw new Error('averageVectors needs at least one vector');
  const sum = new Float64Array(first.length);
  for (const vector of vectors) for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (vector[i] as number);
  for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) / vectors.length;
  return sum;
}

/**
 * The mean of a memory's sector vectors, weighted by softmax(2 × sector weight) (upstream: calc_mean_vec), in a new
 * vector or in `into` when it has their length.
 */
export function meanVector(sectorVectors: ReadonlyMap<Sector, Vector>, into?: Float64Array): Float64Array {
  let first: Vector | undefined;
  for (const vector of sectorVectors.values()) { first = vector; break; }
  if (!first) throw new Error('meanVector needs at least one sector vector');
  let weightSum = 0;
  for (const sector of sectorVectors.keys()) weightSum += Math.exp(2 * sectorConfigs[sector].weight);
  const mean = into?.length === first.length ? into.fill(0) : new Float64Array(first.length);
  for (const [sector, vector] of sectorVectors) {
    const weight = Math.exp(2 * sectorConfigs[sector].weight) / weightSum;
    for (let i = 0; i < mean.length; i++) mean[i] = (mean[i] as number) + weight * (vector[i] as number);
  }
  let sumOfSquares = 0;
  for (let i = 0; i < mean.length; i++) sumOfSquares += (mean[i] as number) * (mean[i] as number);
  const norm = Math.sqrt(sumOfSquares) + 1e-8;
  for (let i = 0; i < mean.length; i++) mean[i] = (mean[i] as number) / norm;
  return mean;
}

/** Bucket-averages a vector down to `size` components and normalises it (upstream: compress_vec). */
export function compressVector(vector: Vector, size = 128): Float32Array {
  const compressed = new Float32Array(size);
  const length = vector.length;
  for (let bucket = 0; bucket < size; bucket++) {
    const start = Math.floor((bucket * length) / size);
    const end = Math.floor(((bucket + 1) * length) / size);
    let sum = 0;
    for (let i = start; i < end; i++) sum += vector[i] as number;
    compressed[bucket] = end > start ? sum / (end - start) : 0;
  }
  normalizeInPlace(compressed);
  return compressed;
}

/** Cosine similarity in double precision over the given components (upstream: cos_sim). */
export function cosineSimilarity(a: Vector, b: Vector): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  if (normA === 0 || normB === 0) return 0;
  return dot / (Math.sqrt(normA) * Math.sqrt(normB));
}

/** Whether typed arrays are little-endian here, as OpenMemory's stored vectors are (x86, ARM: yes). */
const littleEndian = os.endianness() === 'LE';

/**
 * float32 little-endian bytes, as OpenMemory stores `vectors.v`, `mean_vec` and `compressed_vec`, in a buffer of their
 * own.
 */
export function float32Bytes(vector: Vector): Buffer {
  return storeFloat32(vector, new ArrayBuffer(vector.length * 4), 0);
}

/**
 * Writes `vector` at `offset` of `buffer` in that format and answers those bytes. On a little-endian machine a
 * Float32Array's own bytes are those (`writeFloatLE` rounds through a Float32Array too).
 */
function storeFloat32(vector: Vector, buffer: ArrayBuffer, offset: number): Buffer {
  if (littleEndian) {
    new Float32Array(buffer, offset, vector.length).set(vector); // each value rounded to float32
  } else {
    const view = new DataView(buffer, offset, vector.length * 4);
    for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i] as number, true);
  }
  return Buffer.from(buffer, offset, vector.length * 4);
}

/** Where a vector's bytes are in `Float32Storage.buffers`. */
export interface ByteSpan {
  buffer: number;
  offset: number;
  length: number;
}

/**
 * Many vectors stored as `float32Bytes` stores each, carved out of a few shared buffers of `chunkBytes` instead of
 * one allocation per vector: a batch of memories' vectors are a handful of buffers to move to another thread, and
 * not thousands of small ones for the garbage collector (in a row thread, those piled up to ~40 MiB of its memory
 * between collections).
 */
export class Float32Storage {
  readonly buffers: ArrayBuffer[] = [];
  private readonly indexes = new Map<ArrayBufferLike, number>();
  private current: ArrayBuffer | null = null;
  private used = 0;

  constructor(private readonly chunkBytes = 64 * 1024) {}

  /** The vector's float32 little-endian bytes, stored here. */
  bytesOf(vector: Vector): Buffer {
    const length = vector.length * 4;
    if (!this.current || this.used + length > this.current.byteLength) {
      this.current = new ArrayBuffer(Math.max(this.chunkBytes, length));
      this.indexes.set(this.current, this.buffers.length);
      this.buffers.push(this.current);
      this.used = 0;
    }
    const offset = this.used;
    this.used += length;
    return storeFloat32(vector, this.current, offset);
  }

  /** Where bytes this storage gave are. */
  spanOf(bytes: Buffer): ByteSpan {
    const buffer = this.indexes.get(bytes.buffer);
    if (buffer === undefined) throw new Error('Float32Storage.spanOf: bytes not stored here');
    return { buffer, offset: bytes.byteOffset, length: bytes.byteLength };
  }
}

export function float32FromBytes(bytes: Uint8Array): Float32Array {
  if (littleEndian) return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const vector = new Float32Array(bytes.length / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < vector.length; i++) vector[i] = view.getFloat32(i * 4, true);
  return vector;
}
