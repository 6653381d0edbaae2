// One rate limiter for every request of a run: a token bucket that slows down on 429, honours Retry-After, and
// paces itself by the window a server announces (X-RateLimit-Remaining/Reset) so that it never reaches a 429.
import { interruptibleSleep, type Sleep } from './interruptible-wait.js';

export interface RateLimiterOptions {
  /** Requests per second at most. */
  requestsPerSecond: number;
  /** Requests that may go at once after a pause; default 1, so requests are evenly spaced and a server's
   *  per-second window is never exceeded. */
  burst?: number;
  now?: () => number;
  sleep?: Sleep;
  /** The run's interrupt: a wait ends at once when it aborts (`acquire` then rejects with its reason). */
  signal?: AbortSignal;
  /** Told when a wait longer than `reportedWaitMs` starts (for progress): how long, and why (`rate limit (Retry-After)`). */
  onWait?: (milliseconds: number, reason: string) => void;
}

/** Waits longer than this are told to `onWait`; shorter ones are the ordinary spacing of requests. */
export const reportedWaitMs = 1000;

/** Reset times come in whole seconds: wait this much past one before counting on a fresh window. */
const windowResetMarginMs = 250;

export class RateLimiter {
  private readonly ceiling: number;
  private rate: number;
  private tokens: number;
  private readonly burst: number;
  private last: number;
  private pausedUntil = 0;
  /** The server's current counting window, as its last rate-limit headers told: requests left, and when it resets. */
  private window: { remaining: number; resetAt: number } | null = null;
  private queue: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly onWait: ((milliseconds: number, reason: string) => void) | undefined;

  constructor(options: RateLimiterOptions) {
    if (!(options.requestsPerSecond > 0)) throw new Error('the rate limit must be above 0 requests per second');
    // 2% under the limit: requests reach the server with some jitter, and a server counting per 1-second window
    // must never see one request too many.
    this.ceiling = options.requestsPerSecond * 0.98;
    this.rate = this.ceiling;
    this.burst = options.burst ?? 1;
    this.tokens = this.burst;
    this.now = options.now ?? Date.now;
    this.sleep = interruptibleSleep(options.sleep, options.signal);
    this.onWait = options.onWait;
    this.last = this.now();
  }

  /** The current allowed rate (it drops after 429 answers and recovers with successes). */
  get currentRate(): number {
    return this.rate;
  }

  /** Waits for a token; callers are served in order. Rejects with the interrupt's reason when the run is interrupted. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.takeToken());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async takeToken(): Promise<void> {
    for (;;) {
      const now = this.now();
      if (now < this.pausedUntil) {
        await this.wait(this.pausedUntil - now, 'rate limit (Retry-After)');
        continue;
      }
      const window = this.window !== null && now < this.window.resetAt ? this.window : null;
      if (window && window.remaining < 1) {
        await this.wait(window.resetAt - now + windowResetMarginMs, 'rate limit (window used up)');
        continue;
      }
      // What is left of the window, spread evenly over the time it has left.
      const rate = window ? Math.min(this.rate, window.remaining / ((window.resetAt - now) / 1000)) : this.rate;
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * rate);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        if (window) window.remaining -= 1;
        return;
      }
      await this.wait(Math.ceil(((1 - this.tokens) / rate) * 1000), 'rate limit');
    }
  }

  private wait(ms: number, reason: string): Promise<void> {
    if (ms > reportedWaitMs) this.onWait?.(ms, reason);
    return this.sleep(ms);
  }

  /**
   * A server's rate-limit headers: `remaining` requests until `resetAt` (ms). `inFlight` requests were sent and not
   * yet answered; the server may not have counted them yet, so they are taken off what it says is left.
   */
  observeWindow(remaining: number, resetAt: number, inFlight: number): void {
    if (!Number.isFinite(remaining) || !Number.isFinite(resetAt) || resetAt <= this.now()) return;
    const left = Math.max(0, remaining - inFlight);
    if (this.window === null || resetAt > this.window.resetAt + windowResetMarginMs) this.window = { remaining: left, resetAt };
    else if (Math.abs(resetAt - this.window.resetAt) <= windowResetMarginMs) this.window.remaining = Math.min(this.window.remaining, left);
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
