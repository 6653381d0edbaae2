// Mem0 as a source: the hosted platform, a self-hosted server, or an export file.
import { UsageError } from '../../src/errors.js';
import { connectionSettings, HttpClient, type ConnectionOptions } from '../../src/http/http-client.js';
import type { OpenedSource } from '../../src/records.js';
import { Mem0ExportFile } from './mem0-export-file.js';
import { mem0DefaultInclude, mem0IncludeChoices, mem0ReadPolicy, type Mem0Include } from './mem0-memory.js';
import { Mem0Platform } from './mem0-platform.js';
import { Mem0SelfHosted } from './mem0-self-hosted.js';

export { mem0DefaultInclude, mem0IncludeChoices, type Mem0Include } from './mem0-memory.js';

export const mem0DefaultBaseUrl = 'https://api.mem0.ai';
/** OpenMemory's own Mem0 importer used 20 requests per second. */
export const mem0DefaultRateLimit = 20;

export interface Mem0SourceOptions extends ConnectionOptions {
  apiKey?: string | undefined;
  baseUrl?: string | undefined;
  selfHosted?: boolean;
  orgId?: string | undefined;
  projectId?: string | undefined;
  fromFile?: string | undefined;
  /** Users to read: on the platform or a self-hosted server, instead of every listed entity; in a file, the only ones read. */
  userIds?: readonly string[];
  /** A self-hosted server without `GET /entities` (mem0 before 2.0.1) cannot list its users: these are read (the keys of --user-map). */
  knownUsers?: readonly string[];
  /** Which memories Mem0 marks (superseded, expired) are imported (default: `mem0DefaultInclude`). */
  include?: readonly Mem0Include[];
  pageSize?: number;
}

/** A JSON Web Token (`header.payload.signature`, base64url, the header a JSON object): what a self-hosted dashboard login gives. */
function isJwt(key: string): boolean {
  return /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(key);
}

/**
 * The credentials header: the platform takes `Authorization: Token <key>`; a self-hosted server (mem0 2.x) takes
 * `X-API-Key` (a per-user `m0sk_` key or its ADMIN_API_KEY), or `Authorization: Bearer` for a JWT.
 */
function mem0AuthHeaders(apiKey: string | undefined, selfHosted: boolean): Record<string, string> {
  if (!apiKey) return {};
  if (!selfHosted) return { authorization: `Token ${apiKey}` };
  return isJwt(apiKey) ? { authorization: `Bearer ${apiKey}` } : { 'x-api-key': apiKey };
}

export function mem0Source(options: Mem0SourceOptions): OpenedSource {
  const include = options.include ?? mem0DefaultInclude;
  for (const choice of include) {
    if (!(mem0IncludeChoices as readonly string[]).includes(choice)) throw new UsageError(`--include ${choice}: expected any of ${mem0IncludeChoices.join(', ')}`);
  }
  if (!include.includes('memories')) {
    throw new UsageError(`--include ${include.join(',')}: name memories too (superseded and expired add to the memories, e.g. --include memories,expired)`);
  }
  const policy = mem0ReadPolicy(include);
  if (options.fromFile !== undefined) return { source: new Mem0ExportFile(options.fromFile, options.userIds ?? [], {}, policy), http: null };
  const baseUrl = options.baseUrl ?? mem0DefaultBaseUrl;
  const selfHosted = options.selfHosted ?? false;
  const http = new HttpClient({
    source: 'mem0',
    baseUrl,
    headers: mem0AuthHeaders(options.apiKey, selfHosted),
    ...connectionSettings(options, mem0DefaultRateLimit),
    credentialHint: selfHosted
      ? 'check the key (--api-key or MEM0_API_KEY): a self-hosted server takes a per-user m0sk_ key or its ADMIN_API_KEY (sent as X-API-Key), or a dashboard JWT (sent as Authorization: Bearer); listing every user needs an admin key'
      : 'check the Mem0 API key (--api-key or MEM0_API_KEY) and, for org-scoped keys, --org-id/--project-id',
    ...(selfHosted
      ? { statusHints: { 400: 'a mem0 2.0.0 server refuses every listing (mem0ai/mem0#4955): upgrade the server to 2.0.1 or later, or import an export file with --from-file' } }
      : {}),
  });
  const source = selfHosted
    ? new Mem0SelfHosted({ http, baseUrl, userIds: options.userIds ?? [], knownUsers: options.knownUsers ?? [], policy })
    : new Mem0Platform({ http, baseUrl, orgId: options.orgId, projectId: options.projectId, pageSize: options.pageSize, userIds: options.userIds, policy });
  return { source, http };
}
