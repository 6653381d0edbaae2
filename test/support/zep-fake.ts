import { emptyZepFakeStats, zepHandlers, type ZepFakeOptions, type ZepFakeStats } from '../fakes/zep/zep-handlers.js';
import { emptyZepV4FakeStats, zepV4Handlers, type ZepV4FakeOptions, type ZepV4FakeStats } from '../fakes/zep/zep-v4-handlers.js';
import type { ZepAccount } from '../fakes/zep/zep-account.js';
import { serveHandlers, type ServedHandlers } from '../fakes/serve-handlers.js';

export interface ServedZepFake extends ServedHandlers {
  /** The base URL the SDKs and our adapter take: `${url}/api/v2`. */
  baseUrl: string;
  /** Live counters: requests, 429s sent, faults, requests per route kind. */
  stats: ZepFakeStats;
  /** The v4 API's counters (zero when it is not served). */
  v4Stats: ZepV4FakeStats;
}

/**
 * The fake Zep server (see `zepHandlers`) on a real port on 127.0.0.1; with `v4`, the same project also under
 * `/api/v4` (see `zepV4Handlers`), as Zep Cloud serves both since v4 went GA. Its root (`url`) is then what a run
 * given the server's root reads through v4.
 */
export async function startZepFake(
  account: ZepAccount,
  options: Omit<ZepFakeOptions, 'stats'> & { v4?: Omit<ZepV4FakeOptions, 'stats'> | true } = {},
): Promise<ServedZepFake> {
  const stats = emptyZepFakeStats();
  const v4Stats = emptyZepV4FakeStats();
  const { v4, ...v3Options } = options;
  const handlers = [...(v4 ? zepV4Handlers(account, { ...(v4 === true ? {} : v4), stats: v4Stats }) : []), ...zepHandlers(account, { ...v3Options, stats })];
  const served = await serveHandlers(handlers);
  return { ...served, baseUrl: `${served.url}/api/v2`, stats, v4Stats };
}
