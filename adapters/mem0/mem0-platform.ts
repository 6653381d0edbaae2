// The hosted Mem0 Platform (api.mem0.ai), as the official `mem0ai` MemoryClient speaks to it: every entity
// (user, agent, app, run) is a partition, and its memories are read from the v3 filtered listing — expired ones
// too (`show_expired`), so that what the policy leaves out is counted, never mistaken for a deletion.
import type { HttpClient } from '../../src/http/http-client.js';
import { pagedListing, type ListingPage } from '../../src/http/paged-listing.js';
import { SourceError } from '../../src/errors.js';
import type { FetchOptions, Partition, Source, SourceItem } from '../../src/records.js';
import { idOf, isObject, mem0Item, mem0MemoryList, mem0Partition, mem0ReadPolicy, mem0UserTenantKey, nonEmptyString, type Mem0ReadPolicy } from './mem0-memory.js';

export interface Mem0PlatformOptions {
  http: HttpClient;
  baseUrl: string;
  orgId?: string | undefined;
  projectId?: string | undefined;
  pageSize?: number;
  /** Read only these users instead of every entity the account lists. */
  userIds?: readonly string[];
  /** Which marked (expired, superseded) memories to import. */
  policy?: Mem0ReadPolicy;
}

/** The page sizes the v3 listing accepts (`page_size` above 200 is answered 400). */
export const mem0PageSizeLimits = { min: 1, max: 200, default: 100 } as const;

const entityTypes = new Set(['user', 'agent', 'app', 'run']);

export class Mem0Platform implements Source {
  readonly name = 'mem0';
  readonly filtersByUpdateTime = true;
  private readonly pageSize: number;
  private readonly policy: Mem0ReadPolicy;
  private identity: Promise<{ orgId: string | null; projectId: string | null }> | null = null;

  constructor(private readonly options: Mem0PlatformOptions) {
    const { min, max } = mem0PageSizeLimits;
    this.pageSize = Math.min(max, Math.max(min, Math.floor(options.pageSize ?? mem0PageSizeLimits.default)));
    this.policy = options.policy ?? mem0ReadPolicy();
    this.scope = {
      users: options.userIds && options.userIds.length > 0 ? [...options.userIds].sort() : 'all',
      include: [...this.policy.include].sort(),
    };
  }

  readonly scope: Readonly<Record<string, unknown>>;
  /**
   * Each entity's listing (expired memories included) holds every memory it owns but those Mem0 merged into another
   * (hidden, as Mem0 hides them): one missing from a full listing was deleted or merged at Mem0.
   */
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
      for (const tenant of this.options.userIds) yield mem0Partition(tenant);
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
        yield { key: `${type}:${name}`, tenantKey: type === 'user' ? mem0UserTenantKey(name) : `${type}:${name}`, expectedRecords };
      }
      const next = isObject(body) ? body['next'] : null;
      if (Array.isArray(body) || !next || entities.length === 0) return;
    }
  }

  /** Every entity, when none is named: `/v1/entities/` is read to its last page, and a failed page stops the run. */
  coversPartition(partitionKey: string): boolean {
    return (this.options.userIds?.length ?? 0) === 0 && /^(user|agent|app|run):/.test(partitionKey);
  }

  async *items(partition: Partition, options: FetchOptions): AsyncIterable<SourceItem> {
    const separator = partition.key.indexOf(':');
    const type = partition.key.slice(0, separator);
    const name = partition.key.slice(separator + 1);
    const owner = { [`${type}_id`]: name };
    const filters =
      options.updatedSince !== null ? { AND: [owner, { updated_at: { gte: new Date(options.updatedSince).toISOString() } }] } : owner;
    const tenant = partition.tenantKey ?? partition.key;
    const listing = pagedListing<unknown, number>({
      what: `memories of ${partition.key}`,
      tenantKey: partition.tenantKey,
      first: 1,
      fetchPage: (page) => this.memoriesPage(partition.key, tenant, filters, page),
      // Offset pages drift while the account changes: a memory listed on two pages is read once.
      identity: (raw) => (isObject(raw) ? idOf(raw['id']) : null),
    });
    for await (const event of listing) {
      if (event.type === 'warning') {
        yield event;
        continue;
      }
      const item = mem0Item(event.entry, this.policy);
      // A memory with a user_id also shows up under its agent/app/run: it is imported (or skipped) under its user only.
      const owner = item.type === 'memory' ? item.record.tenantKey : item.type === 'skipped' ? item.skipped.tenantKey : null;
      if (type !== 'user' && owner !== null && owner !== partition.tenantKey) continue;
      yield item;
    }
  }

  /** One page of the v3 listing; a page past the end (404 "Invalid page.", after deletions mid-run) ends it. */
  private async memoriesPage(key: string, tenant: string, filters: Record<string, unknown>, page: number): Promise<ListingPage<unknown, number>> {
    const answer = await this.options.http.exchange({
      method: 'POST',
      path: '/v3/memories/',
      query: { page, page_size: this.pageSize, ...this.orgAndProject },
      body: { filters, show_expired: true },
      context: { tenant, page: String(page) },
      notFoundIsAnswer: page > 1,
    });
    if (answer.status === 404) return { entries: [], next: null };
    const list = mem0MemoryList(answer.body);
    if (!list) {
      throw new SourceError(`mem0: memories page ${page} of ${key} is not a memory listing`, { source: 'mem0', tenant: key, page: String(page) });
    }
    const count = isObject(answer.body) ? answer.body['count'] : undefined;
    return { entries: list.memories, next: list.next ? page + 1 : null, total: typeof count === 'number' ? count : null };
  }
}
