// The waits of the HTTP layer (the rate limiter's, the retry policy's backoff and Retry-After) end at once when the
// run is interrupted: a wait of --max-wait seconds must not keep a Ctrl-C waiting.

/** A sleep: `ms` milliseconds, or less when the run is interrupted (then it rejects with the signal's reason). */
export type Sleep = (ms: number) => Promise<void>;

/** Waits `ms`; when `signal` aborts first, the timer is cleared and the wait rejects with the signal's reason. */
export function waitUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return new Promise((resolve) => setTimeout(resolve, ms));
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * `work`, or a rejection with the signal's reason as soon as `signal` aborts (what `work` does after is ignored): for
 * a sleep a test gives in place of the timer.
 */
export function unlessAborted<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** The sleep a rate limiter or client uses: the one given (a test's), or the timer; either way cut by `signal`. */
export function interruptibleSleep(given: Sleep | undefined, signal?: AbortSignal): Sleep {
  return given ? (ms) => unlessAborted(given(ms), signal) : (ms) => waitUnlessAborted(ms, signal);
}
