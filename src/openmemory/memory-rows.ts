// Everything OpenMemory's ingestion (add_hsg_memory) computes for one memory, for many memories at a time.
// No I/O: the caller assigns the segment and writes the rows; waypoints and summaries are computed per user later.
import type { MemoryEmbedder } from './embedder.js';
import { classify, embeddedSectors, initialSalience, sectorConfigs, type Sector } from './sectors.js';
import { simhash } from './simhash.js';
import { compressVector, float32Bytes, float32FromBytes, meanVector } from './vectors.js';

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
  /** The stored mean vector read back as float32, for waypoints. */
  meanVectorValues: Float32Array;
  compressedVector: Buffer | null;
  vectors: VectorRow[];
}

export async function buildMemoryRows(inputs: readonly MemoryInput[], embedder: MemoryEmbedder): Promise<MemoryRows[]> {
  const texts = inputs.map((input) => input.sourceText ?? input.content);
  const classifications = inputs.map((input, i) => classify(texts[i] as string, input.meta));
  const embedded = await embedder.embed(
    inputs.map((_input, i) => ({ text: texts[i] as string, sectors: embeddedSectors(classifications[i] as ReturnType<typeof classify>) })),
  );
  return inputs.map((input, i) => {
    const classification = classifications[i] as ReturnType<typeof classify>;
    const sectorVectors = embedded[i] as Map<Sector, Float32Array | Float64Array>;
    const mean = meanVector(sectorVectors);
    const meanBytes = float32Bytes(mean);
    const compressed = embedder.config.tier === 'smart' && mean.length > 128 ? float32Bytes(compressVector(mean, 128)) : null;
    return {
      id: input.id,
      userId: input.userId,
      content: input.content,
      simhash: simhash(texts[i] as string),
      primarySector: classification.primary,
      tags: JSON.stringify(input.tags),
      meta: JSON.stringify(input.meta),
      createdAt: input.createdAt,
      updatedAt: input.updatedAt,
      lastSeenAt: input.updatedAt,
      salience: initialSalience(classification),
      decayLambda: sectorConfigs[classification.primary].decayLambda,
      meanDimension: mean.length,
      meanVector: meanBytes,
      meanVectorValues: float32FromBytes(meanBytes),
      compressedVector: compressed,
      vectors: [...sectorVectors].map(([sector, vector]) => ({ sector, bytes: float32Bytes(vector), dimension: vector.length })),
    };
  });
}
