// The built CLI runs its command on a thread of its own, with a bounded young generation (src/cli/command-thread.ts):
// what the user sees is the same (every other CLI test), the heap is the thread's, and running out of it is one line.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandYoungGenerationMiB } from '../../src/cli/command-thread.js';
import { cleanEnv, runCliProcess } from '../support/cli.js';
import { fixturePath } from '../support/fixtures.js';
import { tempDir } from '../support/temp.js';

/** Loaded into every thread of the CLI: the command thread (it alone has `args`) writes its limits when it ends. */
const limitsOnExit = `
import { writeFileSync } from 'node:fs';
import { isMainThread, resourceLimits, workerData } from 'node:worker_threads';
if (!isMainThread && Array.isArray(workerData?.args)) {
  process.on('exit', () => writeFileSync(process.env.LIMITS_FILE, JSON.stringify({ args: workerData.args, resourceLimits })));
}
`;

/** NODE_OPTIONS that load `source` into every thread of the CLI before its own code. */
function importing(source: string): string {
  return `--import=data:text/javascript,${encodeURIComponent(source)}`;
}

describe('om-import runs its command on a thread of its own', () => {
  it('with its arguments, its young generation bounded (and node’s heap limit), its output and exit code the process’s', async () => {
    const cwd = tempDir();
    const limitsFile = path.join(cwd, 'limits.json');
    const args = ['mem0', '--from-file', fixturePath('mem0', 'export.json'), '--json'];
    const result = await runCliProcess(args, { cwd, env: cleanEnv({ NODE_OPTIONS: importing(limitsOnExit), LIMITS_FILE: limitsFile }) });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).totals).toMatchObject({ fetched: 12, created: 9, skipped: 3 });
    const thread = JSON.parse(readFileSync(limitsFile, 'utf8')) as { args: string[]; resourceLimits: { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb: number } };
    expect(thread.args).toEqual(args);
    expect(thread.resourceLimits.maxYoungGenerationSizeMb).toBe(commandYoungGenerationMiB);
    expect(thread.resourceLimits.maxOldGenerationSizeMb).toBeGreaterThan(1000); // node's own limit, not one of ours
  });

  it('an error the command does not catch: exit 1, one line with its message, without the API key', async () => {
    const cwd = tempDir();
    const apiKey = 'm0-secret-key-1234';
    // A defect stood in for by a throw on the command thread, its message holding the key.
    const defect = `
import { isMainThread, workerData } from 'node:worker_threads';
if (!isMainThread && Array.isArray(workerData?.args)) setTimeout(() => { throw new Error('boom with ' + process.env.MEM0_API_KEY); }, 0);
`;
    const result = await runCliProcess(['mem0', '--base-url', 'http://127.0.0.1:9'], { cwd, env: cleanEnv({ NODE_OPTIONS: importing(defect), MEM0_API_KEY: apiKey }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('om-import: internal error: boom with ***\n');
  });

  it('a run that outgrows the JavaScript heap: exit 1, one line saying so and how to give it more', async () => {
    const cwd = tempDir();
    const file = path.join(cwd, 'huge.jsonl');
    // One memory of 60 MB, for a heap of 64 MiB.
    writeFileSync(file, `${JSON.stringify({ id: 'm1', memory: 'word '.repeat(12_000_000), user_id: 'u1' })}\n`);
    const result = await runCliProcess(['mem0', '--from-file', file, '--db', path.join(cwd, 'om.sqlite')], {
      cwd,
      env: cleanEnv({ NODE_OPTIONS: '--max-old-space-size=64' }),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^om-import: out of memory: the run needed more than its \d+ MiB of JavaScript heap; .* NODE_OPTIONS=--max-old-space-size=\d+ om-import …$/);
  });
});
