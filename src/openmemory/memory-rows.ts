// Everything OpenMemory's ingestion (add_hsg_memory) computes for one memory, for many memories at a time.
// No I/O: the caller assigns the segment and writes the rows; waypoints and summaries are computed per user later.
import type { MemoryEmbedder } from './embedder.js';
import { classify, embeddedSectors, initialSalience, isSector, sectorConfigs, type Classification, type Sector } from './sectors.js';
import { simhash } from './simhash.js';
import { compressVector, Float32Storage, meanVector } from './vectors.js';

export interface MemoryInput {
  id: string;
  userId: string;
  /** What `memories.content` stores. */
  content: string;
  /** The text rows are computed from when it differs from `content` (OM_USE_SUMMARY_ONLY stores an essence). */
  sourceText?: string;
  tags: readonly string[];
  /** Stored as `meta`; its `sector` key, when it names a sector, forces the classification as upstream. */
  meta: Readonly<Record<string, unknown>>;
  createdAt: number;
  updatedAt: number;
}

export interface VectorRow {
  sector: Sector;
  /** float32 little-endian */
  bytes: Buffer;
  dimension: number;
}

export interface MemoryRows {
  id: string;
  userId: string;
  content: string;
  simhash: string;
  primarySector: Sector;
  /** JSON text, as OpenMemory's list endpoints require. */
  tags: string;
  meta: string;
  createdAt: number;
  updatedAt: number;
  lastSeenAt: number;
  salience: number;
  decayLambda: number;
  meanDimension: number;
  meanVector: Buffer;
  compressedVector: Buffer | null;
  vectors: VectorRow[];
}

export async function buildMemoryRows(inputs: readonly MemoryInput[], embedder: MemoryEmbedder): Promise<MemoryRows[]> {
  const computed = await computeRows(inputs.map(rowSource), embedder);
  return inputs.map((input, i) => memoryRows(input, computed[i] as ComputedRows));
}

/** What row computation reads of a memory: its text, and the sector its meta forces (upstream reads no other key). */
export interface RowSource {
  text: string;
  forcedSector: Sector | null;
}

/** The rows' fields computed from a memory's text: the part worker threads compute (see row-pool.ts). */
export interface ComputedRows {
  simhash: string;
  primarySector: Sector;
  salience: number;
  decayLambda: number;
  meanVector: Buffer;
  compressedVector: Buffer | null;
  vectors: VectorRow[];
}

export function rowSource(input: MemoryInput): RowSource {
  const forced = input.meta['sector'];
  return { text: input.sourceText ?? input.content, forcedSector: isSector(forced) ? forced : null };
}

/**
 * The rows' fields of each memory, memory by memory: its vectors are computed into the same few vectors each time
 * and stored at once in `storage` (a row thread moves its buffers to the main thread).
 */
export async function computeRows(sources: readonly RowSource[], embedder: MemoryEmbedder, storage = new Float32Storage()): Promise<ComputedRows[]> {
  const version = embedder.config.openMemoryVersion;
  const classifications = sources.map((source) => classify(source.text, source.forcedSector === null ? null : { sector: source.forcedSector }, version));
  const vectorsOf = await embedder.sectorVectorsByIndex(
    sources.map((source, i) => ({ text: source.text, sectors: embeddedSectors(classifications[i] as Classification) })),
    true,
  );
  let mean: Float64Array | undefined;
  return sources.map((source, i) => {
    const classification = classifications[i] as Classification;
    const sectorVectors = vectorsOf(i); // valid until the next memory's: stored below
    mean = meanVector(sectorVectors, mean);
    return {
      simhash: simhash(source.text),
      primarySector: classification.primary,
      salience: initialSalience(classification),
      decayLambda: sectorConfigs[classification.primary].decayLambda,
      meanVector: storage.bytesOf(mean),
      compressedVector: embedder.config.tier === 'smart' && mean.length > 128 ? storage.bytesOf(compressVector(mean, 128)) : null,
      vectors: [...sectorVectors].map(([sector, vector]) => ({ sector, bytes: storage.bytesOf(vector), dimension: vector.length })),
    };
  });
}

/** A memory's rows: its stored fields with what was computed from its text. */
export function memoryRows(input: MemoryInput, computed: ComputedRows): MemoryRows {
  return {
    id: input.id,
    userId: input.userId,
    content: input.content,
    simhash: computed.simhash,
    primarySector: computed.primarySector,
    tags: JSON.stringify(input.tags),
    meta: JSON.stringify(input.meta),
    createdAt: input.createdAt,
    updatedAt: input.updatedAt,
    lastSeenAt: input.updatedAt,
    salience: computed.salience,
    decayLambda: computed.decayLambda,
    meanDimension: computed.meanVector.length / 4,
    meanVector: computed.meanVector,
    compressedVector: computed.compressedVector,
    vectors: computed.vectors,
  };
}
