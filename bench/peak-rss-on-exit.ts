// Loaded into a process the benchmark did not write (the CLI) with `node --import`: when it exits, the process's
// peak RSS (all its threads) in MiB goes to the file BENCH_PEAK_RSS_FILE names. Worker threads load it too; only
// the main thread writes.
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env['BENCH_PEAK_RSS_FILE'];
if (file && isMainThread) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS / 1024)));
