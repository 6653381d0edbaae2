// The open-source Mem0 REST server (mem0ai/mem0 `server/`, mem0 2.x): its users, agents and runs from
// `GET /entities` (or, on a server without it, the users named with --user-id or in --user-map), each read with
// `GET /memories?<type>_id=…&top_k=1000&show_expired=true`, which answers `{results: [...]}` at once — no paging.
// A listing that may have been cut at a cap is said so in the report, and is never taken as whole (never pruned from).
import type { HttpClient } from '../../src/http/http-client.js';
import { SourceError, UsageError } from '../../src/errors.js';
import type { Partition, PartitionCoverage, Source, SourceItem } from '../../src/records.js';
import { idOf, isObject, mem0Item, mem0MemoryList, mem0Partition, mem0ReadPolicy, mem0UserTenantKey, nonEmptyString, type Mem0ReadPolicy } from './mem0-memory.js';

export interface Mem0SelfHostedOptions {
  http: HttpClient;
  baseUrl: string;
  /** Read only these users instead of every entity `GET /entities` lists. */
  userIds: readonly string[];
  /** Read when the server has no `GET /entities` (the keys of --user-map). */
  knownUsers?: readonly string[];
  policy?: Mem0ReadPolicy;
}

/** The most `GET /memories` returns (`top_k` 0–1000 since mem0 2.0.8; a larger one is answered 422). */
export const mem0SelfHostedTopK = 1000;
/** What servers that ignore `top_k` return at most: 20 (mem0 2.0.1–2.0.7) or 100 (1.x). */
const olderServerCaps = new Set([20, 100]);
/** The server's entity types (it has no apps). */
const entityTypes = new Set(['user', 'agent', 'run']);

/** `GET /entities` is computed from at most this many memory payloads (mem0 server/routers/entities.py). */
const entitiesScanLimit = 10_000;

export class Mem0SelfHosted implements Source {
  readonly name = 'mem0';
  readonly filtersByUpdateTime = false;
  readonly scope: Readonly<Record<string, unknown>>;
  /**
   * An entity's listing holds every memory it owns, expired ones included, unless it was cut at a cap: such a listing
   * comes with a warning (not a notice), so a memory missing from it is never taken as gone.
   */
  readonly listsWholePartitions = true;
  private readonly policy: Mem0ReadPolicy;
  /**
   * This run listed the entities (`GET /entities`, none named), and how many memories they count: one an earlier run
   * imported and the list lacks is gone only if the server read every memory to make it (see `entitiesScanLimit`).
   */
  private entityListing: { countedMemories: number | null } | null = null;

  constructor(private readonly options: Mem0SelfHostedOptions) {
    this.policy = options.policy ?? mem0ReadPolicy();
    this.scope = { users: options.userIds.length > 0 ? [...options.userIds].sort() : 'all', include: [...this.policy.include].sort() };
  }

  async account(): Promise<string> {
    const url = new URL(this.options.baseUrl);
    return `self-hosted ${url.host}${url.pathname.replace(/\/$/, '')}`;
  }

  async *partitions(): AsyncIterable<Partition> {
    const entities = await this.entities();
    if (this.options.userIds.length > 0) {
      // Named users (or agent:/run: entities), with what GET /entities counts of each where the server has it (to tell a capped listing).
      const counts = new Map((entities ?? []).map((entity) => [entity.key, entity.expectedRecords]));
      for (const tenant of this.options.userIds) {
        const partition = mem0Partition(tenant);
        yield { ...partition, expectedRecords: counts.get(partition.key) };
      }
      return;
    }
    if (entities !== null) {
      const counts = entities.map((entity) => entity.expectedRecords);
      this.entityListing = { countedMemories: counts.every((count) => count !== undefined) ? counts.reduce<number>((sum, count) => sum + count!, 0) : null };
      yield* entities;
      return;
    }
    // A server before mem0 2.0.1 cannot list its users: they are named.
    const known = this.options.knownUsers ?? [];
    if (known.length === 0) {
      // The fix is in how om-import is called (name the users): a usage error, exit 2.
      throw new UsageError('mem0: this self-hosted server has no GET /entities (mem0 before 2.0.1), so it cannot list its users: name them with --user-id (or in --user-map)');
    }
    for (const user of known) yield mem0Partition(user); // named as tenants are: `user:agent:x` is the user `agent:x`
  }

  /**
   * Every user, agent and run, when none is named and the server lists them (`GET /entities`, one unpaged list) from
   * all its memories: it reads at most `entitiesScanLimit` of them, so a list whose counts add up to that many may
   * lack entities that still exist. (A memory of a user and an agent counts for both: the sum errs on the safe side.)
   */
  coversPartition(partitionKey: string): PartitionCoverage {
    if (this.entityListing === null || !/^(user|agent|run):/.test(partitionKey)) return false;
    const counted = this.entityListing.countedMemories;
    if (counted !== null && counted < entitiesScanLimit) return true;
    return {
      unknown:
        counted === null
          ? 'GET /entities gave no memory count for some entities, so whether it read every memory is unknown'
          : `GET /entities counts ${counted} memories, and the server builds it from at most ${entitiesScanLimit}: an entity beyond them is not listed`,
    };
  }

  /** Every user, agent and run `GET /entities` lists, with its memory count; null on a server without it (404). */
  private async entities(): Promise<Partition[] | null> {
    const answer = await this.options.http.exchange({ method: 'GET', path: '/entities', notFoundIsAnswer: true });
    if (answer.status === 404) return null;
    if (!Array.isArray(answer.body)) throw new SourceError('mem0: GET /entities did not answer a list of entities', { source: 'mem0' });
    const partitions: Partition[] = [];
    for (const entity of answer.body) {
      if (!isObject(entity)) continue;
      const type = nonEmptyString(entity['type']);
      const name = idOf(entity['id']);
      if (!type || !name || !entityTypes.has(type)) continue;
      const total = entity['total_memories'];
      const expectedRecords = typeof total === 'number' && Number.isInteger(total) && total >= 0 ? total : undefined;
      partitions.push({ key: `${type}:${name}`, tenantKey: type === 'user' ? mem0UserTenantKey(name) : `${type}:${name}`, expectedRecords });
    }
    return partitions;
  }

  async *items(partition: Partition): AsyncIterable<SourceItem> {
    const separator = partition.key.indexOf(':');
    const type = partition.key.slice(0, separator);
    const name = partition.key.slice(separator + 1);
    const tenant = partition.tenantKey ?? partition.key;
    const body = await this.options.http.json({
      method: 'GET',
      path: '/memories',
      query: { [`${type}_id`]: name, top_k: mem0SelfHostedTopK, show_expired: 'true' },
      context: { tenant },
    });
    const list = mem0MemoryList(body);
    if (!list) throw new SourceError(`mem0: /memories for ${tenant} is not a memory listing`, { source: 'mem0', tenant });
    const incomplete = incompleteness(list.memories.length, partition.expectedRecords);
    if (incomplete !== null) yield { type: 'warning', warning: { tenantKey: partition.tenantKey, message: incomplete } };
    for (const raw of list.memories) {
      const item = mem0Item(raw, this.policy);
      // A user's memory is listed under its agent and run too: it is imported (or skipped) under its user only.
      const owner = item.type === 'memory' ? item.record.tenantKey : item.type === 'skipped' ? item.skipped.tenantKey : null;
      if (type !== 'user' && owner !== null && owner !== partition.tenantKey) continue;
      yield item;
    }
  }
}

/**
 * Why a listing of `listed` memories may be incomplete, or null: it reached `top_k`; it holds fewer than
 * `GET /entities` counts; or, with no count to check against, exactly what an older server returns at most.
 */
function incompleteness(listed: number, counted: number | undefined): string | null {
  const rest = 'the rest cannot be read over the REST API (read the server\'s vector store, or an export file: see the README); nothing of it is pruned';
  if (listed >= mem0SelfHostedTopK) return `listed ${listed} memories, the most GET /memories returns (top_k ${mem0SelfHostedTopK}): the listing is incomplete; ${rest}`;
  if (counted !== undefined && counted > listed) {
    return `listed ${listed} of the ${counted} memories GET /entities counts (a server before mem0 2.0.10 hides expired memories, or memories changed in between): the listing is incomplete; ${rest}`;
  }
  if (counted === undefined && olderServerCaps.has(listed)) {
    return `listed exactly ${listed} memories, the most a server before mem0 2.0.8 returns (it ignores top_k): the listing is probably incomplete; upgrade the server, or read its vector store; nothing of it is pruned`;
  }
  return null;
}
