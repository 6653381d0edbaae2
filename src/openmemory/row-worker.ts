// A worker thread of the row pool (row-pool.ts). It runs the very code the main thread runs (computeRows,
// waypointChoices), so a result is the same byte for byte wherever it was computed; what it adds is only the packing:
// every vector of a task in one buffer, moved back to the main thread rather than copied.
import { parentPort } from 'node:worker_threads';
import { MemoryEmbedder } from './embedder.js';
import type { EmbeddingConfig } from './embedding-config.js';
import { computeRows, type RowSource } from './memory-rows.js';
import type { Sector } from './sectors.js';
import { waypointChoices } from './waypoints.js';

/** Rows of a batch of memories. Only the synthetic embedder runs here: the config must not use a remote provider. */
export interface RowsTask {
  kind: 'rows';
  config: EmbeddingConfig;
  sources: RowSource[];
}

/** Where a vector's float32 little-endian bytes are in `PackedRows.bytes`. */
export interface ByteSpan {
  offset: number;
  length: number;
}

export interface PackedMemory {
  simhash: string;
  primarySector: Sector;
  salience: number;
  decayLambda: number;
  meanVector: ByteSpan;
  compressedVector: ByteSpan | null;
  vectors: { sector: Sector; span: ByteSpan; dimension: number }[];
}

/** A `RowsTask`'s result: the memories in the order given, their vectors back to back in one buffer. */
export interface PackedRows {
  bytes: ArrayBuffer;
  memories: PackedMemory[];
}

/**
 * The waypoints of memories `from` on of a slice of one user's memories, which starts with (up to) a window of the
 * memories before them. `lengths[i]` is memory i's mean vector length in `values` (back to back), -1 for none.
 */
export interface WaypointsTask {
  kind: 'waypoints';
  values: Float64Array;
  lengths: Int32Array;
  window: number;
  from: number;
}

/** Targets are indexes into the task's slice. */
export interface WaypointChoices {
  targets: Int32Array;
  weights: Float64Array;
}

export type RowTask = RowsTask | WaypointsTask;
export type RowTaskResult = PackedRows | WaypointChoices;

export interface TaskMessage {
  id: number;
  task: RowTask;
}

export type ResultMessage = { id: number; result: RowTaskResult } | { id: number; error: unknown };

export async function runTask(task: RowTask): Promise<{ result: RowTaskResult; transfer: ArrayBuffer[] }> {
  if (task.kind === 'rows') {
    const result = await packedRows(task);
    return { result, transfer: [result.bytes] };
  }
  const result = choices(task);
  return { result, transfer: [result.targets.buffer as ArrayBuffer, result.weights.buffer as ArrayBuffer] };
}

async function packedRows(task: RowsTask): Promise<PackedRows> {
  const computed = await computeRows(task.sources, new MemoryEmbedder(task.config));
  let size = 0;
  for (const rows of computed) {
    size += rows.meanVector.length + (rows.compressedVector?.length ?? 0);
    for (const vector of rows.vectors) size += vector.bytes.length;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  const place = (buffer: Buffer): ByteSpan => {
    bytes.set(buffer, offset);
    offset += buffer.length;
    return { offset: offset - buffer.length, length: buffer.length };
  };
  const memories = computed.map((rows) => ({
    simhash: rows.simhash,
    primarySector: rows.primarySector,
    salience: rows.salience,
    decayLambda: rows.decayLambda,
    meanVector: place(rows.meanVector),
    compressedVector: rows.compressedVector ? place(rows.compressedVector) : null,
    vectors: rows.vectors.map((vector) => ({ sector: vector.sector, span: place(vector.bytes), dimension: vector.dimension })),
  }));
  return { bytes: bytes.buffer, memories };
}

function choices(task: WaypointsTask): WaypointChoices {
  const vectors: (Float64Array | null)[] = [];
  let offset = 0;
  for (const length of task.lengths) {
    vectors.push(length < 0 ? null : task.values.subarray(offset, offset + length));
    offset += Math.max(0, length);
  }
  return waypointChoices(vectors, task.window, task.from);
}

parentPort?.on('message', (message: TaskMessage) => {
  runTask(message.task).then(
    ({ result, transfer }) => parentPort!.postMessage({ id: message.id, result } satisfies ResultMessage, transfer),
    (error: unknown) => parentPort!.postMessage({ id: message.id, error } satisfies ResultMessage),
  );
});
