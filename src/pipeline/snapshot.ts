// The JSONL snapshot --save-export writes: a header line naming the source and account, then one wire record
// per line as the source sent it. Adapters read it back with --from-file.
import { closeSync, openSync, readSync } from 'node:fs';

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
  const firstLine = buffer.subarray(0, length).toString('utf8').split('\n', 1)[0] ?? '';
  try {
    const parsed: unknown = JSON.parse(firstLine);
    return isSnapshotHeader(parsed) ? parsed.om_import_snapshot : null;
  } catch {
    return null;
  }
}
