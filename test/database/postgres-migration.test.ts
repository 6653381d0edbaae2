import { afterEach, describe, expect, it } from 'vitest';
import { openTarget, resolveTargetConfig } from '../../src/database/open-target.js';
import type { Target } from '../../src/database/target.js';
import { createTestDatabase, customPostgresNames, dumpInCustomSchema, query, runSql } from '../support/postgres.js';
import { fullSnapshot, preTenantChecksums, schemaShape } from '../support/database-snapshot.js';

const customEnv = customPostgresNames;

const opened: Target[] = [];
async function open(url: string, env: Record<string, string> = customEnv): Promise<Target> {
  const target = await openTarget(resolveTargetConfig({ pg: url }, env));
  opened.push(target);
  return target;
}
afterEach(async () => {
  for (const target of opened.splice(0)) await target.close().catch(() => undefined);
});

async function freshShape(): Promise<Record<string, unknown>> {
  const target = await open(await createTestDatabase());
  const result = await target.migrate();
  expect(result.before.name).toBe('missing');
  return schemaShape(target);
}

describe('PostgreSQL migration to v1.2 (custom schema and table names)', () => {
  it('names the states', async () => {
    const url = await createTestDatabase();
    expect((await (await open(url)).inspect()).state.name).toBe('missing');
    await runSql(url, dumpInCustomSchema('om-v1.1.pg.sql'));
    expect((await (await open(url)).inspect()).state.name).toBe('v1.1');

    const half = await createTestDatabase();
    await runSql(half, dumpInCustomSchema('om-v1.1-half-migrated-by-failed-1.2.0.pg.sql'));
    const state = (await (await open(half)).inspect()).state;
    expect(state.name).toBe('partial');
    expect(state.missing).toEqual(expect.arrayContaining(['openmemory_waypoints primary key (src_id, user_id)', 'openmemory_users', 'stats']));
    expect(state.missing).not.toContain('om_mem.user_id');

    const current = await createTestDatabase();
    await runSql(current, dumpInCustomSchema('om-v1.2.3.pg.sql'));
    expect((await (await open(current)).inspect()).state.name).toBe('v1.2');
  });

  it.each(['om-v1.1.pg.sql', 'om-v1.1-half-migrated-by-failed-1.2.0.pg.sql'])(
    '%s: keeps every row, waypoints included, and converges on the fresh schema',
    async (dump) => {
      const url = await createTestDatabase();
      await runSql(url, dumpInCustomSchema(dump));
      const target = await open(url);
      const before = await preTenantChecksums(target);
      expect(before.memories.rows).toBe(33);
      expect(before.waypoints.rows).toBeGreaterThan(0);

      const result = await target.migrate();
      expect(result.after.name).toBe('v1.2');
      expect(result.backupPath).toBeNull();
      expect(await preTenantChecksums(target)).toEqual(before);
      expect(await schemaShape(target)).toEqual(await freshShape());

      // Pre-tenant waypoints are kept under the empty-string user (a primary key forbids NULL here).
      const owners = await query<{ user_id: string; n: number }>(url, `select user_id, count(*)::int as n from tenantdb.openmemory_waypoints group by user_id`);
      expect(owners).toEqual([{ user_id: '', n: before.waypoints.rows }]);
      const versions = await query<{ version: string }>(url, 'select version from tenantdb.schema_version');
      expect(versions).toEqual([{ version: '1.2.0' }]);

      expect((await target.migrate()).steps).toEqual([]);
    },
  );

  it('leaves a v1.2 database untouched', async () => {
    const url = await createTestDatabase();
    await runSql(url, dumpInCustomSchema('om-v1.2.3.pg.sql'));
    const target = await open(url);
    const before = await fullSnapshot(target);
    expect((await target.migrate()).steps).toEqual([]);
    expect(await fullSnapshot(target)).toEqual(before);
  });

  it('a failure at any statement leaves the database exactly as before', async () => {
    const template = await createTestDatabase();
    await runSql(template, dumpInCustomSchema('om-v1.1.pg.sql'));
    const plan = await (await open(template)).migrate({ dryRun: true });
    const statementCount = plan.steps.flatMap((step) => step.statements).length;
    expect(statementCount).toBeGreaterThan(8);
    const target = await open(template);
    const before = await fullSnapshot(target);
    for (let failAt = 0; failAt < statementCount; failAt++) {
      let count = 0;
      await expect(
        target.migrate({
          beforeStatement: () => {
            if (count++ === failAt) throw new Error('injected failure');
          },
        }),
      ).rejects.toThrow(/injected failure; the database is unchanged/);
      expect(await fullSnapshot(target)).toEqual(before);
    }
    expect((await target.migrate()).after.name).toBe('v1.2');
  });

  it('reads OpenMemory’s own environment and rejects unsafe identifiers', async () => {
    const url = new URL(await createTestDatabase());
    const env = {
      OM_METADATA_BACKEND: 'postgres',
      OM_PG_HOST: url.hostname,
      OM_PG_PORT: url.port,
      OM_PG_DB: url.pathname.slice(1),
      OM_PG_USER: decodeURIComponent(url.username),
      OM_PG_PASSWORD: decodeURIComponent(url.password),
    };
    const target = await openTarget(resolveTargetConfig({}, env));
    opened.push(target);
    expect(target.description).not.toContain(env.OM_PG_PASSWORD);
    expect((await target.migrate()).after.name).toBe('v1.2');
    expect(() => resolveTargetConfig({}, { ...env, OM_PG_TABLE: 'x; drop table y' })).toThrow(/OM_PG_TABLE .* not a valid SQL identifier/);
  });

  it('a missing database gives one clear error without the password', async () => {
    const url = new URL(await createTestDatabase());
    url.pathname = '/does_not_exist';
    const error = await open(url.toString()).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/does not create databases/);
    expect((error as Error).message).not.toContain(decodeURIComponent(url.password));
  });
});
