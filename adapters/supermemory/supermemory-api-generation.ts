// Which Supermemory API a server speaks, found out once per run by asking it (or forced with --api): API v5 where
// `GET /namespaces` answers (Supermemory's cloud since 2026-10-07), else v3/v4 (a self-hosted `supermemory local`
// server, which serves only v3/v4, or an older deployment). Supermemory shuts v3/v4 down on its cloud on 2026-12-31.
import { SourceError, UsageError } from '../../src/errors.js';
import type { FetchOptions, Partition, PartitionCoverage, Source, SourceItem } from '../../src/records.js';
import { readsWholeTags, supermemoryScope, type SupermemoryReaderOptions } from './supermemory-listing.js';
import { aliasesOfImported } from './supermemory-records.js';
import { SupermemoryV4 } from './supermemory-v4.js';
import { SupermemoryV5 } from './supermemory-v5.js';

export const supermemoryApiChoices = ['auto', 'v5', 'v4'] as const;
/** `auto`: probe; `v5`: namespaces API; `v4`: the v3/v4 container-tag API. */
export type SupermemoryApiChoice = (typeof supermemoryApiChoices)[number];

/** The date Supermemory shuts its v3/v4 API down, and the host where it does (a self-hosted server keeps it). */
export const legacyShutdownDate = '2026-12-31';
const supermemoryCloudHost = 'api.supermemory.ai';

/**
 * One request: `GET /namespaces?page=1&limit=1` answers on a v5 server (a bare array is the pre-release shape of the
 * same answer); a 404 or 410 means v3/v4, whose reader then finds out what that server has (a self-hosted one lacks
 * the tag list, for one). The probe also checks the key: a refused key stops the run here with the credential hint.
 * A key that may not list namespaces (403) is read through v5 when the run names its namespaces (`--user-id`).
 */
export async function detectSupermemoryApi(options: SupermemoryReaderOptions): Promise<'v5' | 'v4'> {
  const namedTags = (options.tags?.length ?? 0) > 0;
  try {
    const answer = await options.http.exchange({
      method: 'GET',
      path: '/namespaces',
      query: { page: 1, limit: 1 },
      context: { page: 'API detection' },
      notFoundIsAnswer: true,
      goneIsAnswer: true,
    });
    return answer.status === 404 || answer.status === 410 ? 'v4' : 'v5';
  } catch (error) {
    if (error instanceof SourceError && error.context.status === 403 && namedTags) return 'v5';
    throw error;
  }
}

/** The Supermemory source over HTTP: asks once which API answers (unless told), then reads through that reader. */
export class SupermemoryApiSource implements Source {
  readonly name = 'supermemory';
  readonly filtersByUpdateTime = true;
  /** The same for both readers, so that runs resume and build on each other across the switch. */
  readonly scope: Readonly<Record<string, unknown>>;
  private reader: Promise<SupermemoryV4 | SupermemoryV5> | null = null;
  private detected: SupermemoryV4 | SupermemoryV5 | null = null;
  private shutdownWarned = false;

  constructor(
    private readonly options: SupermemoryReaderOptions,
    private readonly api: SupermemoryApiChoice = 'auto',
  ) {
    if (!(supermemoryApiChoices as readonly string[]).includes(api)) throw new UsageError(`--api ${api}: expected one of ${supermemoryApiChoices.join(', ')}`);
    this.scope = supermemoryScope(options);
  }

  get listsWholePartitions(): boolean {
    return readsWholeTags(this.options);
  }

  private chosen(): Promise<SupermemoryV4 | SupermemoryV5> {
    this.reader ??= (this.api === 'auto' ? detectSupermemoryApi(this.options) : Promise.resolve(this.api)).then((generation) => {
      this.detected = generation === 'v5' ? new SupermemoryV5(this.options) : new SupermemoryV4(this.options);
      return this.detected;
    });
    return this.reader;
  }

  /** Whether this run reads Supermemory's cloud through the API it shuts down on 2026-12-31. */
  private readsRetiringApi(): boolean {
    return this.detected instanceof SupermemoryV4 && new URL(this.options.baseUrl).host === supermemoryCloudHost;
  }

  async coversPartition(partitionKey: string): Promise<PartitionCoverage> {
    return (await this.detected?.coversPartition(partitionKey)) ?? false;
  }

  describeApi(): string | null {
    const described = this.detected?.describeApi() ?? null;
    return described !== null && this.readsRetiringApi() ? `${described}; Supermemory shuts it down on ${legacyShutdownDate}` : described;
  }

  async account(): Promise<string> {
    return (await this.chosen()).account();
  }

  async *partitions(): AsyncIterable<Partition> {
    yield* (await this.chosen()).partitions();
  }

  async *items(partition: Partition, options: FetchOptions): AsyncIterable<SourceItem> {
    const reader = await this.chosen();
    if (this.readsRetiringApi() && !this.shutdownWarned) {
      this.shutdownWarned = true;
      yield {
        type: 'warning',
        warning: {
          tenantKey: null,
          notice: true,
          message: `reading Supermemory's cloud through its v3/v4 API, which Supermemory shuts down on ${legacyShutdownDate}: from then on om-import reads it through v5 (drop --api v4 if you passed it)`,
        },
      };
    }
    yield* reader.items(partition, options);
  }

  aliasesOfImported = aliasesOfImported;
}
