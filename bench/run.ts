// `npm run bench`: every scenario in its own process; figures as ratios against a baseline of the same run.
// `npm run bench -- quick` runs smaller memorySizes.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const scenarioScript = fileURLToPath(new URL('./scenarios.js', import.meta.url));
const quick = process.argv.includes('quick');
/** `npm run bench -- zep supermemory` runs only those sections; none named runs them all. */
const sections = ['rows', 'mem0', 'file', 'zep', 'supermemory', 'memory', 'one-user', 'one-user-api', 'workers', 'shards', 'shards-api'].filter((section) => process.argv.includes(section));
const wanted = (section: string): boolean => sections.length === 0 || sections.includes(section);

function run(name: string, ...args: number[]): Record<string, number> {
  const output = execFileSync(process.execPath, [scenarioScript, name, ...args.map(String)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(output.trim().split('\n').at(-1) as string) as Record<string, number>;
}

const fixed = (value: number, digits = 2): string => value.toFixed(digits);
const lines: string[] = [];
const say = (line: string): void => {
  lines.push(line);
  console.log(line);
};
/** A markdown table's header row and its separator, every column right-aligned. */
const sayTableHeader = (columns: readonly string[]): void => {
  say(`| ${columns.join(' | ')} |`);
  say(`|${columns.map(() => '---:|').join('')}`);
};
/** The two sizes the memory-bound sections compare, the larger against the smaller. */
const memorySizes = quick ? [10_000, 100_000] : [100_000, 1_000_000];

if (wanted('rows')) {
  say('## Building OpenMemory rows (synthetic 256-d, hybrid tier)');
  say('baseline: the same memories without waypoints (classification, simhash, sector vectors, mean vector)');
  sayTableHeader(['memories', 'users', 'memories/s (rows + waypoints)', 'memories/s (baseline)', 'ratio to baseline', 'peak RSS MiB']);
  for (const memories of quick ? [1000, 10_000] : [1000, 10_000, 100_000]) {
    for (const users of [1, 1000]) {
      if (users > memories) continue;
      const full = run('rows', memories, users);
      const baseline = run('rows-without-waypoints', memories, users);
      say(`| ${memories} | ${users} | ${fixed(full['memoriesPerSecond']!, 0)} | ${fixed(baseline['memoriesPerSecond']!, 0)} | ${fixed(full['memoriesPerSecond']! / baseline['memoriesPerSecond']!)} | ${fixed(full['peakRssMiB']!, 0)} |`);
    }
  }
}

if (wanted('mem0')) {
  say('\n## Fetching a Mem0 account over HTTP (fake server: 20 ms latency, 20 req/s limit) into SQLite');
  say('baseline: the rate-limit floor = requests needed ÷ allowed rate');
  const api = run('api', quick ? 2000 : 10_000, 100, 20, 20);
  say(`memories ${api['memories']}, users 100, requests ${api['requests']} (${api['retries']} retries, ${api['throttled']} answered 429): wall ${fixed(api['seconds']!)} s, floor ${fixed(api['floorSeconds']!)} s, ratio ${fixed(api['seconds']! / api['floorSeconds']!)}; peak RSS ${fixed(api['peakRssMiB']!, 0)} MiB`);
}

if (wanted('file')) {
  say('\n## Importing a Mem0 export file (JSONL, 1,000 users) into SQLite, and into PostgreSQL');
  say('baselines: reading and parsing the file alone; the first import, for the unchanged re-run');
  const file = run('export-file', quick ? 10_000 : 100_000, 1000);
  say(`memories ${file['memories']}: ${fixed(file['memoriesPerSecond']!, 0)} memories/s (import ${fixed(file['firstSeconds']!)} s = ${fixed(file['firstSeconds']! / file['parseSeconds']!, 0)}× parse-only ${fixed(file['parseSeconds']!)} s); unchanged re-run ${fixed(file['againSeconds']!)} s = ${fixed(file['againSeconds']! / file['firstSeconds']!, 3)} of the first run; peak RSS ${fixed(file['peakRssMiB']!, 0)} MiB`);
  const postgres = run('export-file-postgres', quick ? 10_000 : 100_000, 1000);
  say(`PostgreSQL (embedded server): ${fixed(postgres['memoriesPerSecond']!, 0)} memories/s = ${fixed(postgres['memoriesPerSecond']! / file['memoriesPerSecond']!)}× SQLite's; unchanged re-run ${fixed(postgres['againSeconds']! / postgres['firstSeconds']!, 3)} of the first run; peak RSS ${fixed(postgres['peakRssMiB']!, 0)} MiB`);
  // The wall-time ratio moves with other work on the machine (the server is one more process competing for the cores);
  // the CPU both spend is steadier.
  const postgresCpu = postgres['cpuSeconds']! + postgres['serverCpuSeconds']!;
  say(`CPU of the first import: SQLite ${fixed(file['cpuSeconds']!)} s; PostgreSQL ${fixed(postgres['cpuSeconds']!)} s (om-import) + ${fixed(postgres['serverCpuSeconds']!)} s (server) = ${fixed(postgresCpu)} s, SQLite's ${fixed(file['cpuSeconds']! / postgresCpu)}×; 1-min load average ${fixed(file['loadBefore']!)} → ${fixed(file['loadAfter']!)} (SQLite), ${fixed(postgres['loadBefore']!)} → ${fixed(postgres['loadAfter']!)} (PostgreSQL)`);
}

if (wanted('zep')) {
  say('\n## Fetching a Zep Cloud account over HTTP (fake server: 50 ms latency, 300 requests/minute with X-RateLimit headers) into SQLite');
  say('baseline: the rate-limit floor = requests needed ÷ allowed rate (300/min = 5 req/s)');
  const users = quick ? 20 : 100;
  const zep = run('zep-api', users, 5, 40, 20, 50, 300);
  say(`users ${users} × 5 threads × 40 messages + 20 facts: ${zep['memories']} memories, ${zep['requests']} requests (${zep['throttled']} answered 429, ${zep['retries']} retries) = ${fixed(zep['requestsNeeded']! / zep['memories']!, 3)} requests per record: wall ${fixed(zep['seconds']!)} s, floor ${fixed(zep['floorSeconds']!)} s, ratio ${fixed(zep['seconds']! / zep['floorSeconds']!)}; peak RSS ${fixed(zep['peakRssMiB']!, 0)} MiB`);
  // The same project through v4 (the server's root): its own per-minute window of the same size.
  const v4 = run('zep-v4-api', users, 5, 40, 20, 50, 300);
  say(`the same project through v4: ${v4['memories']} memories, ${v4['requests']} requests (${v4['throttled']} answered 429, ${v4['retries']} retries) = ${fixed(v4['requestsNeeded']! / v4['memories']!, 3)} requests per record (${fixed(v4['requestsNeeded']! / zep['requestsNeeded']!)}× v3's): wall ${fixed(v4['seconds']!)} s, floor ${fixed(v4['floorSeconds']!)} s, ratio ${fixed(v4['seconds']! / v4['floorSeconds']!)}; peak RSS ${fixed(v4['peakRssMiB']!, 0)} MiB`);
}

if (wanted('supermemory')) {
  say('\n## Fetching a Supermemory account over HTTP (fake server: 50 ms latency, 10 req/s limit) into SQLite, through each API generation');
  say('baseline: the rate-limit floor = requests needed ÷ allowed rate; v5 beside v3/v4 on the same account');
  const tags = quick ? 20 : 100;
  for (const [scenario, label] of [['supermemory-api', 'v3/v4'], ['supermemory-v5', 'v5']] as const) {
    const supermemory = run(scenario, tags, 40, 60, 50, 10);
    say(`${label}: tags ${tags} × 40 documents + 60 memory entries: ${supermemory['memories']} memories, ${supermemory['requests']} requests (${supermemory['throttled']} answered 429, ${supermemory['retries']} retries) = ${fixed(supermemory['requestsNeeded']! / supermemory['documents']!, 3)} requests per document; wall ${fixed(supermemory['seconds']!)} s, floor ${fixed(supermemory['floorSeconds']!)} s, ratio ${fixed(supermemory['seconds']! / supermemory['floorSeconds']!)}; peak RSS ${fixed(supermemory['peakRssMiB']!, 0)} MiB`);
  }
}

if (wanted('memory')) {
  say('\n## Memory bound: a Mem0 JSON export (one `{"results": [...]}` document, 1,000 users) into SQLite, at two sizes');
  say('baseline: the smaller import; goal: peak RSS of the larger ≤ 1.2× the smaller (the file is streamed)');
  sayTableHeader(['memories', 'file MiB', 'memories/s', 'peak RSS MiB', 'peak heap MiB', 'live heap when half written → all written, MiB', 'bytes kept per memory (second half)', '1-min load average before → after']);
  const runs = memorySizes.map((memories) => {
    const result = run('export-json-memory', memories, 1000);
    const kept = ((result['heapAtEndMiB']! - result['heapAtHalfMiB']!) * 2 ** 20) / (memories / 2);
    say(`| ${memories} | ${fixed(result['fileMiB']!, 0)} | ${fixed(result['memoriesPerSecond']!, 0)} | ${fixed(result['peakRssMiB']!, 0)} | ${fixed(result['peakHeapMiB']!, 0)} | ${fixed(result['heapAtHalfMiB']!, 0)} → ${fixed(result['heapAtEndMiB']!, 0)} | ${fixed(kept, 0)} | ${fixed(result['loadBefore']!)} → ${fixed(result['loadAfter']!)} |`);
    return result;
  });
  say(`peak RSS ${memorySizes[1]} / ${memorySizes[0]}: ${fixed(runs[1]!['peakRssMiB']! / runs[0]!['peakRssMiB']!)}× (goal ≤ 1.2×)`);
}

if (wanted('one-user')) {
  say('\n## Memory bound, one user: the same JSON export with every memory of one user, into SQLite, at two sizes');
  say('baseline: the smaller import; goal: peak RSS of the larger ≤ 1.3× the smaller (finalizing reads the user a page at a time); beside it, the 1,000-user import of the larger size');
  sayTableHeader(['memories', 'users', 'memories/s', 'peak RSS MiB', 'peak heap MiB', '1-min load average before → after']);
  const row = (memories: number, users: number): Record<string, number> => {
    const result = run('export-json-memory', memories, users);
    say(`| ${memories} | ${users} | ${fixed(result['memoriesPerSecond']!, 0)} | ${fixed(result['peakRssMiB']!, 0)} | ${fixed(result['peakHeapMiB']!, 0)} | ${fixed(result['loadBefore']!)} → ${fixed(result['loadAfter']!)} |`);
    return result;
  };
  const [smaller, larger, manyUsers] = [row(memorySizes[0]!, 1), row(memorySizes[1]!, 1), row(memorySizes[1]!, 1000)];
  say(`one user: peak RSS ${memorySizes[1]} / ${memorySizes[0]}: ${fixed(larger['peakRssMiB']! / smaller['peakRssMiB']!)}× (goal ≤ 1.3×); rate against 1,000 users of the same size: ${fixed(larger['memoriesPerSecond']! / manyUsers['memoriesPerSecond']!)}×`);
}

if (wanted('one-user-api')) {
  say('\n## Memory bound, one user from an API: the fake Mem0 Platform (no latency, no rate limit) serving one user, into SQLite by the CLI, at two sizes');
  say('baseline: the smaller import; goal: the CLI\'s peak RSS for the larger ≤ 1.3× the smaller');
  sayTableHeader(['memories', 'requests', 'memories/s', 'CLI peak RSS MiB', '1-min load average before → after']);
  const runs = memorySizes.map((memories) => {
    const result = run('one-user-api', memories);
    say(`| ${memories} | ${result['requests']} | ${fixed(result['memoriesPerSecond']!, 0)} | ${fixed(result['cliPeakRssMiB']!, 0)} | ${fixed(result['loadBefore']!)} → ${fixed(result['loadAfter']!)} |`);
    return result;
  });
  say(`one user from an API: CLI peak RSS ${memorySizes[1]} / ${memorySizes[0]}: ${fixed(runs[1]!['cliPeakRssMiB']! / runs[0]!['cliPeakRssMiB']!)}× (goal ≤ 1.3×)`);
}

if (wanted('workers')) {
  const all = os.availableParallelism();
  const counts = [...new Set([1, all])];
  const memories = quick ? 10_000 : 100_000;
  const loadAverage = (): string => os.loadavg().map((load) => fixed(load)).join(', ');
  say(`\n## Both cores: rows and waypoints on worker threads, \`--workers 1\` (no threads) vs all ${all} (the default: os.availableParallelism())`);
  say(`load average (1, 5, 15 min) before: ${loadAverage()}`);
  say('cores used = CPU time of all the threads ÷ wall time: what the machine gave the run (below the workers + 1, other processes had the cores)');
  say('A Mem0 export file (JSONL, 1,000 users) into SQLite by the CLI (a process of its own: wall time, and the peak RSS of om-import with all its threads); baseline: 1 worker; goal: ≥ 10,000 memories/s and peak RSS ≤ 200 MiB');
  say('The phases come from a second import of the same file through the programmatic API (bench process), timed apart.');
  sayTableHeader(['workers', 'memories', 'memories/s', 'seconds', 'ratio to 1 worker', 'peak RSS MiB', 'fetch + rows + write s', 'waypoints + summaries s', 'cores used (API run)']);
  run('workers-export', memories, 1000);
  const clis = counts.map((workers) => run('workers-cli', memories, 1000, workers));
  const files = counts.map((workers) => run('workers-file', memories, 1000, workers));
  counts.forEach((workers, i) => {
    const [cli, file] = [clis[i]!, files[i]!];
    say(`| ${workers} | ${memories} | ${fixed(cli['memoriesPerSecond']!, 0)} | ${fixed(cli['seconds']!)} | ${fixed(cli['memoriesPerSecond']! / clis[0]!['memoriesPerSecond']!)} | ${fixed(cli['cliPeakRssMiB']!, 0)} | ${fixed(file['writeSeconds']!)} | ${fixed(file['finalizeSeconds']!)} | ${fixed(file['cpuSeconds']! / file['seconds']!)} |`);
  });
  // One run's peak RSS depends on where collections fall: the same import twice more shows the spread.
  for (const again of [2, 3]) {
    const cli = run('workers-cli', memories, 1000, all);
    say(`| ${all}, run ${again} | ${memories} | ${fixed(cli['memoriesPerSecond']!, 0)} | ${fixed(cli['seconds']!)} | ${fixed(cli['memoriesPerSecond']! / clis[0]!['memoriesPerSecond']!)} | ${fixed(cli['cliPeakRssMiB']!, 0)} | – | – | – |`);
  }
  say(`\nOne user of ${memories} memories: rows, then waypoints (each memory against up to 1,000 earlier ones); baseline: rows alone on the main thread`);
  sayTableHeader(['workers', 'memories/s (rows + waypoints)', 'rows s', 'waypoints s', 'ratio to rows alone', 'ratio to 1 worker', 'cores used', 'peak RSS MiB']);
  const rowsAlone = run('workers-rows', memories, 1, 1, 0);
  const users = counts.map((workers) => run('workers-rows', memories, 1, workers, 1));
  say(`| 1, rows alone | ${fixed(rowsAlone['memoriesPerSecond']!, 0)} | ${fixed(rowsAlone['rowsSeconds']!)} | – | 1.00 | – | ${fixed(rowsAlone['cpuSeconds']! / rowsAlone['seconds']!)} | ${fixed(rowsAlone['peakRssMiB']!, 0)} |`);
  for (const user of users) {
    say(`| ${user['workers']} | ${fixed(user['memoriesPerSecond']!, 0)} | ${fixed(user['rowsSeconds']!)} | ${fixed(user['waypointsSeconds']!)} | ${fixed(user['memoriesPerSecond']! / rowsAlone['memoriesPerSecond']!)} | ${fixed(user['memoriesPerSecond']! / users[0]!['memoriesPerSecond']!)} | ${fixed(user['cpuSeconds']! / user['seconds']!)} | ${fixed(user['peakRssMiB']!, 0)} |`);
  }
  say(`load average (1, 5, 15 min) after: ${loadAverage()}`);
}

if (wanted('shards')) {
  const memories = quick ? 10_000 : 100_000;
  const counts = [1, 2, 4];
  say('\n## Shards: n processes (`--shard i/n`) writing one PostgreSQL at the same time');
  say(`A Mem0 export file (JSONL, ${memories} memories, 1,000 users), each n into a new database; baseline: one unsharded process; ${os.availableParallelism()} cores, the PostgreSQL server (embedded) on the same machine, each process with its default --workers`);
  say('seconds = from the first process started to the last one exited; lock waits = samples (every 100 ms) that saw a backend waiting on an advisory lock (schema work, shard claims) / on any other lock');
  sayTableHeader(['processes', 'memories', 'seconds', 'memories/s', 'ratio to 1 process', 'slowest process\'s own import s', 'peak RSS MiB of each process', 'lock waits advisory / other (of samples)', 'deadlocks', '1-min load average before → after']);
  run('shards-export', memories, 1000);
  const shards = run('shards', memories, 1000, ...counts);
  const figure = (processes: number, name: string): number => shards[`${processes}.${name}`]!;
  for (const processes of counts) {
    const peakRss = Array.from({ length: processes }, (_, index) => fixed(figure(processes, `peakRssMiB.${index}`), 0)).join(', ');
    say(`| ${processes} | ${memories} | ${fixed(figure(processes, 'seconds'))} | ${fixed(figure(processes, 'memoriesPerSecond'), 0)} | ${fixed(figure(processes, 'memoriesPerSecond') / figure(1, 'memoriesPerSecond'))} | ${fixed(figure(processes, 'slowestImportSeconds'))} | ${peakRss} | ${figure(processes, 'advisoryLockWaitSamples')} / ${figure(processes, 'otherLockWaitSamples')} (of ${figure(processes, 'lockSamples')}) | ${figure(processes, 'deadlocks')} | ${fixed(figure(processes, 'loadBefore'))} → ${fixed(figure(processes, 'loadAfter'))} |`);
  }
  say(`rows after every n (checked equal to 1 process): memories ${figure(1, 'memories')}, vectors ${figure(1, 'vectors')}, waypoints ${figure(1, 'waypoints')}, users ${figure(1, 'users')}; processes that migrated the empty database: ${counts.map((processes) => `${figure(processes, 'migrations')} of ${processes}`).join(', ')}`);
}

if (wanted('shards-api')) {
  const [memories, users, latencyMs, rateLimit] = quick ? [2000, 40, 20, 20] : [10_000, 200, 20, 20];
  const counts = [1, 2, 4];
  say('\n## Shards from an API: n processes (`--shard i/n`) reading one fake Mem0 account into one PostgreSQL');
  say(`${memories} memories of ${users} users, ${latencyMs} ms latency, ${rateLimit} requests/s for the account (enforced by the fake over every process; each shard gets \`--rate-limit\` ${rateLimit}/n and fetches only its users); each n into a new database; ${os.availableParallelism()} cores, the PostgreSQL server (embedded) on the same machine`);
  say('baseline: the rate-limit floor = requests made (less retries) ÷ the account\'s rate; and one unsharded process');
  sayTableHeader(['processes', 'requests', 'answered 429', 'seconds', 'floor s', 'ratio to floor', 'ratio to 1 process (speed)', 'peak RSS MiB of each process', '1-min load average before → after']);
  const shards = run('shards-api', memories, users, latencyMs, rateLimit, ...counts);
  const figure = (processes: number, name: string): number => shards[`${processes}.${name}`]!;
  for (const processes of counts) {
    const peakRss = Array.from({ length: processes }, (_, index) => fixed(figure(processes, `peakRssMiB.${index}`), 0)).join(', ');
    say(`| ${processes} | ${figure(processes, 'requests')} | ${figure(processes, 'throttled')} | ${fixed(figure(processes, 'seconds'))} | ${fixed(figure(processes, 'floorSeconds'))} | ${fixed(figure(processes, 'seconds') / figure(processes, 'floorSeconds'))} | ${fixed(figure(1, 'seconds') / figure(processes, 'seconds'))} | ${peakRss} | ${fixed(figure(processes, 'loadBefore'))} → ${fixed(figure(processes, 'loadAfter'))} |`);
  }
  say(`rows after every n (checked equal to 1 process): memories ${figure(1, 'memories')}, vectors ${figure(1, 'vectors')}, waypoints ${figure(1, 'waypoints')}, users ${figure(1, 'users')}`);
}
