// `npm run bench`: every scenario in its own process; figures as ratios against a baseline of the same run.
// `npm run bench -- quick` runs smaller sizes.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const scenarioScript = fileURLToPath(new URL('./scenarios.js', import.meta.url));
const quick = process.argv.includes('quick');
/** `npm run bench -- zep supermemory` runs only those sections; none named runs them all. */
const sections = ['rows', 'mem0', 'file', 'zep', 'supermemory'].filter((section) => process.argv.includes(section));
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

if (wanted('rows')) {
  say('## Building OpenMemory rows (synthetic 256-d, hybrid tier)');
  say('baseline: the same memories without waypoints (classification, simhash, sector vectors, mean vector)');
  say('| memories | users | memories/s (rows + waypoints) | memories/s (baseline) | ratio to baseline | peak RSS MiB |');
  say('|---:|---:|---:|---:|---:|---:|');
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
}

if (wanted('zep')) {
  say('\n## Fetching a Zep Cloud account over HTTP (fake server: 50 ms latency, 300 requests/minute with X-RateLimit headers) into SQLite');
  say('baseline: the rate-limit floor = requests needed ÷ allowed rate (300/min = 5 req/s)');
  const users = quick ? 20 : 100;
  const zep = run('zep-api', users, 5, 40, 20, 50, 300);
  say(`users ${users} × 5 threads × 40 messages + 20 facts: ${zep['memories']} memories, ${zep['requests']} requests (${zep['throttled']} answered 429, ${zep['retries']} retries): wall ${fixed(zep['seconds']!)} s, floor ${fixed(zep['floorSeconds']!)} s, ratio ${fixed(zep['seconds']! / zep['floorSeconds']!)}; peak RSS ${fixed(zep['peakRssMiB']!, 0)} MiB`);
}

if (wanted('supermemory')) {
  say('\n## Fetching a Supermemory account over HTTP (fake server: 50 ms latency, 10 req/s limit) into SQLite');
  say('baseline: the rate-limit floor = requests needed ÷ allowed rate');
  const tags = quick ? 20 : 100;
  const supermemory = run('supermemory-api', tags, 40, 60, 50, 10);
  say(`tags ${tags} × 40 documents + 60 memory entries: ${supermemory['memories']} memories, ${supermemory['requests']} requests (${supermemory['throttled']} answered 429, ${supermemory['retries']} retries) = ${fixed(supermemory['requestsNeeded']! / supermemory['documents']!, 3)} requests per document; wall ${fixed(supermemory['seconds']!)} s, floor ${fixed(supermemory['floorSeconds']!)} s, ratio ${fixed(supermemory['seconds']! / supermemory['floorSeconds']!)}; peak RSS ${fixed(supermemory['peakRssMiB']!, 0)} MiB`);
}
