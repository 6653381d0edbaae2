// Row building and waypoint selection on worker threads (row-worker.ts), the main thread keeping the I/O.
// Work goes out in batches: a batch of memories' texts split evenly over the workers, a user's memories in slices that
// each carry the window of history before them; vectors come back in a few moved (not copied) buffers per batch. Every
// result is computed by the main thread's own code, so it is the same byte for byte for any number of workers.
// With one worker there is no thread at all: the main thread runs today's code.
import { existsSync } from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import pLimit from 'p-limit';
import type { MemoryEmbedder } from './embedder.js';
import { usesProvider } from './embedding-config.js';
import { buildMemoryRows, memoryRows, rowSource, type MemoryInput, type MemoryRows } from './memory-rows.js';
import type { PackedRows, ResultMessage, RowTask, RowTaskResult, TaskMessage, WaypointChoices, WaypointsTask } from './row-worker.js';
import type { ByteSpan } from './vectors.js';
import { tenantWaypoints, waypointCandidateWindow, type Waypoint, type WaypointNode } from './waypoints.js';

/** The worker, compiled: present when this module is compiled too (dist/), absent beside its TypeScript source. */
const workerBeside = new URL('./row-worker.js', import.meta.url);

/** Each thread's young generation (V8's default is several times larger). */
const youngGenerationMiB = 4;
/** Below this many memories a batch is not split further (a task costs a message each way). */
const minimumRowsPerTask = 32;
/**
 * Memories whose waypoints one task decides: a few tasks per worker for a user of any size, so that the workers
 * finish together, and at most a few windows' worth, so that a slice's history (one window) stays a small part of it.
 * Fewer than `smallest` are decided on the main thread.
 */
const waypointSlice = { smallest: 16, minimum: 256, maximum: 2000, perWorker: 4 };

/**
 * The number of workers by default: the machine's cores. When this module runs from its TypeScript source (the
 * tests), 1: threads would run the worker `npm run build` compiled, which may be older than the source; a test that
 * wants threads asks for them.
 */
export function defaultWorkers(): number {
  return existsSync(workerBeside) ? os.availableParallelism() : 1;
}

export class RowPool {
  private readonly threads: ThreadPool | null;

  /**
   * `workers` (default: the machine's cores) counts the main thread, which parses, fingerprints and writes while rows
   * are built: rows, and small users' waypoints, go to `workers − 1` threads; a large user's waypoints, which the main
   * thread waits for, to `workers` threads. 1 computes everything on the main thread. Threads start as tasks need them.
   * (On 2 cores, rows on two threads beside the main thread were slower than on one: three busy threads for two cores,
   * and ~35 MiB more.) Rows of an embedder with a remote provider (OM_TIER smart/deep with OM_EMBEDDINGS openai/ollama)
   * are built on the main thread, which makes the remote calls; their waypoints still go to the threads.
   */
  constructor(
    private readonly embedder: MemoryEmbedder,
    workers = defaultWorkers(),
  ) {
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a whole number above 0, not ${workers}`);
    this.threads = workers > 1 ? new ThreadPool(workers) : null;
  }

  get workers(): number {
    return this.threads?.size ?? 1;
  }

  /** Threads that build rows beside the main thread. */
  private get rowThreadCount(): number {
    return Math.max(1, this.workers - 1);
  }

  /** The same as `buildMemoryRows(inputs, embedder)`. */
  async buildMemoryRows(inputs: readonly MemoryInput[]): Promise<MemoryRows[]> {
    const threads = this.threads;
    if (!threads || usesProvider(this.embedder.config) || inputs.length === 0) return buildMemoryRows(inputs, this.embedder);
    const perTask = Math.max(minimumRowsPerTask, Math.ceil(inputs.length / this.rowThreadCount));
    // The synthetic embedder reads the tier and dimensions only: no credential goes to the threads.
    const config = { ...this.embedder.config, openai: { ...this.embedder.config.openai, apiKey: undefined } };
    const tasks: Promise<MemoryRows[]>[] = [];
    for (let start = 0; start < inputs.length; start += perTask) {
      const slice = inputs.slice(start, start + perTask);
      const task: RowTask = { kind: 'rows', config, sources: slice.map(rowSource) };
      tasks.push(threads.run(task, [], this.rowThreadCount).then((result) => unpackRows(slice, result as PackedRows)));
    }
    return (await Promise.all(tasks)).flat();
  }

  /**
   * The same as `tenantWaypoints(nodes, window, from)`. A small user is one task on a row thread: its caller
   * (finalizing users) reads and writes other users meanwhile; only a handful of memories are not worth a message each
   * way. A large user is split in slices over all the threads.
   */
  async tenantWaypoints(nodes: readonly WaypointNode[], window = waypointCandidateWindow, from = 0): Promise<Waypoint[]> {
    const threads = this.threads;
    const count = nodes.length - from;
    if (!threads || count < waypointSlice.smallest) return tenantWaypoints(nodes, window, from);
    const large = count >= 2 * waypointSlice.minimum;
    const size = large
      ? Math.min(waypointSlice.maximum, Math.max(waypointSlice.minimum, Math.ceil(count / (threads.size * waypointSlice.perWorker))))
      : count;
    const threadLimit = large ? threads.size : this.rowThreadCount;
    // A slice's vectors are packed when it is sent: at most two slices per worker are in memory at once.
    const sending = pLimit(threads.size * 2);
    const slices: Promise<Waypoint[]>[] = [];
    for (let start = from; start < nodes.length; start += size) {
      const end = Math.min(nodes.length, start + size);
      slices.push(
        sending(async () => {
          const first = Math.max(0, start - window);
          const task = waypointsTask(nodes, first, end, window, start - first);
          const transfer = [task.values.buffer as ArrayBuffer, task.lengths.buffer as ArrayBuffer];
          const choices = (await threads.run(task, transfer, threadLimit)) as WaypointChoices;
          return Array.from(choices.targets, (target, i) => ({
            sourceId: (nodes[start + i] as WaypointNode).id,
            targetId: (nodes[first + target] as WaypointNode).id,
            weight: choices.weights[i] as number,
          }));
        }),
      );
    }
    return (await Promise.all(slices)).flat();
  }

  /** Stops the threads; tasks not finished are rejected. */
  async close(): Promise<void> {
    await this.threads?.close();
  }
}

/** Memories `first` to `end` (exclusive) of a user, their mean vectors as doubles back to back (float32 → double is exact). */
function waypointsTask(nodes: readonly WaypointNode[], first: number, end: number, window: number, from: number): WaypointsTask {
  const lengths = new Int32Array(end - first);
  let size = 0;
  for (let i = first; i < end; i++) {
    const vector = (nodes[i] as WaypointNode).meanVector;
    lengths[i - first] = vector ? vector.length : -1;
    size += vector ? vector.length : 0;
  }
  const values = new Float64Array(size);
  let offset = 0;
  for (let i = first; i < end; i++) {
    const vector = (nodes[i] as WaypointNode).meanVector;
    if (!vector) continue;
    values.set(vector, offset);
    offset += vector.length;
  }
  return { kind: 'waypoints', values, lengths, window, from };
}

/** Rows from a worker's packed result: buffers are views of the moved buffers, nothing is copied. */
function unpackRows(inputs: readonly MemoryInput[], packed: PackedRows): MemoryRows[] {
  const bytes = (span: ByteSpan): Buffer => Buffer.from(packed.buffers[span.buffer] as ArrayBuffer, span.offset, span.length);
  return packed.memories.map((memory, i) =>
    memoryRows(inputs[i] as MemoryInput, {
      simhash: memory.simhash,
      primarySector: memory.primarySector,
      salience: memory.salience,
      decayLambda: memory.decayLambda,
      meanVector: bytes(memory.meanVector),
      compressedVector: memory.compressedVector ? bytes(memory.compressedVector) : null,
      vectors: memory.vectors.map((vector) => ({ sector: vector.sector, bytes: bytes(vector.span), dimension: vector.dimension })),
    }),
  );
}

/**
 * The compiled worker beside this module (dist/src/openmemory/row-worker.js); when this module runs from its
 * TypeScript source (the tests), the one `npm run build` compiled, as threads cannot load TypeScript.
 */
function workerFile(): URL {
  if (existsSync(workerBeside)) return workerBeside;
  const compiled = new URL('../../dist/src/openmemory/row-worker.js', import.meta.url);
  if (existsSync(compiled)) return compiled;
  throw new Error(`the row worker ${workerBeside.pathname} is missing: run \`npm run build\``);
}

interface Job {
  message: TaskMessage;
  transfer: ArrayBuffer[];
  /** How many tasks may be running (this one included) when it starts. */
  threadLimit: number;
  resolve: (result: RowTaskResult) => void;
  reject: (error: unknown) => void;
}

/**
 * A fixed number of worker threads, started as tasks come, one task at a time each, the rest queued in order.
 * An idle thread does not keep the process alive.
 */
class ThreadPool {
  private readonly threads: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;
  private file: URL | null = null;

  constructor(readonly size: number) {}

  /** Runs the task once fewer than `threadLimit` tasks are running, on an idle thread or a new one. */
  run(task: RowTask, transfer: ArrayBuffer[], threadLimit = this.size): Promise<RowTaskResult> {
    if (this.closed) return Promise.reject(new Error('the row pool is closed'));
    try {
      this.file ??= workerFile();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ message: { id: this.nextId++, task }, transfer, threadLimit, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the row pool was closed'));
    const threads = this.threads.splice(0);
    this.idle.length = 0;
    await Promise.all(threads.map((thread) => thread.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      // The next job waits while as many threads as it may use are busy (whatever started them).
      if (this.running.size >= Math.min(this.size, (this.queue[0] as Job).threadLimit)) return;
      const thread = this.idle.pop() ?? (this.threads.length < this.size ? this.start() : undefined);
      if (!thread) return;
      const job = this.queue.shift() as Job;
      this.running.set(thread, job);
      thread.ref();
      thread.postMessage(job.message, job.transfer);
    }
  }

  private start(): Worker {
    // A task's garbage is short-lived: a small young generation keeps each thread's heap, and so the peak RSS, small
    // (about 15-20 MiB less per thread in the bench, at the same speed within its noise).
    const thread = new Worker(this.file as URL, { resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMiB } });
    this.threads.push(thread);
    thread.on('message', (message: ResultMessage) => {
      const job = this.running.get(thread);
      this.running.delete(thread);
      thread.unref();
      this.idle.push(thread);
      if ('error' in message) job?.reject(message.error);
      else job?.resolve(message.result);
      this.dispatch();
    });
    // A thread that fails outside a task, or exits, is replaced by the next dispatch; its task fails.
    const lost = (error: unknown): void => {
      const job = this.running.get(thread);
      this.running.delete(thread);
      remove(this.threads, thread);
      remove(this.idle, thread);
      job?.reject(error);
      if (!this.closed) this.dispatch();
    };
    thread.on('error', lost);
    thread.on('exit', (code) => lost(new Error(`a row worker thread exited (code ${code})`)));
    return thread;
  }
}

function remove<T>(list: T[], item: T): void {
  const index = list.indexOf(item);
  if (index >= 0) list.splice(index, 1);
}
