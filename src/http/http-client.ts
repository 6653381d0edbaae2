// The HTTP client every adapter shares: a keep-alive pool, bounded concurrency, one rate limiter and one retry
// policy, composed once per run (in the manner of undici's composed dispatchers).
import pLimit, { type LimitFunction } from 'p-limit';
import type { Dispatcher, request as undiciRequest } from 'undici';
import { AuthenticationError, SourceError } from '../errors.js';
import { interruptibleSleep, type Sleep } from './interruptible-wait.js';
import { RateLimiter, reportedWaitMs } from './rate-limiter.js';
import { backoffDelay, defaultRetryPolicy, isRetryableError, isRetryableStatus, parseRetryAfter, type RetryPolicyOptions } from './retry-policy.js';

export interface HttpClientOptions {
  /** The source's name, for errors (`mem0`, `zep`, …). */
  source: string;
  baseUrl: string;
  /** Sent with every request (the credentials live here and nowhere else). */
  headers: Readonly<Record<string, string>>;
  /** Requests per second at most. */
  requestsPerSecond: number;
  /** Requests in flight at most. */
  concurrency: number;
  retry?: RetryPolicyOptions;
  /** Per-request timeout for headers and body. */
  timeoutMs?: number;
  /** What to tell the user when the credentials are refused. */
  credentialHint: string;
  /** What a status means at this source and how to fix it (e.g. 402: the plan's quota is used up); 401/403 default to `credentialHint`. */
  statusHints?: Readonly<Record<number, string>>;
  /** The longest a server may ask to wait (Retry-After) before the run gives up with an error naming the wait; default 120 s. */
  maxWaitMs?: number;
  sleep?: Sleep;
  /** Told when a wait longer than about a second starts (the rate limiter's, or before a retry), for progress. */
  onWait?: (milliseconds: number, reason: string) => void;
  /**
   * The run's interrupt (Ctrl-C, SIGTERM): when it aborts, a request in flight is cut, a wait (rate limit, Retry-After,
   * backoff) ends, no request starts, and every call rejects with its reason.
   */
  signal?: AbortSignal;
}

/**
 * How a source's factory lets its caller tune the one HTTP client (the CLI's --rate-limit, --concurrency,
 * --max-wait, and the progress display's wait line); every adapter's options extend it.
 */
export interface ConnectionOptions {
  /** Requests per second at most (default: the source's). */
  requestsPerSecond?: number;
  /** Requests in flight at most (default 4). */
  concurrency?: number;
  timeoutMs?: number;
  /** The longest Retry-After the run waits for (default: `defaultMaxWaitMs`). */
  maxWaitMs?: number;
  /** Told when the run starts a wait longer than about a second (rate limit, Retry-After), for progress. */
  onWait?: (milliseconds: number, reason: string) => void;
  /** The run's interrupt: aborting it cuts a request in flight and ends a wait at once (see `HttpClientOptions.signal`). */
  signal?: AbortSignal;
}

/** The HTTP client's settings from a factory's connection options, with the source's default rate. */
export function connectionSettings(
  options: ConnectionOptions,
  defaultRequestsPerSecond: number,
): Pick<HttpClientOptions, 'requestsPerSecond' | 'concurrency' | 'timeoutMs' | 'maxWaitMs' | 'onWait' | 'signal'> {
  return {
    requestsPerSecond: options.requestsPerSecond ?? defaultRequestsPerSecond,
    concurrency: options.concurrency ?? 4,
    timeoutMs: options.timeoutMs,
    maxWaitMs: options.maxWaitMs,
    onWait: options.onWait,
    signal: options.signal,
  };
}

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  query?: Readonly<Record<string, string | number | undefined>>;
  body?: unknown;
  /** Where in the source this request is, for errors. */
  context?: { tenant?: string; page?: string };
  /** A 404 is an answer here (a thread with no summary, an endpoint this server lacks): `body` null, `status` 404. */
  notFoundIsAnswer?: boolean;
  /** A 410 Gone too (an API generation its server has retired): `body` null, `status` 410. */
  goneIsAnswer?: boolean;
  /** Statuses this request retries besides the usual ones (e.g. a 409 a source sends while it builds what was asked). */
  retryStatuses?: readonly number[];
}

export interface HttpAnswer {
  status: number;
  /** Response headers, names in lower case. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: unknown;
}

export interface HttpStats {
  requests: number;
  retries: number;
  throttled: number;
}

/** Long enough for a per-minute window to reset; a longer Retry-After (a monthly quota) is an error, not a silent hour. */
export const defaultMaxWaitMs = 120_000;

export class HttpClient {
  readonly stats: HttpStats = { requests: 0, retries: 0, throttled: 0 };
  readonly rateLimiter: RateLimiter;
  /**
   * undici and this client's keep-alive pool, loaded and made by the first request: a run that sends none (an
   * import from an export file) does not load undici (~10 MiB of the process's memory).
   */
  private transport: Promise<{ request: typeof undiciRequest; dispatcher: Dispatcher }> | null = null;
  private readonly limit: LimitFunction;
  private readonly retry: RetryPolicyOptions;
  private readonly sleep: Sleep;
  private readonly timeoutMs: number;
  private readonly maxWaitMs: number;

  constructor(private readonly options: HttpClientOptions) {
    this.rateLimiter = new RateLimiter({ requestsPerSecond: options.requestsPerSecond, onWait: options.onWait, signal: options.signal });
    this.limit = pLimit(Math.max(1, options.concurrency));
    this.retry = options.retry ?? defaultRetryPolicy;
    this.sleep = interruptibleSleep(options.sleep, options.signal);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxWaitMs = options.maxWaitMs ?? defaultMaxWaitMs;
  }

  private inFlight = 0;
  /** Whether any request of this client got an answer (any status): a connection refused before that is a wrong address or a server that is down. */
  private reachedServer = false;

  /** Sends a request and answers its parsed JSON body, retrying what is worth retrying. */
  async json(spec: RequestSpec): Promise<unknown> {
    return (await this.exchange(spec)).body;
  }

  /** Like `json`, with the status and headers (for sources that page by a response header). */
  exchange(spec: RequestSpec): Promise<HttpAnswer> {
    return this.limit(() => this.send(spec));
  }

  private url(spec: RequestSpec): URL {
    const url = new URL(spec.path.replace(/^\//, ''), this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`);
    for (const [key, value] of Object.entries(spec.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    return url;
  }

  private describe(spec: RequestSpec): string {
    const where = [spec.context?.tenant ? `tenant ${spec.context.tenant}` : '', spec.context?.page ? `page ${spec.context.page}` : '']
      .filter(Boolean)
      .join(', ');
    return `${this.options.source}: ${spec.method} ${spec.path}${where ? ` (${where})` : ''}`;
  }

  private async send(spec: RequestSpec): Promise<HttpAnswer> {
    const url = this.url(spec);
    const context = { source: this.options.source, ...spec.context };
    let lastProblem = '';
    let lastCode: string | undefined;
    const { request, dispatcher } = await this.loadTransport();
    const interrupt = this.options.signal;
    for (let attempt = 0; attempt <= this.retry.retries; attempt++) {
      interrupt?.throwIfAborted(); // no request starts after an interrupt (those queued behind the concurrency limit too)
      if (attempt > 0) this.stats.retries++;
      lastCode = undefined;
      await this.rateLimiter.acquire();
      this.stats.requests++;
      let retryAfter: number | null = null;
      // The whole exchange, headers and body, must finish within the timeout; an interrupt cuts it at once.
      const deadline = AbortSignal.timeout(this.timeoutMs);
      const stopRequest = requestStopper(deadline, interrupt);
      this.inFlight++;
      try {
        const response = await request(url, {
          method: spec.method,
          dispatcher,
          signal: stopRequest.signal,
          headers: {
            accept: 'application/json',
            ...(spec.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...this.options.headers,
          },
          body: spec.body !== undefined ? JSON.stringify(spec.body) : undefined,
        });
        this.reachedServer = true;
        const text = await response.body.text();
        const status = response.statusCode;
        this.observeRateLimitHeaders(response.headers);
        const hint = this.options.statusHints?.[status];
        if (status >= 200 && status < 300) {
          try {
            const parsed: unknown = text === '' ? null : JSON.parse(text);
            this.rateLimiter.succeeded();
            return { status, headers: response.headers, body: parsed };
          } catch {
            lastProblem = `HTTP ${status} with a body that is not JSON`;
          }
        } else if ((status === 404 && spec.notFoundIsAnswer) || (status === 410 && spec.goneIsAnswer)) {
          this.rateLimiter.succeeded();
          return { status, headers: response.headers, body: null };
        } else if (status === 401 || status === 403) {
          throw new AuthenticationError(`${this.describe(spec)} was refused (HTTP ${status}): ${hint ?? this.options.credentialHint}`, { ...context, status });
        } else if (isRetryableStatus(status) || spec.retryStatuses?.includes(status)) {
          retryAfter = parseRetryAfter(response.headers['retry-after-ms'], 'milliseconds') ?? parseRetryAfter(response.headers['retry-after']);
          if (retryAfter !== null && retryAfter > this.maxWaitMs) {
            throw new SourceError(
              `${this.describe(spec)}: the server asked to wait ${Math.ceil(retryAfter / 1000)} s (HTTP ${status}, Retry-After), more than --max-wait ${Math.round(this.maxWaitMs / 1000)} s${hint ? ` (${hint})` : ''}; run again later (the run resumes), or raise --max-wait`,
              { ...context, status },
            );
          }
          if (status === 429) {
            this.stats.throttled++;
            this.rateLimiter.throttled(retryAfter);
          }
          lastProblem = `HTTP ${status}${errorDetail(text)}`;
        } else {
          throw new SourceError(`${this.describe(spec)} failed with HTTP ${status}${errorDetail(text)}${hint ? ` (${hint})` : ''}`, { ...context, status });
        }
      } catch (error) {
        if (error instanceof SourceError) throw error;
        if (interrupt?.aborted) throw interrupt.reason; // cut by the interrupt: not a failure of the source, not retried
        if (deadline.aborted) {
          lastProblem = `no answer within ${this.timeoutMs} ms`;
        } else if (!isRetryableError(error)) {
          throw new SourceError(`${this.describe(spec)} failed: ${(error as Error).message}`, context, { cause: error });
        } else {
          lastCode = (error as { code?: string }).code;
          lastProblem = lastCode ?? (error as Error).message;
        }
      } finally {
        this.inFlight--;
        stopRequest.release();
      }
      if (attempt < this.retry.retries) {
        const delay = backoffDelay(this.retry, attempt, retryAfter);
        if (delay > reportedWaitMs) this.options.onWait?.(delay, retryAfter !== null ? 'rate limit (Retry-After)' : 'backing off before a retry');
        await this.sleep(delay);
      }
    }
    const tries = `${this.retry.retries + 1} tries`;
    if (lastCode !== undefined && connectionFailures.has(lastCode)) {
      // No connection at all: the rate is not the problem, the address or the server is.
      const host = url.host;
      throw new SourceError(
        this.reachedServer
          ? `${this.describe(spec)}: lost the connection to ${host} (${lastCode}, ${tries}); check that the server is still running, then run again to resume`
          : `${this.describe(spec)}: could not connect to ${host} (${lastCode}, ${tries}); check --base-url and that the server is running`,
        context,
      );
    }
    throw new SourceError(
      `${this.describe(spec)} still failed after ${tries} (last: ${lastProblem}); run again to resume, or lower --rate-limit / --concurrency`,
      context,
    );
  }

  /** `X-RateLimit-Remaining` and `-Reset` (unix seconds), as Zep sends them, pace the rate limiter. */
  private observeRateLimitHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): void {
    const header = (name: string): number => Number(Array.isArray(headers[name]) ? headers[name][0] : headers[name] ?? Number.NaN);
    const remaining = header('x-ratelimit-remaining');
    const reset = header('x-ratelimit-reset');
    if (Number.isFinite(remaining) && Number.isFinite(reset)) this.rateLimiter.observeWindow(remaining, reset * 1000, this.inFlight - 1);
  }

  private loadTransport(): Promise<{ request: typeof undiciRequest; dispatcher: Dispatcher }> {
    this.transport ??= import('undici').then(({ Agent, request }) => ({
      request,
      dispatcher: new Agent({ keepAliveTimeout: 10_000, connections: Math.max(1, this.options.concurrency) }),
    }));
    return this.transport;
  }

  async close(): Promise<void> {
    if (this.transport) await (await this.transport).dispatcher.close();
  }
}

/**
 * One request's signal: aborted by its deadline or by the run's interrupt. Not `AbortSignal.any`, which leaves a
 * dependant on the run-long interrupt per request (nodejs/node#55351); `release` unhooks it once the request is over.
 */
function requestStopper(deadline: AbortSignal, interrupt: AbortSignal | undefined): { signal: AbortSignal; release: () => void } {
  if (!interrupt) return { signal: deadline, release: () => undefined };
  const controller = new AbortController();
  const stop = (): void => controller.abort(interrupt.aborted ? interrupt.reason : deadline.reason);
  if (interrupt.aborted) stop();
  interrupt.addEventListener('abort', stop, { once: true });
  deadline.addEventListener('abort', stop, { once: true });
  return {
    signal: controller.signal,
    release: () => {
      interrupt.removeEventListener('abort', stop);
      deadline.removeEventListener('abort', stop);
    },
  };
}

/** Errors that mean no connection was made at all (as opposed to one that broke, or a server that answered badly). */
const connectionFailures = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** A short, single-line excerpt of an error body (sources put their reason there). */
function errorDetail(text: string): string {
  const excerpt = (validationMessages(text) ?? text).replace(/\s+/g, ' ').trim().slice(0, 200);
  return excerpt ? `: ${excerpt}` : '';
}

/** A validation failure whose `error` is a list of `{message, path}` (Supermemory's 400s), as `path: message; …`. */
function validationMessages(text: string): string | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  const issues = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : null;
  if (!Array.isArray(issues)) return null;
  const messages = issues.map((issue: unknown) => {
    const { message, path } = typeof issue === 'object' && issue !== null ? (issue as { message?: unknown; path?: unknown }) : {};
    const where = Array.isArray(path) && path.length > 0 ? `${path.join('.')}: ` : '';
    return `${where}${typeof message === 'string' ? message : JSON.stringify(issue)}`;
  });
  return messages.length > 0 ? messages.join('; ') : null;
}
