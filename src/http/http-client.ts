// The HTTP client every adapter shares: a keep-alive pool, bounded concurrency, one rate limiter and one retry
// policy, composed once per run (in the manner of undici's composed dispatchers).
import pLimit, { type LimitFunction } from 'p-limit';
import { Agent, request, type Dispatcher } from 'undici';
import { AuthenticationError, SourceError } from '../errors.js';
import { RateLimiter } from './rate-limiter.js';
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
  sleep?: (ms: number) => Promise<void>;
}

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  query?: Readonly<Record<string, string | number | undefined>>;
  body?: unknown;
  /** Where in the source this request is, for errors. */
  context?: { tenant?: string; page?: string };
}

export interface HttpStats {
  requests: number;
  retries: number;
  throttled: number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class HttpClient {
  readonly stats: HttpStats = { requests: 0, retries: 0, throttled: 0 };
  readonly rateLimiter: RateLimiter;
  private readonly dispatcher: Dispatcher;
  private readonly limit: LimitFunction;
  private readonly retry: RetryPolicyOptions;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpClientOptions) {
    this.rateLimiter = new RateLimiter({ requestsPerSecond: options.requestsPerSecond });
    this.limit = pLimit(Math.max(1, options.concurrency));
    this.retry = options.retry ?? defaultRetryPolicy;
    this.sleep = options.sleep ?? defaultSleep;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.dispatcher = new Agent({ keepAliveTimeout: 10_000, connections: Math.max(1, options.concurrency) });
  }

  /** Sends a request and answers its parsed JSON body, retrying what is worth retrying. */
  json(spec: RequestSpec): Promise<unknown> {
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

  private async send(spec: RequestSpec): Promise<unknown> {
    const url = this.url(spec);
    const context = { source: this.options.source, ...spec.context };
    let lastProblem = '';
    for (let attempt = 0; attempt <= this.retry.retries; attempt++) {
      if (attempt > 0) this.stats.retries++;
      await this.rateLimiter.acquire();
      this.stats.requests++;
      let retryAfter: number | null = null;
      // The whole exchange, headers and body, must finish within the timeout.
      const deadline = AbortSignal.timeout(this.timeoutMs);
      try {
        const response = await request(url, {
          method: spec.method,
          dispatcher: this.dispatcher,
          signal: deadline,
          headers: {
            accept: 'application/json',
            ...(spec.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...this.options.headers,
          },
          body: spec.body !== undefined ? JSON.stringify(spec.body) : undefined,
        });
        const text = await response.body.text();
        const status = response.statusCode;
        if (status >= 200 && status < 300) {
          try {
            const parsed: unknown = text === '' ? null : JSON.parse(text);
            this.rateLimiter.succeeded();
            return parsed;
          } catch {
            lastProblem = `HTTP ${status} with a body that is not JSON`;
          }
        } else if (status === 401 || status === 403) {
          throw new AuthenticationError(`${this.describe(spec)} was refused (HTTP ${status}): ${this.options.credentialHint}`, { ...context, status });
        } else if (isRetryableStatus(status)) {
          retryAfter = parseRetryAfter(response.headers['retry-after']);
          if (status === 429) {
            this.stats.throttled++;
            this.rateLimiter.throttled(retryAfter);
          }
          lastProblem = `HTTP ${status}${errorDetail(text)}`;
        } else {
          throw new SourceError(`${this.describe(spec)} failed with HTTP ${status}${errorDetail(text)}`, { ...context, status });
        }
      } catch (error) {
        if (error instanceof SourceError) throw error;
        if (deadline.aborted) {
          lastProblem = `no answer within ${this.timeoutMs} ms`;
        } else if (!isRetryableError(error)) {
          throw new SourceError(`${this.describe(spec)} failed: ${(error as Error).message}`, context, { cause: error });
        } else {
          lastProblem = (error as { code?: string }).code ?? (error as Error).message;
        }
      }
      if (attempt < this.retry.retries) await this.sleep(backoffDelay(this.retry, attempt, retryAfter));
    }
    throw new SourceError(
      `${this.describe(spec)} still failed after ${this.retry.retries + 1} tries (last: ${lastProblem}); run again to resume, or lower --rate-limit / --concurrency`,
      context,
    );
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

/** A short, single-line excerpt of an error body (sources put their reason there). */
function errorDetail(text: string): string {
  const excerpt = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return excerpt ? `: ${excerpt}` : '';
}
