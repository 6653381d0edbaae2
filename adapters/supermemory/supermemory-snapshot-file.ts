// A Supermemory snapshot read from disk (`--from-file`): Supermemory has no export format of its own, so the file
// must be the JSONL `--save-export` wrote. Each line is an envelope (supermemory-records.ts), turned into the same
// item the live run produced; the header names the account, so the memories are the same ones. One partition.
import path from 'node:path';
import { requireSnapshot, snapshotLines, type SnapshotHeader } from '../../src/pipeline/snapshot.js';
import type { Partition, Source, SourceItem } from '../../src/records.js';
import { supermemoryItem } from './supermemory-records.js';

export class SupermemorySnapshotFile implements Source {
  readonly name = 'supermemory';
  readonly filtersByUpdateTime = false;
  private readonly header: SnapshotHeader;

  constructor(private readonly file: string) {
    this.header = requireSnapshot(file, 'supermemory');
  }

  describeApi(): string {
    return `snapshot saved ${this.header.saved_at}`;
  }

  async account(): Promise<string> {
    return this.header.account;
  }

  async *partitions(): AsyncIterable<Partition> {
    yield { key: `file:${path.basename(this.file)}`, tenantKey: null };
  }

  async *items(): AsyncIterable<SourceItem> {
    for await (const line of snapshotLines(this.file)) {
      if ('problem' in line) yield { type: 'skipped', skipped: { sourceId: null, tenantKey: null, reason: line.problem }, raw: line.text };
      else yield supermemoryItem(line.raw);
    }
  }
}
