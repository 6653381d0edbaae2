// What an import did, per source tenant, as data (for --json) and as text.
import type { MigrationResult } from '../target/target.js';

export interface SkipNote {
  sourceId: string | null;
  reason: string;
}

export interface TenantReport {
  /** The source's identifier of the user (`alice`, `agent:bot`), or `(none)` for records without one. */
  tenant: string;
  /** The OpenMemory user_id its records land under (null when skipped). */
  userId: string | null;
  fetched: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  skippedReasons: SkipNote[];
  /** Records imported with a notable flag, by flag (e.g. `content-from-summary`: text taken from the source's summary). */
  flagged: Record<string, number>;
}

export interface UserReport {
  userId: string;
  waypointsWritten: number;
  /** The summary written to `users`: the source's own when it has one, else OpenMemory's generated one. */
  summarySource: 'source' | 'generated';
  /** OpenMemory's generated summary (kept here when the source's summary won). */
  generatedSummary: string;
}

export interface ImportReport {
  source: string;
  account: string;
  /** The API (generation) the source answered with, where it has several. */
  api: string | null;
  target: string;
  dryRun: boolean;
  runId: string | null;
  resumed: boolean;
  /** Only records updated since this time were fetched (incremental run). */
  incrementalSince: string | null;
  /** Why everything was fetched although an earlier run completed (it read another scope), if so. */
  fullFetchReason: string | null;
  migration: Pick<MigrationResult, 'backupPath'> & { from: string; to: string; steps: string[] } | null;
  tenants: TenantReport[];
  users: UserReport[];
  totals: { fetched: number; created: number; updated: number; unchanged: number; skipped: number };
  /**
   * Memories om-import made of records the source no longer has (a whole partition read in full showed them gone),
   * by OpenMemory user; `removed` when `--prune` removed them.
   */
  goneAtSource: { memories: number; removed: boolean; byUser: Record<string, number> };
  /** What the run noticed without stopping (e.g. a listing that disagreed with its announced total). */
  warnings: string[];
  http: { requests: number; retries: number; throttled: number } | null;
  exportFile: string | null;
  durationMs: number;
}

/** The text report lists at most this many skip reasons per tenant (the JSON report lists all). */
export const skipReasonLimit = 50;

/** How the text report names each record flag an adapter can set. */
const flagDescriptions: Record<string, string> = {
  'content-from-summary': 'imported with the source\'s summary as text (no full text was available)',
  'invalidated-fact': 'facts Zep has invalidated or expired, imported as asked (--include invalidated-facts)',
  'unreadable-time':
    "records whose time could not be read, imported without it (kept as sent in meta.om_import.fields; the memory takes the record's other time, or the import's)",
};

/** Table cells longer than this (in characters, after escaping) are shortened with `…`; `--json` has them whole. */
export const tableCellLimit = 40;

/** What `escapeControl` escapes, and the short escapes it uses where JSON has one. */
const unsafeCharacters = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const namedEscapes: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/**
 * Text from the source made safe for a terminal: control characters (C0, DEL, C1), line and paragraph separators
 * and the bidirectional overrides that reorder what follows are shown as escapes (`\n`, `\u001b`, `\u202e`), so a
 * tenant name can neither move the cursor, recolour the screen, nor fake a line of the report.
 */
export function escapeControl(text: string): string {
  return text.replace(unsafeCharacters, (char) => namedEscapes[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An escaped cell of at most `limit` characters (whole code points), the last one `…` when shortened. */
function tableCell(text: string, limit = tableCellLimit): string {
  const characters = Array.from(escapeControl(text));
  return characters.length <= limit ? characters.join('') : `${characters.slice(0, limit - 1).join('')}…`;
}

export function formatReport(report: ImportReport): string {
  const safe = escapeControl;
  const lines: string[] = [];
  const verb = report.dryRun ? 'would import' : 'imported';
  lines.push(`om-import ${report.source} (${safe(report.account)}) → ${safe(report.target)}${report.dryRun ? ' [dry run: nothing written]' : ''}`);
  if (report.api) lines.push(`source API: ${safe(report.api)}`);
  if (report.migration) {
    lines.push(`schema: ${report.migration.from} → ${report.migration.to}${report.migration.backupPath ? ` (backup: ${safe(report.migration.backupPath)})` : ''}`);
  }
  if (report.resumed) lines.push(`resumed an interrupted run (${report.runId})`);
  if (report.incrementalSince) lines.push(`incremental: records updated since ${report.incrementalSince}`);
  if (report.fullFetchReason) lines.push(`full fetch: ${report.fullFetchReason}`);
  const header = ['tenant', 'user_id', 'fetched', 'created', 'updated', 'unchanged', 'skipped'];
  const rows = report.tenants.map((t) => [tableCell(t.tenant), t.userId === null ? '-' : tableCell(t.userId), ...[t.fetched, t.created, t.updated, t.unchanged, t.skipped].map(String)]);
  const totals = report.totals;
  rows.push(['total', '', totals.fetched, totals.created, totals.updated, totals.unchanged, totals.skipped].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => Array.from(r[i] as string).length)));
  const pad = (cell: string, width: number, end: boolean): string => {
    const fill = ' '.repeat(Math.max(0, width - Array.from(cell).length));
    return end ? cell + fill : fill + cell;
  };
  const format = (cells: string[]): string => cells.map((cell, i) => pad(cell, widths[i] as number, i < 2)).join('  ');
  lines.push(format(header), ...rows.map(format));
  for (const tenant of report.tenants) {
    const name = safe(tenant.tenant);
    const listed = tenant.skippedReasons.slice(0, skipReasonLimit);
    for (const note of listed) lines.push(`skipped ${name}/${note.sourceId === null ? '?' : safe(note.sourceId)}: ${safe(note.reason)}`);
    const unlisted = tenant.skipped - listed.length;
    if (unlisted > 0) lines.push(`skipped ${name}: ${unlisted} more (see --json)`);
    for (const [flag, count] of Object.entries(tenant.flagged)) lines.push(`flagged ${name}: ${count} ${flagDescriptions[flag] ?? safe(flag)}`);
  }
  if (report.goneAtSource.memories > 0) {
    const users = Object.keys(report.goneAtSource.byUser).length;
    lines.push(
      report.goneAtSource.removed
        ? `pruned ${report.goneAtSource.memories} memories of ${users} users whose records are gone at the source`
        : `gone at source: ${report.goneAtSource.memories} memories of ${users} users (their records are no longer there; run with --prune to remove them)`,
    );
  }
  for (const warning of report.warnings) lines.push(`warning: ${safe(warning)}`);
  lines.push(`${verb} ${totals.created} new and ${totals.updated} changed memories, ${totals.unchanged} unchanged, ${totals.skipped} skipped, in ${(report.durationMs / 1000).toFixed(1)} s`);
  if (report.exportFile) lines.push(`export saved to ${safe(report.exportFile)}`);
  return lines.join('\n');
}
