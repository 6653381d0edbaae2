// Which Zep API a server speaks, found out once per run by asking it, never configured. Given a server's root (the
// default, `https://api.getzep.com`), v4 is asked first (`GET /api/v4/project`); where it is missing, as given
// `…/api/v2` (the v3 wire only, as om-import read Zep before v4): Zep Cloud answers the v3 threads API for every
// account; a server without `/threads` that has standalone groups is Cloud on the v2 sessions API; one with neither
// but with `/sessions-ordered` is self-hosted Community Edition 1.x. Given `…/api/v4`, only v4 is read.
import { SourceError } from '../../src/errors.js';
import type { HttpClient } from '../../src/http/http-client.js';
import type { FetchOptions, Partition, PartitionCoverage, Source, SourceItem } from '../../src/records.js';
import { zepListsWholePartitions, zepScope, ZepCloud, type ZepHttpSourceOptions } from './zep-cloud.js';
import { isObject, nonEmptyString, type ZepApi } from './zep-records.js';
import { ZepSessions } from './zep-sessions.js';
import { ZepV4, zepV4Path } from './zep-v4.js';

/** Which wires a run may read, from how `--base-url` was given: a server root, `…/api/v4`, or anything else (`…/api/v2`). */
export type ZepWires = 'any' | 'v4' | 'v3';

/** A probe: page 1 of a listing, one entry; a 404 says the server lacks the endpoint. */
async function answers(http: HttpClient, path: string, query: Record<string, number>): Promise<boolean> {
  const answer = await http.exchange({ method: 'GET', path, query, notFoundIsAnswer: true, context: { page: 'API detection' } });
  return answer.status !== 404;
}

/**
 * v4 when `GET /api/v4/project` answers the project (a bare object with its `uuid`); `project` is that answer, which
 * the v4 reader then need not ask again. A 404 there means no v4 API (a server older than v4, Community Edition).
 */
async function v4Project(http: HttpClient): Promise<unknown> {
  const answer = await http.exchange({ method: 'GET', path: zepV4Path('/project'), notFoundIsAnswer: true, context: { page: 'API detection' } });
  return answer.status !== 404 && isObject(answer.body) && nonEmptyString(answer.body['uuid']) ? answer.body : null;
}

/**
 * One request on Zep Cloud v4 (two on a v3-only server given as its root, three on v2, four on CE). The first
 * probe also checks the key: a refused key stops the run here with the credential hint.
 */
export async function detectZepApi(http: HttpClient, baseUrl: string, wires: ZepWires = 'v3'): Promise<{ api: ZepApi; project?: unknown }> {
  if (wires !== 'v3') {
    const project = await v4Project(http);
    if (project) return { api: 'v4', project };
    if (wires === 'v4') {
      throw new SourceError(`zep: no Zep v4 API answers at ${baseUrl} (GET /api/v4/project is 404): give the server's root as --base-url to read an older API`, { source: 'zep', status: 404 });
    }
  }
  if (await answers(http, '/threads', { page_number: 1, page_size: 1 })) return { api: 'v3' };
  if (await answers(http, '/groups-ordered', { pageNumber: 1, pageSize: 1 })) return { api: 'v2' };
  if (await answers(http, '/sessions-ordered', { pageNumber: 1, pageSize: 1 })) return { api: 'ce' };
  throw new SourceError(
    `zep: no Zep API answers at ${baseUrl} (/threads, /groups-ordered and /sessions-ordered are all 404): check --base-url ` +
      `(Zep Cloud: https://api.getzep.com; Community Edition: http://host:8000). A legacy Zep 0.x server (/api/v1) is not supported`,
    { source: 'zep', status: 404 },
  );
}

/** What every generation's reader is: a source that can name its API. */
type ZepReader = Source & { describeApi(): string };

/** The Zep source over HTTP: asks once which API answers, then reads through the matching reader. */
export class ZepApiSource implements Source {
  readonly name = 'zep';
  /** As ZepCloud: see its comment for what an incremental run skips. */
  readonly filtersByUpdateTime = true;
  private reader: Promise<ZepReader> | null = null;
  private detected: ZepReader | null = null;

  constructor(
    private readonly options: ZepHttpSourceOptions,
    private readonly wires: ZepWires = 'v3',
  ) {
    this.baseScope = zepScope(options);
    this.listsWholePartitions = zepListsWholePartitions(options);
  }

  private readonly baseScope: Readonly<Record<string, unknown>>;

  /**
   * As v3's, and v4 runs add `api: v4`: a v3 run's time does not say what changed since for the objects v3 could not
   * see (a v4-born thread last updated before it), so the first run through v4 reads everything, and a later v4
   * run only what changed since the last v4 run. (Read once the API is known: `account()` finds it out first.)
   */
  get scope(): Readonly<Record<string, unknown>> {
    return this.detected instanceof ZepV4 ? { ...this.baseScope, api: 'v4' } : this.baseScope;
  }

  readonly listsWholePartitions: boolean;

  private api(): Promise<ZepReader> {
    this.reader ??= detectZepApi(this.options.http, this.options.baseUrl, this.wires).then(({ api, project }) => {
      this.detected = api === 'v4' ? new ZepV4(this.options, project) : api === 'v3' ? new ZepCloud(this.options) : new ZepSessions(this.options, api);
      return this.detected;
    });
    return this.reader;
  }

  async coversPartition(partitionKey: string): Promise<PartitionCoverage> {
    const reader: { coversPartition?(key: string): PartitionCoverage | Promise<PartitionCoverage> } | null = this.detected;
    return (await reader?.coversPartition?.(partitionKey)) ?? false;
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
