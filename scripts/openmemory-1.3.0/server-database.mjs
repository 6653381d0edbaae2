// fixtures/openmemory/databases/om-v1.3.0.sqlite: a SQLite database written by OpenMemory 1.3.0's own server, started
// with its default configuration (no .env: OM_TIER hybrid, every tier 1536 dimensions, synthetic embeddings, table
// `vectors`), from known inputs — golden/waypoints.json's, the inputs om-v1.2.3.* were made from — each POSTed to
// /memory/add in order, as a client of that server would. Nothing of OpenMemory is kept in this repository.
//
//   git -C <OpenMemory mirror> archive v1.3.0 packages/openmemory-js | tar -x -C /tmp/om130
//   (cd /tmp/om130/packages/openmemory-js && npm install)
//   node scripts/openmemory-1.3.0/server-database.mjs /tmp/om130/packages/openmemory-js
//
// Set beside the defaults, none of which changes a row: OM_DB_PATH and OM_PORT (a temp file, a free loopback port),
// OM_TELEMETRY=false (no network). The server runs its first decay 3 s after it starts: the inputs are sent after
// it, so every row is as the add wrote it. Afterwards the file is checkpointed into one file (journal_mode=delete).
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.resolve(here, '../../fixtures/openmemory');
const output = path.join(fixtures, 'databases', 'om-v1.3.0.sqlite');

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** Resolves when the server's output has printed `text`; rejects when it exits first. */
function waitForOutput(child, text, seen) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (seen.text.includes(text)) resolve();
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => reject(new Error(`the server exited (${code}) before printing "${text}":\n${seen.text.slice(-2000)}`)));
    check();
  });
}

async function main(checkout) {
  const inputs = JSON.parse(readFileSync(path.join(fixtures, 'golden', 'waypoints.json'), 'utf8')).inputs;
  const scratch = mkdtempSync(path.join(tmpdir(), 'om130-server-'));
  const databaseFile = path.join(scratch, 'openmemory.sqlite');
  const port = await freePort();
  const child = spawn(path.join(checkout, 'node_modules', '.bin', 'tsx'), ['src/server/index.ts'], {
    cwd: checkout,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, OM_DB_PATH: databaseFile, OM_PORT: String(port), OM_TELEMETRY: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seen = { text: '' };
  child.stdout.on('data', (chunk) => (seen.text += chunk));
  child.stderr.on('data', (chunk) => (seen.text += chunk));
  try {
    await waitForOutput(child, '[SERVER] Running on', seen);
    await waitForOutput(child, '[INIT] Initial decay', seen);
    for (const input of inputs) {
      const response = await fetch(`http://127.0.0.1:${port}/memory/add`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: input.content, tags: input.tags, metadata: input.metadata, user_id: input.user_id }),
      });
      if (!response.ok) throw new Error(`seq ${input.metadata.seq}: ${response.status} ${await response.text()}`);
      console.log(`seq ${input.metadata.seq}: ${await response.text()}`);
      await new Promise((resolve) => setTimeout(resolve, 50)); // the user summary it updates after answering
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  const require = createRequire(path.resolve(here, '../../package.json'));
  const Database = require('better-sqlite3');
  const database = new Database(databaseFile);
  database.pragma('wal_checkpoint(TRUNCATE)');
  database.pragma('journal_mode = delete');
  database.close();
  copyFileSync(databaseFile, output);
  for (const suffix of ['-wal', '-shm']) if (existsSync(output + suffix)) rmSync(output + suffix);
  rmSync(scratch, { recursive: true, force: true });
  console.log(`wrote ${output}`);
}

const [, , checkout] = process.argv;
if (!checkout) {
  console.error('usage: node scripts/openmemory-1.3.0/server-database.mjs <checkout of v1.3.0 packages/openmemory-js, npm-installed>');
  process.exit(2);
}
await main(path.resolve(checkout));
