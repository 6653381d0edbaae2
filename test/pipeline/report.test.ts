import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mem0Source } from '../../adapters/mem0/index.js';
import { importFrom } from '../../src/pipeline/import.js';
import { embeddingConfigFromEnv, openMemoryRows } from '../../src/openmemory/embedding-config.js';
import {
  displayWidth, escapeControl, fitCell, formatReport, fullTableTenantLimit, largestTenantsListed, reportColumns, type ImportReport, type TenantReport,
} from '../../src/pipeline/report.js';
import { resolveTargetConfig } from '../../src/database/open-target.js';
import { tempDir } from '../support/temp.js';

/** A user name that recolours and clears the terminal, and fakes a line of the report. */
const ansi = 'mallory\u001b[31m\u001b[2J\nom-import mem0 (fake) → nowhere';
const long = `u${'x'.repeat(299)}`;

/** The text with its wrapped lines joined again (prose breaks at 80 columns, continuing on a line indented by two). */
const unwrapped = (text: string): string => text.replace(/\n {2}(?! )/g, ' ');

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
    expect(text).toMatch(/^ {2}no-text: 1 of 1 user — no text \(missing or empty\): nothing to import$/m);
    expect(text).toContain(`    e.g. ${fitCell(ansi, 24)}/id\\r\\n2: no text in \`memory\``);
    expect(unwrapped(text)).toContain(`flagged ${escaped}: 1 records whose time could not be read`);

    const lines = text.split('\n');
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(reportColumns);
    const tableStart = lines.findIndex((line) => /^user +fetched/.test(line)); // every user_id is its user's name: one column
    const table = lines.slice(tableStart, tableStart + 5); // header, three users, total
    expect(table[4]).toMatch(/^total /);
    // Shortened in the middle, so that the start and the end of a name both show.
    expect(table.find((line) => line.startsWith('ux'))).toMatch(/^ux+…x+ +1 +1 +0 +0 +0$/);
    expect(table.find((line) => line.startsWith('mallory'))).toMatch(/^mallory\\u001b\[31…\(fake\) → nowhere +2 +1 +0 +0 +1$/);
    // the columns line up: every row is as wide as the header
    expect(new Set(table.map(displayWidth)).size).toBe(1);
    expect(text).not.toContain(long);
    expect(lines.filter((line) => line.startsWith('om-import'))).toHaveLength(1);

    // --json prints the report itself: every name whole, every skip with its stable code
    expect(JSON.stringify(report)).toBe(before);
    expect(report.tenants.map((t) => t.tenant)).toEqual(expect.arrayContaining([ansi, long, 'alice']));
    expect(report.tenants.find((t) => t.tenant === ansi)!.skippedReasons).toEqual([{ sourceId: 'id\r\n2', reason: 'no text in `memory`', kind: 'no-text' }]);
  });

  it('keeps CJK names aligned (two columns a character), and shows source user → user_id only when a map changed one', () => {
    const report = largeReport(3, (tenant, i) => {
      if (i === 0) tenant.tenant = tenant.userId = '山田太郎';
      if (i === 1) {
        tenant.tenant = '東京の営業チームの共有メモリー用ユーザー名前はとても長い';
        tenant.userId = 'tokyo-sales';
      }
    });
    const text = formatReport(report);
    const lines = text.split('\n');
    const start = lines.findIndex((line) => line.startsWith('user '));
    expect(lines[start]).toMatch(/^user {3,}user_id +fetched +created +updated +unchanged +skipped$/);
    const table = lines.slice(start, start + 5);
    expect(table[1]).toMatch(/^山田太郎 +→ 山田太郎 +3 +3 +0 +0 +0$/);
    expect(table[2]).toMatch(/^東京の.*…[^…]*長い +→ tokyo-sales +2 +2 +0 +0 +0$/);
    expect(new Set(table.map(displayWidth)).size).toBe(1);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(reportColumns);
    expect(displayWidth('山田')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
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
  tenant.skippedReasons = Array.from({ length: count }, (_, n) => ({ sourceId: `${tenant.tenant}-bad-${n}`, reason: 'no text in `memory`', kind: 'no-text' as const }));
  tenant.skippedKinds = { 'no-text': count };
}

/** The table rows of a text report (header excluded), each as its first two cells. */
function tableRows(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^user .*fetched/.test(line));
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

  it('lists every tenant with skipped records, then the largest others, groups the skips by code, then says where the rest is', () => {
    // 10,000 tenants; three small ones have skips (one of them many).
    const report = largeReport(10_000, (tenant, i) => {
      if (i === 9_999) skip(tenant, 57);
      if (i === 5_000 || i === 7_000) skip(tenant, 1);
    });
    const text = formatReport(report);
    const lines = text.split('\n');
    expect(lines.length).toBeLessThan(30);
    const whole = unwrapped(text);
    expect(tableRows(text)).toEqual(['user-5000', 'user-7000', 'user-9999', 'user-0', 'user-1', 'user-2', 'user-3', 'user-4']);
    expect(whole).toContain(`10000 users; listed: the 3 with skipped records, then the ${largestTenantsListed} largest others`);
    expect(text).toMatch(/^total \(10000 users\) +50005059 +50005000 +0 +0 +59$/m);
    // One line per code with its count and hint, and one example — not a line per record.
    expect(whole).toContain('skipped 59 records, by reason (every one: --json, or --report FILE.json or FILE.csv):');
    expect(text).toMatch(/^ {2}no-text: 59 of 3 users — no text \(missing or empty\): nothing to import$/m);
    expect(text).toContain('    e.g. user-5000/user-5000-bad-0: no text in `memory`');
    expect(lines.filter((line) => line.includes('bad-'))).toHaveLength(1);
    expect(whole).toContain('the other 9992 users are not listed: --report FILE.json or FILE.csv writes');
    expect(lines.at(-1)).toBe('imported 50005000 new and 0 changed memories, 0 unchanged, 59 skipped, in 1.2 s');
    // the columns line up, within 80 columns
    const table = lines.slice(lines.findIndex((line) => line.startsWith('user ')), lines.findIndex((line) => line.startsWith('total ')) + 1);
    expect(new Set(table.map((line) => line.length)).size).toBe(1);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(reportColumns);
  });

  it('lists every tenant with skips however many there are, and only the largest when none has any', () => {
    const many = formatReport(largeReport(200, (tenant, i) => i % 2 === 0 && skip(tenant, 1)));
    expect(tableRows(many)).toHaveLength(100 + largestTenantsListed);
    expect(many.split('\n').filter((line) => line.startsWith('skipped ') || line.startsWith('  no-text'))).toHaveLength(2);

    const none = formatReport(largeReport(21));
    expect(tableRows(none)).toEqual(['user-0', 'user-1', 'user-2', 'user-3', 'user-4']);
    expect(none).toContain(`21 users; listed: the ${largestTenantsListed} largest by records fetched`);
    expect(none).toContain('the other 16 users are not listed');
  });

  it('names the --report file, keeps the flagged lines of listed tenants, and sums the flags of the others', () => {
    const report = largeReport(1_000, (tenant, i) => {
      tenant.flagged['unreadable-time'] = 1;
      if (i === 0) tenant.flagged['content-from-summary'] = 3;
    });
    const text = formatReport(report, { reportFile: 'reports/run.csv' });
    expect(unwrapped(text)).toContain('the other 995 users are not listed: reports/run.csv has every user');
    expect(unwrapped(text)).toContain("flagged user-0: 3 imported with the source's summary as text");
    expect(text.split('\n').filter((line) => line.startsWith('flagged user-'))).toHaveLength(largestTenantsListed + 1);
    expect(unwrapped(text)).toMatch(/^flagged 995 other users: 995 records whose time could not be read/m);
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
    expect(tableRows(text)[0]).toMatch(/^mallory.*….*nowhere → ux+…x+$/);
    expect(text).not.toContain(long);
  });
});

describe('which OpenMemory the rows are for', () => {
  it('the text report names the release, tier and dimension, and how to choose the other', () => {
    // Long lines wrap at 80 columns, continued with an indent: read them whole.
    const unwrapped = (text: string): string => text.replace(/\n {2,}/g, ' ');
    expect(unwrapped(formatReport(largeReport(1)))).toContain(
      '\nrows: as OpenMemory 1.2.x (1.2.3) writes them (OM_TIER=hybrid, 256-dimensional vectors); for OpenMemory 1.3.0: --openmemory 1.3\n',
    );
    const newer = { ...largeReport(1), openMemory: openMemoryRows(embeddingConfigFromEnv({ OM_IMPORT_OPENMEMORY: '1.3' })) };
    expect(unwrapped(formatReport(newer))).toContain(
      '\nrows: as OpenMemory 1.3.0 writes them (OM_TIER=hybrid, 1536-dimensional vectors); for OpenMemory 1.2.x (1.2.3): --openmemory 1.2\n',
    );
    expect(newer.openMemory).toEqual({ version: '1.3', release: 'OpenMemory 1.3.0', tier: 'hybrid', dimension: 1536, otherVersion: '1.2', otherRelease: 'OpenMemory 1.2.x (1.2.3)' });
  });
});
