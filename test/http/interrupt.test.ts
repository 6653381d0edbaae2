// An interrupt (the run's AbortSignal: Ctrl-C, SIGTERM) cuts what the HTTP layer is doing at once: a request in
// flight, a Retry-After pause, a retry's back-off, the rate limiter's wait; the call rejects with the signal's reason,
// is not retried, and no request starts after it.
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { HttpClient } from '../../src/http/http-client.js';
import { RateLimiter } from '../../src/http/rate-limiter.js';
import { serveHandlers, type ServedHandlers } from '../fakes/serve-handlers.js';

const servers: ServedHandlers[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** A client of `handlers` served on 127.0.0.1, with real timers, cut by `signal`. */
async function clientOf(handlers: Parameters<typeof serveHandlers>[0], signal: AbortSignal): Promise<{ client: HttpClient; served: ServedHandlers }> {
  const served = await serveHandlers(handlers);
  servers.push(served);
  const client = new HttpClient({
    source: 'test',
    baseUrl: served.url,
    headers: {},
    requestsPerSecond: 100,
    concurrency: 2,
    credentialHint: 'check the key',
    maxWaitMs: 600_000,
    signal,
  });
  return { client, served };
}

/** Aborts `controller` with a SIGINT once `ready` holds (checked every 10 ms), and answers how long the call took after. */
async function interruptWhen(controller: AbortController, ready: () => boolean, call: Promise<unknown>): Promise<{ error: unknown; msAfterAbort: number }> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 100)); // well inside the wait or the request
  const abortedAt = Date.now();
  controller.abort(new InterruptedError('SIGINT'));
  const error = await call.then(
    () => null,
    (reason: unknown) => reason,
  );
  return { error, msAfterAbort: Date.now() - abortedAt };
}

describe('an interrupt cuts the HTTP layer', () => {
  it('ends a Retry-After wait of 300 s at once, with the interrupt as the error, and sends nothing more', async () => {
    const controller = new AbortController();
    const { client, served } = await clientOf(
      [http.get('*/thing', () => HttpResponse.json({ detail: 'slow down' }, { status: 429, headers: { 'Retry-After': '300' } }))],
      controller.signal,
    );
    const { error, msAfterAbort } = await interruptWhen(controller, () => served.requests.length > 0, client.json({ method: 'GET', path: '/thing' }));
    expect(error).toBeInstanceOf(InterruptedError);
    expect(msAfterAbort).toBeLessThan(5_000); // not the 300 s asked for
    expect(served.requests).toHaveLength(1);
    // A call after the interrupt sends nothing.
    await expect(client.json({ method: 'GET', path: '/thing' })).rejects.toBeInstanceOf(InterruptedError);
    expect(served.requests).toHaveLength(1);
    await client.close();
  });

  it('cuts a request whose answer does not come, instead of waiting out the timeout and retrying', async () => {
    const controller = new AbortController();
    const { client, served } = await clientOf([http.get('*/thing', () => new Promise<never>(() => undefined))], controller.signal);
    const { error, msAfterAbort } = await interruptWhen(controller, () => served.requests.length > 0, client.json({ method: 'GET', path: '/thing' }));
    expect(error).toBeInstanceOf(InterruptedError);
    expect(msAfterAbort).toBeLessThan(5_000); // not the 30 s timeout
    expect(client.stats.retries).toBe(0);
    await client.close();
  });

  it("ends the rate limiter's wait (a Retry-After pause shared by every request) at once", async () => {
    const controller = new AbortController();
    const limiter = new RateLimiter({ requestsPerSecond: 10, signal: controller.signal });
    await limiter.acquire();
    limiter.throttled(300_000);
    let waiting = false;
    const turn = limiter.acquire();
    waiting = true;
    const { error, msAfterAbort } = await interruptWhen(controller, () => waiting, turn);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(msAfterAbort).toBeLessThan(5_000);
    // Every caller after it is refused at once too.
    await expect(limiter.acquire()).rejects.toBeInstanceOf(InterruptedError);
  });

  it("a sleep a test gives in place of the timer is cut as well", async () => {
    const controller = new AbortController();
    const limiter = new RateLimiter({ requestsPerSecond: 10, signal: controller.signal, sleep: () => new Promise<void>(() => undefined) });
    await limiter.acquire();
    limiter.throttled(60_000);
    const { error } = await interruptWhen(controller, () => true, limiter.acquire());
    expect(error).toBeInstanceOf(InterruptedError);
  });
});
