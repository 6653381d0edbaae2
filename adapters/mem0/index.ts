// Mem0 as a source: the hosted platform, a self-hosted server, or an export file.
import { connectionSettings, HttpClient, type ConnectionOptions } from '../../src/http/http-client.js';
import type { OpenedSource } from '../../src/records.js';
import { Mem0ExportFile } from './mem0-export-file.js';
import { Mem0Platform } from './mem0-platform.js';
import { Mem0SelfHosted } from './mem0-self-hosted.js';

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
  /** Users to read: required for a self-hosted server; on the platform, instead of every listed entity; in a file, the only ones read. */
  userIds?: readonly string[];
  pageSize?: number;
}

export function mem0Source(options: Mem0SourceOptions): OpenedSource {
  if (options.fromFile !== undefined) return { source: new Mem0ExportFile(options.fromFile, options.userIds ?? []), http: null };
  const baseUrl = options.baseUrl ?? mem0DefaultBaseUrl;
  const http = new HttpClient({
    source: 'mem0',
    baseUrl,
    headers: options.apiKey ? { authorization: `Token ${options.apiKey}` } : {},
    ...connectionSettings(options, mem0DefaultRateLimit),
    credentialHint: 'check the Mem0 API key (--api-key or MEM0_API_KEY) and, for org-scoped keys, --org-id/--project-id',
  });
  const source = options.selfHosted
    ? new Mem0SelfHosted(http, baseUrl, options.userIds ?? [])
    : new Mem0Platform({ http, baseUrl, orgId: options.orgId, projectId: options.projectId, pageSize: options.pageSize, userIds: options.userIds });
  return { source, http };
}
