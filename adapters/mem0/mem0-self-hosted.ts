// The open-source Mem0 REST server (mem0ai/mem0 `server/`): no entity listing, so the users to read are named
// (--user-id, or the keys of --user-map); `GET /memories?user_id=…` answers `{results: [...]}` at once.
import type { HttpClient } from '../../src/http/http-client.js';
import { SourceError } from '../../src/errors.js';
import type { Partition, Source, SourceItem } from '../../src/records.js';
import { mem0Item, mem0MemoryList } from './mem0-memory.js';

export class Mem0SelfHosted implements Source {
  readonly name = 'mem0';
  readonly filtersByUpdateTime = false;

  constructor(
    private readonly http: HttpClient,
    private readonly baseUrl: string,
    private readonly userIds: readonly string[],
  ) {
    if (userIds.length === 0) {
      throw new SourceError('mem0: a self-hosted server cannot list its users: name them with --user-id (or in --user-map)', { source: 'mem0' });
    }
    this.scope = { users: [...userIds].sort() };
  }

  readonly scope: Readonly<Record<string, unknown>>;
  /** A user's listing holds every memory it owns: one missing from it was deleted. */
  readonly listsWholePartitions = true;

  async account(): Promise<string> {
    const url = new URL(this.baseUrl);
    return `self-hosted ${url.host}${url.pathname.replace(/\/$/, '')}`;
  }

  async *partitions(): AsyncIterable<Partition> {
    for (const user of this.userIds) yield { key: `user:${user}`, tenantKey: user };
  }

  async *items(partition: Partition): AsyncIterable<SourceItem> {
    const user = partition.tenantKey as string;
    const body = await this.http.json({ method: 'GET', path: '/memories', query: { user_id: user }, context: { tenant: user } });
    const list = mem0MemoryList(body);
    if (!list) throw new SourceError(`mem0: /memories for ${user} is not a memory listing`, { source: 'mem0', tenant: user });
    for (const raw of list.memories) yield mem0Item(raw);
  }
}
