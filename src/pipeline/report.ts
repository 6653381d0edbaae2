// What an import did, per source tenant, as data (for --json) and as text.
import type { MigrationResult } from '../database/target.js';
import type { OpenMemoryRows } from '../openmemory/embedding-config.js';
import type { SkipKind } from '../records.js';

export interface SkipNote {
  sourceId: string | null;
  reason: string;
  /** The reason's stable code (`SkipKind`: `no-text`, `expired`, …). */
  kind: SkipKind;
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
  /** Skipped records by the reason's stable code (`expired`: 4); absent when none was skipped. */
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
  /** The user was left without memories (all moved to another user) and no source summary: its `users` row was removed. */
  removed?: true;
}

export interface ImportReport {
  source: string;
  account: string;
  /** The API (generation) the source answered with, where it has several. */
  api: string | null;
  target: string;
  /** The OpenMemory release whose rows were computed (`--openmemory`), its tier and vector dimension. */
  openMemory: OpenMemoryRows;
  dryRun: boolean;
  runId: string | null;
  resumed: boolean;
  /**
   * Of `totals`, what the interrupted run this one resumed counted in the partitions it had finished (present only
   * on a resumed run): `tenants` and `totals` cover the whole run, both legs.
   */
  resumedTotals?: { fetched: number; created: number; updated: number; unchanged: number; skipped: number };
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
  /** Memories whose records are gone at the source, by user; with --prune removed, and the users left without any. */
  goneAtSource: {
    memories: number;
    /** --prune was asked for (in a dry run, nothing is removed: the report says what would be). */
    prune: boolean;
    removed: boolean;
    byUser: Record<string, number>;
    usersRemoved: string[];
    /** Each memory counted, with its record: what was removed, or with --prune --dry-run what would be. */
    records: { userId: string; recordId: string; memoryId: string }[];
  };
  /** What the run noticed without stopping (e.g. a listing that disagreed with its announced total). */
  warnings: string[];
  http: { requests: number; retries: number; throttled: number } | null;
  exportFile: string | null;
  durationMs: number;
  /**
   * What the database holds from this source and account once the run is over (every run's records, so after a
   * resume the whole run's and the earlier runs'), as `om-import status` counts it; null in a dry run or where not read.
   */
  accountInDatabase?: { records: number; users: number } | null;
}

/** How the text report names each record flag an adapter can set. */
const flagDescriptions: Record<string, string> = {
  'content-from-summary': 'imported with the source\'s summary as text (no full text was available)',
  'invalidated-fact': 'facts Zep has invalidated or expired, imported as asked (--include invalidated-facts)',
  expired: 'records past their expiration date, imported as asked (--include expired)',
  superseded: 'records the source marks as replaced by a newer one, imported with the newer one\'s id in meta (leave superseded out of --include to skip them)',
  'unreadable-time':
    "records whose time could not be read, imported without it (kept as sent in meta.om_import.fields; the memory takes the record's other time, or the import's)",
};

/** What each skip code means, and what to do about it: the one hint the text report gives per code. */
const skipKindDescriptions: Record<SkipKind, string> = {
  malformed: 'not a record (not a JSON object, or a line of the file that cannot be read)',
  'no-id': 'no id, so it could not be imported twice onto the same memory',
  'no-owner': 'no user, agent, run, thread or tag to land under',
  'no-text': 'no text (missing or empty): nothing to import',
  'not-processed': 'not processed yet at the source; a later run picks them up',
  'processing-failed': 'processing failed at the source; re-add them there to import them',
  deleted: 'deleted at the source',
  forgotten: 'forgotten at the source (gone: --prune removes what an earlier run made of them)',
  'old-version': 'older versions of a memory; the latest version is imported',
  invalidated: 'facts Zep has invalidated or expired (--include invalidated-facts imports them)',
  expired: 'past their expiration date, left out (--include expired imports them)',
  superseded: 'replaced by a newer one at the source, left out (--include superseded imports them)',
  'too-deep': 'with fields nested too deeply to store as JSON (thousands of levels), left out',
  'id-conflict': "with an id another account's export (or the API) already brought under another user, with other text: not overwritten",
  'multi-tag': 'also in an earlier container tag, imported there only (--multi-tag first)',
  copy: 'copies of a record imported once (a hyperedge, or a document in two tags that land on one user)',
  unmapped: 'of users not in --user-map (--unmapped skip); add them to the map to import them',
  'duplicate-id': 'an id read twice with other content or owner; the first one read is imported',
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

/** The text report's width: it reads on an 80-column terminal without a line wrapping. */
export const reportColumns = 80;

/**
 * A table that fits `width` columns: one or two name columns (two joined by `→`: source user → user_id), shortened in
 * the middle by display width where they must be, then right-aligned number columns.
 */
export function fitTable(options: { nameHeaders: string[]; numberHeaders: string[]; rows: { names: string[]; numbers: string[] }[]; width?: number }): string[] {
  const { nameHeaders, numberHeaders, rows } = options;
  const width = options.width ?? reportColumns;
  const numberWidths = numberHeaders.map((header, i) => Math.max(header.length, ...rows.map((row) => (row.numbers[i] as string).length)));
  const arrow = nameHeaders.length === 2 ? 3 : 0;
  const available = Math.max(8, width - numberWidths.reduce((sum, w) => sum + w + 2, 0) - arrow);
  const natural = nameHeaders.map((header, i) => Math.max(displayWidth(header), ...rows.map((row) => displayWidth(escapeControl(row.names[i] as string)))));
  let nameWidths = natural;
  if (natural.reduce((a, b) => a + b, 0) > available) {
    if (natural.length === 1) nameWidths = [available];
    else {
      const half = Math.floor(available / 2);
      const first = natural[0] as number;
      const second = natural[1] as number;
      nameWidths = first <= half ? [first, available - first] : second <= half ? [available - second, second] : [half, available - half];
    }
  }
  const line = (names: string[], numbers: string[], join: string): string => {
    const padded = names.map((name, i) => padEnd(name, nameWidths[i] as number));
    const left = padded.length === 2 ? `${padded[0]}${join}${padded[1]}` : (padded[0] as string);
    return [left, ...numbers.map((cell, i) => cell.padStart(numberWidths[i] as number))].join('  ').trimEnd();
  };
  return [
    line(nameHeaders, numberHeaders, '   '),
    ...rows.map((row) => line(row.names.map((name, i) => fitCell(name, nameWidths[i] as number)), row.numbers, row.names[1] === '' ? '   ' : ' → ')),
  ];
}

/**
 * A line of prose broken at spaces into lines of at most `width` columns, the continuations indented by `indent`;
 * a word longer than a line (a path) is kept whole.
 */
export function wrapLine(line: string, width = reportColumns, indent = '  '): string[] {
  if (displayWidth(line) <= width) return [line];
  const leading = /^ */.exec(line)?.[0] ?? '';
  const out: string[] = [];
  let current = leading;
  for (const word of line.slice(leading.length).split(' ')) {
    const candidate = current.trim() === '' ? `${current}${word}` : `${current} ${word}`;
    if (displayWidth(candidate) <= width || current.trim() === '') current = candidate;
    else {
      out.push(current);
      current = `${leading}${leading === '' ? indent : `${indent}${indent}`}${word}`;
    }
  }
  out.push(current);
  return out;
}

/** Every skip of the run by its code: how many, of how many users, and the first one as an example. */
export function skipsByKind(tenants: readonly TenantReport[]): { kind: string; records: number; tenants: number; example: { tenant: string; note: SkipNote } | null }[] {
  const groups = new Map<string, { kind: string; records: number; tenants: number; example: { tenant: string; note: SkipNote } | null }>();
  for (const tenant of tenants) {
    for (const [kind, count] of Object.entries(tenant.skippedKinds ?? {})) {
      const group = groups.get(kind) ?? { kind, records: 0, tenants: 0, example: null };
      group.records += count;
      group.tenants += 1;
      const note = group.example === null ? tenant.skippedReasons.find((n) => n.kind === kind) : undefined;
      if (note) group.example = { tenant: tenant.tenant, note };
      groups.set(kind, group);
    }
  }
  return [...groups.values()].sort((a, b) => b.records - a.records || a.kind.localeCompare(b.kind));
}

const count = (n: number): string => n.toLocaleString('en-US');

export function formatReport(report: ImportReport, options: FormatReportOptions = {}): string {
  const safe = escapeControl;
  const lines: string[] = [];
  const verb = report.dryRun ? 'would import' : 'imported';
  lines.push(`om-import ${report.source} (${safe(report.account)}) → ${safe(report.target)}${report.dryRun ? ' [dry run: nothing written]' : ''}`);
  if (report.api) lines.push(`source API: ${safe(report.api)}`);
  const { openMemory } = report;
  lines.push(
    `rows: as ${openMemory.release} writes them (OM_TIER=${openMemory.tier}, ${openMemory.dimension}-dimensional vectors); for ${openMemory.otherRelease}: --openmemory ${openMemory.otherVersion}`,
  );
  if (report.migration) {
    lines.push(`schema: ${report.migration.from} → ${report.migration.to}${report.migration.backupPath ? ` (backup: ${safe(report.migration.backupPath)})` : ''}`);
  }
  if (report.resumed) {
    lines.push(
      report.resumedTotals
        ? `resumed an interrupted run (${report.runId}): the counts below are the whole run's, ${count(report.resumedTotals.fetched)} records of them read before the interruption`
        : `resumed an interrupted run (${report.runId}) whose finished users' counts were not kept (an earlier om-import started it): the counts below are this leg's; the database total after them covers the whole run`,
    );
  }
  if (report.incrementalSince) lines.push(`incremental: records updated since ${report.incrementalSince}`);
  if (report.fullFetchReason) lines.push(`full fetch: ${report.fullFetchReason}`);

  const { listed, withSkips, largest, whole } = listedTenants(report.tenants);
  const all = report.tenants.length;
  if (!whole) {
    const parts = [
      ...(withSkips > 0 ? [`${withSkips === 1 ? 'the one' : `the ${withSkips}`} with skipped records`] : []),
      ...(largest > 0 ? [withSkips > 0 ? `the ${largest} largest others` : `the ${largest} largest by records fetched`] : []),
    ];
    lines.push(`${all} users; listed: ${parts.join(', then ')}`);
  }
  // One user column when every user keeps its own name as user_id; else source user → user_id.
  const identity = report.tenants.every((t) => t.userId === null || t.userId === t.tenant);
  const totals = report.totals;
  const numbersOf = (t: { fetched: number; created: number; updated: number; unchanged: number; skipped: number }): string[] =>
    [t.fetched, t.created, t.updated, t.unchanged, t.skipped].map(String);
  const rows = listed.map((t) => ({ names: identity ? [t.tenant] : [t.tenant, t.userId ?? '(skipped)'], numbers: numbersOf(t) }));
  const totalName = whole ? 'total' : `total (${all} users)`;
  rows.push({ names: identity ? [totalName] : [totalName, ''], numbers: numbersOf(totals) });
  lines.push(
    ...fitTable({ nameHeaders: identity ? ['user'] : ['user', 'user_id'], numberHeaders: ['fetched', 'created', 'updated', 'unchanged', 'skipped'], rows }),
  );

  const groups = skipsByKind(report.tenants);
  if (groups.length > 0) {
    const where = options.reportFile ? `every one in ${safe(options.reportFile)}` : 'every one: --json, or --report FILE.json or FILE.csv';
    lines.push(`skipped ${count(totals.skipped)} records, by reason (${where}):`);
    for (const group of groups) {
      const description = skipKindDescriptions[group.kind as SkipKind] ?? safe(group.kind);
      lines.push(`  ${group.kind}: ${count(group.records)} of ${group.tenants === 1 ? '1 user' : `${count(group.tenants)} users`} — ${description}`);
      if (group.example) {
        const { tenant, note } = group.example;
        lines.push(`    e.g. ${fitCell(tenant, 24)}/${note.sourceId === null ? '?' : fitCell(note.sourceId, 24)}: ${safe(note.reason)}`);
      }
    }
  }
  for (const tenant of listed) {
    const name = safe(tenant.tenant);
    for (const [flag, flagged] of Object.entries(tenant.flagged)) lines.push(`flagged ${name}: ${flagged} ${flagDescriptions[flag] ?? safe(flag)}`);
  }
  if (!whole) {
    // Flags of the users not listed: one line per flag, so a flag every user carries still takes one line.
    const shownTenants = new Set(listed);
    const others = new Map<string, { records: number; tenants: number }>();
    for (const tenant of report.tenants) {
      if (shownTenants.has(tenant)) continue;
      for (const [flag, flagged] of Object.entries(tenant.flagged)) {
        const sum = others.get(flag) ?? { records: 0, tenants: 0 };
        others.set(flag, { records: sum.records + flagged, tenants: sum.tenants + 1 });
      }
    }
    for (const [flag, sum] of others) {
      lines.push(`flagged ${plural(sum.tenants, 'other user', 'other users')}: ${sum.records} ${flagDescriptions[flag] ?? safe(flag)}`);
    }
    const rest = all - listed.length;
    lines.push(
      options.reportFile
        ? `the other ${plural(rest, 'user is', 'users are')} not listed: ${safe(options.reportFile)} has every user`
        : `the other ${plural(rest, 'user is', 'users are')} not listed: --report FILE.json or FILE.csv writes every user, --json prints the whole report`,
    );
  }
  if (report.goneAtSource.memories > 0) {
    const users = Object.keys(report.goneAtSource.byUser).length;
    lines.push(
      report.goneAtSource.prune && !report.goneAtSource.removed
        ? `--prune would remove ${report.goneAtSource.memories} memories of ${users} users whose records are gone at the source (their ids: --report FILE.json)`
        : report.goneAtSource.removed
        ? `pruned ${report.goneAtSource.memories} memories of ${users} users whose records are gone at the source${
            report.goneAtSource.usersRemoved.length > 0 ? `; ${report.goneAtSource.usersRemoved.length} users left without memories were removed` : ''
          }`
        : `gone at source: ${report.goneAtSource.memories} memories of ${users} users (their records are no longer there; run with --prune to remove them)`,
    );
  }
  for (const warning of report.warnings) lines.push(`warning: ${safe(warning)}`);
  lines.push(`${verb} ${totals.created} new and ${totals.updated} changed memories, ${totals.unchanged} unchanged, ${totals.skipped} skipped, in ${(report.durationMs / 1000).toFixed(1)} s`);
  if (report.accountInDatabase) {
    const held = report.accountInDatabase;
    lines.push(`the database now holds ${count(held.records)} records of ${plural(held.users, 'user', 'users')} from ${report.source} (${safe(report.account)})`);
  }
  if (report.exportFile) lines.push(`export saved to ${safe(report.exportFile)}`);
  return lines.flatMap((line) => wrapLine(line)).join('\n');
}
