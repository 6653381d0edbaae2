// A Mem0 export read from disk: JSON as Mem0's export or `getAll` gives it (an array, `{results}` or `{memories}`),
// or the JSONL snapshot `--save-export` writes (one wire memory per line). Either is streamed: one memory at a time
// is parsed, so a file of any size is never held whole. The backup of Mem0's OpenMemory app (its zip, or the
// memories.json in it) is one user's and is read whole (mem0-openmemory-backup.ts). Rows of a self-hosted server's
// vector store (`{id, payload}`, a pgvector dump) are read as its API shapes them. The file is one partition; with
// `--user-id`, only the named users' memories are read (the others are not fetched, so not reported either).
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../src/errors.js';
import { jsonArrayElements, JsonArrayNotFound, type JsonArrayOptions } from '../../src/pipeline/json-array-stream.js';
import { requireFile, snapshotHeader, snapshotLines } from '../../src/pipeline/snapshot.js';
import type { Partition, Source, SourceItem } from '../../src/records.js';
import { looksLikeOpenMemoryBackup, openMemoryBackupMemories } from './mem0-openmemory-backup.js';
import { isObject, mem0Item, mem0ReadPolicy, mem0TenantKey, type Mem0ReadPolicy } from './mem0-memory.js';

/** Where a JSON export keeps its memories when it is an object (as `mem0MemoryList` reads a listing answer). */
const memoryListKeys = ['results', 'memories'];

export class Mem0ExportFile implements Source {
  readonly name = 'mem0';
  readonly filtersByUpdateTime = false;

  /** What this run was asked to read (see `Source.scope`). */
  readonly scope: Readonly<Record<string, unknown>>;
  /** The tenants to read (`--user-id`: user ids, or `agent:<id>`, `app:<id>`, `run:<id>`); null reads every one. */
  private readonly named: ReadonlySet<string> | null;

  constructor(
    private readonly file: string,
    userIds: readonly string[] = [],
    /** How the JSON is read (a tiny `chunkSize` in tests). */
    private readonly reading: Pick<JsonArrayOptions, 'chunkSize' | 'maxElementChars'> = {},
    /** Which marked (expired, superseded) memories to import. */
    private readonly policy: Mem0ReadPolicy = mem0ReadPolicy(),
  ) {
    requireFile(file);
    this.named = userIds.length > 0 ? new Set(userIds) : null;
    this.scope = { users: userIds.length > 0 ? [...userIds].sort() : 'all', include: [...policy.include].sort() };
  }

  /**
   * A snapshot written by --save-export names the account it was fetched from, so an offline re-run maps to the
   * same memories as the online one. Any other file is an account of its own, named by the file's name (not its
   * folder: the same export moved elsewhere still maps to the same memories).
   */
  async account(): Promise<string> {
    return snapshotHeader(this.file)?.account ?? `file ${path.basename(this.file)}`;
  }

  async *partitions(): AsyncIterable<Partition> {
    yield { key: `file:${path.basename(this.file)}`, tenantKey: null };
  }

  async *items(): AsyncIterable<SourceItem> {
    if (this.file.endsWith('.jsonl') || this.file.endsWith('.ndjson')) {
      yield* this.jsonLines();
      return;
    }
    const lower = this.file.toLowerCase();
    if (lower.endsWith('.gz')) {
      throw new UsageError(`--from-file ${this.file}: a gzipped file; om-import reads the zip of Mem0's OpenMemory app (its memories.jsonl.gz names no user), or JSON and JSONL uncompressed`);
    }
    if (lower.endsWith('.zip') || looksLikeOpenMemoryBackup(fileHead(this.file))) {
      for (const raw of openMemoryBackupMemories(this.file)) if (this.wanted(raw)) yield mem0Item(raw, this.policy);
      return;
    }
    // The top-level array, or the first of `results` and `memories` in the file that is one. A byte order mark is
    // dropped; an element that cannot be read is reported, as a line of a snapshot is.
    // Listing pages saved one after another (`{…results…}{…results…}`) are read in turn.
    const elements = jsonArrayElements(this.file, { ...this.reading, keys: memoryListKeys, concatenated: true });
    try {
      for await (const element of elements) {
        // (A problem that is no element — the file cut short between two — has no text to save with --save-export.)
        if ('problem' in element) yield { type: 'skipped', skipped: { sourceId: null, tenantKey: null, reason: element.problem, kind: 'malformed' }, raw: element.text || undefined };
        else for (const raw of fileMemories(element.value)) if (this.wanted(raw)) yield mem0Item(raw, this.policy);
      }
    } catch (error) {
      if (!(error instanceof JsonArrayNotFound)) throw error;
      if (error.notJson) throw new UsageError(`--from-file ${this.file} is not valid JSON (${error.message}); JSONL files must end in .jsonl`);
      throw new UsageError(
        `--from-file ${this.file}: expected an array of Mem0 memories, or an object with "results" or "memories" (a saved listing), ` +
          "a snapshot (.jsonl) --save-export wrote, or the backup of Mem0's OpenMemory app (.zip, or its memories.json). " +
          'A Platform "memory export" (POST /v1/exports/, the dashboard\'s Memory Exports) is a summary shaped by your schema, without memory ids or times, and cannot be imported: ' +
          'read the account with om-import mem0 (add --save-export DIR to keep a file)',
      );
    }
  }

  private async *jsonLines(): AsyncIterable<SourceItem> {
    for await (const line of snapshotLines(this.file)) {
      if ('problem' in line) yield { type: 'skipped', skipped: { sourceId: null, tenantKey: null, reason: line.problem, kind: 'malformed' }, raw: line.text };
      else for (const raw of fileMemories(line.raw)) if (this.wanted(raw)) yield mem0Item(raw, this.policy);
    }
  }

  /** Whether a wire memory belongs to a named tenant (every memory when none is named; a non-object is reported). */
  private wanted(raw: unknown): boolean {
    return this.named === null || !isObject(raw) || this.named.has(mem0TenantKey(raw) ?? '');
  }
}

/** The first 4 KiB of a file, as text (to tell what kind of JSON it holds before streaming it). */
function fileHead(file: string): string {
  const descriptor = openSync(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    return head.subarray(0, readSync(descriptor, head, 0, head.length, 0)).toString('utf8');
  } finally {
    closeSync(descriptor);
  }
}

/**
 * The wire memories of one element of a file's array (or one line of a JSONL file): the element itself; in saved
 * listing pages (`[{count, next, previous, results: […]}, …]`, what a script that keeps every `getAll` page writes),
 * the page's `results`; a row of a self-hosted server's vector store (`{id, payload}`), as the server shapes it.
 * A memory is neither: it has its text in `memory`.
 */
function fileMemories(element: unknown): unknown[] {
  if (!isObject(element) || 'memory' in element) return [element];
  if (Array.isArray(element['results'])) return element['results'];
  if (isObject(element['payload'])) return [vectorStoreMemory(element['id'], element['payload'])];
  return [element];
}

/**
 * Payload keys a self-hosted server's listing puts at the top of a memory (mem0 `_get_all_from_vector_store`): the
 * first always (null when the payload lacks them), the others when present.
 */
const alwaysPromotedKeys = ['hash', 'created_at', 'updated_at'];
const promotedPayloadKeys = [...alwaysPromotedKeys, 'user_id', 'agent_id', 'run_id', 'actor_id', 'role', 'attributed_to', 'expiration_date'];
/** Payload keys that are neither: the text, and the library's own search index. */
const internalPayloadKeys = new Set(['data', 'text_lemmatized']);

/**
 * A vector-store row (pgvector's `memories` table: `id`, `payload` jsonb) as `GET /memories` would answer it: the
 * text from `data`, owner ids and times at the top, every other key in `metadata` — so a dump of the store imports
 * onto the same memories an API run made.
 */
function vectorStoreMemory(id: unknown, payload: Record<string, unknown>): Record<string, unknown> {
  const memory: Record<string, unknown> = { id, memory: payload['data'] };
  for (const key of promotedPayloadKeys) if (key in payload || alwaysPromotedKeys.includes(key)) memory[key] = payload[key] ?? null;
  const metadata = Object.fromEntries(Object.entries(payload).filter(([key]) => !internalPayloadKeys.has(key) && !promotedPayloadKeys.includes(key)));
  return Object.keys(metadata).length > 0 ? { ...memory, metadata } : memory;
}
