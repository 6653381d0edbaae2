// The executors run the same statement text many times in a run (PostgreSQL's keeps recurring ones prepared):
// every run of it binds its own values, and statements past the prepared ones still run.
import { describe, expect, it } from 'vitest';
import { openTarget } from '../../src/database/open-target.js';
import { backends } from '../support/targets.js';

describe.each(backends)('a statement run again and again (%s)', (_name, makeTarget) => {
  it('binds each run its own values, however many texts recur', async () => {
    const target = await openTarget(await makeTarget());
    try {
      const { executor } = target;
      await executor.run('create table recurring (id integer primary key, label text, size integer)');
      // 60 texts (more than are kept prepared), each run three times with other values.
      for (let turn = 0; turn < 3; turn++) {
        for (let size = 1; size <= 60; size++) {
          const values = Array.from({ length: size }, (_, i) => [turn * 10_000 + size * 100 + i, `t${turn}-s${size}-${i}`, size]);
          await executor.run(`insert into recurring(id, label, size) values ${values.map(() => '(?, ?, ?)').join(',')}`, values.flat());
        }
      }
      const rows = await executor.all<{ n: number; labels: number }>('select count(*) as n, count(distinct label) as labels from recurring');
      expect(rows.map((row) => ({ n: Number(row.n), labels: Number(row.labels) }))).toEqual([{ n: 3 * 1830, labels: 3 * 1830 }]);
      for (const turn of [0, 1, 2]) {
        const [row] = await executor.all<{ label: string }>('select label from recurring where id = ?', [turn * 10_000 + 6000 + 59]);
        expect(row?.label).toBe(`t${turn}-s60-59`);
      }
      if (target.dialect.name === 'postgres') {
        // Recurring texts are kept prepared on the connection, a bounded number of them.
        const [prepared] = await executor.all<{ n: number }>('select count(*) as n from pg_prepared_statements where not from_sql');
        expect(Number(prepared?.n)).toBeGreaterThan(0);
        expect(Number(prepared?.n)).toBeLessThan(60);
      }
    } finally {
      await target.close();
    }
  });
});

describe('planner statistics on PostgreSQL', () => {
  it('a table a transaction filled past a thousand rows is analyzed after its commit, and again once it has doubled', async () => {
    const target = await openTarget(await backends[1]![1]());
    try {
      const { executor } = target;
      await executor.run('create table filled (id integer primary key, label text)');
      const statisticsRows = async (): Promise<number> =>
        Number((await executor.all<{ n: number }>(`select count(*) as n from pg_stats where tablename = 'filled'`))[0]?.n);
      const analyses = async (): Promise<number> =>
        Number((await executor.all<{ n: number }>(`select analyze_count as n from pg_stat_user_tables where relname = 'filled'`))[0]?.n);
      const fill = (from: number, count: number) =>
        executor.transaction(async () => {
          const values = Array.from({ length: count }, (_, i) => [from + i, `label ${from + i}`]);
          await executor.run(`insert into filled(id, label) values ${values.map(() => '(?, ?)').join(',')}`, values.flat());
        });
      await fill(0, 999);
      expect(await statisticsRows()).toBe(0);
      await fill(999, 2);
      expect(await statisticsRows()).toBe(2);
      expect(await analyses()).toBe(1);
      await fill(1001, 999);
      expect(await analyses()).toBe(1);
      await fill(2000, 2);
      expect(await analyses()).toBe(2);
    } finally {
      await target.close();
    }
  });
});
