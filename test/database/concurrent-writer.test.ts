// om-import beside a running OpenMemory on the same SQLite file: a second connection (plain better-sqlite3, as
// OpenMemory's server has) keeps writing while om-import imports a large user, and never fails or waits long.
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { importFrom } from '../../src/pipeline/import.js';
import type { Source, SourceItem } from '../../src/records.js';
import { testSource } from '../support/test-source.js';
import { openTarget, resolveTargetConfig, type TargetConfig } from '../../src/database/open-target.js';
import { tempDir } from '../support/temp.js';

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

/** One user with `count` memories, a minute apart. */
function oneUserSource(userId: string, count: number): Source {
  return testSource([userId], function* (): Iterable<SourceItem> {
    for (let i = 0; i < count; i++) {
      const at = Date.UTC(2025, 0, 1) + i * 60_000;
      const record = {
        sourceKind: 'test.note', sourceId: `${userId}-${i}`, tenantKey: userId,
        content: `${userId} note ${i}: meeting about project ${i % 37} went well, then the ${i % 11} plan changed`, role: null,
        tags: [], metadata: {}, sourceFields: {}, createdAt: at, updatedAt: at,
      };
      yield { type: 'memory', record, raw: record };
    }
  });
}

interface WriterResult {
  writes: number;
  failures: string[];
  longestWaitMs: number;
}

/**
 * What OpenMemory's server does to the file while it runs: its pragmas (WAL when asked, a 5 s busy timeout), then
 * small writes every 20 ms — a memory with its vector (of the configured dimension) in one `begin immediate`
 * transaction, a stats row on its own — each timed from the moment it asks for the database to its commit.
 * `holdMs` first keeps the write lock that long. (OpenMemory 1.2.3's own add opens a deferred transaction and reads
 * before it writes; SQLite fails such a transaction at once, without waiting, when another connection holds the
 * write lock at that moment. Short locks make that rarer, not impossible: no busy timeout can help it.)
 */
const writerCode = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 5000 });
if (workerData.journalMode) db.pragma('journal_mode = ' + workerData.journalMode);
const stop = new Int32Array(workerData.stop);
const sleep = (ms) => Atomics.wait(stop, 0, 0, ms);
const insertMemory = db.prepare("insert into memories(id, user_id, segment, content, simhash, primary_sector, tags, meta, created_at, updated_at, last_seen_at, salience, decay_lambda, version, feedback_score) values (?, 'openmemory-user', 0, ?, '0000000000000000', 'semantic', '[]', '{}', ?, ?, ?, 0.4, 0.005, 1, 0)");
const insertVector = db.prepare("insert into vectors(id, sector, user_id, v, dim) values (?, 'semantic', 'openmemory-user', ?, ?)");
const insertStat = db.prepare("insert into stats(type, count, ts) values ('qps', 0, ?)");
if (workerData.holdMs > 0) {
  db.exec('begin immediate');
  insertStat.run(Date.now());
  parentPort.postMessage({ locked: true });
  sleep(workerData.holdMs);
  db.exec('commit');
} else {
  parentPort.postMessage({ ready: true });
}
let writes = 0, longestWaitMs = 0, n = 0;
const failures = [];
while (Atomics.load(stop, 0) === 0) {
  const started = performance.now();
  try {
    if (n % 2 === 0) {
      db.exec('begin immediate');
      const id = 'om-' + n;
      insertMemory.run(id, 'written by OpenMemory ' + n, Date.now(), Date.now(), Date.now());
      insertVector.run(id, Buffer.alloc(4 * workerData.dimension), workerData.dimension);
      db.exec('commit');
    } else {
      insertStat.run(Date.now());
    }
    writes++;
  } catch (error) {
    failures.push(String(error.code || error.message));
    if (db.inTransaction) db.exec('rollback');
  }
  longestWaitMs = Math.max(longestWaitMs, performance.now() - started);
  n++;
  sleep(20);
}
db.close();
parentPort.postMessage({ writes, failures, longestWaitMs });
`;

/** Starts the writer; answers once it writes (or holds its lock), with a function that stops it and tells how it went. */
async function startWriter(
  file: string,
  options: { journalMode?: string; holdMs?: number; dimension?: number } = {},
): Promise<() => Promise<WriterResult>> {
  const stop = new SharedArrayBuffer(4);
  const workerData = { driver, file, stop, journalMode: options.journalMode, holdMs: options.holdMs ?? 0, dimension: options.dimension ?? 256 };
  const worker = new Worker(writerCode, { eval: true, workerData });
  const result = new Promise<WriterResult>((resolve, reject) => {
    worker.on('message', (message: WriterResult | { ready: true } | { locked: true }) => {
      if ('writes' in message) resolve(message);
    });
    worker.on('error', reject);
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return async () => {
    const flag = new Int32Array(stop);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    const outcome = await result;
    await worker.terminate();
    return outcome;
  };
}

/** A v1.2 SQLite database as OpenMemory's server would have created it before om-import arrives. */
async function openMemoryDatabase(): Promise<{ file: string; target: TargetConfig }> {
  const file = path.join(tempDir(), 'openmemory.sqlite');
  const target = resolveTargetConfig({ db: file }, {});
  const opened = await openTarget(target);
  await opened.migrate();
  await opened.close();
  return { file, target };
}

describe.each(['delete', 'wal'])('om-import beside OpenMemory on SQLite (journal mode %s)', (journalMode) => {
  it(
    'another connection writing all through the import of a large user never fails and never waits long',
    async () => {
      const { file, target } = await openMemoryDatabase();
      const stopWriter = await startWriter(file, { journalMode, dimension: 2048 });
      // Large enough that computing the user's waypoints takes seconds (one transaction took ~6 s here before
      // om-import committed in steps, longer than OpenMemory's 5 s busy timeout).
      let writer: WriterResult;
      const report = await importFrom({ source: oneUserSource('big', 4000), target, env: { OM_VEC_DIM: '2048' } }).finally(async () => {
        writer = await stopWriter();
      });
      expect(report.totals.created).toBe(4000);
      expect(report.users).toEqual([expect.objectContaining({ userId: 'big', waypointsWritten: 4000 })]);
      expect(writer!.failures, 'failed writes of the other connection').toEqual([]);
      expect(writer!.writes).toBeGreaterThan(50);
      expect(writer!.longestWaitMs, 'longest wait of the other connection, in ms').toBeLessThan(3000);

      // Nothing of the other connection's was lost or touched.
      const opened = await openTarget(target);
      const [mine] = await opened.executor.all<{ n: number }>(`select count(*) as n from memories where user_id = 'openmemory-user'`);
      await opened.close();
      expect(Number(mine!.n)).toBe(Math.ceil(writer!.writes / 2));
    },
    120_000,
  );
});

describe('a database another connection is writing', () => {
  it('om-import waits for its lock (longer than the usual 5 s) instead of failing', async () => {
    const { file, target } = await openMemoryDatabase();
    const stopWriter = await startWriter(file, { holdMs: 6000 });
    const started = Date.now();
    let writer: WriterResult;
    const report = await importFrom({ source: oneUserSource('small', 3), target, env: {} }).finally(async () => {
      writer = await stopWriter();
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(5000);
    expect(report.totals.created).toBe(3);
    expect(writer!.failures).toEqual([]);
  }, 60_000);
});
