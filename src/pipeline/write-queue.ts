// The one order in which a run writes: every write transaction (batches of memories, pruning, partition
// checkpoints) waits for the one before, none begins after an interrupt, and nothing is written after the run failed.

export class WriteQueue {
  private chain: Promise<unknown> = Promise.resolve();
  private firstFailure: { error: unknown } | null = null;

  constructor(private readonly signal: AbortSignal | undefined) {}

  /** Runs `work` after every write queued before it; a write begun is finished, none begins after an interrupt. */
  write<T>(work: () => Promise<T>): Promise<T> {
    const result = this.chain.then(() => {
      this.signal?.throwIfAborted();
      return work();
    });
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** Keeps the run's first failure: every partition stops at its next record, and no batch writes after it. */
  fail(error: unknown): void {
    this.firstFailure ??= { error };
  }

  get failed(): boolean {
    return this.firstFailure !== null;
  }

  /** Throws the run's first failure, if any. */
  throwIfFailed(): void {
    if (this.firstFailure) throw this.firstFailure.error;
  }
}
