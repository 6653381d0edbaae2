// The live progress of an import, always on stderr (stdout holds the report). On a terminal: one display updating in
// place (cli-progress draws it), a line per phase with elapsed time and an ETA, and a line while the run waits on a
// rate limit. Off a terminal (CI, a pipe) or with --json: at most one plain line every few seconds, no escape codes.
// With --quiet: nothing.
import cliProgress, { type MultiBar, type Options as BarOptions, type SingleBar } from 'cli-progress';
import { styleText } from 'node:util';
import type { ProgressEvent } from '../pipeline/import.js';

export type ProgressMode = 'terminal' | 'plain' | 'off';

/** Nothing with --quiet; plain lines off a terminal, and with --json (whose reader is a program); else the display. */
export function progressMode(options: { quiet?: boolean | undefined; json?: boolean | undefined; stderrIsTty: boolean }): ProgressMode {
  if (options.quiet) return 'off';
  return options.stderrIsTty && !options.json ? 'terminal' : 'plain';
}

/** Whether the terminal display may use colours: not when NO_COLOR is set to anything but the empty string (no-color.org). */
export function colorsAllowed(env: Readonly<Record<string, string | undefined>>): boolean {
  return (env['NO_COLOR'] ?? '') === '';
}

export interface ProgressDisplay {
  /** An import's progress event. */
  event(event: ProgressEvent): void;
  /** The run starts waiting `milliseconds` (a rate limit, a Retry-After); `reason` says why (`Zep rate limit`). */
  wait(milliseconds: number, reason: string): void;
  /** Ends the display, before the report or an error is printed. */
  stop(): void;
}

export interface ProgressDisplayOptions {
  mode: ProgressMode;
  /** Where the display goes: stderr. A terminal display needs the stream itself (cli-progress moves its cursor). */
  stream: NodeJS.WriteStream;
  /** What a partition is to the operator (`user`, `container tag`, `file`). */
  partitionNoun: string;
  color: boolean;
  /** Applied to every line before it is written (no secret ever reaches the screen). */
  redact: (text: string) => string;
  now?: () => number;
}

/** Off a terminal, the shortest time between two progress lines. */
const plainIntervalMs = 5000;

export function progressDisplay(options: ProgressDisplayOptions): ProgressDisplay {
  const state = new ImportProgress(options.partitionNoun, options.now ?? Date.now);
  switch (options.mode) {
    case 'off':
      return { event: () => undefined, wait: () => undefined, stop: () => undefined };
    case 'plain':
      return new PlainDisplay(state, options);
    case 'terminal':
      return new TerminalDisplay(state, options);
  }
}

/** One line of the display: a phase, how far it is (a fraction, where known), and the rest as text. */
export interface PhaseLine {
  label: string;
  fraction: number | null;
  text: string;
}

/** Rates are measured over this much of the recent past. */
const rateWindowMs = 10_000;

/** A count going up over time, and its recent rate per second. */
class Counter {
  value = 0;
  private samples: { at: number; value: number }[];

  constructor(readonly startedAt: number) {
    this.samples = [{ at: startedAt, value: 0 }];
  }

  set(value: number, at: number): void {
    this.value = value;
    this.samples.push({ at, value });
    // Keep one sample older than the window: the base the rate is measured from.
    while (this.samples.length > 2 && this.samples[1]!.at <= at - rateWindowMs) this.samples.shift();
  }

  /** Over the window: from the count it had when the window began (or when counting began, if later) to now. */
  perSecond(now: number): number {
    const windowStart = now - rateWindowMs;
    const base = this.samples.filter((sample) => sample.at <= windowStart).at(-1) ?? this.samples[0]!;
    const seconds = (now - Math.max(base.at, windowStart)) / 1000;
    return seconds > 0 ? (this.value - base.value) / seconds : 0;
  }

  /** Over the whole count: from when counting began to the last change (for a phase that is done). */
  average(): number {
    const seconds = (this.samples[this.samples.length - 1]!.at - this.startedAt) / 1000;
    return seconds > 0 ? this.value / seconds : 0;
  }
}

/**
 * What the display shows, from the import's events and the HTTP client's waits: kept apart from the drawing, so
 * that a terminal and a plain log say the same thing.
 */
export class ImportProgress {
  private readonly startedAt: number;
  private fetching: { event: Extract<ProgressEvent, { type: 'fetching' }>; records: Counter } | null = null;
  private writing: Counter | null = null;
  private finalizing: { users: number; usersDone: Counter } | null = null;
  private waitingUntil = 0;
  private waitReason = '';
  private waitedMs = 0;
  /** Partitions an interrupted run had finished: done before this run began (the first event's count). */
  private resumedPartitions: number | null = null;

  constructor(
    private readonly partitionNoun: string,
    private readonly now: () => number,
  ) {
    this.startedAt = now();
  }

  apply(event: ProgressEvent): void {
    const now = this.now();
    switch (event.type) {
      case 'fetching':
        this.resumedPartitions ??= event.partitionsDone;
        this.fetching ??= { event, records: new Counter(now) };
        this.fetching.event = event;
        this.fetching.records.set(event.records, now);
        break;
      case 'writing':
        // Records are written as they are fetched: the rate counts from when fetching began.
        this.writing ??= new Counter(this.fetching?.records.startedAt ?? now);
        this.writing.set(event.memories, now);
        break;
      case 'finalizing':
        this.finalizing ??= { users: event.users, usersDone: new Counter(now) };
        this.finalizing.users = event.users;
        this.finalizing.usersDone.set(event.usersDone, now);
        break;
      case 'migrated':
        break;
    }
  }

  /** A wait starts; waits that overlap (several requests held by the same pause) count once. */
  wait(milliseconds: number, reason: string): void {
    const now = this.now();
    const until = now + milliseconds;
    this.waitedMs += Math.max(0, until - Math.max(now, this.waitingUntil));
    if (until >= this.waitingUntil) this.waitReason = reason;
    this.waitingUntil = Math.max(this.waitingUntil, until);
  }

  fetchingLine(): PhaseLine | null {
    if (!this.fetching) return null;
    const { event, records } = this.fetching;
    const now = this.now();
    const done = event.partitionsDone >= event.partitions;
    const announced = event.expectedRecords !== null && !event.expectedRecordsPartial && event.expectedRecords > 0;
    // One unit per line: records where every partition left announced its count, else partitions — the bar and the
    // number first after it count the same thing. Partitions a resumed run had finished are done, not done now: the
    // ETA counts only those this run reads (records announced are already those of the partitions left).
    const resumed = this.resumedPartitions ?? 0;
    const partitionsLeft = event.partitions - resumed;
    const fraction = done ? 1 : announced ? Math.min(0.99, event.records / event.expectedRecords!) : event.partitions > 0 ? event.partitionsDone / event.partitions : 0;
    const etaFraction = done ? 1 : announced ? fraction : partitionsLeft > 0 ? (event.partitionsDone - resumed) / partitionsLeft : 0;
    const partitions = `${count(event.partitionsDone)}/${count(event.partitions)} ${plural(this.partitionNoun, event.partitions)}`;
    const recordsText = announced ? `${count(event.records)}/${count(Math.max(event.expectedRecords!, event.records))} records` : `${count(event.records)} records`;
    const text = [
      announced ? recordsText : partitions,
      this.timing(records.startedAt, etaFraction, done),
      announced ? partitions : recordsText,
      `${count(Math.round(done ? records.average() : records.perSecond(now)))}/s`,
    ].join(' · ');
    return { label: 'fetching', fraction, text };
  }

  writingLine(): PhaseLine | null {
    if (!this.writing) return null;
    // Writing ends with fetching (each batch is written before its partition is done).
    const done = this.fetching !== null && this.fetching.event.partitionsDone >= this.fetching.event.partitions;
    const rate = Math.round(done ? this.writing.average() : this.writing.perSecond(this.now()));
    return { label: 'writing', fraction: null, text: `${count(this.writing.value)} ${plural('memory', this.writing.value, 'memories')} · ${count(rate)}/s` };
  }

  finalizingLine(): PhaseLine | null {
    if (!this.finalizing) return null;
    const { users, usersDone } = this.finalizing;
    const fraction = users > 0 ? usersDone.value / users : 1;
    const text = [`${count(usersDone.value)}/${count(users)} ${plural('user', users)}`, this.timing(usersDone.startedAt, fraction, fraction >= 1)].join(' · ');
    return { label: 'waypoints and summaries', fraction, text };
  }

  /** While a wait lasts: `waiting 12 s: Zep rate limit`; after the first one, how long the run has waited in all. */
  waitingLine(): string | null {
    const left = this.waitingUntil - this.now();
    if (left > 0) return `waiting ${Math.ceil(left / 1000)} s: ${this.waitReason}`;
    return this.waitedMs > 0 ? `waited ${duration(this.waitedMs)} in all on rate limits and retries; last: ${this.waitReason}` : null;
  }

  /** The state in one line, for a log; null before the first event. */
  plainLine(): string | null {
    const phases = [this.fetchingLine(), this.writingLine(), this.finalizingLine()].filter((line): line is PhaseLine => line !== null);
    if (phases.length === 0) return null;
    const left = this.waitingUntil - this.now();
    const waiting = left > 0 ? [`waiting ${Math.ceil(left / 1000)} s: ${this.waitReason}`] : [];
    return [...phases.map((line) => `${line.label} ${line.text}`), ...waiting].join('; ');
  }

  /**
   * `ETA 3:10 · elapsed 1:02`: the time left at the pace of this phase so far, then the whole run's time so far —
   * the ETA first, so that a line cut at the terminal's edge loses the least of it.
   */
  private timing(phaseStart: number, fraction: number, done: boolean): string {
    const now = this.now();
    const elapsed = `elapsed ${clock(now - this.startedAt)}`;
    if (done) return `done · ${elapsed}`;
    const eta = fraction > 0 ? clock(((now - phaseStart) * (1 - fraction)) / fraction) : '–';
    return `ETA ${eta} · ${elapsed}`;
  }
}

/** 12,345 */
function count(value: number): string {
  return value.toLocaleString('en-US');
}

function plural(noun: string, amount: number, many = `${noun}s`): string {
  return amount === 1 ? noun : many;
}

/** 0:07, 12:05, 1:02:09 */
function clock(milliseconds: number): string {
  const seconds = Math.max(0, Math.round(milliseconds / 1000));
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60), seconds % 60];
  const pad = (value: number): string => String(value).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** 12 s, 3 min 05 s */
function duration(milliseconds: number): string {
  const seconds = Math.round(milliseconds / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** Off a terminal: the state as one plain line every interval while the run goes on; nothing else. */
class PlainDisplay implements ProgressDisplay {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly state: ImportProgress,
    private readonly options: ProgressDisplayOptions,
  ) {}

  event(event: ProgressEvent): void {
    // A migration is in the report; here only progress.
    if (event.type === 'migrated') return;
    this.state.apply(event);
    this.start();
  }

  wait(milliseconds: number, reason: string): void {
    this.state.wait(milliseconds, reason);
    this.start();
  }

  /** The first line comes an interval after the first event: a short run prints none. */
  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      const line = this.state.plainLine();
      if (line !== null) this.options.stream.write(`${this.options.redact(line)}\n`);
    }, plainIntervalMs);
    this.timer.unref(); // never what keeps the process alive
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** The bar's cells at most, and at least (a narrower one is left out). */
const maxBarSize = 16;
const minBarSize = 6;

/** The terminal's width; 80 where it does not say (a pty that was never sized). */
function terminalColumns(stream: NodeJS.WriteStream): number {
  return stream.columns > 0 ? stream.columns : 80;
}

/** On a terminal: a line per phase that has started, and one for waits, redrawn in place by cli-progress. */
class TerminalDisplay implements ProgressDisplay {
  private readonly bars: MultiBar;
  /** The lines drawn so far, by what they show. */
  private readonly lines = new Map<'fetching' | 'writing' | 'finalizing' | 'waiting', SingleBar>();
  private stopped = false;

  constructor(
    private readonly state: ImportProgress,
    private readonly options: ProgressDisplayOptions,
  ) {
    this.bars = new cliProgress.MultiBar({
      stream: options.stream,
      fps: 10,
      barsize: maxBarSize,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      // Lines longer than the terminal are cut instead of wrapped, without switching the terminal's wrapping off (a
      // run killed mid-way would leave it off).
      linewrap: true,
      hideCursor: false,
      clearOnComplete: false,
    });
  }

  event(event: ProgressEvent): void {
    if (this.stopped) return;
    if (event.type === 'migrated') {
      this.log(`schema ${event.from} → ${event.to}${event.backupPath ? ` (backup: ${event.backupPath})` : ''}`);
      return;
    }
    this.state.apply(event);
    if (event.type === 'fetching') this.show('fetching', () => this.state.fetchingLine());
    if (event.type === 'writing') this.show('writing', () => this.state.writingLine());
    if (event.type === 'finalizing') this.show('finalizing', () => this.state.finalizingLine());
  }

  wait(milliseconds: number, reason: string): void {
    if (this.stopped) return;
    this.state.wait(milliseconds, reason);
    if (!this.lines.has('waiting')) {
      const format = (): string => {
        const line = this.state.waitingLine() ?? '';
        return this.options.redact(this.paint('yellow', line));
      };
      this.lines.set('waiting', this.bars.create(1, 0, {}, { format }));
    }
  }

  /** `text` in `color` when colours are allowed; styleText is asked about the display's stream (by default it asks stdout's). */
  private paint(color: 'yellow' | 'cyan', text: string): string {
    return this.options.color ? styleText(color, text, { stream: this.options.stream }) : text;
  }

  /** Adds a phase's line the first time it has something to show; cli-progress redraws it from then on. */
  private show(key: 'fetching' | 'writing' | 'finalizing', line: () => PhaseLine | null): void {
    if (this.lines.has(key)) return;
    const format = (options: BarOptions): string => {
      const phase = line();
      if (!phase) return '';
      const label = phase.label.padEnd(9);
      const painted = this.paint('cyan', label);
      // cli-progress cuts a line at the terminal's width counting escape codes too: the line is made to fit. The bar
      // takes what the text leaves (at most 16 cells); where that is under 6, the text's last parts (the rate, then
      // the other count) give way to it. The count and the ETA come first, so they are never cut.
      const width = terminalColumns(this.options.stream) - (painted.length - label.length);
      const parts = phase.text.split(' · ');
      const room = (): number => width - label.length - parts.join(' · ').length - 2;
      while (phase.fraction !== null && room() < minBarSize && parts.length > 2) parts.pop();
      const barsize = Math.min(options.barsize ?? maxBarSize, room());
      const bar = phase.fraction !== null && barsize >= minBarSize ? ` ${cliProgress.Format.BarFormat(phase.fraction, { ...options, barsize })}` : '';
      return this.options.redact(`${painted}${bar} ${parts.join(' · ')}`);
    };
    this.lines.set(key, this.bars.create(1, 0, {}, { format }));
  }

  /** A message above the display (or alone, before it has lines). */
  private log(message: string): void {
    const line = `${this.options.redact(message)}\n`;
    if (this.lines.size === 0) this.options.stream.write(line);
    else this.bars.log(line);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    // Drawn once more with the final counts, then left on screen above the report.
    if (this.lines.size > 0) this.bars.stop();
  }
}
