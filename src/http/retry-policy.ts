// The one retry policy: which failures are worth another try, and how long to wait before it.

export interface RetryPolicyOptions {
  /** Tries after the first one. */
  retries: number;
  /** First backoff; doubles each try. */
  baseDelayMs: number;
  maxDelayMs: number;
  random?: () => number;
}

export const defaultRetryPolicy: RetryPolicyOptions = { retries: 6, baseDelayMs: 250, maxDelayMs: 15_000 };

const retryableStatuses = new Set([408, 425, 429, 500, 502, 503, 504]);
const retryableCodes = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
]);

export function isRetryableStatus(status: number): boolean {
  return retryableStatuses.has(status);
}

export function isRetryableError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code !== undefined && retryableCodes.has(code);
}

/** Exponential backoff with full jitter; a server's Retry-After wins when it asks for longer. */
export function backoffDelay(policy: RetryPolicyOptions, attempt: number, retryAfterMs: number | null): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = Math.floor((policy.random ?? Math.random)() * exponential);
  return retryAfterMs !== null ? Math.max(retryAfterMs, jittered) : jittered;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (or plain milliseconds, as `retry-after-ms` sends). */
export function parseRetryAfter(value: string | string[] | undefined, unit: 'seconds' | 'milliseconds' = 'seconds', now = Date.now()): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return null;
  const amount = Number(raw);
  if (Number.isFinite(amount)) return Math.max(0, unit === 'seconds' ? amount * 1000 : amount);
  if (unit === 'milliseconds') return null;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
