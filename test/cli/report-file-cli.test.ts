import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvText, reportCsv } from '../../src/cli/report-file.js';
import type { ImportReport } from '../../src/pipeline/report.js';
import { generatedMem0Account } from '../fakes/mem0/mem0-account.js';
import { runCliProcess } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const users = 10_000;

/** A Mem0 export of 10,000 users with one memory each, plus two records that are skipped (one of a user of its own). */
function bigExport(folder: string): string {
  const { memories } = generatedMem0Account({ users, perUser: 1 });
  const file = path.join(folder, 'big-export.json');
  writeFileSync(file, JSON.stringify([...memories, { id: 'no-text', user_id: 'user-4242' }, { id: 'empty', memory: '', user_id: '=HYPERLINK("x")' }]));
  return file;
}

describe('the report of a 10,000-user import (CLI)', () => {
  it('stays short as text, lists the users with skips, and --report FILE.json / FILE.csv hold every user', { timeout: 180_000 }, async () => {
    const cwd = tempDir();
    const file = bigExport(cwd);

    const first = await runCliProcess(['mem0', '--from-file', file, '--report', 'reports/first.json'], { cwd });
    expect(first.code).toBe(0); // (stderr may hold a progress line: the import is long enough for one)
    const lines = first.stdout.trimEnd().split('\n');
    expect(lines.length).toBeLessThan(60);
    expect(first.stdout).toMatch(/^10001 users; listed: the 2 with skipped records, then the 5 largest others$/m);
    // Every user_id is its user's name: one user column.
    expect(first.stdout).toMatch(/^user-4242 +2 +1 +0 +0 +1$/m);
    expect(first.stdout).toMatch(/^=HYPERLINK\("x"\) +1 +0 +0 +0 +1$/m);
    expect(first.stdout).toMatch(/^skipped 2 records, by reason \(every one in reports\/first.json\):$/m);
    expect(first.stdout).toMatch(/^ {2}no-text: 2 of 2 users — no text/m);
    expect(first.stdout).toMatch(/^total \(10001 users\) +10002 +10000 +0 +0 +2$/m);
    expect(first.stdout).toContain('the other 9994 users are not listed: reports/first.json has every user');

    const saved = path.join(cwd, 'reports', 'first.json');
    expect(statSync(saved).mode & 0o777).toBe(0o600);
    const report = JSON.parse(readFileSync(saved, 'utf8')) as ImportReport;
    expect(report.tenants).toHaveLength(users + 1);
    expect(report.totals).toMatchObject({ fetched: users + 2, created: users, skipped: 2 });
    expect(report.tenants.find((tenant) => tenant.tenant === 'user-4242')?.skippedReasons).toEqual([{ sourceId: 'no-text', reason: 'no text in `memory`', kind: 'no-text' }]);

    // A re-run (nothing changed) with CSV, and the whole report on stdout with --json.
    const second = await runCliProcess(['mem0', '--from-file', file, '--report', 'second.csv', '--json'], { cwd });
    expect(second.code).toBe(0);
    expect((JSON.parse(second.stdout) as ImportReport).tenants).toHaveLength(users + 1);
    const csvFile = path.join(cwd, 'second.csv');
    expect(statSync(csvFile).mode & 0o777).toBe(0o600);
    const csv = readFileSync(csvFile, 'utf8').split('\r\n');
    expect(csv.pop()).toBe(''); // the last line ends like every other
    expect(csv).toHaveLength(users + 2); // the header, and one line per tenant
    // Every skip has a stable code now: a column for each code the run met.
    expect(csv[0]).toBe('tenant,user_id,fetched,created,updated,unchanged,skipped,skipped:no-text');
    expect(csv).toContain('user-4242,user-4242,2,0,0,1,1,1');
    expect(csv).toContain(`"'=HYPERLINK(""x"")",,1,0,0,0,1,1`);
  });

  it('refuses, before importing, a name that is neither .json nor .csv, an existing file, and a folder it cannot make', async () => {
    const cwd = tempDir();
    const file = path.join(cwd, 'export.json');
    writeFileSync(file, JSON.stringify(generatedMem0Account({ users: 2, perUser: 1 }).memories));
    writeFileSync(path.join(cwd, 'taken.csv'), 'earlier\n');
    writeFileSync(path.join(cwd, 'a-file'), '');
    const cases: [string, RegExp][] = [
      ['report.txt', /--report report\.txt: the file name must end in \.json \(the whole report\) or \.csv/],
      ['taken.csv', /--report: taken\.csv already exists; om-import never overwrites a report/],
      ['a-file/report.json', /--report a-file\/report\.json: cannot create its folder \((EEXIST|ENOTDIR)\)/],
    ];
    for (const [name, message] of cases) {
      const result = await runCliProcess(['mem0', '--from-file', file, '--report', name], { cwd });
      expect({ name, code: result.code }).toEqual({ name, code: 2 });
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
    expect(existsSync(path.join(cwd, 'data'))).toBe(false); // nothing was imported
    expect(readFileSync(path.join(cwd, 'taken.csv'), 'utf8')).toBe('earlier\n');
  });

  it('leaves no report file when the import fails', async () => {
    const cwd = tempDir();
    const file = path.join(cwd, 'export.json');
    writeFileSync(file, JSON.stringify(generatedMem0Account({ users: 2, perUser: 1 }).memories));
    writeFileSync(path.join(cwd, 'not-a-database.sqlite'), 'this is not SQLite');
    const result = await runCliProcess(['mem0', '--from-file', file, '--db', 'not-a-database.sqlite', '--report', 'r.json'], { cwd });
    expect(result.code).toBe(1);
    expect(existsSync(path.join(cwd, 'r.json'))).toBe(false);
  });
});

describe('the CSV report', () => {
  it('quotes what needs quoting and makes formula-like cells inert', () => {
    expect(csvText('alice')).toBe('alice');
    expect(csvText('a,b')).toBe('"a,b"');
    expect(csvText('say "hi"')).toBe('"say ""hi"""');
    expect(csvText('two\nlines')).toBe('"two\nlines"');
    expect(csvText(' padded')).toBe('" padded"');
    for (const formula of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1']) expect(csvText(formula).replace(/^"/, '').startsWith(`'${formula[0]}`)).toBe(true);
    expect(csvText('=cmd|" /C calc"!A0')).toBe(`"'=cmd|"" /C calc""!A0"`);
    expect(csvText('user=1')).toBe('user=1');
  });

  it('has a column per record flag, and an empty user_id for a tenant whose records were all skipped', () => {
    const tenant = { updated: 0, unchanged: 0, skippedReasons: [] };
    const report = {
      tenants: [
        { ...tenant, tenant: 'ana', userId: 'ana', fetched: 3, created: 3, skipped: 0, flagged: { 'unreadable-time': 2 } },
        { ...tenant, tenant: 'ben', userId: null, fetched: 1, created: 0, skipped: 1, flagged: {} },
      ],
    } as unknown as ImportReport;
    expect(reportCsv(report)).toBe(
      'tenant,user_id,fetched,created,updated,unchanged,skipped,flagged:unreadable-time\r\nana,ana,3,3,0,0,0,2\r\nben,,1,0,0,0,1,0\r\n',
    );
  });

  it('has a column per kind of skip the source names (skipped:expired), before the flag columns', () => {
    const tenant = { updated: 0, unchanged: 0, skippedReasons: [] };
    const report = {
      tenants: [
        { ...tenant, tenant: 'ana', userId: 'ana', fetched: 5, created: 2, skipped: 3, skippedKinds: { expired: 2, superseded: 1 }, flagged: { superseded: 1 } },
        { ...tenant, tenant: 'ben', userId: 'ben', fetched: 1, created: 1, skipped: 0, flagged: {} },
      ],
    } as unknown as ImportReport;
    expect(reportCsv(report)).toBe(
      'tenant,user_id,fetched,created,updated,unchanged,skipped,skipped:expired,skipped:superseded,flagged:superseded\r\n' +
        'ana,ana,5,2,0,0,3,2,1,1\r\nben,ben,1,1,0,0,0,0,0,0\r\n',
    );
  });
});
