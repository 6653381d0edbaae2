// The executors run the same statement text many times in a run (PostgreSQL's keeps recurring ones prepared):
// every run of it binds its own values, and statements past the prepared ones still run.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { mem0Source } from '../../adapters/mem0/index.js';
import { openTarget, resolveTargetConfig } from '../../src/database/open-target.js';
import { importFrom } from '../../src/pipeline/import.js';
import { generatedMem0Account } from '../fakes/mem0/mem0-account.js';
import { tempDir } from '../support/temp.js';
import { PlannerStatistics } from '../../src/database/postgres/planner-statistics.js';
import { createTestDatabase, query, runSql } from '../support/postgres.js';
import { backends, withTarget } from '../support/targets.js';

describe.each(backends)('a statement run again and again (%s)', (_name, makeTarget) => {
  it('binds each run its own values, however many texts recur', async () => {
    await withTarget(makeTarget, async (target) => {
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
    });
  });
});

// A transaction's writes are not waited for one by one (PostgreSQL sends them without waiting for each answer):
// they still run in the order issued, and one that fails fails the whole transaction with its own error.
describe.each(backends)('writes in a transaction (%s)', (_name, makeTarget) => {
  it('run in the order issued: a read after them sees them, and the commit has them all', async () => {
    await withTarget(makeTarget, async (target) => {
      const { executor } = target;
      await executor.run('create table ordered (id integer primary key, label text)');
      const seen = await executor.transaction(async () => {
        await executor.write('insert into ordered(id, label) values (?, ?), (?, ?)', [1, 'one', 2, 'two']);
        await executor.write('update ordered set label = ? where id = ?', ['one again', 1]);
        await executor.write('delete from ordered where id = ?', [2]);
        await executor.write('insert into ordered(id, label) values (?, ?)', [2, 'two again']);
        return executor.all<{ id: number; label: string }>('select id, label from ordered order by id');
      });
      const expected = [
        { id: 1, label: 'one again' },
        { id: 2, label: 'two again' },
      ];
      expect(seen).toEqual(expected);
      expect(await executor.all('select id, label from ordered order by id')).toEqual(expected);
    });
  });

  it('one that fails fails the transaction with its own error, leaves nothing of it, and the executor goes on', async () => {
    await withTarget(makeTarget, async (target) => {
      const { executor } = target;
      await executor.run('create table guarded (id integer primary key, label text not null)');
      await executor.run('insert into guarded(id, label) values (?, ?)', [1, 'before']);
      // A read issued from elsewhere while the transaction is open (another partition's lookup) is answered too.
      let besideRead: Promise<unknown> = Promise.resolve();
      const failed = executor.transaction(async () => {
        await executor.write('update guarded set label = ? where id = ?', ['changed', 1]);
        await executor.write('insert into guarded(id, label) values (?, ?)', [2, null]); // not null: fails
        besideRead = executor.all('select count(*) as n from guarded').catch((error: unknown) => error);
        await executor.write('insert into guarded(id, label) values (?, ?)', [3, 'after']);
        return executor.all('select id from guarded');
      });
      const error = await failed.then(
        () => null,
        (caught: unknown) => caught as Error,
      );
      expect(error?.message).toMatch(/null value|NOT NULL constraint/i);
      const besideOutcome = await besideRead;
      if (target.dialect.name === 'postgres') {
        // Sent after the failed insert, inside the transaction: it fails with the cause, not "current transaction is aborted".
        expect((besideOutcome as Error).message).toMatch(/null value/);
      } else {
        expect(besideOutcome).toBeUndefined(); // SQLite's insert failed at once: the work stopped there
      }
      expect(await executor.all('select id, label from guarded order by id')).toEqual([{ id: 1, label: 'before' }]);
      await executor.transaction(async () => {
        await executor.write('insert into guarded(id, label) values (?, ?)', [4, 'next']);
      });
      expect(await executor.all('select id from guarded order by id')).toEqual([{ id: 1 }, { id: 4 }]);
    });
  });
});

describe.each(backends)('a transaction beside a statement of another caller that fails (%s)', (_name, makeTarget) => {
  it('reports what the database did: on PostgreSQL that statement aborted it, and it fails with its error', async () => {
    await withTarget(makeTarget, async (target) => {
      const { executor } = target;
      await executor.run('create table beside (id integer primary key)');
      await executor.run('insert into beside(id) values (?)', [0]); // the table's planner statistics are looked up here
      let besideRead: Promise<unknown> = Promise.resolve();
      const outcome = await executor
        .transaction(async () => {
          await executor.write('insert into beside(id) values (?)', [1]);
          await executor.write('insert into beside(id) values (?)', [2]);
          // Another partition's read, sent while this transaction is open, failing for a reason of its own, after
          // every write of the transaction succeeded.
          besideRead = executor.all('select * from no_such_table').catch((error: unknown) => error);
          await besideRead;
        })
        .then(
          () => 'committed',
          (error: unknown) => (error as Error).message,
        );
      const rows = await executor.all<{ id: number }>('select id from beside order by id');
      if (target.dialect.name === 'postgres') {
        expect(outcome).toMatch(/no_such_table/); // PostgreSQL would have answered the commit with a rollback
        expect(rows).toEqual([{ id: 0 }]);
      } else {
        expect(outcome).toBe('committed'); // a failed statement does not abort a SQLite transaction
        expect(rows).toEqual([{ id: 0 }, { id: 1 }, { id: 2 }]);
      }
    });
  });
});

describe.each(backends)('commits that need not wait for the disk (%s)', (_name, makeTarget) => {
  it('are allowed from lagCommits to syncCommits only; on SQLite WAL already lags them, and syncCommits syncs them', async () => {
    await withTarget(makeTarget, async (target) => {
      await target.migrate(); // creates the SQLite file, in WAL mode
      const { executor } = target;
      const setting = async (): Promise<string> =>
        target.dialect.name === 'postgres'
          ? (await executor.all<{ synchronous_commit: string }>('show synchronous_commit'))[0]!.synchronous_commit
          : String((await executor.all<{ synchronous: number }>('pragma synchronous'))[0]!.synchronous);
      const [before, lagging, synced] = [await setting(), await executor.lagCommits().then(setting), await executor.syncCommits().then(setting)];
      if (target.dialect.name === 'postgres') expect([before, lagging, synced]).toEqual(['on', 'off', 'on']);
      else expect([before, lagging, synced]).toEqual(['1', '1', '2']); // NORMAL, as OpenMemory sets it in WAL mode; then FULL
    });
  });
});

describe('planner statistics on PostgreSQL', () => {
  it('a table is analyzed once a thousand rows were added, then each time it has doubled', async () => {
    const analyzed: string[] = [];
    const statistics = new PlannerStatistics(async () => ({ rows: [{ rows: -1 }] }), async (table) => void analyzed.push(table));
    const commit = async (table: string, rows: number): Promise<void> => {
      await statistics.added(table, rows);
      statistics.refresh();
      await statistics.settled();
    };
    await commit('t', 999);
    expect(analyzed).toEqual([]);
    await commit('t', 2);
    expect(analyzed).toEqual(['t']);
    await commit('t', 999);
    await commit('other', 5000);
    expect(analyzed).toEqual(['t', 'other']);
    await commit('t', 2);
    expect(analyzed).toEqual(['t', 'other', 't']);
  });

  it('a table whose estimate cannot be read fails no write, and is read again at its next insert', async () => {
    const analyzed: string[] = [];
    let lookups = 0;
    const statistics = new PlannerStatistics(async () => {
      lookups++;
      if (lookups === 1) throw new Error('current transaction is aborted');
      return { rows: [{ rows: -1 }] };
    }, async (table) => void analyzed.push(table));
    await statistics.added('t', 5000); // not counted: its estimate failed
    statistics.refresh();
    await statistics.settled();
    expect(analyzed).toEqual([]);
    await statistics.added('t', 1000);
    statistics.refresh();
    await statistics.settled();
    expect([lookups, analyzed]).toEqual([2, ['t']]);
  });

  it("analyzes OpenMemory's tables by the columns om-import finds rows by, om-import's own whole", async () => {
    const file = path.join(tempDir(), 'export.jsonl');
    writeFileSync(file, generatedMem0Account({ users: 3, perUser: 500 }).memories.map((memory) => JSON.stringify(memory)).join('\n'));
    const url = await createTestDatabase();
    const report = await importFrom({ source: mem0Source({ fromFile: file }).source, target: resolveTargetConfig({ pg: url }, {}), env: {} });
    expect(report.totals.created).toBe(1500);
    const analyzed = async (table: string): Promise<string[]> =>
      (await query<{ attname: string }>(url, `select attname from pg_stats where schemaname = 'public' and tablename = $1 order by attname`, [table])).map(
        (row) => row.attname,
      );
    expect(await analyzed('openmemory_memories')).toEqual(['created_at', 'id', 'segment', 'user_id']);
    expect(await analyzed('openmemory_vectors')).toEqual(['id']);
    expect(await analyzed('om_import_records')).toContain('fingerprint');
  });

  it('starts from the statistics a table has, and has analyzed it when the executor closes', async () => {
    const url = await createTestDatabase();
    await runSql(url, `create table filled (id integer primary key, label text);
      insert into filled select i, 'label ' || i from generate_series(1, 3000) i; analyze filled`);
    const config = resolveTargetConfig({ pg: url }, {});
    const fill = async (from: number, count: number): Promise<number> => {
      const target = await openTarget(config);
      try {
        await target.executor.transaction(async () => {
          const values = Array.from({ length: count }, (_, i) => [from + i, `label ${from + i}`]);
          await target.executor.run(`insert into filled(id, label) values ${values.map(() => '(?, ?)').join(',')}`, values.flat());
        });
      } finally {
        await target.close(); // waits for the analyses begun
      }
      const [row] = await query<{ n: string }>(url, `select analyze_count as n from pg_stat_user_tables where relname = 'filled'`);
      return Number(row?.n);
    };
    expect(await fill(3001, 2999)).toBe(1); // 3,000 rows analyzed: 2,999 more are not yet double
    expect(await fill(6000, 3001)).toBe(2);
  });
});
