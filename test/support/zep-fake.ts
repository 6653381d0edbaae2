import { emptyZepFakeStats, zepHandlers, type ZepFakeOptions, type ZepFakeStats } from '../fakes/zep/zep-handlers.js';
import type { ZepAccount } from '../fakes/zep/zep-account.js';
import { serveHandlers, type ServedHandlers } from '../fakes/serve-handlers.js';

export interface ServedZepFake extends ServedHandlers {
  /** The base URL the SDKs and our adapter take: `${url}/api/v2`. */
  baseUrl: string;
  /** Live counters: requests, 429s sent, faults, requests per route kind. */
  stats: ZepFakeStats;
}

/** The fake Zep server (see `zepHandlers`) on a real port on 127.0.0.1. */
export async function startZepFake(account: ZepAccount, options: Omit<ZepFakeOptions, 'stats'> = {}): Promise<ServedZepFake> {
  const stats = emptyZepFakeStats();
  const served = await serveHandlers(zepHandlers(account, { ...options, stats }));
  return { ...served, baseUrl: `${served.url}/api/v2`, stats };
}
