// A Supermemory snapshot read from disk (`--from-file`): Supermemory has no export format of its own, so the file
// must be the JSONL `--save-export` wrote. Each line is an envelope (supermemory-records.ts), turned into the same
// item the live run produced; the header names the account, so the memories are the same ones. One partition.
// With `--user-id`, only the named container tags' lines are read (the others are not reported either).
import path from 'node:path';
import { requireSnapshot, snapshotLines, type SnapshotHeader } from '../../src/pipeline/snapshot.js';
import type { Partition, Source, SourceItem } from '../../src/records.js';
import { aliasesOfImported, isObject, supermemoryItem } from './supermemory-records.js';

export interface SupermemorySnapshotFileOptions {
  /** Only these container tags (`(untagged)` names the documents without one), as with the API. */
  tags?: readonly string[] | undefined;
}

export class SupermemorySnapshotFile implements Source {
  readonly name = 'supermemory';
  readonly filtersByUpdateTime = false;
  /** What this run was asked to read (see `Source.scope`). */
  readonly scope: Readonly<Record<string, unknown>>;
  private readonly header: SnapshotHeader;
  private readonly named: ReadonlySet<string> | null;

  constructor(
    private readonly file: string,
    options: SupermemorySnapshotFileOptions = {},
  ) {
    this.header = requireSnapshot(file, 'supermemory');
    const tags = options.tags && options.tags.length > 0 ? [...options.tags].sort() : null;
    this.named = tags ? new Set(tags) : null;
    this.scope = { tags: tags ?? 'all' };
  }

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

  async *items(): AsyncIterable<SourceItem> {
    for await (const line of snapshotLines(this.file)) {
      if ('problem' in line) yield { type: 'skipped', skipped: { sourceId: null, tenantKey: null, reason: line.problem, kind: 'malformed' }, raw: line.text };
      else if (this.named === null || !isObject(line.raw) || this.named.has(String(line.raw['tag']))) yield supermemoryItem(line.raw);
    }
  }
}
