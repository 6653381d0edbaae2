// Reading ahead in a listing: the entries whose reading needs requests of their own (a document's text) are read a
// few at a time while the earlier ones are yielded, in the listing's order.

/**
 * Maps each item of `source` through `work`, up to `window` at once, and yields the results in the source's order
 * (documents whose text needs more requests are read ahead while earlier ones are yielded). A failure surfaces when
 * its turn comes; work still in flight when the consumer stops is left to finish, its failure ignored.
 */
export async function* inOrderAhead<T, R>(source: AsyncIterable<T>, window: number, work: (item: T) => Promise<R>): AsyncGenerator<R> {
  const pending: Promise<R>[] = [];
  const iterator = source[Symbol.asyncIterator]();
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && pending.length < Math.max(1, window)) {
        const next = await iterator.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        const started = work(next.value);
        started.catch(() => undefined);
        pending.push(started);
      }
      const head = pending.shift();
      if (head === undefined) return;
      yield await head;
    }
  } finally {
    if (!exhausted) await iterator.return?.();
  }
}
