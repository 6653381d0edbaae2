// One rate limiter for every request of a run: a token bucket that slows down on 429 and honours Retry-After.

export interface RateLimiterOptions {
  /** Requests per second at most. */
  requestsPerSecond: number;
  /** Requests that may go at once after a pause; default 1, so requests are evenly spaced and a server's
   *  per-second window is never exceeded. */
  burst?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class RateLimiter {
  private readonly ceiling: number;
  private rate: number;
  private tokens: number;
  private readonly burst: number;
  private last: number;
  private pausedUntil = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: RateLimiterOptions) {
    if (!(options.requestsPerSecond > 0)) throw new Error('the rate limit must be above 0 requests per second');
    // 2% under the limit: requests reach the server with some jitter, and a server counting per 1-second window
    // must never see one request too many.
    this.ceiling = options.requestsPerSecond * 0.98;
    this.rate = this.ceiling;
    this.burst = options.burst ?? 1;
    this.tokens = this.burst;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.last = this.now();
  }

  /** The current allowed rate (it drops after 429 answers and recovers with successes). */
  get currentRate(): number {
    return this.rate;
  }

  /** Waits for a token; callers are served in order. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.takeToken());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async takeToken(): Promise<void> {
    for (;;) {
      const now = this.now();
      if (now < this.pausedUntil) {
        await this.sleep(this.pausedUntil - now);
        continue;
      }
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.rate) * 1000));
    }
  }

  /** The server said 429: halve the rate, and pause everyone for `retryAfterMs` when it said so. */
  throttled(retryAfterMs: number | null): void {
    this.rate = Math.max(this.ceiling / 32, this.rate / 2);
    this.tokens = Math.min(this.tokens, 0);
    if (retryAfterMs !== null) this.pausedUntil = Math.max(this.pausedUntil, this.now() + retryAfterMs);
  }

  /** A request succeeded: win back a little of the rate given up. */
  succeeded(): void {
    if (this.rate < this.ceiling) this.rate = Math.min(this.ceiling, this.rate * 1.05);
  }
}
