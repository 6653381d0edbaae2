// What both Supermemory readers (v3/v4 and v5) share: what a run reads of each tag, the options they are built
// with, and the order a listing is walked in.
import type { HttpClient } from '../../src/http/http-client.js';
import type { FetchOptions } from '../../src/records.js';
import { isObject, nonEmptyString, type MultiTagPolicy } from './supermemory-records.js';

export const supermemoryIncludeChoices = ['documents', 'memories', 'profile'] as const;
export type SupermemoryInclude = (typeof supermemoryIncludeChoices)[number];

export interface SupermemoryReaderOptions {
  http: HttpClient;
  baseUrl: string;
  /** Only these container tags (`(untagged)` names the documents without one), instead of every listed tag. */
  tags?: readonly string[] | undefined;
  include: ReadonlySet<SupermemoryInclude>;
  multiTag: MultiTagPolicy;
  pageSize: number;
  /** Documents whose text is being fetched at once, ahead of the one being yielded. */
  lookahead: number;
}

/**
 * What a run was asked to read (see `Source.scope`), the same whichever API generation reads it: runs resume and
 * build on each other across the v3/v4 → v5 switch.
 */
export function supermemoryScope(options: SupermemoryReaderOptions): Readonly<Record<string, unknown>> {
  return {
    tags: options.tags && options.tags.length > 0 ? [...options.tags].sort() : 'all',
    include: [...options.include].sort(),
    multiTag: options.multiTag,
  };
}

/** Each tag is read whole when both its documents and its memory entries are (see `Source.listsWholePartitions`). */
export function readsWholeTags(options: SupermemoryReaderOptions): boolean {
  return options.include.has('documents') && options.include.has('memories');
}

/**
 * What a listed tag's (v5: namespace's) `documentCount` and `memoryCount` announce of the records this run reads,
 * for progress; undefined where a count it needs is missing.
 */
export function announcedRecords(options: SupermemoryReaderOptions, tag: Record<string, unknown>): number | undefined {
  const counts = [...(options.include.has('documents') ? [tag['documentCount']] : []), ...(options.include.has('memories') ? [tag['memoryCount']] : [])];
  const known = counts.filter((count): count is number => typeof count === 'number' && Number.isInteger(count) && count >= 0);
  return known.length === counts.length ? known.reduce((sum, count) => sum + count, 0) : undefined;
}

/** How a listing is walked: all of it oldest first, or (incremental) newest changes first down to a time. */
export interface ListingOrder {
  sort: 'createdAt' | 'updatedAt';
  order: 'asc' | 'desc';
  /** Incremental: stop after the first page that reaches back past this time (ms). */
  until: number | null;
}

export function listingOrder(options: FetchOptions): ListingOrder {
  return options.updatedSince !== null
    ? { sort: 'updatedAt', order: 'desc', until: options.updatedSince }
    : { sort: 'createdAt', order: 'asc', until: null };
}


/**
 * The account a run reads: the org id from `GET /v3/session` while the server answers it (Supermemory's cloud until
 * 2026-12-31), else the server's host. API v5 names no org anywhere, so a v5 run asks the legacy route too: the same
 * account keeps the same runs, resumes and prunes on both sides of the switch for as long as it can.
 */
export async function sessionAccount(http: HttpClient, baseUrl: string): Promise<string> {
  const answer = await http.exchange({ method: 'GET', path: '/v3/session', notFoundIsAnswer: true, goneIsAnswer: true });
  const orgId = answer.status === 200 && isObject(answer.body) && isObject(answer.body['org']) ? nonEmptyString(answer.body['org']['id']) : null;
  return orgId ?? new URL(baseUrl).host;
}
