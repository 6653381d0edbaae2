import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mem0Source } from '../../adapters/mem0/index.js';
import { importFrom } from '../../src/pipeline/import.js';
import { escapeControl, formatReport, type ImportReport } from '../../src/pipeline/report.js';
import { resolveTargetConfig } from '../../src/target/open-target.js';
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
