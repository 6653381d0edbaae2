// The hosted Mem0 Platform (api.mem0.ai), as the official `mem0ai` MemoryClient speaks to it: every entity
// (user, agent, app, run) is a partition, and its memories are read from the v3 filtered listing.
import type { HttpClient } from '../../src/http/http-client.js';
import { SourceError } from '../../src/errors.js';
import type { FetchOptions, Partition, Source, SourceItem } from '../../src/records.js';
import { idOf, isObject, mem0Item, mem0MemoryList, nonEmptyString } from './mem0-memory.js';

export interface Mem0PlatformOptions {
  http: HttpClient;
  baseUrl: string;
  orgId?: string | undefined;
  projectId?: string | undefined;
  pageSize?: number;
  /** Read only these users instead of every entity the account lists. */
  userIds?: readonly string[];
}

const entityTypes = new Set(['user', 'agent', 'app', 'run']);

export class Mem0Platform implements Source {
  readonly name = 'mem0';
  readonly filtersByUpdateTime = true;
  private readonly pageSize: number;
  private identity: Promise<{ orgId: string | null; projectId: string | null }> | null = null;

  constructor(private readonly options: Mem0PlatformOptions) {
    this.pageSize = options.pageSize ?? 100;
    this.scope = { users: options.userIds && options.userIds.length > 0 ? [...options.userIds].sort() : 'all' };
  }

  readonly scope: Readonly<Record<string, unknown>>;
  /** Each entity's listing holds every memory it owns: one missing from a full listing was deleted at Mem0. */
  readonly listsWholePartitions = true;

  /** org/project scoping, as the older clients sent it, when the user names them. */
  private get orgAndProject(): Record<string, string | undefined> {
    return { org_id: this.options.orgId, project_id: this.options.projectId };
  }

  /** `GET /v1/ping/` checks the key and names the org and project (the client does this first too). */
  private ping(): Promise<{ orgId: string | null; projectId: string | null }> {
    this.identity ??= this.options.http.json({ method: 'GET', path: '/v1/ping/' }).then((body) => {
      if (!isObject(body) || body['status'] !== 'ok') {
        throw new SourceError('mem0: /v1/ping/ did not answer status "ok": the API key is not valid for this host', { source: 'mem0' });
      }
      return { orgId: nonEmptyString(body['org_id']), projectId: nonEmptyString(body['project_id']) };
    });
    return this.identity;
  }

  async account(): Promise<string> {
    const identity = await this.ping();
    const org = this.options.orgId ?? identity.orgId;
    const project = this.options.projectId ?? identity.projectId;
    return org || project ? `${org ?? '-'}/${project ?? '-'}` : new URL(this.options.baseUrl).host;
  }

  async *partitions(): AsyncIterable<Partition> {
    await this.ping();
    if (this.options.userIds && this.options.userIds.length > 0) {
      for (const user of this.options.userIds) yield { key: `user:${user}`, tenantKey: user };
      return;
    }
    for (let page = 1; ; page++) {
      const body = await this.options.http.json({
        method: 'GET',
        path: '/v1/entities/',
        query: { page, page_size: this.pageSize, ...this.orgAndProject },
        context: { page: `entities ${page}` },
      });
      const entities = Array.isArray(body) ? body : isObject(body) && Array.isArray(body['results']) ? body['results'] : null;
      if (!entities) throw new SourceError(`mem0: /v1/entities/ page ${page} is not a list of entities`, { source: 'mem0', page: String(page) });
      for (const entity of entities) {
        if (!isObject(entity)) continue;
        const type = nonEmptyString(entity['type']) ?? 'user';
        const name = idOf(entity['name']) ?? idOf(entity['id']);
        if (!name || !entityTypes.has(type)) continue;
        const total = entity['total_memories'];
        const expectedRecords = typeof total === 'number' && Number.isInteger(total) && total >= 0 ? total : undefined;
        yield { key: `${type}:${name}`, tenantKey: type === 'user' ? name : `${type}:${name}`, expectedRecords };
      }
      const next = isObject(body) ? body['next'] : null;
      if (Array.isArray(body) || !next || entities.length === 0) return;
    }
  }

  async *items(partition: Partition, options: FetchOptions): AsyncIterable<SourceItem> {
    const separator = partition.key.indexOf(':');
    const type = partition.key.slice(0, separator);
    const name = partition.key.slice(separator + 1);
    const owner = { [`${type}_id`]: name };
    const filters =
      options.updatedSince !== null ? { AND: [owner, { updated_at: { gte: new Date(options.updatedSince).toISOString() } }] } : owner;
    for (let page = 1; ; page++) {
      const body = await this.options.http.json({
        method: 'POST',
        path: '/v3/memories/',
        query: { page, page_size: this.pageSize, ...this.orgAndProject },
        body: { filters },
        context: { tenant: partition.tenantKey ?? partition.key, page: String(page) },
      });
      const list = mem0MemoryList(body);
      if (!list) {
        throw new SourceError(`mem0: memories page ${page} of ${partition.key} is not a memory listing`, {
          source: 'mem0',
          tenant: partition.key,
          page: String(page),
        });
      }
      for (const raw of list.memories) {
        const item = mem0Item(raw);
        // A memory with a user_id also shows up under its agent/app/run: it is imported under its user only.
        if (type !== 'user' && item.type === 'memory' && item.record.tenantKey !== partition.tenantKey) continue;
        yield item;
      }
      if (!list.next || list.memories.length === 0) return;
    }
  }
}
