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
  migration: Pick<MigrationResult, 'backupPath'> & { from: string; to: string; steps: string[] } | null;
  tenants: TenantReport[];
  users: UserReport[];
  totals: { fetched: number; created: number; updated: number; unchanged: number; skipped: number };
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
};

export function formatReport(report: ImportReport): string {
  const lines: string[] = [];
  const verb = report.dryRun ? 'would import' : 'imported';
  lines.push(`om-import ${report.source} (${report.account}) → ${report.target}${report.dryRun ? ' [dry run: nothing written]' : ''}`);
  if (report.api) lines.push(`source API: ${report.api}`);
  if (report.migration) {
    lines.push(`schema: ${report.migration.from} → ${report.migration.to}${report.migration.backupPath ? ` (backup: ${report.migration.backupPath})` : ''}`);
  }
  if (report.resumed) lines.push(`resumed an interrupted run (${report.runId})`);
  if (report.incrementalSince) lines.push(`incremental: records updated since ${report.incrementalSince}`);
  const header = ['tenant', 'user_id', 'fetched', 'created', 'updated', 'unchanged', 'skipped'];
  const rows = report.tenants.map((t) => [t.tenant, t.userId ?? '-', t.fetched, t.created, t.updated, t.unchanged, t.skipped].map(String));
  const totals = report.totals;
  rows.push(['total', '', totals.fetched, totals.created, totals.updated, totals.unchanged, totals.skipped].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const format = (cells: string[]): string => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  ');
  lines.push(format(header), ...rows.map(format));
  for (const tenant of report.tenants) {
    const listed = tenant.skippedReasons.slice(0, skipReasonLimit);
    for (const note of listed) lines.push(`skipped ${tenant.tenant}/${note.sourceId ?? '?'}: ${note.reason}`);
    const unlisted = tenant.skipped - listed.length;
    if (unlisted > 0) lines.push(`skipped ${tenant.tenant}: ${unlisted} more (see --json)`);
    for (const [flag, count] of Object.entries(tenant.flagged)) lines.push(`flagged ${tenant.tenant}: ${count} ${flagDescriptions[flag] ?? flag}`);
  }
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  lines.push(`${verb} ${totals.created} new and ${totals.updated} changed memories, ${totals.unchanged} unchanged, ${totals.skipped} skipped, in ${(report.durationMs / 1000).toFixed(1)} s`);
  if (report.exportFile) lines.push(`export saved to ${report.exportFile}`);
  return lines.join('\n');
}
