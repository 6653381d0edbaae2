// One benchmark scenario per process, so each reports its own peak RSS. Run through bench/run.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mem0Source } from '../adapters/mem0/index.js';
import { supermemorySource } from '../adapters/supermemory/index.js';
import { zepSource } from '../adapters/zep/index.js';
import { MemoryEmbedder } from '../src/openmemory/embedder.js';
import { embeddingConfigFromEnv } from '../src/openmemory/embedding-config.js';
import { buildMemoryRows, type MemoryInput } from '../src/openmemory/memory-rows.js';
import { tenantWaypoints } from '../src/openmemory/waypoints.js';
import { float32FromBytes } from '../src/openmemory/vectors.js';
import { once as onceEvent } from 'node:events';
import { RowPool } from '../src/openmemory/row-pool.js';
import { importFrom } from '../src/pipeline/import.js';
import { resolveTargetConfig, type TargetConfig } from '../src/database/open-target.js';
import { postgresTableNames } from '../src/database/table-names.js';
import pg from 'pg';
import { startEmbeddedPostgres, type RunningPostgres } from '../test/fakes/embedded-postgres.js';
import { generatedMem0Account, generatedMem0Memories } from '../test/fakes/mem0/mem0-account.js';
import { mem0Handlers } from '../test/fakes/mem0/mem0-handlers.js';
import { serveHandlers } from '../test/fakes/serve-handlers.js';
import { generatedSupermemoryAccount } from '../test/fakes/supermemory/supermemory-account.js';
import { startSupermemoryFake } from '../test/support/supermemory-fake.js';
import { generatedZepAccount } from '../test/fakes/zep/zep-account.js';
import { startZepFake } from '../test/support/zep-fake.js';

/** Folders this scenario writes (exports, databases: GBs over a bench run), removed when its process ends. */
const scratchFolders: string[] = [];
const removeScratchFolders = (): void => {
  for (const folder of scratchFolders.splice(0)) rmSync(folder, { recursive: true, force: true });
};
process.on('exit', removeScratchFolders);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    removeScratchFolders();
    process.kill(process.pid, signal); // then end as the signal ends a process
  });
}

function scratchFolder(prefix = 'om-bench-'): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), prefix));
  scratchFolders.push(folder);
  return folder;
}

type Result = Record<string, number | string>;

function inputs(memories: number, users: number): MemoryInput[] {
  const account = generatedMem0Account({ users, perUser: Math.ceil(memories / users) });
  return account.memories.slice(0, memories).map((raw, i) => {
    const memory = raw as { id: string; memory: string; user_id: string };
    return { id: memory.id, userId: memory.user_id, content: memory.memory, tags: [], meta: {}, createdAt: i, updatedAt: i };
  });
}

/** Issue 3: building rows (classification, simhash, synthetic 256-d vectors, mean vector), with and without waypoints. */
async function rows(memories: number, users: number, withWaypoints: boolean): Promise<Result> {
  const embedder = new MemoryEmbedder(embeddingConfigFromEnv({}));
  const all = inputs(memories, users);
  const started = performance.now();
  const built = [];
  for (let i = 0; i < all.length; i += 1000) built.push(...(await buildMemoryRows(all.slice(i, i + 1000), embedder)));
  let waypoints = 0;
  if (withWaypoints) {
    const byUser = new Map<string, { id: string; meanVector: Float32Array }[]>();
    for (const row of built) {
      let list = byUser.get(row.userId);
      if (!list) byUser.set(row.userId, (list = []));
      list.push({ id: row.id, meanVector: float32FromBytes(row.meanVector) });
    }
    for (const nodes of byUser.values()) waypoints += tenantWaypoints(nodes).length;
  }
  const seconds = (performance.now() - started) / 1000;
  return { memories, users, waypoints, seconds, memoriesPerSecond: memories / seconds };
}

/** Issue 4: a whole account over HTTP with latency and a server-side rate limit. */
async function api(memories: number, users: number, latencyMs: number, rateLimit: number): Promise<Result> {
  const account = generatedMem0Account({ users, perUser: memories / users });
  const served = await serveHandlers(mem0Handlers(account, { latencyMs, rateLimitPerSecond: rateLimit }));
  const dir = scratchFolder();
  const { source, http } = mem0Source({ apiKey: account.apiKey, baseUrl: served.url, requestsPerSecond: rateLimit, concurrency: 4 });
  const started = performance.now();
  const report = await importFrom({ source, target: { kind: 'sqlite', path: path.join(dir, 'om.sqlite'), vectorTable: undefined }, env: {} });
  const seconds = (performance.now() - started) / 1000;
  await http!.close();
  await served.close();
  const requestsNeeded = served.requests.length - http!.stats.retries;
  return {
    memories: report.totals.created,
    users,
    requests: served.requests.length,
    retries: http!.stats.retries,
    throttled: http!.stats.throttled,
    seconds,
    floorSeconds: requestsNeeded / rateLimit,
  };
}

async function writeExport(file: string, memories: number, users: number): Promise<void> {
  const account = generatedMem0Account({ users, perUser: memories / users });
  const out = createWriteStream(file);
  for (const memory of account.memories) out.write(`${JSON.stringify(memory)}\n`);
  await new Promise<void>((resolve) => out.end(resolve));
}

/** Reading and parsing the export only: the floor any importer of this file pays. */
async function parseOnly(file: string): Promise<number> {
  let count = 0;
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    if (line) {
      JSON.parse(line);
      count++;
    }
  }
  return count;
}

/** Issue 4: an export file into SQLite (or PostgreSQL), then an unchanged re-run. */
async function exportFile(memories: number, users: number, backend: 'sqlite' | 'postgres'): Promise<Result> {
  const dir = scratchFolder();
  const file = path.join(dir, 'export.jsonl');
  await writeExport(file, memories, users);
  const parseStarted = performance.now();
  await parseOnly(file);
  const parseSeconds = (performance.now() - parseStarted) / 1000;
  const server = backend === 'postgres' ? await startEmbeddedPostgres() : null;
  const target: TargetConfig = server
    ? resolveTargetConfig({ pg: server.adminUrl }, {})
    : { kind: 'sqlite', path: path.join(dir, 'om.sqlite'), vectorTable: undefined };
  const [loadBefore] = os.loadavg();
  const cpuAtStart = process.cpuUsage();
  const serverCpuAtStart = server?.cpuSeconds() ?? null;
  const firstStarted = performance.now();
  const { source } = mem0Source({ fromFile: file });
  const first = await importFrom({ source, target, env: {} });
  const firstSeconds = (performance.now() - firstStarted) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  const serverCpuAtEnd = server?.cpuSeconds() ?? null;
  // CPU seconds of the first import: this process (all its threads) and, on PostgreSQL, the server's processes.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const serverCpuSeconds = serverCpuAtStart !== null && serverCpuAtEnd !== null ? serverCpuAtEnd - serverCpuAtStart : 0;
  const loadAfter = os.loadavg()[0]!;
  const againStarted = performance.now();
  const again = await importFrom({ source: mem0Source({ fromFile: file }).source, target, env: {}, fresh: true });
  const againSeconds = (performance.now() - againStarted) / 1000;
  await server?.stop();
  if (again.totals.unchanged !== first.totals.created) throw new Error('the re-run was not unchanged');
  return {
    memories: first.totals.created, users, parseSeconds, firstSeconds, againSeconds, memoriesPerSecond: first.totals.created / firstSeconds,
    cpuSeconds, serverCpuSeconds, loadBefore: loadBefore!, loadAfter,
  };
}

/**
 * Issue 10 (memory bound): a Mem0 JSON export (`{"results": [...]}`, not JSONL; written to disk as it is generated,
 * never held whole, with the memories of `generatedMem0Account`) into SQLite. Besides the peak RSS, the heap in use
 * is sampled: its peak, and what is live (after a full collection) when half and all of the memories are written —
 * the difference is what the run keeps per record.
 */
async function exportJsonMemory(memories: number, users: number): Promise<Result> {
  const dir = scratchFolder();
  const file = path.join(dir, 'export.json');
  const out = createWriteStream(file);
  let page = '{"results": [';
  let n = 0;
  for (const memory of generatedMem0Memories({ users, perUser: memories / users })) {
    n++;
    page += `${n > 1 ? ',\n' : '\n'}${JSON.stringify(memory)}`;
    if (page.length >= 1 << 20) {
      if (!out.write(page)) await once(out, 'drain');
      page = '';
    }
  }
  out.write(`${page}\n], "next": null}\n`);
  await new Promise<void>((resolve) => out.end(resolve));
  const fileMiB = statSync(file).size / 2 ** 20;
  const generatedRssMiB = process.resourceUsage().maxRSS / 1024;
  const mib = (bytes: number): number => bytes / 2 ** 20;
  v8.setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as () => void;
  let peakHeap = 0;
  const heapAt: Record<string, number> = {};
  const [loadBefore] = os.loadavg();
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 100);
  const started = performance.now();
  const report = await importFrom({
    source: mem0Source({ fromFile: file }).source,
    target: { kind: 'sqlite', path: path.join(dir, 'om.sqlite'), vectorTable: undefined },
    env: {},
    onProgress: (event) => {
      if (event.type !== 'writing') return;
      if (event.memories !== n / 2 && event.memories !== n) return;
      collect();
      heapAt[event.memories === n ? 'end' : 'half'] = process.memoryUsage().heapUsed;
    },
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  await rm(dir, { recursive: true, force: true }); // the 1M database takes ~4.5 GB
  if (report.totals.created !== n) throw new Error(`imported ${report.totals.created} of ${n} memories`);
  return {
    memories: n,
    users,
    fileMiB,
    generatedRssMiB,
    seconds,
    memoriesPerSecond: n / seconds,
    peakHeapMiB: mib(Math.max(peakHeap, heapAt['end'] ?? 0)),
    heapAtHalfMiB: mib(heapAt['half'] ?? 0),
    heapAtEndMiB: mib(heapAt['end'] ?? 0),
    loadBefore: loadBefore!,
    loadAfter: os.loadavg()[0]!,
  };
}

/** Issue 7: a Zep Cloud account (users × threads × messages + facts) over HTTP, limited per minute as Zep does. */
async function zepApi(users: number, threadsPerUser: number, messagesPerThread: number, factsPerUser: number, latencyMs: number, perMinute: number): Promise<Result> {
  const account = generatedZepAccount({ users, threadsPerUser, messagesPerThread, factsPerUser });
  const served = await startZepFake(account, { latencyMs, rateLimitPerMinute: perMinute });
  const dir = scratchFolder();
  const { source, http } = zepSource({ apiKey: account.apiKey, baseUrl: served.baseUrl, concurrency: 4 });
  const started = performance.now();
  const report = await importFrom({ source, target: { kind: 'sqlite', path: path.join(dir, 'om.sqlite'), vectorTable: undefined }, env: {} });
  const seconds = (performance.now() - started) / 1000;
  await http!.close();
  await served.close();
  const requestsNeeded = served.stats.requests - served.stats.rateLimited - served.stats.faults;
  return {
    memories: report.totals.created,
    users,
    requests: served.stats.requests,
    requestsNeeded,
    retries: http!.stats.retries,
    throttled: served.stats.rateLimited,
    seconds,
    floorSeconds: requestsNeeded / (perMinute / 60),
  };
}

/**
 * Issue 22: the same Zep project read through v4 (the server's root), limited per minute as Zep does: requests per
 * record and wall time against the rate-limit floor, to set beside `zepApi` (v3) on the same project.
 */
async function zepV4Api(users: number, threadsPerUser: number, messagesPerThread: number, factsPerUser: number, latencyMs: number, perMinute: number): Promise<Result> {
  const account = generatedZepAccount({ users, threadsPerUser, messagesPerThread, factsPerUser });
  const served = await startZepFake(account, { v4: { latencyMs, rateLimitPerMinute: perMinute } });
  const dir = scratchFolder();
  const { source, http } = zepSource({ apiKey: account.apiKey, baseUrl: served.url, concurrency: 4 });
  const started = performance.now();
  const report = await importFrom({ source, target: { kind: 'sqlite', path: path.join(dir, 'om.sqlite'), vectorTable: undefined }, env: {} });
  const seconds = (performance.now() - started) / 1000;
  await http!.close();
  await served.close();
  const requestsNeeded = served.v4Stats.requests - served.v4Stats.rateLimited;
  return {
    memories: report.totals.created,
    users,
    requests: served.v4Stats.requests + served.stats.requests,
    requestsNeeded,
    retries: http!.stats.retries,
    throttled: served.v4Stats.rateLimited,
    seconds,
    floorSeconds: requestsNeeded / (perMinute / 60),
  };
}

/**
 * A fake Supermemory account read through one API generation (`v4`: v3/v4, `v5`: namespaces) at its latency and
 * rate limit: requests per document, and wall time against the rate-limit floor.
 */
async function supermemoryApi(tags: number, documentsPerTag: number, memoriesPerTag: number, latencyMs: number, rateLimit: number, api: 'v4' | 'v5'): Promise<Result> {
  const account = generatedSupermemoryAccount({ tags, documentsPerTag, memoriesPerTag });
  const served = await startSupermemoryFake(account, {
    generations: api === 'v5' ? 'v5' : 'legacy',
    latencyMs,
    rateLimitPerSecond: rateLimit,
    v5: { latencyMs, rateLimitPerSecond: rateLimit },
  });
  const dir = scratchFolder();
  const { source, http } = supermemorySource({ apiKey: account.apiKey, baseUrl: served.url, requestsPerSecond: rateLimit, concurrency: 4 });
  const started = performance.now();
  const report = await importFrom({ source, target: { kind: 'sqlite', path: path.join(dir, 'om.sqlite'), vectorTable: undefined }, env: {} });
  const seconds = (performance.now() - started) / 1000;
  await http!.close();
  await served.close();
  const requests = served.requests.length;
  const requestsNeeded = requests - http!.stats.retries;
  return {
    memories: report.totals.created,
    documents: tags * documentsPerTag,
    requests,
    requestsNeeded,
    retries: http!.stats.retries,
    throttled: served.counters.rateLimited + served.v5Counters.rateLimited,
    seconds,
    floorSeconds: requestsNeeded / rateLimit,
  };
}

/** Issue 10 (both cores): the export the `workers` section imports, at a path its size names. */
function workersExportPath(memories: number, users: number): string {
  return path.join(os.tmpdir(), `om-bench-workers-${memories}-${users}.jsonl`);
}

/** The fake Mem0 account's memories as a JSONL export (one wire memory per line), written as they are generated. */
async function writeMem0Lines(file: string, memories: number, users: number): Promise<void> {
  const out = createWriteStream(file);
  for (const memory of generatedMem0Memories({ users, perUser: memories / users })) if (!out.write(`${JSON.stringify(memory)}\n`)) await onceEvent(out, 'drain');
  await new Promise<void>((resolve) => out.end(resolve));
}

/** Issue 10: writes that export, in a process of its own, so that the imports' peak RSS is theirs alone. */
async function workersExport(memories: number, users: number): Promise<Result> {
  await writeMem0Lines(workersExportPath(memories, users), memories, users);
  return { memories, users };
}

/** Issue 10: the export into a new SQLite database with `--workers` `workers`; the fetch-and-write and the waypoints-and-summaries phases timed apart. */
async function workersFile(memories: number, users: number, workers: number): Promise<Result> {
  const dir = scratchFolder();
  // The scenario process's own (every bench scenario's modules loaded), before the import.
  const startRssMiB = process.resourceUsage().maxRSS / 1024;
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  let finalizing: number | null = null;
  const report = await importFrom({
    source: mem0Source({ fromFile: workersExportPath(memories, users) }).source,
    target: { kind: 'sqlite', path: path.join(dir, 'om.sqlite'), vectorTable: undefined },
    env: {},
    workers,
    onProgress: (event) => {
      if (event.type === 'finalizing') finalizing ??= performance.now();
    },
  });
  const ended = performance.now();
  const cpu = process.cpuUsage(cpuAtStart);
  if (report.totals.created !== memories) throw new Error(`imported ${report.totals.created} of ${memories} memories`);
  const seconds = (ended - started) / 1000;
  const finalizeSeconds = (ended - (finalizing ?? ended)) / 1000;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { memories, users, workers, startRssMiB, seconds, cpuSeconds, writeSeconds: seconds - finalizeSeconds, finalizeSeconds, memoriesPerSecond: memories / seconds };
}

/** Issue 10: rows (in batches of 1,000) and then, unless `withWaypoints` is 0, each user's waypoints, on `workers` threads. */
async function workersRows(memories: number, users: number, workers: number, withWaypoints: number): Promise<Result> {
  const pool = new RowPool(new MemoryEmbedder(embeddingConfigFromEnv({})), workers);
  const all = inputs(memories, users);
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const byUser = new Map<string, { id: string; meanVector: Float32Array }[]>();
  for (let i = 0; i < all.length; i += 1000) {
    for (const row of await pool.buildMemoryRows(all.slice(i, i + 1000))) {
      let list = byUser.get(row.userId);
      if (!list) byUser.set(row.userId, (list = []));
      list.push({ id: row.id, meanVector: float32FromBytes(row.meanVector) });
    }
  }
  const rowsDone = performance.now();
  let waypoints = 0;
  if (withWaypoints) for (const nodes of byUser.values()) waypoints += (await pool.tenantWaypoints(nodes)).length;
  const ended = performance.now();
  const cpu = process.cpuUsage(cpuAtStart);
  await pool.close();
  const seconds = (ended - started) / 1000;
  return { memories, users, workers, waypoints, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, rowsSeconds: (rowsDone - started) / 1000, waypointsSeconds: (ended - rowsDone) / 1000, memoriesPerSecond: memories / seconds };
}

/** Issue 10 (shards): the export the `shards` section imports, at a path its size names; the `shards` scenario removes it. */
function shardsExportPath(memories: number, users: number): string {
  return path.join(os.tmpdir(), `om-bench-shards-${memories}-${users}.jsonl`);
}

/** Issue 10 (shards): writes that export, in a process of its own (the imports are child processes anyway). */
async function shardsExport(memories: number, users: number): Promise<Result> {
  await writeMem0Lines(shardsExportPath(memories, users), memories, users);
  return { memories, users };
}

/** How one CLI process ended: its exit, when it exited, what it printed, its peak RSS. */
interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  exitedAt: number;
  stdout: string;
  stderr: string;
  peakRssMiB: number;
}

/**
 * The real CLI (`node dist/src/cli/main.js …args`), in `folder` (no OpenMemory .env there) and without the OM_*
 * variables of this shell; it writes its peak RSS on exit (bench/peak-rss-on-exit.ts) to a file in `folder`.
 */
function startCli(args: string[], folder: string, label: string): { child: ChildProcess; exit: Promise<CliExit> } {
  const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const peakRssReporter = new URL('./peak-rss-on-exit.js', import.meta.url).href;
  const peakRssFile = path.join(folder, `${label}.peak-rss`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([variable]) => !variable.startsWith('OM_')));
  const child = spawn(process.execPath, ['--import', peakRssReporter, cli, ...args], {
    cwd: folder,
    env: { ...env, BENCH_PEAK_RSS_FILE: peakRssFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exitedAt = 0;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.on('exit', () => (exitedAt = performance.now()));
  const exit = new Promise<CliExit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      let peakRssMiB = Number.NaN;
      try {
        peakRssMiB = Number(readFileSync(peakRssFile, 'utf8'));
      } catch {
        // killed before it could write it
      }
      resolve({ code, signal, exitedAt, stdout, stderr, peakRssMiB });
    });
  });
  return { child, exit };
}

/** Rows in OpenMemory's tables (default schema) of the database at `url`. */
async function openMemoryRowCounts(url: string): Promise<Record<'memories' | 'vectors' | 'waypoints' | 'users', number>> {
  const tables = postgresTableNames();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const count = async (table: string): Promise<number> => Number((await client.query<{ count: string }>(`select count(*) as count from public.${table}`)).rows[0]!.count);
    return { memories: await count(tables.memories), vectors: await count(tables.vectors), waypoints: await count(tables.waypoints), users: await count(tables.users) };
  } finally {
    await client.end();
  }
}

/**
 * Samples every 100 ms the backends of `database` waiting on a lock: advisory (the schema work and the shard
 * claims) apart from the rest (rows, tuples, transactions). Stop it to get the counts of samples that saw one.
 */
function sampleLockWaits(adminUrl: string, database: string): { stop: () => Promise<{ advisory: number; other: number; samples: number }> } {
  const client = new pg.Client({ connectionString: adminUrl });
  const counts = { advisory: 0, other: 0, samples: 0 };
  let stopping = false;
  const sampling = (async () => {
    await client.connect();
    while (!stopping) {
      const { rows } = await client.query<{ wait_event: string }>("select wait_event from pg_stat_activity where datname = $1 and wait_event_type = 'Lock'", [database]);
      counts.samples++;
      if (rows.some((row) => row.wait_event === 'advisory')) counts.advisory++;
      if (rows.some((row) => row.wait_event !== 'advisory')) counts.other++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  sampling.catch(() => undefined); // a failed query is thrown by stop(), not as an unhandled rejection
  let stopped: Promise<void> | null = null;
  return {
    stop: async () => {
      stopping = true;
      stopped ??= sampling.finally(() => client.end());
      await stopped;
      return counts;
    },
  };
}

/** What the shard processes import: the export file, or a fake Mem0 account over HTTP (`mem0-api`). */
type ShardedSource = { kind: 'file' } | { kind: 'mem0-api'; url: string; apiKey: string; rateLimit: number; requestsSeen: () => number };

/**
 * Issue 10 (shards): one embedded PostgreSQL server; for each count n, a new empty database on it and n CLI processes
 * (`om-import mem0 --from-file … --shard i/n`, each with its default --workers) started at once; n = 1 runs unsharded.
 * Wall time from the first spawn to the last exit. Every process must exit 0, and every n must leave the same rows
 * as n = 1. Figures are keyed `<n>.<figure>`.
 *
 * Issue 21: from a fake Mem0 account instead (`--base-url`), each shard fetching only its users at 1/n of the
 * account's rate limit (the fake enforces the limit over all of them, as Mem0 does per key): besides, the requests
 * all the processes made, those answered 429, and the rate-limit floor (requests ÷ the limit).
 */
async function shards(memories: number, users: number, processCounts: number[], source: ShardedSource = { kind: 'file' }): Promise<Result> {
  const file = shardsExportPath(memories, users);
  const folder = scratchFolder('om-bench-shards-');
  const running: ChildProcess[] = [];
  let server: RunningPostgres | null = null;
  let admin: pg.Client | null = null;
  let lockWaits: ReturnType<typeof sampleLockWaits> | null = null;
  const result: Result = { memories, users, cores: os.availableParallelism() };
  try {
    server = await startEmbeddedPostgres();
    admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    let baseline: Record<string, number> | null = null;
    for (const processes of processCounts) {
      const database = `om_bench_shards_${processes}`;
      await admin.query(`create database ${database}`);
      const url = new URL(server.adminUrl);
      url.pathname = `/${database}`;
      lockWaits = sampleLockWaits(server.adminUrl, database);
      const loadBefore = os.loadavg()[0]!;
      const started = performance.now();
      const requestsBefore = source.kind === 'mem0-api' ? source.requestsSeen() : 0;
      const from =
        source.kind === 'file'
          ? ['--from-file', file]
          : ['--api-key', source.apiKey, '--base-url', source.url, '--rate-limit', String(source.rateLimit / processes)];
      const exits = Array.from({ length: processes }, (_, index) => {
        const shard = processes === 1 ? [] : ['--shard', `${index}/${processes}`];
        const { child, exit } = startCli(['mem0', ...from, '--pg', url.href, ...shard, '--quiet', '--json'], folder, `${processes}-${index}`);
        running.push(child);
        return exit;
      });
      const ended = await Promise.all(exits);
      const seconds = (Math.max(...ended.map((exit) => exit.exitedAt)) - started) / 1000;
      const loadAfter = os.loadavg()[0]!;
      const waits = await lockWaits.stop();
      const failed = ended.map((exit, index) => ({ ...exit, index })).filter((exit) => exit.code !== 0);
      for (const exit of failed) console.error(`${processes === 1 ? 'the unsharded process' : `shard ${exit.index}/${processes}`} exited with ${exit.code ?? exit.signal}:\n${exit.stderr}`);
      if (failed.length > 0) throw new Error(`${failed.length} of ${processes} processes failed`);
      const reports = ended.map(
        (exit) => JSON.parse(exit.stdout) as { totals: { created: number }; migration: unknown; durationMs: number; http: { retries: number; throttled: number } | null },
      );
      if (source.kind === 'mem0-api') {
        const requests = source.requestsSeen() - requestsBefore;
        const retries = reports.reduce((sum, report) => sum + (report.http?.retries ?? 0), 0);
        Object.assign(result, {
          [`${processes}.requests`]: requests,
          [`${processes}.throttled`]: reports.reduce((sum, report) => sum + (report.http?.throttled ?? 0), 0),
          [`${processes}.floorSeconds`]: (requests - retries) / source.rateLimit,
        });
      }
      const created = reports.reduce((sum, report) => sum + report.totals.created, 0);
      if (created !== memories) throw new Error(`${processes} processes created ${created} of ${memories} memories`);
      const counts = await openMemoryRowCounts(url.href);
      baseline ??= counts;
      const differing = Object.keys(counts).filter((table) => counts[table as keyof typeof counts] !== baseline![table]);
      if (differing.length > 0) throw new Error(`${processes} processes left other row counts than 1: ${JSON.stringify(counts)} against ${JSON.stringify(baseline)}`);
      const deadlocks = Number((await admin.query<{ deadlocks: string }>('select deadlocks from pg_stat_database where datname = $1', [database])).rows[0]!.deadlocks);
      Object.assign(result, {
        [`${processes}.seconds`]: seconds,
        [`${processes}.memoriesPerSecond`]: memories / seconds,
        [`${processes}.slowestImportSeconds`]: Math.max(...reports.map((report) => report.durationMs)) / 1000,
        [`${processes}.migrations`]: reports.filter((report) => report.migration !== null).length,
        [`${processes}.loadBefore`]: loadBefore,
        [`${processes}.loadAfter`]: loadAfter,
        [`${processes}.advisoryLockWaitSamples`]: waits.advisory,
        [`${processes}.otherLockWaitSamples`]: waits.other,
        [`${processes}.lockSamples`]: waits.samples,
        [`${processes}.deadlocks`]: deadlocks,
        ...Object.fromEntries(ended.map((exit, index) => [`${processes}.peakRssMiB.${index}`, exit.peakRssMiB])),
        ...Object.fromEntries(Object.entries(counts).map(([table, count]) => [`${processes}.${table}`, count])),
      });
    }
  } finally {
    // Whatever failed: no CLI process left, every connection closed before the server stops, no file left.
    for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await lockWaits?.stop().catch(() => undefined);
    await admin?.end().catch(() => undefined);
    await server?.stop();
    rmSync(file, { force: true });
  }
  return result;
}

/** Issue 21 (shards): a fake Mem0 account at `latencyMs` and `rateLimit` requests/s, imported by 1, 2, 4 … shard processes into one PostgreSQL. */
async function shardsApi(memories: number, users: number, latencyMs: number, rateLimit: number, processCounts: number[]): Promise<Result> {
  const account = generatedMem0Account({ users, perUser: memories / users });
  const served = await serveHandlers(mem0Handlers(account, { latencyMs, rateLimitPerSecond: rateLimit }));
  try {
    const source = { kind: 'mem0-api' as const, url: served.url, apiKey: account.apiKey, rateLimit, requestsSeen: () => served.requests.length };
    return { ...(await shards(memories, users, processCounts, source)), latencyMs, rateLimit };
  } finally {
    await served.close();
  }
}

/**
 * Issue 10: the same export imported by the real CLI (`--workers` `workers`), in a process of its own: its wall time
 * and its own peak RSS (all its threads), what a user of om-import sees.
 */
async function workersCli(memories: number, users: number, workers: number): Promise<Result> {
  const folder = scratchFolder();
  const started = performance.now();
  const args = ['mem0', '--from-file', workersExportPath(memories, users), '--db', path.join(folder, 'om.sqlite'), '--workers', String(workers), '--quiet', '--json'];
  const { exit } = startCli(args, folder, 'workers');
  const ended = await exit;
  if (ended.code !== 0) throw new Error(`om-import exited ${ended.code ?? ended.signal}: ${ended.stderr}`);
  const report = JSON.parse(ended.stdout) as { totals: { created: number } };
  if (report.totals.created !== memories) throw new Error(`imported ${report.totals.created} of ${memories} memories`);
  const seconds = (ended.exitedAt - started) / 1000;
  return { memories, users, workers, seconds, memoriesPerSecond: memories / seconds, cliPeakRssMiB: ended.peakRssMiB };
}

/**
 * Issue 21: one user of `memories` memories read from the fake Mem0 Platform API (no latency, no rate limit: what is
 * measured is om-import, not the wire) by the real CLI into SQLite: its rate and its own peak RSS. The fake runs in
 * this process, so its account is not counted in the CLI's RSS.
 */
async function oneUserApi(memories: number): Promise<Result> {
  const account = generatedMem0Account({ users: 1, perUser: memories });
  const served = await serveHandlers(mem0Handlers(account, { unchangingAccount: true }));
  const folder = scratchFolder();
  try {
    const loadBefore = os.loadavg()[0]!;
    const started = performance.now();
    const args = ['mem0', '--api-key', account.apiKey, '--base-url', served.url, '--rate-limit', '100000', '--db', path.join(folder, 'om.sqlite'), '--quiet', '--json'];
    const ended = await startCli(args, folder, 'one-user-api').exit;
    if (ended.code !== 0) throw new Error(`om-import exited ${ended.code ?? ended.signal}: ${ended.stderr}`);
    const report = JSON.parse(ended.stdout) as { totals: { created: number } };
    if (report.totals.created !== memories) throw new Error(`imported ${report.totals.created} of ${memories} memories`);
    const seconds = (ended.exitedAt - started) / 1000;
    return { memories, seconds, memoriesPerSecond: memories / seconds, cliPeakRssMiB: ended.peakRssMiB, requests: served.requests.length, loadBefore, loadAfter: os.loadavg()[0]! };
  } finally {
    await served.close();
  }
}

const [name, ...args] = process.argv.slice(2);
const numbers = args.map(Number);
const scenarios: Record<string, () => Promise<Result>> = {
  rows: () => rows(numbers[0]!, numbers[1]!, true),
  'rows-without-waypoints': () => rows(numbers[0]!, numbers[1]!, false),
  api: () => api(numbers[0]!, numbers[1]!, numbers[2]!, numbers[3]!),
  'export-file': () => exportFile(numbers[0]!, numbers[1]!, 'sqlite'),
  'export-file-postgres': () => exportFile(numbers[0]!, numbers[1]!, 'postgres'),
  'export-json-memory': () => exportJsonMemory(numbers[0]!, numbers[1]!),
  'zep-api': () => zepApi(numbers[0]!, numbers[1]!, numbers[2]!, numbers[3]!, numbers[4]!, numbers[5]!),
  'supermemory-api': () => supermemoryApi(numbers[0]!, numbers[1]!, numbers[2]!, numbers[3]!, numbers[4]!, 'v4'),
  'supermemory-v5': () => supermemoryApi(numbers[0]!, numbers[1]!, numbers[2]!, numbers[3]!, numbers[4]!, 'v5'),
  'one-user-api': () => oneUserApi(numbers[0]!),
  'zep-v4-api': () => zepV4Api(numbers[0]!, numbers[1]!, numbers[2]!, numbers[3]!, numbers[4]!, numbers[5]!),
  'workers-export': () => workersExport(numbers[0]!, numbers[1]!),
  'workers-file': () => workersFile(numbers[0]!, numbers[1]!, numbers[2]!),
  'workers-rows': () => workersRows(numbers[0]!, numbers[1]!, numbers[2]!, numbers[3]!),
  'workers-cli': () => workersCli(numbers[0]!, numbers[1]!, numbers[2]!),
  'shards-export': () => shardsExport(numbers[0]!, numbers[1]!),
  shards: () => shards(numbers[0]!, numbers[1]!, numbers.slice(2)),
  'shards-api': () => shardsApi(numbers[0]!, numbers[1]!, numbers[2]!, numbers[3]!, numbers.slice(4)),
};
const scenario = scenarios[name ?? ''];
if (!scenario) {
  console.error(`unknown scenario ${name}: ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
const result = await scenario();
process.stdout.write(`${JSON.stringify({ ...result, peakRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
