// The JSONL snapshot --save-export writes: a header line naming the source and account, then one wire record
// per line as the source sent it. Adapters read it back with --from-file.
import { closeSync, createReadStream, createWriteStream, mkdirSync, openSync, readSync, statSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { UsageError } from '../errors.js';
import { fileTimestamp } from '../records.js';
import type { Shard } from './shard.js';

/** The first line of a `--save-export` snapshot: `{"om_import_snapshot": {"source", "account", "saved_at"}}`. */
export interface SnapshotHeader {
  source: string;
  account: string;
  saved_at: string;
}

export function snapshotHeaderLine(header: SnapshotHeader): string {
  return `${JSON.stringify({ om_import_snapshot: header })}\n`;
}

export function isSnapshotHeader(value: unknown): value is { om_import_snapshot: SnapshotHeader } {
  if (typeof value !== 'object' || value === null || !('om_import_snapshot' in value)) return false;
  const header = (value as { om_import_snapshot: unknown }).om_import_snapshot;
  return typeof header === 'object' && header !== null && typeof (header as { account?: unknown }).account === 'string';
}

export function snapshotHeader(file: string): SnapshotHeader | null {
  if (!file.endsWith('.jsonl') && !file.endsWith('.ndjson')) return null;
  const buffer = Buffer.alloc(64 * 1024);
  const descriptor = openSync(file, 'r');
  let length: number;
  try {
    length = readSync(descriptor, buffer, 0, buffer.length, 0);
  } finally {
    closeSync(descriptor);
  }
  // A byte order mark before the header (a snapshot saved again by a Windows editor) is not part of it.
  const firstLine = (buffer.subarray(0, length).toString('utf8').split('\n', 1)[0] ?? '').replace(/^\uFEFF/, '');
  try {
    const parsed: unknown = JSON.parse(firstLine);
    return isSnapshotHeader(parsed) ? parsed.om_import_snapshot : null;
  } catch {
    return null;
  }
}

/** One line of a snapshot after its header: the wire object saved, or why the line cannot be read. */
export type SnapshotLine = { lineNumber: number; raw: unknown } | { lineNumber: number; problem: string; text: string };

/** The lines of a JSONL file (a snapshot's header line left out), streamed: a file of any size is never held whole. */
export async function* snapshotLines(file: string): AsyncGenerator<SnapshotLine> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(lineNumber === 1 ? line.replace(/^\uFEFF/, '') : line);
    } catch {
      yield { lineNumber, problem: `line ${lineNumber} is not valid JSON`, text: line };
      continue;
    }
    if (lineNumber === 1 && isSnapshotHeader(raw)) continue;
    yield { lineNumber, raw };
  }
}

/** A `--from-file` must name a file that exists. */
export function requireFile(file: string): void {
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw new UsageError(`--from-file ${file}: no such file`);
  }
  if (!isFile) throw new UsageError(`--from-file ${file}: not a file`);
}

/**
 * A `--from-file` for sources that have no export format of their own (Zep, Supermemory): it must be a snapshot
 * `--save-export` wrote for this source. Answers its header.
 */
export function requireSnapshot(file: string, source: string): SnapshotHeader & { source: string } {
  requireFile(file);
  const header = snapshotHeader(file);
  if (!header) {
    throw new UsageError(`--from-file ${file} is not an om-import snapshot (.jsonl with a header line); write one with \`om-import ${source} --save-export DIR\``);
  }
  if (header.source !== source) {
    throw new UsageError(`--from-file ${file} is a snapshot of ${header.source}, not ${source}: use \`om-import ${header.source} --from-file\``);
  }
  return header;
}

/**
 * The `--save-export` file of a run, opened before anything is fetched or written: a folder that cannot be written,
 * or a file already there, stops the run at once, not after the import.
 */
export class SnapshotWriter {
  private constructor(
    readonly file: string,
    private readonly stream: WriteStream,
  ) {}

  /** Shards started together into one folder each save their own file. */
  static open(folder: string, run: { source: string; account: string; shard: Shard | null; startedAt: number }): SnapshotWriter {
    const shardPart = run.shard ? `-shard-${run.shard.index}-of-${run.shard.count}` : '';
    const file = path.join(folder, `${run.source}-${run.account.replace(/[^A-Za-z0-9._-]+/g, '_')}${shardPart}-${fileTimestamp(run.startedAt)}.jsonl`);
    const writer = new SnapshotWriter(file, openSnapshotFile(folder, file));
    writer.stream.write(snapshotHeaderLine({ source: run.source, account: run.account, saved_at: new Date(run.startedAt).toISOString() }));
    return writer;
  }

  /** One wire record as the source sent it; a record nested too deeply to write as JSON is left out (it is skipped too). */
  write(raw: unknown): void {
    let line: string;
    try {
      line = JSON.stringify(raw);
    } catch (error) {
      if (error instanceof RangeError) return;
      throw error;
    }
    this.stream.write(`${line}\n`);
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => this.stream.end(resolve));
  }
}

/**
 * Creates the `--save-export` file, readable by its owner only (it holds every user's memories), and never over an
 * existing one; a folder that cannot be made or written is a usage error naming it.
 */
function openSnapshotFile(folder: string, file: string): WriteStream {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new UsageError(`--save-export ${folder}: cannot create the folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); name a folder you can write`);
  }
  let descriptor: number;
  try {
    descriptor = openSync(file, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`--save-export: ${file} already exists; om-import never overwrites a snapshot — move it, or name another folder`);
    throw new UsageError(`--save-export ${folder}: cannot write there (${code ?? (error as Error).message}); name a folder you can write`);
  }
  return createWriteStream(file, { fd: descriptor, encoding: 'utf8' });
}
