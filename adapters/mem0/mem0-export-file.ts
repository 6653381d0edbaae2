// A Mem0 export read from disk: JSON as Mem0's export or `getAll` gives it (an array, `{results}` or `{memories}`),
// or the JSONL snapshot `--save-export` writes (one wire memory per line). The file is one partition; with
// `--user-id`, only the named users' memories are read (the others are not fetched, so not reported either).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../src/errors.js';
import { requireFile, snapshotHeader, snapshotLines } from '../../src/pipeline/snapshot.js';
import type { Partition, Source, SourceItem } from '../../src/records.js';
import { isObject, mem0Item, mem0MemoryList, mem0TenantKey } from './mem0-memory.js';

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
  ) {
    requireFile(file);
    this.named = userIds.length > 0 ? new Set(userIds) : null;
    this.scope = { users: userIds.length > 0 ? [...userIds].sort() : 'all' };
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
    let body: unknown;
    try {
      // A byte order mark (as some Windows tools write) is not JSON, but says nothing about the content: dropped.
      body = JSON.parse(readFileSync(this.file, 'utf8').replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new UsageError(`--from-file ${this.file} is not valid JSON (${(error as Error).message}); JSONL files must end in .jsonl`);
    }
    const list = mem0MemoryList(body);
    if (!list) throw new UsageError(`--from-file ${this.file}: expected an array of Mem0 memories, or an object with "results" or "memories"`);
    for (const raw of list.memories) if (this.wanted(raw)) yield mem0Item(raw);
  }

  private async *jsonLines(): AsyncIterable<SourceItem> {
    for await (const line of snapshotLines(this.file)) {
      if ('problem' in line) yield { type: 'skipped', skipped: { sourceId: null, tenantKey: null, reason: line.problem }, raw: line.text };
      else if (this.wanted(line.raw)) yield mem0Item(line.raw);
    }
  }

  /** Whether a wire memory belongs to a named tenant (every memory when none is named; a non-object is reported). */
  private wanted(raw: unknown): boolean {
    return this.named === null || !isObject(raw) || this.named.has(mem0TenantKey(raw) ?? '');
  }
}
