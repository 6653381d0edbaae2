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
