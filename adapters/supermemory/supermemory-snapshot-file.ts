// A Supermemory snapshot read from disk (`--from-file`): Supermemory has no export format of its own, so the file
// must be the JSONL `--save-export` wrote. Each line is an envelope (supermemory-records.ts), turned into the same
// item the live run produced; the header names the account, so the memories are the same ones. One partition.
// With `--user-id`, only the named container tags' lines are read (the others are not reported either).
import path from 'node:path';
import { requireSnapshot, snapshotLines, type SnapshotHeader } from '../../src/pipeline/snapshot.js';
import type { Partition, Source, SourceItem } from '../../src/records.js';
import { supermemoryIncludeChoices, type SupermemoryInclude } from './supermemory-listing.js';
import { aliasesOfImported, isObject, supermemoryItem, type MultiTagPolicy } from './supermemory-records.js';

export interface SupermemorySnapshotFileOptions {
  /** Only these container tags (`(untagged)` names the documents without one), as with the API. */
  tags?: readonly string[] | undefined;
  /** What to read of each tag, as with the API (default all). */
  include?: readonly SupermemoryInclude[] | undefined;
  /** A document in several tags, as with the API: overrides what the live run saved with each line. */
  multiTag?: MultiTagPolicy | undefined;
}

/** Which `--include` family each kind of snapshot line belongs to. */
const includedAs: Readonly<Record<string, SupermemoryInclude>> = { document: 'documents', memory: 'memories', profile: 'profile' };

export class SupermemorySnapshotFile implements Source {
  readonly name = 'supermemory';
  readonly filtersByUpdateTime = false;
  /** What this run was asked to read (see `Source.scope`). */
  readonly scope: Readonly<Record<string, unknown>>;
  private readonly header: SnapshotHeader;
  private readonly named: ReadonlySet<string> | null;

  constructor(
    private readonly file: string,
    private readonly options: SupermemorySnapshotFileOptions = {},
  ) {
    this.header = requireSnapshot(file, 'supermemory');
    const tags = options.tags && options.tags.length > 0 ? [...options.tags].sort() : null;
    this.named = tags ? new Set(tags) : null;
    this.include = new Set(options.include ?? supermemoryIncludeChoices);
    this.scope = { file: path.basename(file), tags: tags ?? 'all', include: [...this.include].sort(), multiTag: options.multiTag ?? 'as saved' };
  }

  private readonly include: ReadonlySet<SupermemoryInclude>;

  describeApi(): string {
    return `snapshot saved ${this.header.saved_at}`;
  }

  aliasesOfImported = aliasesOfImported;

  async account(): Promise<string> {
    return this.header.account;
  }

  async *partitions(): AsyncIterable<Partition> {
    yield { key: `file:${path.basename(this.file)}`, tenantKey: null };
  }

  /** A line of a named tag (or any, with none named) and of an included kind; anything else is read, to be skipped with its reason. */
  private wanted(raw: unknown): boolean {
    if (!isObject(raw)) return true;
    if (this.named !== null && !this.named.has(String(raw['tag']))) return false;
    const family = includedAs[String(raw['supermemory'])];
    return family === undefined || this.include.has(family);
  }

  async *items(): AsyncIterable<SourceItem> {
    for await (const line of snapshotLines(this.file)) {
      if ('problem' in line) yield { type: 'skipped', skipped: { sourceId: null, tenantKey: null, reason: line.problem, kind: 'malformed' }, raw: line.text };
      else if (this.wanted(line.raw)) yield supermemoryItem(this.options.multiTag && isObject(line.raw) ? { ...line.raw, multiTag: this.options.multiTag } : line.raw);
    }
  }
}
