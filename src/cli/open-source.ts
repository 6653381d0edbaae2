// Opening the source a command names, from its flags: the key checked, the connection flags passed on.
import { mem0Source } from '../../adapters/mem0/index.js';
import { supermemorySource } from '../../adapters/supermemory/index.js';
import { zepSource } from '../../adapters/zep/index.js';
import { UsageError } from '../errors.js';
import type { ConnectionOptions } from '../http/http-client.js';
import type { OpenedSource } from '../records.js';
import type { Mem0ReadOptions, SourceReadOptions, SupermemoryReadOptions, ZepReadOptions } from './command-options.js';

/** What the run gives a source's connection: the progress display's wait line, and the interrupt that cuts requests and waits. */
export type SourceConnection = Pick<ConnectionOptions, 'onWait' | 'signal'>;

/** The connection flags every source command has (--rate-limit, --concurrency, --max-wait), as each source's factory takes them. */
function connectionOptions(options: SourceReadOptions, connection: SourceConnection): ConnectionOptions {
  return { requestsPerSecond: options.rateLimit, concurrency: options.concurrency, maxWaitMs: options.maxWait * 1000, ...connection };
}

/** The Mem0 source the options name; `knownUsers`: read where a self-hosted server cannot list its users (the keys of --user-map). */
export function openMem0(options: Mem0ReadOptions, apiKey: string | undefined, knownUsers: readonly string[] | undefined, connection: SourceConnection = {}): OpenedSource {
  if (!options.fromFile && !options.selfHosted && !apiKey) {
    throw new UsageError('no Mem0 API key: pass --api-key or set MEM0_API_KEY (or read an export with --from-file)');
  }
  if (options.selfHosted && !options.baseUrl) throw new UsageError('--self-hosted needs --base-url (your Mem0 server)');
  return mem0Source({
    apiKey,
    baseUrl: options.baseUrl,
    selfHosted: options.selfHosted,
    userIds: options.userId,
    knownUsers,
    include: options.include,
    orgId: options.orgId,
    projectId: options.projectId,
    fromFile: options.fromFile,
    ...connectionOptions(options, connection),
  });
}

export function openZep(options: ZepReadOptions, apiKey: string | undefined, connection: SourceConnection = {}): OpenedSource {
  if (!options.fromFile && !apiKey) throw new UsageError('no Zep API key: pass --api-key or set ZEP_API_KEY (or read a snapshot with --from-file)');
  return zepSource({
    apiKey,
    baseUrl: options.baseUrl,
    fromFile: options.fromFile,
    userIds: options.userId,
    include: options.include,
    ...connectionOptions(options, connection),
  });
}

export function openSupermemory(options: SupermemoryReadOptions, apiKey: string | undefined, connection: SourceConnection = {}): OpenedSource {
  if (!options.fromFile && !apiKey) {
    throw new UsageError('no Supermemory API key: pass --api-key or set SUPERMEMORY_API_KEY (or read a snapshot with --from-file)');
  }
  return supermemorySource({
    apiKey,
    baseUrl: options.baseUrl,
    fromFile: options.fromFile,
    tags: options.userId,
    include: options.include,
    multiTag: options.multiTag,
    api: options.api,
    ...connectionOptions(options, connection),
  });
}

