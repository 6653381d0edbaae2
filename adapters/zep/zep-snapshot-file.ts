// A Zep snapshot written by `--save-export` read back with `--from-file`: Zep has no export format of its own.
// Each line is an envelope (zep-records.ts), turned into the same item the live run made of it; the header names
// the account, so an offline re-run lands on the same memories. The file is one partition.
import path from 'node:path';
import { requireSnapshot, snapshotLines } from '../../src/pipeline/snapshot.js';
import type { Partition, Source, SourceItem } from '../../src/records.js';
import { isObject, zepApiNames, zepItem, zepNamedOwner, zepTenantKey, type ZepApi, type ZepInclude } from './zep-records.js';

export interface ZepSnapshotFileOptions {
  include: readonly ZepInclude[];
  /** Only these tenants' records (their tenant keys: user ids, `user:<id>`, `thread:<id>`, `graph:<id>`), as with the API. */
  userIds?: readonly string[] | undefined;
}

export class ZepSnapshotFile implements Source {
  readonly name = 'zep';
  readonly filtersByUpdateTime = false;
  private readonly savedAccount: string;
  private api: ZepApi | null = null;

  constructor(
    private readonly file: string,
    private readonly options: ZepSnapshotFileOptions,
  ) {
    this.savedAccount = requireSnapshot(file, 'zep').account;
    const users = options.userIds && options.userIds.length > 0 ? [...options.userIds].sort() : 'all';
    this.scope = { file: path.basename(file), users, include: [...options.include].sort() };
  }

  /** What this run was asked to read: a run of another file, users or include neither resumes nor is resumed by it. */
  readonly scope: Readonly<Record<string, unknown>>;

  async account(): Promise<string> {
    return this.savedAccount;
  }

  /** `snapshot of Zep Cloud v3 (threads)`, once a line has said which API it was fetched from. */
  describeApi(): string {
    return this.api ? `snapshot of ${zepApiNames[this.api]}` : 'Zep snapshot';
  }

  async *partitions(): AsyncIterable<Partition> {
    yield { key: `file:${path.basename(this.file)}`, tenantKey: null };
  }

  async *items(): AsyncIterable<SourceItem> {
    const named = this.options.userIds && this.options.userIds.length > 0 ? new Set(this.options.userIds.map((name) => zepNamedOwner(name).tenantKey)) : null;
    for await (const line of snapshotLines(this.file)) {
      if ('problem' in line) {
        yield { type: 'skipped', skipped: { sourceId: null, tenantKey: null, reason: line.problem, kind: 'malformed' }, raw: line.text };
        continue;
      }
      if (isObject(line.raw)) {
        if (named && !named.has(zepTenantKey(line.raw) ?? '')) continue;
        if (this.api === null && typeof line.raw['api'] === 'string' && line.raw['api'] in zepApiNames) this.api = line.raw['api'] as ZepApi;
      }
      const item = zepItem(line.raw, { include: this.options.include });
      if (item) yield item;
    }
  }
}
