// A worker thread of the row pool (row-pool.ts). It runs the very code the main thread runs (computeRows,
// waypointChoices), so a result is the same byte for byte wherever it was computed; what it adds is only the packing:
// a task's vectors in a few buffers, moved back to the main thread rather than copied.
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { MemoryEmbedder } from './embedder.js';
import type { EmbeddingConfig } from './embedding-config.js';
import { computeRows, type RowSource } from './memory-rows.js';
import type { Sector } from './sectors.js';
import { Float32Storage, type ByteSpan } from './vectors.js';
import { waypointChoices } from './waypoints.js';

/** Rows of a batch of memories. Only the synthetic embedder runs here: the config must not use a remote provider. */
export interface RowsTask {
  kind: 'rows';
  config: EmbeddingConfig;
  sources: RowSource[];
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

/** A `RowsTask`'s result: the memories in the order given, their vectors in a few buffers (spans say where). */
export interface PackedRows {
  buffers: ArrayBuffer[];
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
  /** The task's own arrays, moved back (see runTask); nothing reads them. */
  spent?: { values: Float64Array; lengths: Int32Array };
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
    return { result, transfer: result.buffers };
  }
  const result: WaypointChoices = { ...choices(task), spent: { values: task.values, lengths: task.lengths } };
  // The task's vectors go back with the result: kept here, they would stay allocated until this thread's heap is
  // collected in full — it allocates little while deciding waypoints, so tens of MiB of them piled up per thread —
  // where the main thread frees them at its next scavenge.
  const buffers = [result.targets, result.weights, task.values, task.lengths].map((array) => array.buffer as ArrayBuffer);
  return { result, transfer: buffers };
}

async function packedRows(task: RowsTask): Promise<PackedRows> {
  const storage = new Float32Storage();
  const computed = await computeRows(task.sources, new MemoryEmbedder(task.config), storage);
  const memories = computed.map((rows) => ({
    simhash: rows.simhash,
    primarySector: rows.primarySector,
    salience: rows.salience,
    decayLambda: rows.decayLambda,
    meanVector: storage.spanOf(rows.meanVector),
    compressedVector: rows.compressedVector ? storage.spanOf(rows.compressedVector) : null,
    vectors: rows.vectors.map((vector) => ({ sector: vector.sector, span: storage.spanOf(vector.bytes), dimension: vector.dimension })),
  }));
  return { buffers: storage.buffers, memories };
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

/** How much lower than the main thread's a row thread's priority is (a nice value, added to the process's). */
export const rowThreadNiceness = 10;

/**
 * The main thread reads, fingerprints and writes — the import's critical path — and these threads only have to keep
 * ahead of it. Where a thread has a priority of its own (Linux: /proc/thread-self names it), this one lowers its
 * own, so that on a machine with few cores the main thread does not wait behind it (in the bench, on 2 cores, the
 * main thread waited ~1.1 s for a core per 100k memories, ~0.6 s after). Elsewhere, or when not allowed, nothing
 * changes.
 */
function lowerOwnPriority(): void {
  try {
    const thread = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(thread) || thread === process.pid) return; // never the whole process
    os.setPriority(thread, Math.min(19, os.getPriority(thread) + rowThreadNiceness));
  } catch {
    // no /proc/thread-self (not Linux), or no permission: the thread keeps the process's priority
  }
}

if (parentPort) lowerOwnPriority();

parentPort?.on('message', (message: TaskMessage) => {
  runTask(message.task).then(
    ({ result, transfer }) => parentPort!.postMessage({ id: message.id, result } satisfies ResultMessage, transfer),
    (error: unknown) => parentPort!.postMessage({ id: message.id, error } satisfies ResultMessage),
  );
});
