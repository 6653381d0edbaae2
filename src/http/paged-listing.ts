// The one paging loop every adapter uses: page after page until the source says there is no more, each entry once
// (offset pages drift while an account changes), and a warning when the count disagrees with the announced total.
import type { SourceWarning } from '../records.js';
import { RecordIdSet } from '../pipeline/record-id-set.js';

export interface ListingPage<Entry, Cursor> {
  entries: readonly Entry[];
  /** Where the next page starts (a page number, a cursor header); null on the last page. */
  next: Cursor | null;
  /** How many entries the source says the whole listing holds, where it says so. */
  total?: number | null;
}

export interface PagedListing<Entry, Cursor> {
  /** What is listed, for warnings: `users`, `messages of thread t1`. */
  what: string;
  tenantKey: string | null;
  first: Cursor;
  fetchPage(cursor: Cursor): Promise<ListingPage<Entry, Cursor>>;
  /** An entry's identity: an entry seen on an earlier page is not yielded again. */
  identity?(entry: Entry): string | null;
}

export type ListingEvent<Entry> = { type: 'entry'; entry: Entry } | { type: 'warning'; warning: SourceWarning };

/** Every entry of a paged listing, in order, then a warning if their number is not the total the source announced. */
export async function* pagedListing<Entry, Cursor>(listing: PagedListing<Entry, Cursor>): AsyncGenerator<ListingEvent<Entry>> {
  // By 64-bit hash (~24 bytes an id, not ~120 as strings): one user's listing may hold a million entries.
  const seen = new RecordIdSet();
  const cursorsSeen = new Set<string>();
  let listed = 0;
  let duplicates = 0;
  let announced: number | null = null;
  let cursor: Cursor | null = listing.first;
  while (cursor !== null) {
    const cursorKey = JSON.stringify(cursor);
    if (cursorsSeen.has(cursorKey)) {
      yield warning(listing, `the source gave the same page cursor twice (${cursorKey}); stopped listing there`);
      break;
    }
    cursorsSeen.add(cursorKey);
    const page: ListingPage<Entry, Cursor> = await listing.fetchPage(cursor);
    if (typeof page.total === 'number' && Number.isFinite(page.total)) announced = page.total;
    for (const entry of page.entries) {
      const identity = listing.identity?.(entry) ?? null;
      if (identity !== null) {
        if (!seen.add(identity).added) {
          duplicates++;
          continue;
        }
      }
      listed++;
      yield { type: 'entry', entry };
    }
    cursor = page.entries.length === 0 ? null : page.next;
  }
  if (announced !== null && listed !== announced) {
    const drift = duplicates > 0 ? ` (${duplicates} listed twice as pages shifted, counted once)` : '';
    yield warning(listing, `listed ${listed} ${listing.what} but the source announced ${announced}${drift}; run again to pick up what changed during the run`);
  }
}

function warning<Entry, Cursor>(listing: PagedListing<Entry, Cursor>, message: string): ListingEvent<never> {
  return { type: 'warning', warning: { tenantKey: listing.tenantKey, message: `${listing.what}: ${message}` } };
}
