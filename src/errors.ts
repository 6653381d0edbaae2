// Every error om-import raises on purpose: each says what failed, where, and how to fix it.

/** A bad flag, file or setting: the user must change how om-import is called (exit 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The target database cannot be opened, inspected, migrated or written. */
export class TargetError extends Error {
  override name = 'TargetError';
  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super(options?.hint ? `${message} (${options.hint})` : message, { cause: options?.cause });
  }
}

/** The source refused or failed: carries the source, and where known the tenant and page. */
export class SourceError extends Error {
  override name = 'SourceError';
  constructor(
    message: string,
    readonly context: { source: string; tenant?: string; page?: string; status?: number },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Credentials were rejected (401/403): the run stops at once. */
export class AuthenticationError extends SourceError {
  override name = 'AuthenticationError';
}

/**
 * The run was asked to stop (Ctrl-C, SIGTERM): no batch was begun after that, and every batch written is kept, so
 * the next run resumes — as after a lost connection. The exit code is the shell's for the signal (128 + its number).
 */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
  constructor(readonly signal: 'SIGINT' | 'SIGTERM') {
    super(`interrupted by ${signal}: what was written is kept; run again to resume`);
  }

  get exitCode(): number {
    return this.signal === 'SIGINT' ? 130 : 143;
  }
}

/** A message for a person: the error's own message, never its stack; secrets are redacted by the caller. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
