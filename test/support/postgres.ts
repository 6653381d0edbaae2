import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { fixturePath } from './fixtures.js';

/** A new, empty database on the test server; answers its URL. */
export async function createTestDatabase(): Promise<string> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `om_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs SQL (many statements allowed) against a database URL. */
export async function runSql(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function query<Row extends object>(url: string, sql: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as Row[];
  } finally {
    await client.end();
  }
}

/** OpenMemory's PostgreSQL dumps can be moved into a non-default schema with custom memory and vector table names. */
export const customPostgresNames = { OM_PG_SCHEMA: 'tenantdb', OM_PG_TABLE: 'om_mem', OM_VECTOR_TABLE: 'om_vec' };

/** One of OpenMemory's PostgreSQL dumps (`fixtures/openmemory/databases/`), moved into `customPostgresNames`. */
export function dumpInCustomSchema(name: string): string {
  const sql = readFileSync(fixturePath('openmemory', 'databases', name), 'utf8')
    .replaceAll('public.openmemory_memories', 'tenantdb.om_mem')
    .replaceAll('public.openmemory_vectors', 'tenantdb.om_vec')
    .replaceAll('public.', 'tenantdb.');
  return `create schema tenantdb;\n${sql}`;
}
