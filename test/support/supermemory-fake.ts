import type { SupermemoryAccount } from '../fakes/supermemory/supermemory-account.js';
import {
  createSupermemoryCounters,
  supermemoryHandlers,
  type SupermemoryFakeCounters,
  type SupermemoryFakeOptions,
} from '../fakes/supermemory/supermemory-handlers.js';
import { serveHandlers, type ServedHandlers } from '../fakes/serve-handlers.js';

export interface SupermemoryFake extends ServedHandlers {
  /** Requests, 429s and requests per route, as the fake counted them. */
  counters: SupermemoryFakeCounters;
}

/** Serves the fake Supermemory API over `account` on 127.0.0.1. */
export async function startSupermemoryFake(
  account: SupermemoryAccount,
  options: SupermemoryFakeOptions = {},
): Promise<SupermemoryFake> {
  const counters = options.counters ?? createSupermemoryCounters();
  const served = await serveHandlers(supermemoryHandlers(account, { ...options, counters }));
  return { ...served, counters };
}
