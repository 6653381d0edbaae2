import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mem0Source } from '../../adapters/mem0/index.js';
import { importFrom } from '../../src/pipeline/import.js';
import { embeddingConfigFromEnv, openMemoryRows } from '../../src/openmemory/embedding-config.js';
import {
  escapeControl, formatReport, fullTableTenantLimit, largestTenantsListed, skipReasonLimit, type ImportReport, type TenantReport,
} from '../../src/pipeline/report.js';
import { resolveTargetConfig } from '../../src/database/open-target.js';
import { tempDir } from '../support/temp.js';

/** A user name that recolours and clears the terminal, and fakes a line of the report. */
const ansi = 'mallory\u001b[31m\u001b[2J\nom-import mem0 (fake) → nowhere';
const long = `u${'x'.repeat(299)}`;

/** A real report (a dry run over an export file), so its shape is the one the CLI prints. */
async function reportOf(memories: unknown[], fileName = 'export.json'): Promise<ImportReport> {
  const folder = tempDir();
  const file = path.join(folder, fileName);
  writeFileSync(file, JSON.stringify(memories));
  return importFrom({
    source: mem0Source({ fromFile: file }).source,
    target: resolveTargetConfig({ db: path.join(folder, 'openmemory.sqlite') }, {}),
    env: {},
    dryRun: true,
  });
}

describe('the text report', () => {
  it('escapes control characters in every name it shows, and shortens long names in the table only', async () => {
    const report = await reportOf(
      [
        { id: 'm1', memory: 'Likes tea', user_id: ansi, created_at: 'not a time' },
        { id: 'id\r\n2', user_id: ansi },
        { id: 'm3', memory: 'Likes coffee', user_id: long },
        { id: 'm4', memory: 'Likes water', user_id: 'alice' },
      ],
      'export\n.json',
    );
    const before = JSON.stringify(report);
    const text = formatReport(report);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/); // no control character but the line breaks between lines
    const escaped = 'mallory\\u001b[31m\\u001b[2J\\nom-import mem0 (fake) → nowhere';
    expect(text).toContain('(file export\\n.json)');
    expect(text).toContain(`skipped ${escaped}/id\\r\\n2: no text in \`memory\``);
    expect(text).toContain(`flagged ${escaped}: 1 records whose time could not be read`);

    const lines = text.split('\n');
    const tableStart = lines.findIndex((line) => /^tenant +user_id +fetched/.test(line));
    const table = lines.slice(tableStart, tableStart + 5); // header, three tenants, total
    expect(table[4]).toMatch(/^total /);
    const shortened = `u${'x'.repeat(38)}…`;
    expect(table.find((line) => line.startsWith('u'))).toMatch(new RegExp(`^${shortened}  ${shortened} +1 +1`));
    const cell = `${escaped.slice(0, 39)}…`;
    expect(cell).toBe('mallory\\u001b[31m\\u001b[2J\\nom-import m…');
    expect(table.find((line) => line.startsWith('mallory'))?.startsWith(`${cell}  ${cell}        2        1`)).toBe(true);
    // the columns line up: every row is as wide as the header
    expect(new Set(table.map((line) => Array.from(line).length)).size).toBe(1);
    expect(text).not.toContain(long);
    expect(lines.filter((line) => line.startsWith('om-import'))).toHaveLength(1);

    // --json prints the report itself: every name whole
    expect(JSON.stringify(report)).toBe(before);
    expect(report.tenants.map((t) => t.tenant)).toEqual(expect.arrayContaining([ansi, long, 'alice']));
  });

  it('escapes C0, DEL, C1, line separators and bidirectional overrides; leaves other text alone', () => {
    expect(escapeControl('a\tb\u0000c\u007fd\u0085e\u2028f\u202eg\u2066h')).toBe('a\\tb\\u0000c\\u007fd\\u0085e\\u2028f\\u202eg\\u2066h');
    expect(escapeControl('Zoë 東京 🙂 C:\\x "q"')).toBe('Zoë 東京 🙂 C:\\x "q"');
  });
});

/** A report of `count` tenants (`user-0` … fetched `count - i` records each), for the layout of large accounts. */
function largeReport(count: number, change: (tenant: TenantReport, i: number) => void = () => undefined): ImportReport {
  const tenants: TenantReport[] = [];
  for (let i = 0; i < count; i++) {
    const tenant: TenantReport = {
      tenant: `user-${i}`, userId: `user-${i}`, fetched: count - i, created: count - i, updated: 0, unchanged: 0, skipped: 0, skippedReasons: [], flagged: {},
    };
    change(tenant, i);
    tenants.push(tenant);
  }
  const totals = { fetched: 0, created: 0, updated: 0, unchanged: 0, skipped: 0 };
  for (const tenant of tenants) for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += tenant[key];
  return {
    source: 'mem0', account: 'file big.json', api: null, target: 'SQLite ./data/openmemory.sqlite', dryRun: false, runId: 'run-1', resumed: false,
    openMemory: openMemoryRows(embeddingConfigFromEnv({})),
    incrementalSince: null, fullFetchReason: null, migration: null, tenants, users: [], totals,
    goneAtSource: { memories: 0, removed: false, prune: false, byUser: {}, usersRemoved: [], records: [] }, warnings: [], http: null, exportFile: null, durationMs: 1234,
  };
}

/** A tenant with `count` skipped records. */
function skip(tenant: TenantReport, count: number): void {
  tenant.skipped = count;
  tenant.fetched += count;
  tenant.skippedReasons = Array.from({ length: count }, (_, n) => ({ sourceId: `${tenant.tenant}-bad-${n}`, reason: 'no text in `memory`' }));
}

/** The table rows of a text report (header excluded), each as its first two cells. */
function tableRows(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^tenant +user_id +fetched/.test(line));
  const end = lines.findIndex((line, i) => i > start && /^total /.test(line));
  return lines.slice(start + 1, end).map((line) => line.split(/ {2,}/)[0]!);
}

describe('the text report of a large account', () => {
  it(`lists every tenant of an account of up to ${fullTableTenantLimit} tenants`, () => {
    const text = formatReport(largeReport(fullTableTenantLimit));
    expect(tableRows(text)).toHaveLength(fullTableTenantLimit);
    expect(text).not.toMatch(/not listed/);
    expect(text).toMatch(/^total  /m);
  });

  it('lists every tenant with skipped records, then the largest others, then says where the rest is', () => {
    // 10,000 tenants; three small ones have skips (one of them more than the text lists per tenant).
    const report = largeReport(10_000, (tenant, i) => {
      if (i === 9_999) skip(tenant, skipReasonLimit + 7);
      if (i === 5_000 || i === 7_000) skip(tenant, 1);
    });
    const text = formatReport(report);
    const lines = text.split('\n');
    expect(lines.length).toBeLessThan(60 + skipReasonLimit);
    expect(tableRows(text)).toEqual(['user-5000', 'user-7000', 'user-9999', 'user-0', 'user-1', 'user-2', 'user-3', 'user-4']);
    expect(text).toContain(`10000 tenants; listed: the 3 with skipped records, then the ${largestTenantsListed} largest others by records fetched`);
    expect(text).toMatch(/^total \(10000 tenants\) +50005059 +50005000 +0 +0 +59$/m);
    expect(text).toContain('skipped user-5000/user-5000-bad-0: no text in `memory`');
    expect(lines.filter((line) => line.startsWith('skipped user-9999/'))).toHaveLength(skipReasonLimit);
    expect(text).toContain('skipped user-9999: 7 more (see --json or --report FILE.json)');
    expect(text).toContain('the other 9992 tenants are not listed: --report FILE.json or FILE.csv writes every tenant, --json prints the whole report');
    expect(lines.at(-1)).toBe('imported 50005000 new and 0 changed memories, 0 unchanged, 59 skipped, in 1.2 s');
    // the columns line up
    const table = lines.slice(lines.findIndex((line) => line.startsWith('tenant ')), lines.findIndex((line) => line.startsWith('total ')) + 1);
    expect(new Set(table.map((line) => line.length)).size).toBe(1);
  });

  it('lists every tenant with skips however many there are, and only the largest when none has any', () => {
    const many = formatReport(largeReport(200, (tenant, i) => i % 2 === 0 && skip(tenant, 1)));
    expect(tableRows(many)).toHaveLength(100 + largestTenantsListed);
    expect(many.split('\n').filter((line) => line.startsWith('skipped '))).toHaveLength(100);

    const none = formatReport(largeReport(21));
    expect(tableRows(none)).toEqual(['user-0', 'user-1', 'user-2', 'user-3', 'user-4']);
    expect(none).toContain(`21 tenants; listed: the ${largestTenantsListed} largest by records fetched`);
    expect(none).toContain('the other 16 tenants are not listed');
  });

  it('names the --report file, keeps the flagged lines of listed tenants, and sums the flags of the others', () => {
    const report = largeReport(1_000, (tenant, i) => {
      tenant.flagged['unreadable-time'] = 1;
      if (i === 0) tenant.flagged['content-from-summary'] = 3;
    });
    const text = formatReport(report, { reportFile: 'reports/run.csv' });
    expect(text).toContain('the other 995 tenants are not listed: reports/run.csv has every tenant');
    expect(text).toContain("flagged user-0: 3 imported with the source's summary as text");
    expect(text.split('\n').filter((line) => line.startsWith('flagged user-'))).toHaveLength(largestTenantsListed + 1);
    expect(text).toMatch(/^flagged 995 other tenants: 995 records whose time could not be read/m);
  });

  it('escapes and shortens names in the large layout too', () => {
    const report = largeReport(30, (tenant, i) => {
      if (i === 29) {
        tenant.tenant = ansi;
        tenant.userId = long;
        skip(tenant, 1);
      }
    });
    const text = formatReport(report);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(tableRows(text)[0]).toBe('mallory\\u001b[31m\\u001b[2J\\nom-import m…');
    expect(text).not.toContain(long);
  });
});

describe('which OpenMemory the rows are for', () => {
  it('the text report names the release, tier and dimension, and how to choose the other', () => {
    expect(formatReport(largeReport(1))).toContain(
      '\nrows: as OpenMemory 1.2.x (1.2.3) writes them (OM_TIER=hybrid, 256-dimensional vectors); for OpenMemory 1.3.0: --openmemory 1.3\n',
    );
    const newer = { ...largeReport(1), openMemory: openMemoryRows(embeddingConfigFromEnv({ OM_IMPORT_OPENMEMORY: '1.3' })) };
    expect(formatReport(newer)).toContain(
      '\nrows: as OpenMemory 1.3.0 writes them (OM_TIER=hybrid, 1536-dimensional vectors); for OpenMemory 1.2.x (1.2.3): --openmemory 1.2\n',
    );
    expect(newer.openMemory).toEqual({ version: '1.3', release: 'OpenMemory 1.3.0', tier: 'hybrid', dimension: 1536, otherVersion: '1.2', otherRelease: 'OpenMemory 1.2.x (1.2.3)' });
  });
});
