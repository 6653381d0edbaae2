// The run tells its progress display when it starts a wait longer than a second: a Retry-After pause, a server's
// window used up, a retry's back-off. The ordinary spacing of requests is not told.
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/http/http-client.js';
import { RateLimiter } from '../../src/http/rate-limiter.js';
import { serveHandlers, type ServedHandlers } from '../fakes/serve-handlers.js';

const servers: ServedHandlers[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** A rate limiter on a fake clock, whose sleeps pass at once; answers the waits it told. */
function fakeLimiter(requestsPerSecond: number): { limiter: RateLimiter; waits: { ms: number; reason: string }[] } {
  let time = 0;
  const waits: { ms: number; reason: string }[] = [];
  const limiter = new RateLimiter({
    requestsPerSecond,
    now: () => time,
    sleep: async (ms) => {
      time += ms;
    },
    onWait: (ms, reason) => waits.push({ ms, reason }),
  });
  return { limiter, waits };
}

describe('waits told to onWait', () => {
  it('a Retry-After pause and a used-up window are told; the spacing of requests is not', async () => {
    const { limiter, waits } = fakeLimiter(10);
    for (let i = 0; i < 5; i++) await limiter.acquire(); // 100 ms apart: not told
    expect(waits).toEqual([]);
    limiter.throttled(12_000);
    await limiter.acquire();
    expect(waits).toEqual([{ ms: 12_000, reason: 'rate limit (Retry-After)' }]);

    const windowed = fakeLimiter(10);
    windowed.limiter.observeWindow(0, 30_000, 0); // nothing left until 30 s from now
    await windowed.limiter.acquire();
    expect(windowed.waits).toEqual([{ ms: 30_250, reason: 'rate limit (window used up)' }]);
  });

  it('the HTTP client passes them on, with its own wait before a retry', async () => {
    let calls = 0;
    const server = await serveHandlers([
      http.get('*/thing', () => (calls++ === 0 ? HttpResponse.json({}, { status: 429, headers: { 'Retry-After': '1.2' } }) : HttpResponse.json({ ok: true }))),
    ]);
    servers.push(server);
    const waits: { ms: number; reason: string }[] = [];
    const client = new HttpClient({
      source: 'test',
      baseUrl: server.url,
      headers: {},
      requestsPerSecond: 100,
      concurrency: 1,
      credentialHint: 'check the key',
      retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 },
      sleep: async () => undefined,
      onWait: (ms, reason) => waits.push({ ms, reason }),
    });
    await expect(client.json({ method: 'GET', path: '/thing' })).resolves.toEqual({ ok: true });
    await client.close();
    // The retry's own wait (1.2 s, as asked), then the rate limiter's pause for everyone (what is left of it).
    expect(waits[0]).toEqual({ ms: 1200, reason: 'rate limit (Retry-After)' });
    expect(waits.slice(1).every((wait) => wait.reason === 'rate limit (Retry-After)' && wait.ms <= 1200)).toBe(true);
  });
});
