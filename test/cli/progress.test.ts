// What the progress display says, on a fake clock: totals where the source announced them, an ETA from the pace so
// far, waits counted once however many requests they hold; and which display a run gets.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { colorsAllowed, ImportProgress, progressDisplay, progressMode } from '../../src/cli/progress.js';
import type { ProgressEvent } from '../../src/pipeline/import.js';

function fetching(partial: Partial<Extract<ProgressEvent, { type: 'fetching' }>>): ProgressEvent {
  return { type: 'fetching', partitionsDone: 0, partitions: 4, records: 0, expectedRecords: 1200, expectedRecordsPartial: false, ...partial };
}

function clock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000_000;
  return { now: () => time, advance: (ms) => (time += ms) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ImportProgress', () => {
  it('measures fetching against the records the source announced, with elapsed time and an ETA at the pace so far', () => {
    const time = clock();
    const progress = new ImportProgress('user', time.now);
    progress.apply(fetching({}));
    expect(progress.fetchingLine()).toEqual({ label: 'fetching', fraction: 0, text: '0/1,200 records · ETA – · elapsed 0:00 · 0/4 users · 0/s' });
    time.advance(10_000);
    progress.apply(fetching({ records: 300, partitionsDone: 1 }));
    // A quarter in 10 s: 30 s left.
    expect(progress.fetchingLine()).toEqual({ label: 'fetching', fraction: 0.25, text: '300/1,200 records · ETA 0:30 · elapsed 0:10 · 1/4 users · 30/s' });
    time.advance(30_000);
    progress.apply(fetching({ records: 1150, partitionsDone: 4 }));
    // Done: the rate is the phase's average (while it runs, the last 10 s's; see the writing line).
    expect(progress.fetchingLine()?.text).toBe('1,150/1,200 records · done · elapsed 0:40 · 4/4 users · 29/s');
    expect(progress.fetchingLine()?.fraction).toBe(1);
  });

  it('counts partitions when some partitions announced nothing: the bar and the number beside it count the same unit', () => {
    const time = clock();
    const progress = new ImportProgress('container tag', time.now);
    progress.apply(fetching({ partitions: 5, expectedRecords: 40, expectedRecordsPartial: true }));
    time.advance(6000);
    progress.apply(fetching({ partitions: 5, partitionsDone: 2, records: 45, expectedRecords: 40, expectedRecordsPartial: true }));
    expect(progress.fetchingLine()).toMatchObject({ fraction: 0.4, text: expect.stringMatching(/^2\/5 container tags · ETA 0:09 · elapsed 0:06 · 45 records · /) });
  });

  it('on a resumed run, counts the ETA from the partitions this run reads, not from those an earlier run finished', () => {
    const time = clock();
    const progress = new ImportProgress('user', time.now);
    // 10 users, 8 finished before the interruption; nothing announced.
    progress.apply(fetching({ partitions: 10, partitionsDone: 8, expectedRecords: null, expectedRecordsPartial: true }));
    time.advance(5000);
    progress.apply(fetching({ partitions: 10, partitionsDone: 9, records: 50, expectedRecords: null, expectedRecordsPartial: true }));
    // One of the two left in 5 s: 5 s more (counting the 8 as done now would say 0:01).
    expect(progress.fetchingLine()).toMatchObject({ fraction: 0.9, text: expect.stringMatching(/^9\/10 users · ETA 0:05 · elapsed 0:05 · 50 records/) });
  });

  it('shows no total when nothing was announced (an export file, an incremental run)', () => {
    const time = clock();
    const progress = new ImportProgress('file', time.now);
    progress.apply(fetching({ partitions: 1, expectedRecords: null, expectedRecordsPartial: true }));
    time.advance(2000);
    progress.apply(fetching({ partitions: 1, records: 500, expectedRecords: null, expectedRecordsPartial: true }));
    expect(progress.fetchingLine()).toMatchObject({ fraction: 0, text: '0/1 file · ETA – · elapsed 0:02 · 500 records · 250/s' });
  });

  it('gives the recent rate of writing, and the users of waypoints and summaries', () => {
    const time = clock();
    const progress = new ImportProgress('user', time.now);
    progress.apply(fetching({}));
    time.advance(20_000);
    progress.apply({ type: 'writing', memories: 1000 });
    time.advance(10_000);
    progress.apply({ type: 'writing', memories: 2000 });
    // Over the last 10 s: 1,000 memories.
    expect(progress.writingLine()).toEqual({ label: 'writing', fraction: null, text: '2,000 memories · 100/s' });
    progress.apply({ type: 'finalizing', users: 200, usersDone: 0 });
    expect(progress.finalizingLine()).toEqual({ label: 'waypoints and summaries', fraction: 0, text: '0/200 users · ETA – · elapsed 0:30' });
    time.advance(4000);
    progress.apply({ type: 'finalizing', users: 200, usersDone: 200 });
    expect(progress.finalizingLine()?.text).toBe('200/200 users · done · elapsed 0:34');
  });

  it('counts overlapping waits once, and says why the run waits while it does', () => {
    const time = clock();
    const progress = new ImportProgress('user', time.now);
    expect(progress.waitingLine()).toBeNull();
    progress.wait(12_000, 'Zep rate limit (Retry-After)');
    time.advance(1000);
    progress.wait(11_000, 'Zep rate limit (Retry-After)'); // another request held by the same pause
    expect(progress.waitingLine()).toBe('waiting 11 s: Zep rate limit (Retry-After)');
    progress.apply(fetching({}));
    expect(progress.plainLine()).toMatch(/^fetching 0\/1,200 records .*; waiting 11 s: Zep rate limit \(Retry-After\)$/);
    time.advance(11_000);
    expect(progress.waitingLine()).toBe('waited 12 s in all on rate limits and retries; last: Zep rate limit (Retry-After)');
    expect(progress.plainLine()).not.toContain('waiting');
  });
});

describe('progressDisplay', () => {
  it('off a terminal, writes at most one plain line per interval, the first after one interval, no escape codes', () => {
    vi.useFakeTimers();
    const time = clock();
    const written: string[] = [];
    const stream = { write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    const display = progressDisplay({ mode: 'plain', stream, partitionNoun: 'user', color: true, redact: (text) => text.replace('secret', '***'), now: time.now });
    display.event({ type: 'migrated', from: 'missing', to: 'v1.2', backupPath: null });
    for (let second = 1; second <= 12; second++) {
      display.event(fetching({ records: second * 100 }));
      display.wait(2000, 'secret rate limit');
      time.advance(1000);
      vi.advanceTimersByTime(1000);
    }
    display.stop();
    vi.advanceTimersByTime(20_000);
    expect(written).toHaveLength(2); // at 5 s and 10 s of 12 s, none after stop
    for (const line of written) {
      expect(line).toMatch(/^fetching [\d,]+\/1,200 records · ETA 0:\d\d · elapsed 0:\d\d · 0\/4 users · \d+\/s; waiting [12] s: \*\*\* rate limit\n$/);
      expect(line).not.toContain('\u001b');
    }
  });

  it('--quiet: nothing at all', () => {
    vi.useFakeTimers();
    const written: string[] = [];
    const stream = { write: (text: string) => written.push(text), isTTY: true } as unknown as NodeJS.WriteStream;
    const display = progressDisplay({ mode: 'off', stream, partitionNoun: 'user', color: true, redact: (text) => text });
    display.event(fetching({ records: 100 }));
    display.wait(5000, 'Mem0 rate limit');
    vi.advanceTimersByTime(60_000);
    display.stop();
    expect(written).toEqual([]);
  });

  it('chooses the display: none with --quiet, plain lines off a terminal or with --json, else the terminal one', () => {
    expect(progressMode({ quiet: true, stderrIsTty: true })).toBe('off');
    expect(progressMode({ quiet: true, json: true, stderrIsTty: false })).toBe('off');
    expect(progressMode({ stderrIsTty: true })).toBe('terminal');
    expect(progressMode({ json: true, stderrIsTty: true })).toBe('plain');
    expect(progressMode({ stderrIsTty: false })).toBe('plain');
  });

  it('honours NO_COLOR (set and not empty)', () => {
    expect(colorsAllowed({})).toBe(true);
    expect(colorsAllowed({ NO_COLOR: '' })).toBe(true);
    expect(colorsAllowed({ NO_COLOR: '1' })).toBe(false);
  });
});
