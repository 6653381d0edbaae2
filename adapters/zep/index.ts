// Zep as a source: a live server — Zep Cloud on the v4 API, the v3 threads or the v2 sessions API, or self-hosted
// Community Edition 1.x, found out once per run (zep-api-generation.ts) — or a snapshot --save-export wrote.
import { UsageError } from '../../src/errors.js';
import { connectionSettings, HttpClient, type ConnectionOptions } from '../../src/http/http-client.js';
import type { OpenedSource } from '../../src/records.js';
import { ZepApiSource, type ZepWires } from './zep-api-generation.js';
import { ZepSnapshotFile } from './zep-snapshot-file.js';

import { zepDefaultInclude, zepIncludeChoices, type ZepInclude } from './zep-records.js';

export { zepApiNames, zepDefaultInclude, zepIncludeChoices, type ZepApi, type ZepInclude } from './zep-records.js';

export const zepDefaultBaseUrl = 'https://api.getzep.com';
export const zepDefaultRateLimit = 10; // requests/s ceiling; Zep's X-RateLimit headers pace below it

export interface ZepSourceOptions extends ConnectionOptions {
  apiKey?: string | undefined;
  baseUrl?: string | undefined;
  fromFile?: string | undefined;
  userIds?: readonly string[] | undefined; // --user-id: only these users (tenant keys as the user map sees them)
  include?: readonly ZepInclude[] | undefined;
  pageSize?: number;
}

/**
 * The client's base for `--base-url`: the v3 SDK's `baseUrl` (`https://api.getzep.com/api/v2`), and a URL with no
 * path gets `/api/v2` (what zep-js does for Community Edition's `http://host:8000`); `…/api/v4` stays as given. The
 * v4 reader's paths are relative to it (`../v4/…`). A legacy 0.x server's `/api/v1` is refused: om-import does
 * not read that API.
 */
export function zepBaseUrl(baseUrl: string | undefined): string {
  const { url } = parsedBaseUrl(baseUrl);
  return url.toString();
}

/** Which wires `--base-url` lets a run read: a server root, v4 first (then v3/v2/CE); `…/api/v4`, v4 only; else the v3 wire as before v4. */
export function zepWires(baseUrl: string | undefined): ZepWires {
  return parsedBaseUrl(baseUrl).wires;
}

function parsedBaseUrl(baseUrl: string | undefined): { url: URL; wires: ZepWires } {
  const given = baseUrl ?? zepDefaultBaseUrl;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new UsageError(`--base-url ${given}: not a URL (e.g. ${zepDefaultBaseUrl}, or http://localhost:8000 for Community Edition)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--base-url ${given}: expected an http(s) URL`);
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/api\/v1$/.test(path)) {
    throw new UsageError(
      `--base-url ${given} is the API of a legacy Zep 0.x server (/api/v1, Bearer tokens), which om-import does not support: ` +
        'upgrade to Zep Community Edition 1.x or move the data to Zep Cloud first',
    );
  }
  url.pathname = path === '' ? '/api/v2' : path;
  url.search = '';
  url.hash = '';
  return { url, wires: path === '' ? 'any' : /\/api\/v4$/.test(path) ? 'v4' : 'v3' };
}

export function zepSource(options: ZepSourceOptions): OpenedSource {
  const include = options.include ?? zepDefaultInclude;
  for (const choice of include) {
    if (!(zepIncludeChoices as readonly string[]).includes(choice)) throw new UsageError(`--include ${choice}: expected any of ${zepIncludeChoices.join(', ')}`);
  }
  if (options.fromFile !== undefined) return { source: new ZepSnapshotFile(options.fromFile, { include, userIds: options.userIds }), http: null };
  if (!options.apiKey) throw new UsageError('no Zep API key: pass --api-key or set ZEP_API_KEY (or read a snapshot with --from-file)');
  const { url, wires } = parsedBaseUrl(options.baseUrl);
  const baseUrl = url.toString();
  const http = new HttpClient({
    source: 'zep',
    baseUrl,
    headers: { authorization: `Api-Key ${options.apiKey}` },
    ...connectionSettings(options, zepDefaultRateLimit),
    credentialHint: 'check the Zep API key (--api-key or ZEP_API_KEY): a project key for Zep Cloud, the api_secret of zep.yaml for Community Edition',
    statusHints: {
      429: 'Zep counts requests per minute for the whole account, by plan: lower --rate-limit or run again later (the run resumes)',
      409: 'Zep was still building what was asked (a user node); run again later (the run resumes)',
    },
  });
  const source = new ZepApiSource({ http, baseUrl, include, userIds: options.userIds, pageSize: options.pageSize ?? 100 }, wires);
  return { source, http };
}
