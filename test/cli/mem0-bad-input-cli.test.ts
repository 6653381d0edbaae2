// What a new user brings to `om-import mem0 --from-file`, through the built CLI: maps with a BOM or a user named
// twice, --user-id on a file, names that would take over the terminal, times out of range, an absurd OM_VEC_DIM.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runCliProcess } from '../support/cli.js';
import { fixturePath } from '../support/fixtures.js';
import { tempDir } from '../support/temp.js';

const exportFile = fixturePath('mem0', 'export.json');

describe('om-import mem0 --from-file with inputs as users bring them', () => {
  it('a --user-map naming a user twice: exit 2, one line naming the user and the file, nothing written', async () => {
    const cwd = tempDir();
    const map = path.join(cwd, 'map.json');
    writeFileSync(map, '{\n  "alice": "alice",\n  "bob": "robert",\n  "bob": "alice"\n}\n');
    const result = await runCliProcess(['mem0', '--from-file', exportFile, '--user-map', map], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`--user-map ${map}: the source user "bob" is mapped twice (again on line 4)`);
    expect(existsSync(path.join(cwd, 'data'))).toBe(false);
  });

  it('a file that is not an export, or a server that does not answer: one line, and no database made, migrated or claimed', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'bad.json'), '{"not": "an export"');
    const file = await runCliProcess(['mem0', '--from-file', 'bad.json'], { cwd });
    expect(file.code).toBe(2);
    expect(file.stderr.trim().split('\n')).toHaveLength(1);
    expect(file.stderr).toMatch(/--from-file bad\.json is not valid JSON/);
    const server = await runCliProcess(['supermemory', '--api-key', 'sm_test_key_0000', '--base-url', 'http://127.0.0.1:9', '--max-wait', '1'], { cwd, env: cleanEnv() });
    expect(server.code).toBe(1);
    expect(server.stderr).toMatch(/could not connect to 127\.0\.0\.1:9/);
    expect(existsSync(path.join(cwd, 'data'))).toBe(false);
  });

  it('an export and a --user-map saved with a byte order mark import as without one', async () => {
    const cwd = tempDir();
    const withBom = path.join(cwd, 'export.json');
    writeFileSync(withBom, `\uFEFF${readFileSync(exportFile, 'utf8')}`);
    const map = path.join(cwd, 'map.json');
    writeFileSync(map, `\uFEFF${readFileSync(fixturePath('mem0', 'user-map.json'), 'utf8')}`);
    const result = await runCliProcess(['mem0', '--from-file', withBom, '--user-map', map, '--json'], { cwd });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).totals).toMatchObject({ fetched: 12, created: 9, skipped: 3 });
  });

  it('--user-id reads only those users of the file', async () => {
    const cwd = tempDir();
    const result = await runCliProcess(['mem0', '--from-file', exportFile, '--user-id', 'bob', '--user-id', 'agent:support-bot', '--json'], { cwd });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    // the one entry of the file that is not a memory object belongs to nobody known, so it is still reported
    expect(report.tenants.map((t: { tenant: string; fetched: number }) => [t.tenant, t.fetched])).toEqual([['(none)', 1], ['agent:support-bot', 1], ['bob', 3]]);
    expect(report.tenants[0].skippedReasons).toEqual([{ sourceId: null, reason: 'not a JSON object', kind: 'malformed' }]);
  });

  it('names that carry escape sequences are shown escaped (and whole in --json); times out of range neither crash nor hide', async () => {
    const cwd = tempDir();
    const file = path.join(cwd, 'export.json');
    const evil = 'eve\u001b]0;pwned\u0007\u001b[2J\r\nimported 0 new';
    const long = 'l'.repeat(300);
    writeFileSync(
      file,
      JSON.stringify([
        { id: 'a', memory: 'Evil name', user_id: evil, created_at: 1e17 },
        { id: 'b', memory: 'Long name', user_id: long, created_at: 1e25 },
        { id: 'c', memory: 'Numeric name', user_id: 42, created_at: 1_767_225_600_000_000 },
      ]),
    );
    const text = await runCliProcess(['mem0', '--from-file', file], { cwd, env: cleanEnv() });
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    // in the table (one user column: every user_id is its user's name), escaped and shortened in the middle to fit 80
    // columns; on its own line, whole (escaped)
    const tableRows = text.stdout.split('\n').filter((line) => / {2}\d+ {2,}\d+ {2,}\d+ {2,}\d+ {2,}\d+$/.test(line));
    expect(tableRows).toHaveLength(4);
    for (const row of tableRows) expect(row.length).toBeLessThanOrEqual(80);
    expect(tableRows.find((row) => row.startsWith('eve'))).toMatch(/^eve\\u001b\]0;pw.*….*imported 0 new +1 +1 +0 +0 +0$/);
    expect(tableRows.find((row) => row.startsWith('l'))).toMatch(/^l{10,}…l{10,} +1 +1 +0 +0 +0$/);
    expect(text.stdout.replace(/\n {2}(?! )/g, ' ')).toContain(`flagged ${long}: 1 records whose time could not be read`);
    expect(text.stdout).toMatch(/^imported 3 new and 0 changed memories/m);

    const json = await runCliProcess(['mem0', '--from-file', file, '--json', '--fresh'], { cwd, env: cleanEnv() });
    const tenants = JSON.parse(json.stdout).tenants.map((t: { tenant: string }) => t.tenant);
    expect(tenants).toEqual(expect.arrayContaining([evil, long, '42']));
  });

  it('OM_VEC_DIM=10000000000: exit 2, one line naming the variable and the range, nothing written', async () => {
    const cwd = tempDir();
    const result = await runCliProcess(['mem0', '--from-file', exportFile], { cwd, env: cleanEnv({ OM_VEC_DIM: '10000000000' }) });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('OM_VEC_DIM=10000000000 is out of range: expected a whole number from 1 to 65536');
    expect(existsSync(path.join(cwd, 'data'))).toBe(false);
  });
});
