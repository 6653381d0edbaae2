// om-import's own tables: what an earlier om-import left is brought to this layout.
import { describe, expect, it } from 'vitest';
import { ImportBookkeeping } from '../../src/database/import-bookkeeping.js';
import { openTarget } from '../../src/database/open-target.js';
import { backends } from '../support/targets.js';

describe.each(backends)('om-import records (%s)', (_name, makeTarget) => {
  it("an earlier om-import's index on (target, user_id) becomes one on (target, user_id, memory_id)", async () => {
    const target = await openTarget(await makeTarget());
    try {
      await target.migrate();
      const bookkeeping = new ImportBookkeeping(target, 'test', 'account-1');
      await bookkeeping.ensureTables();
      const records = target.dialect.qualified('om_import_records');
      await target.executor.run(`create index om_import_records_target_user_idx on ${records}(target, user_id)`);
      await bookkeeping.ensureTables();
      const { facts } = await target.inspect();
      const indexes = facts.tables.get('om_import_records')?.indexes.map((columns) => columns.join(','));
      expect(indexes).toContain('target,user_id,memory_id');
      expect(indexes).not.toContain('target,user_id');
    } finally {
      await target.close();
    }
  });
});

describe.each(backends)("a partition's records (%s)", (_name, makeTarget) => {
  it('are read a page at a time in record id order, under the account and its earlier names, along an index ending in record_id', async () => {
    const target = await openTarget(await makeTarget());
    try {
      await target.migrate();
      const records = target.dialect.qualified('om_import_records');
      const earlier = new ImportBookkeeping(target, 'test', 'old-name');
      await earlier.ensureTables();
      // What an om-import before paging left: the index without record_id, replaced.
      await target.executor.run(`drop index if exists ${target.dialect.qualified('om_import_records_partition_record_idx')}`);
      await target.executor.run(`create index om_import_records_partition_idx on ${records}(target, source, account, partition_key)`);
      const imported = (ids: string[], partitionKey = 'user:ana') =>
        ids.map((id) => ({ recordId: id, memoryId: `m-${id}`, userId: 'ana', fingerprint: 'f', partitionKey }));
      await earlier.recordImported(imported(['r9']), 1);
      const bookkeeping = new ImportBookkeeping(target, 'test', 'account-1');
      await bookkeeping.ensureTables();
      await bookkeeping.recordImported([...imported(['r3', 'r1', 'r5', 'r2', 'r4']), ...imported(['other'], 'user:ben')], 2);
      const { facts } = await target.inspect();
      const indexes = facts.tables.get('om_import_records')?.indexes.map((columns) => columns.join(','));
      expect(indexes).toContain('target,source,account,partition_key,record_id');
      expect(indexes).not.toContain('target,source,account,partition_key');

      const pages: string[][] = [];
      for await (const page of bookkeeping.recordsOfPartition('user:ana', ['old-name'], 2)) pages.push(page.map((record) => record.recordId));
      expect(pages).toEqual([['r1', 'r2'], ['r3', 'r4'], ['r5'], ['r9']]);
    } finally {
      await target.close();
    }
  });
});

describe.each(backends)('pending users (%s)', (_name, makeTarget) => {
  it('keep the earliest time they were marked from, whatever order the marks come in', async () => {
    const target = await openTarget(await makeTarget());
    try {
      await target.migrate();
      const bookkeeping = new ImportBookkeeping(target, 'test', 'account-1');
      await bookkeeping.ensureTables();
      await bookkeeping.markUsersPending([{ userId: 'ana', since: 500 }, { userId: 'ben', since: 300 }]);
      await bookkeeping.markUsersPending([{ userId: 'ana', since: 700 }, { userId: 'ben', since: 100 }, { userId: 'cy', since: 900 }]);
      await bookkeeping.markUsersPending([{ userId: 'ana', since: 500 }, { userId: 'cy', since: 950 }, { userId: 'cy', since: 400 }]);
      expect(await bookkeeping.pendingUsersList()).toEqual([
        { userId: 'ana', since: 500 },
        { userId: 'ben', since: 100 },
        { userId: 'cy', since: 400 },
      ]);
    } finally {
      await target.close();
    }
  });
});
