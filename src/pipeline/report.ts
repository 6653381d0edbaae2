// What an import did, per source tenant, as data (for --json) and as text.
import type { MigrationResult } from '../database/target.js';

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
  /** Skipped records by kind of reason, where the source names one (`expired`: 4); absent when none does. */
  skippedKinds?: Record<string, number>;
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
  expired: 'records past their expiration date, imported as asked (--include expired)',
  superseded: 'records the source marks as replaced by a newer one, imported with the newer one\'s id in meta (leave superseded out of --include to skip them)',
  'unreadable-time':
    "records whose time could not be read, imported without it (kept as sent in meta.om_import.fields; the memory takes the record's other time, or the import's)",
};

/** How the text report names each kind of skip an adapter can report (`SkippedRecord.kind`). */
const skipKindDescriptions: Record<string, string> = {
  expired: 'past their expiration date, left out (--include expired imports them)',
  superseded: 'replaced by a newer one at the source, left out (--include superseded imports them)',
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
export function tableCell(text: string, limit = tableCellLimit): string {
  const characters = Array.from(escapeControl(text));
  return characters.length <= limit ? characters.join('') : `${characters.slice(0, limit - 1).join('')}…`;
}

/** Code points a terminal draws two columns wide: East Asian Wide and Fullwidth (CJK, Hangul, kana, fullwidth forms), and emoji. */
const wideCharacter =
  /[\u1100-\u115f\u231a\u231b\u2329\u232a\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615\u2648-\u2653\u267f\u2693\u26a1\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea\u26f2-\u26f5\u26fa\u26fd\u2705\u270a\u270b\u2728\u274c\u274e\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf\u2b1b\u2b1c\u2b50\u2b55\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{1f000}-\u{1faff}\u{20000}-\u{3fffd}]/u;
/** Code points a terminal draws zero columns wide: combining marks, zero-width joiners and variation selectors. */
const zeroWidthCharacter = /[\p{Mn}\p{Me}\u200b-\u200d\ufe00-\ufe0f]/u;

/** The columns a terminal gives `text` (after `escapeControl`): 2 for wide characters, 0 for combining ones, else 1. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const character of text) width += zeroWidthCharacter.test(character) ? 0 : wideCharacter.test(character) ? 2 : 1;
  return width;
}

/** `text` padded with spaces to `width` columns (by display width). */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** `text` padded on the left to `width` columns (by display width). */
export function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

/**
 * An escaped cell of at most `columns` terminal columns, shortened in the middle with `…` when longer (a user id's
 * start and end both tell users apart), never splitting a character: a CJK name keeps the table aligned.
 */
export function fitCell(text: string, columns: number): string {
  const escaped = escapeControl(text);
  if (displayWidth(escaped) <= columns) return escaped;
  const characters = Array.from(escaped);
  const room = Math.max(0, columns - 1);
  let head = '';
  let used = 0;
  let front = 0;
  for (; front < characters.length && used + displayWidth(characters[front] as string) <= Math.ceil(room / 2); front++) {
    head += characters[front];
    used += displayWidth(characters[front] as string);
  }
  let tail = '';
  for (let back = characters.length - 1; back > front && used + displayWidth(characters[back] as string) <= room; back--) {
    tail = characters[back] + tail;
    used += displayWidth(characters[back] as string);
  }
  return `${head}…${tail}`;
}

/**
 * Accounts with at most this many tenants get the whole table in the text report; larger ones get the tenants with
 * skipped records and the largest tenants (the whole table is in `--json` and `--report FILE`).
 */
export const fullTableTenantLimit = 20;

/** How many of the largest tenants (by records fetched) the text report of a larger account lists. */
export const largestTenantsListed = 5;

export interface FormatReportOptions {
  /** Where the whole per-tenant report was written (`--report FILE`), for the line that says where the rest is. */
  reportFile?: string | null;
}

/**
 * The tenants the text report lists, in order: all of them when there are few (`fullTableTenantLimit`); otherwise
 * every tenant with skipped records (by name), then the largest of the others by records fetched, so that the
 * report stays short for any account while no skip goes unseen.
 */
export function listedTenants(tenants: readonly TenantReport[]): { listed: TenantReport[]; withSkips: number; largest: number; whole: boolean } {
  if (tenants.length <= fullTableTenantLimit) return { listed: [...tenants], withSkips: tenants.filter((t) => t.skipped > 0).length, largest: 0, whole: true };
  const withSkips = tenants.filter((tenant) => tenant.skipped > 0);
  const largest = tenants
    .filter((tenant) => tenant.skipped === 0)
    .sort((a, b) => b.fetched - a.fetched || a.tenant.localeCompare(b.tenant, undefined, { numeric: true }))
    .slice(0, largestTenantsListed);
  return { listed: [...withSkips, ...largest], withSkips: withSkips.length, largest: largest.length, whole: false };
}

const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

export function formatReport(report: ImportReport, options: FormatReportOptions = {}): string {
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

  const { listed, withSkips, largest, whole } = listedTenants(report.tenants);
  const all = report.tenants.length;
  if (!whole) {
    const parts = [
      ...(withSkips > 0 ? [`${withSkips === 1 ? 'the one' : `the ${withSkips}`} with skipped records`] : []),
      ...(largest > 0 ? [`the ${largest} largest${withSkips > 0 ? ' others' : ''} by records fetched`] : []),
    ];
    lines.push(`${all} tenants; listed: ${parts.join(', then ')}`);
  }
  const header = ['tenant', 'user_id', 'fetched', 'created', 'updated', 'unchanged', 'skipped'];
  const rows = listed.map((t) => [tableCell(t.tenant), t.userId === null ? '-' : tableCell(t.userId), ...[t.fetched, t.created, t.updated, t.unchanged, t.skipped].map(String)]);
  const totals = report.totals;
  rows.push([whole ? 'total' : `total (${all} tenants)`, '', totals.fetched, totals.created, totals.updated, totals.unchanged, totals.skipped].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => Array.from(r[i] as string).length)));
  const pad = (cell: string, width: number, end: boolean): string => {
    const fill = ' '.repeat(Math.max(0, width - Array.from(cell).length));
    return end ? cell + fill : fill + cell;
  };
  const format = (cells: string[]): string => cells.map((cell, i) => pad(cell, widths[i] as number, i < 2)).join('  ');
  lines.push(format(header), ...rows.map(format));
  for (const tenant of listed) {
    const name = safe(tenant.tenant);
    for (const [kind, count] of Object.entries(tenant.skippedKinds ?? {})) lines.push(`skipped ${name}: ${count} ${skipKindDescriptions[kind] ?? safe(kind)}`);
    const shown = tenant.skippedReasons.slice(0, skipReasonLimit);
    for (const note of shown) lines.push(`skipped ${name}/${note.sourceId === null ? '?' : safe(note.sourceId)}: ${safe(note.reason)}`);
    const unlisted = tenant.skipped - shown.length;
    if (unlisted > 0) lines.push(`skipped ${name}: ${unlisted} more (see --json or --report FILE.json)`);
    for (const [flag, count] of Object.entries(tenant.flagged)) lines.push(`flagged ${name}: ${count} ${flagDescriptions[flag] ?? safe(flag)}`);
  }
  if (!whole) {
    // Flags of the tenants not listed: one line per flag, so a flag every tenant carries still takes one line.
    const shownTenants = new Set(listed);
    const others = new Map<string, { records: number; tenants: number }>();
    for (const tenant of report.tenants) {
      if (shownTenants.has(tenant)) continue;
      for (const [flag, count] of Object.entries(tenant.flagged)) {
        const sum = others.get(flag) ?? { records: 0, tenants: 0 };
        others.set(flag, { records: sum.records + count, tenants: sum.tenants + 1 });
      }
    }
    for (const [flag, sum] of others) {
      lines.push(`flagged ${plural(sum.tenants, 'other tenant', 'other tenants')}: ${sum.records} ${flagDescriptions[flag] ?? safe(flag)}`);
    }
    const rest = all - listed.length;
    lines.push(
      options.reportFile
        ? `the other ${plural(rest, 'tenant is', 'tenants are')} not listed: ${safe(options.reportFile)} has every tenant`
        : `the other ${plural(rest, 'tenant is', 'tenants are')} not listed: --report FILE.json or FILE.csv writes every tenant, --json prints the whole report`,
    );
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
