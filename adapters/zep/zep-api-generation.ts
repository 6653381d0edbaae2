// Which Zep API a server speaks, found out once per run by asking it, never configured: Zep Cloud answers the v3
// threads API for every account; a server without `/threads` that has standalone groups is Cloud on the v2 sessions
// API; one with neither but with `/sessions-ordered` is self-hosted Community Edition 1.x.
import { SourceError } from '../../src/errors.js';
import type { HttpClient } from '../../src/http/http-client.js';
import type { FetchOptions, Partition, Source, SourceItem } from '../../src/records.js';
import { zepListsWholePartitions, zepScope, ZepCloud, type ZepHttpSourceOptions } from './zep-cloud.js';
import type { ZepApi } from './zep-records.js';
import { ZepSessions } from './zep-sessions.js';

/** A probe: page 1 of a listing, one entry; a 404 says the server lacks the endpoint. */
async function answers(http: HttpClient, path: string, query: Record<string, number>): Promise<boolean> {
  const answer = await http.exchange({ method: 'GET', path, query, notFoundIsAnswer: true, context: { page: 'API detection' } });
  return answer.status !== 404;
}

/**
 * One request on Zep Cloud (v3), two on a v2 server, three on CE. The first probe also checks the key: a refused
 * key stops the run here with the credential hint.
 */
export async function detectZepApi(http: HttpClient, baseUrl: string): Promise<Exclude<ZepApi, 'v4'>> {
  if (await answers(http, '/threads', { page_number: 1, page_size: 1 })) return 'v3';
  if (await answers(http, '/groups-ordered', { pageNumber: 1, pageSize: 1 })) return 'v2';
  if (await answers(http, '/sessions-ordered', { pageNumber: 1, pageSize: 1 })) return 'ce';
  throw new SourceError(
    `zep: no Zep API answers at ${baseUrl} (/threads, /groups-ordered and /sessions-ordered are all 404): check --base-url ` +
      `(Zep Cloud: https://api.getzep.com/api/v2; Community Edition: http://host:8000). A legacy Zep 0.x server (/api/v1) is not supported`,
    { source: 'zep', status: 404 },
  );
}

/** The Zep source over HTTP: asks once which API answers, then reads through the matching reader. */
export class ZepApiSource implements Source {
  readonly name = 'zep';
  /** As ZepCloud: see its comment for what an incremental run skips. */
  readonly filtersByUpdateTime = true;
  private reader: Promise<ZepCloud> | null = null;
  private detected: ZepCloud | null = null;

  constructor(private readonly options: ZepHttpSourceOptions) {
    this.scope = zepScope(options);
    this.listsWholePartitions = zepListsWholePartitions(options);
  }

  readonly scope: Readonly<Record<string, unknown>>;
  readonly listsWholePartitions: boolean;

  private api(): Promise<ZepCloud> {
    this.reader ??= detectZepApi(this.options.http, this.options.baseUrl).then((api) => {
      this.detected = api === 'v3' ? new ZepCloud(this.options) : new ZepSessions(this.options, api);
      return this.detected;
    });
    return this.reader;
  }

  describeApi(): string | null {
    return this.detected?.describeApi() ?? null;
  }

  async account(): Promise<string> {
    return (await this.api()).account();
  }

  async *partitions(): AsyncIterable<Partition> {
    yield* (await this.api()).partitions();
  }

  async *items(partition: Partition, options: FetchOptions): AsyncIterable<SourceItem> {
    yield* (await this.api()).items(partition, options);
  }
}
