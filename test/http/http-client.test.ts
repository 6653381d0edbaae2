import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delay, http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthenticationError, SourceError } from '../../src/errors.js';
import { HttpClient } from '../../src/http/http-client.js';
import { RateLimiter } from '../../src/http/rate-limiter.js';
import { backoffDelay, parseRetryAfter } from '../../src/http/retry-policy.js';
import { serveHandlers, type ServedHandlers } from '../fakes/serve-handlers.js';

const servers: ServedHandlers[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** A server that answers the given statuses in turn (then 200 with {ok: true}). */
async function scripted(script: (number | 'reset')[], headers: Record<string, string> = {}): Promise<ServedHandlers> {
  let call = 0;
  const server = await serveHandlers([
    http.get('*/thing', () => {
      const step = script[call++];
      if (step === undefined) return HttpResponse.json({ ok: true, call });
      if (step === 'reset') return HttpResponse.error();
      return HttpResponse.json({ detail: `status ${step}` }, { status: step, headers });
    }),
  ]);
  servers.push(server);
  return server;
}

function client(url: string, sleeps: number[] = [], retries = 6): HttpClient {
  return new HttpClient({
    source: 'test',
    baseUrl: url,
    headers: { authorization: 'Token secret-key-123' },
    requestsPerSecond: 1000,
    concurrency: 2,
    credentialHint: 'check the key',
    retry: { retries, baseDelayMs: 1, maxDelayMs: 5 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
}

describe('HttpClient', () => {
  it('retries 5xx, 429 and connection resets, then answers the JSON', async () => {
    const server = await scripted([500, 'reset', 502, 503, 429]);
    const c = client(server.url);
    await expect(c.json({ method: 'GET', path: '/thing' })).resolves.toEqual({ ok: true, call: 6 });
    expect(c.stats).toMatchObject({ requests: 6, retries: 5, throttled: 1 });
    await c.close();
  });

  it('honours Retry-After and slows the rate down on 429', async () => {
    const server = await scripted([429, 429], { 'Retry-After': '0.3' });
    const sleeps: number[] = [];
    const c = client(server.url, sleeps);
    await c.json({ method: 'GET', path: '/thing' });
    expect(sleeps.filter((ms) => ms >= 300)).toHaveLength(2);
    expect(c.rateLimiter.currentRate).toBeLessThan(1000);
    await c.close();
  });

  it('stops at once on 401/403 with a hint, never showing the key', async () => {
    const server = await scripted([401]);
    const c = client(server.url);
    const error = await c.json({ method: 'GET', path: '/thing', context: { tenant: 'alice' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(/test: GET \/thing \(tenant alice\) was refused \(HTTP 401\): check the key/);
    expect((error as Error).message).not.toContain('secret-key-123');
    expect(server.requests).toHaveLength(1);
    await c.close();
  });

  it('gives up after the retries with the source, tenant and page in the message', async () => {
    const server = await scripted([503, 503, 503, 503]);
    const c = client(server.url, [], 2);
    const error = await c.json({ method: 'GET', path: '/thing', context: { tenant: 'bob', page: '3' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toMatch(/test: GET \/thing \(tenant bob, page 3\) still failed after 3 tries \(last: HTTP 503/);
    await c.close();
  });

  it('retries a response slower than the timeout', async () => {
    let call = 0;
    const server = await serveHandlers([
      http.get('*/slow', async () => {
        if (call++ === 0) await delay(400);
        return HttpResponse.json({ call });
      }),
    ]);
    servers.push(server);
    const c = new HttpClient({
      source: 'test', baseUrl: server.url, headers: {}, requestsPerSecond: 1000, concurrency: 1, timeoutMs: 100,
      credentialHint: '', retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 5 },
    });
    await expect(c.json({ method: 'GET', path: '/slow' })).resolves.toEqual({ call: 2 });
    expect(c.stats.retries).toBe(1);
    await c.close();
  });

  it('reads retry-after-ms, and refuses a wait longer than --max-wait with an error naming it', async () => {
    const sleeps: number[] = [];
    const short = await scripted([429], { 'retry-after-ms': '300' });
    const c = client(short.url, sleeps);
    await expect(c.json({ method: 'GET', path: '/thing' })).resolves.toEqual({ ok: true, call: 2 });
    expect(sleeps.some((ms) => ms >= 300)).toBe(true);
    await c.close();

    const quota = await scripted([429], { 'Retry-After': '3600' });
    const q = new HttpClient({
      source: 'test', baseUrl: quota.url, headers: {}, requestsPerSecond: 1000, concurrency: 1, credentialHint: '', maxWaitMs: 60_000,
      statusHints: { 429: 'the plan\'s quota may be used up' },
    });
    const error = await q.json({ method: 'GET', path: '/thing', context: { tenant: 'user_123' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toMatch(/\(tenant user_123\): the server asked to wait 3600 s .*more than --max-wait 60 s \(the plan's quota may be used up\)/);
    expect(quota.requests).toHaveLength(1);
    await q.close();
  });

  it('answers a 404 as null where the caller expects one, and names a status hint on other errors', async () => {
    const server = await scripted([404, 402]);
    const c = new HttpClient({
      source: 'test', baseUrl: server.url, headers: {}, requestsPerSecond: 1000, concurrency: 1, credentialHint: '',
      statusHints: { 402: 'the quota or credits are used up' },
    });
    await expect(c.exchange({ method: 'GET', path: '/thing', notFoundIsAnswer: true })).resolves.toMatchObject({ status: 404, body: null });
    await expect(c.json({ method: 'GET', path: '/thing' })).rejects.toThrow(/failed with HTTP 402: \{"detail":"status 402"\} \(the quota or credits are used up\)/);
    await c.close();
  });

  it('paces by X-RateLimit-Remaining/Reset so that a per-minute window is never exceeded', async () => {
    const windowMs = 2000;
    const limit = 10;
    let windowStart = Date.now();
    let used = 0;
    let refused = 0;
    const server = await serveHandlers([
      http.get('*/thing', () => {
        const now = Date.now();
        if (now >= windowStart + windowMs) {
          windowStart += Math.floor((now - windowStart) / windowMs) * windowMs;
          used = 0;
        }
        const headers = { 'X-RateLimit-Limit': String(limit), 'X-RateLimit-Remaining': String(Math.max(0, limit - used - 1)), 'X-RateLimit-Reset': String((windowStart + windowMs) / 1000) };
        if (used >= limit) {
          refused++;
          return HttpResponse.json({ message: 'rate limit exceeded' }, { status: 429, headers: { ...headers, 'X-RateLimit-Remaining': '0', 'Retry-After': '1' } });
        }
        used++;
        return HttpResponse.json({ ok: true }, { headers });
      }),
    ]);
    servers.push(server);
    const c = new HttpClient({ source: 'test', baseUrl: server.url, headers: {}, requestsPerSecond: 1000, concurrency: 3, credentialHint: '' });
    await Promise.all(Array.from({ length: 25 }, () => c.json({ method: 'GET', path: '/thing' })));
    expect(refused).toBe(0);
    expect(c.stats.throttled).toBe(0);
    await c.close();
  });

  it('a server that cannot be reached at all: names the host and the fix, not the rate limit', async () => {
    const port = await closedPort();
    const sleeps: number[] = [];
    const c = client(`http://127.0.0.1:${port}`, sleeps, 2);
    const failure = c.json({ method: 'GET', path: '/thing', context: { tenant: 'alice' } });
    await expect(failure).rejects.toThrow(SourceError);
    await expect(failure).rejects.toThrow(
      `test: GET /thing (tenant alice): could not connect to 127.0.0.1:${port} (ECONNREFUSED, 3 tries); check --base-url and that the server is running`,
    );
    await expect(failure).rejects.not.toThrow(/rate-limit/);
    expect(c.stats.requests).toBe(3); // still retried, as any refused connection is
    await c.close();
  });

  it('a server that goes away during the run: says the connection was lost, and that a re-run resumes', async () => {
    const server = await new Promise<Server>((resolve) => {
      const started = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
      started.listen(0, '127.0.0.1', () => resolve(started));
    });
    const { port } = server.address() as AddressInfo;
    const c = client(`http://127.0.0.1:${port}`, [], 1);
    await expect(c.json({ method: 'GET', path: '/thing' })).resolves.toEqual({ ok: true });
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await expect(c.json({ method: 'GET', path: '/thing' })).rejects.toThrow(
      `test: GET /thing: lost the connection to 127.0.0.1:${port} (ECONNREFUSED, 2 tries); check that the server is still running, then run again to resume`,
    );
    await c.close();
  });

  it('retries a status the request names besides the usual ones (a 409 while the source builds the object), and only there', async () => {
    const server = await scripted([409, 409]);
    const c = client(server.url);
    await expect(c.json({ method: 'GET', path: '/thing', retryStatuses: [409] })).resolves.toEqual({ ok: true, call: 3 });
    const plain = await scripted([409]);
    await expect(c.json({ method: 'GET', path: `${plain.url}/thing` })).rejects.toThrow(/failed with HTTP 409/);
    expect(plain.requests).toHaveLength(1);
    await c.close();
  });

  it('does not retry other client errors', async () => {
    const server = await scripted([404]);
    const c = client(server.url);
    await expect(c.json({ method: 'GET', path: '/thing' })).rejects.toThrow(/failed with HTTP 404/);
    expect(server.requests).toHaveLength(1);
    await c.close();
  });
});

describe('RateLimiter', () => {
  it('spaces requests at the configured rate, halves it on 429 and pauses for Retry-After', async () => {
    let now = 0;
    const limiter = new RateLimiter({ requestsPerSecond: 10, burst: 1, now: () => now, sleep: async (ms) => void (now += ms) });
    for (let i = 0; i < 11; i++) await limiter.acquire();
    expect(now).toBeGreaterThanOrEqual(1000);
    expect(now).toBeLessThan(1100);
    limiter.throttled(3000);
    expect(limiter.currentRate).toBeCloseTo(4.9, 10);
    const before = now;
    await limiter.acquire();
    expect(now - before).toBeGreaterThanOrEqual(3000);
    for (let i = 0; i < 200; i++) limiter.succeeded();
    expect(limiter.currentRate).toBeCloseTo(9.8, 10);
  });
});

describe('retry policy', () => {
  it('parses Retry-After as seconds or a date, and never waits less than it says', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 'seconds', 4000)).toBe(6000);
    expect(parseRetryAfter('300', 'milliseconds')).toBe(300);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(backoffDelay({ retries: 3, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 }, 2, null)).toBe(200);
    expect(backoffDelay({ retries: 3, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 }, 2, 5000)).toBe(5000);
    expect(backoffDelay({ retries: 3, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.99 }, 10, null)).toBeLessThan(1000);
  });
});

/** A local port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
