import type { SupermemoryAccount } from '../fakes/supermemory/supermemory-account.js';
import {
  createSupermemoryCounters,
  supermemoryHandlers,
  type SupermemoryFakeCounters,
  type SupermemoryFakeOptions,
} from '../fakes/supermemory/supermemory-handlers.js';
import {
  createSupermemoryV5Counters,
  supermemoryLegacyRoutesGone,
  supermemoryV5Handlers,
  supermemoryV5RoutesAbsent,
  type SupermemoryV5FakeCounters,
  type SupermemoryV5FakeOptions,
} from '../fakes/supermemory/supermemory-v5-handlers.js';
import { serveHandlers, type ServedHandlers } from '../fakes/serve-handlers.js';

/**
 * Which API generations the fake speaks (supermemory-v5.md §1, §10.10):
 * - 'legacy' (default): v3/v4 only; every `/ns…`, `/namespaces` and `/organization` route answers 404 in plain text,
 *   as self-hosted supermemory-server 0.0.8 does;
 * - 'both': v3/v4 and v5 over the same account (the cloud until 2026-12-31);
 * - 'v5': v5 only; every `/v3/…` and `/v4/…` route answers `{"error":"Not Found"}` (the cloud after the shutdown).
 */
export type SupermemoryGenerations = 'legacy' | 'both' | 'v5';

export interface SupermemoryFakeServeOptions extends SupermemoryFakeOptions {
  generations?: SupermemoryGenerations;
  /** Options of the v5 handlers ('both' and 'v5'). */
  v5?: SupermemoryV5FakeOptions;
  /** What the shut-down v3/v4 routes answer in 'v5' mode: 404 (default) or 410; the real status is unknown. */
  legacyGoneStatus?: 404 | 410;
}

export interface SupermemoryFake extends ServedHandlers {
  /** Requests, 429s and requests per route, as the legacy (v3/v4) handlers counted them. */
  counters: SupermemoryFakeCounters;
}

/** What `startSupermemoryFake` returns (a separate type so tests that build a `SupermemoryFake` by hand still compile). */
export interface SupermemoryFakeServer extends SupermemoryFake {
  /** The same counts for the v5 handlers (all zero in 'legacy' mode). */
  v5Counters: SupermemoryV5FakeCounters;
}

/** Serves the fake Supermemory API over `account` on 127.0.0.1, in one generation or both. */
export async function startSupermemoryFake(
  account: SupermemoryAccount,
  options: SupermemoryFakeServeOptions = {},
): Promise<SupermemoryFakeServer> {
  const { generations = 'legacy', v5 = {}, legacyGoneStatus = 404, ...legacyOptions } = options;
  const counters = legacyOptions.counters ?? createSupermemoryCounters();
  const v5Counters = v5.counters ?? createSupermemoryV5Counters();
  const legacy = () => supermemoryHandlers(account, { ...legacyOptions, counters });
  const current = () => supermemoryV5Handlers(account, { ...v5, counters: v5Counters });
  const handlers =
    generations === 'legacy'
      ? [...legacy(), ...supermemoryV5RoutesAbsent()]
      : generations === 'both'
        ? [...legacy(), ...current()]
        : [...supermemoryLegacyRoutesGone(legacyGoneStatus), ...current()];
  const served = await serveHandlers(handlers);
  return { ...served, counters, v5Counters };
}
