// `--report FILE`: the whole per-tenant report of an import, as JSON (`.json`) or CSV (`.csv`). The name is checked
// before the import starts — a bad extension, a folder that cannot be made or written, or a file already there stop
// the run at once — and the file is created when the import ends (so a killed run leaves none behind), exclusively
// and readable by its owner only: it names every user.
import { accessSync, closeSync, constants, existsSync, fchmodSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { ImportReport } from '../pipeline/report.js';

export type ReportFormat = 'json' | 'csv';

/** The format a report file's name asks for; anything but `.json` and `.csv` is a usage error naming the flag. */
export function reportFormat(file: string): ReportFormat {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.csv') return 'csv';
  throw new UsageError(`--report ${file}: the file name must end in .json (the whole report) or .csv (one row per tenant)`);
}

/** A report file whose name was checked before the import; `write` creates it once the import has ended. */
export class ReportFile {
  private constructor(
    readonly path: string,
    readonly format: ReportFormat,
  ) {}

  /**
   * Checks `file` before anything is imported: its extension, its folder (made when missing, and writable), and
   * that no file is there — a report already there is someone's record of an earlier run, never overwritten.
   */
  static check(file: string): ReportFile {
    const format = reportFormat(file);
    const folder = path.dirname(file);
    const code = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    try {
      mkdirSync(folder, { recursive: true });
    } catch (error) {
      throw new UsageError(`--report ${file}: cannot create its folder (${code(error)}); name a folder you can write`);
    }
    try {
      accessSync(folder, constants.W_OK);
    } catch (error) {
      throw new UsageError(`--report ${file}: cannot write there (${code(error)}); name a folder you can write`);
    }
    if (existsSync(file)) throw new UsageError(`--report: ${file} already exists; om-import never overwrites a report — move it, or name another file`);
    return new ReportFile(file, format);
  }

  /** Creates the file (exclusively, 0600) with the report; `redact` hides secrets, as on stdout. */
  write(report: ImportReport, redact: (text: string) => string = (text) => text): void {
    const text = this.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : reportCsv(report);
    let descriptor: number;
    try {
      descriptor = openSync(this.path, 'wx', 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'EEXIST' ? 'a file of that name appeared during the import' : `cannot write there (${code ?? (error as Error).message})`;
      // Exit 1, not 2: the run was called rightly, and the import completed.
      throw new Error(`--report ${this.path}: ${why}; the import itself completed (its report is on stdout)`);
    }
    try {
      fchmodSync(descriptor, 0o600); // whatever the umask left
      writeSync(descriptor, redact(text));
    } finally {
      closeSync(descriptor);
    }
  }
}

/** The CSV columns before the flag columns, one row per tenant. */
export const reportCsvColumns = ['tenant', 'user_id', 'fetched', 'created', 'updated', 'unchanged', 'skipped'] as const;

/**
 * The report as CSV (RFC 4180: comma-separated, CRLF line ends, a cell with a comma, quote or line break quoted):
 * a header, then one row per tenant with its counts, one `skipped:<kind>` column per kind of skip and one
 * `flagged:<flag>` column per record flag the report has.
 * Text cells are the source's names, so one that a spreadsheet would take for a formula is made inert.
 */
export function reportCsv(report: ImportReport): string {
  const flags = [...new Set(report.tenants.flatMap((tenant) => Object.keys(tenant.flagged)))].sort();
  const kinds = [...new Set(report.tenants.flatMap((tenant) => Object.keys(tenant.skippedKinds ?? {})))].sort();
  const lines = [[...reportCsvColumns, ...kinds.map((kind) => `skipped:${kind}`), ...flags.map((flag) => `flagged:${flag}`)].map(csvText).join(',')];
  for (const tenant of report.tenants) {
    const counts = [
      tenant.fetched, tenant.created, tenant.updated, tenant.unchanged, tenant.skipped,
      ...kinds.map((kind) => tenant.skippedKinds?.[kind] ?? 0),
      ...flags.map((flag) => tenant.flagged[flag] ?? 0),
    ];
    lines.push([csvText(tenant.tenant), tenant.userId === null ? '' : csvText(tenant.userId), ...counts.map(String)].join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * A text cell: a leading `=`, `+`, `-`, `@` (or a tab or carriage return, which some spreadsheets skip before one)
 * gets a `'` in front, so the cell is shown as text and never evaluated (OWASP's CSV-injection advice); then quoted
 * when it holds a comma, a quote, a line break or surrounding spaces.
 */
export function csvText(value: string): string {
  const inert = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(inert) ? `"${inert.replace(/"/g, '""')}"` : inert;
}
