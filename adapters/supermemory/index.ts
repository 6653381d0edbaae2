// Supermemory as a source: the live API — v5 (namespaces) or v3/v4 (container tags), whichever the server speaks
// (supermemory-api-generation.ts) — hosted or self-hosted through --base-url, or a snapshot --save-export wrote.
// Tenants are container tags, which v5 calls namespaces (the same strings).
import { UsageError } from '../../src/errors.js';
import { connectionSettings, HttpClient, type ConnectionOptions } from '../../src/http/http-client.js';
import type { OpenedSource } from '../../src/records.js';
import { SupermemoryApiSource, type SupermemoryApiChoice } from './supermemory-api-generation.js';
import { supermemoryIncludeChoices, type SupermemoryInclude } from './supermemory-listing.js';
import { multiTagPolicies, type MultiTagPolicy } from './supermemory-records.js';
import { SupermemorySnapshotFile } from './supermemory-snapshot-file.js';

export { supermemoryIncludeChoices, type SupermemoryInclude } from './supermemory-listing.js';
export { legacyShutdownDate, supermemoryApiChoices, type SupermemoryApiChoice } from './supermemory-api-generation.js';
export { multiTagPolicies, untaggedTenantKey, type MultiTagPolicy } from './supermemory-records.js';

export const supermemoryDefaultBaseUrl = 'https://api.supermemory.ai';
/** Supermemory does not publish its limits; 10 requests per second stays clear of them on every plan seen. */
export const supermemoryDefaultRateLimit = 10; // requests/s

export interface SupermemorySourceOptions extends ConnectionOptions {
  apiKey?: string | undefined;
  baseUrl?: string | undefined;
  fromFile?: string | undefined;
  /** --user-id: only these container tags (`(untagged)` names the documents without one). */
  tags?: readonly string[] | undefined;
  /** What to read of each tag; default all. */
  include?: readonly SupermemoryInclude[] | undefined;
  /** A document in several tags: imported under each (`all`, default) or under its first tag only. */
  multiTag?: MultiTagPolicy;
  pageSize?: number;
  /** Which API to read: `auto` (default) asks the server; `v5` or `v4` (v3/v4) where the probe cannot tell. */
  api?: SupermemoryApiChoice | undefined;
}

export function supermemorySource(options: SupermemorySourceOptions): OpenedSource {
  const include = options.include ?? supermemoryIncludeChoices;
  for (const choice of include) {
    if (!(supermemoryIncludeChoices as readonly string[]).includes(choice)) {
      throw new UsageError(`--include ${choice}: expected any of ${supermemoryIncludeChoices.join(', ')}`);
    }
  }
  const multiTag = options.multiTag ?? 'all';
  if (!(multiTagPolicies as readonly string[]).includes(multiTag)) throw new UsageError(`--multi-tag ${multiTag}: expected one of ${multiTagPolicies.join(', ')}`);
  if (options.fromFile !== undefined) {
    return { source: new SupermemorySnapshotFile(options.fromFile, { tags: options.tags, include, multiTag: options.multiTag }), http: null };
  }
  const baseUrl = options.baseUrl ?? supermemoryDefaultBaseUrl;
  const concurrency = options.concurrency ?? 4;
  const http = new HttpClient({
    source: 'supermemory',
    baseUrl,
    headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    ...connectionSettings(options, supermemoryDefaultRateLimit),
    credentialHint: 'check the Supermemory API key (--api-key or SUPERMEMORY_API_KEY)',
    statusHints: {
      402: 'the quota or credits of the Supermemory plan are used up',
      403: 'the key is scoped to other container tags / namespaces (name yours with --user-id, or use a full-access key)',
      429: 'rate limit or monthly quota of the Supermemory plan',
    },
  });
  const source = new SupermemoryApiSource({
    http,
    baseUrl,
    tags: options.tags,
    include: new Set(include),
    multiTag,
    pageSize: options.pageSize ?? 100,
    lookahead: concurrency,
  }, options.api);
  return { source, http };
}
