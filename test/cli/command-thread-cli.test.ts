// The built CLI runs its command on a thread of its own, with a bounded young generation (src/cli/command-thread.ts):
// what the user sees is the same (every other CLI test), the heap is the thread's, and running out of it is one line.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandYoungGenerationMiB } from '../../src/cli/command-thread.js';
import { cleanEnv, cliPath, runCliProcess } from '../support/cli.js';
import { fixturePath } from '../support/fixtures.js';
import { tempDir } from '../support/temp.js';

/** Loaded into every thread of the CLI: the command thread (it alone has `args`) writes its heap spaces when it ends. */
const heapSpacesOnExit = `
import { writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { isMainThread, workerData } from 'node:worker_threads';
if (!isMainThread && Array.isArray(workerData?.args)) {
  process.on('exit', () => writeFileSync(process.env.HEAP_SPACES_FILE, JSON.stringify({ args: workerData.args, spaces: getHeapSpaceStatistics() })));
}
`;

describe('om-import runs its command on a thread of its own', () => {
  it('with its arguments, its young generation bounded, its output and exit code the process’s', async () => {
    const cwd = tempDir();
    const spacesFile = path.join(cwd, 'spaces.json');
    const args = ['mem0', '--from-file', fixturePath('mem0', 'export.json'), '--json'];
    const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(heapSpacesOnExit)}`, cliPath, ...args], {
      cwd,
      env: cleanEnv({ HEAP_SPACES_FILE: spacesFile }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(stdout).totals).toMatchObject({ fetched: 12, created: 9, skipped: 3 });
    const thread = JSON.parse(readFileSync(spacesFile, 'utf8')) as { args: string[]; spaces: { space_name: string; space_size: number }[] };
    expect(thread.args).toEqual(args);
    const newSpace = thread.spaces.find((space) => space.space_name === 'new_space');
    expect(newSpace!.space_size).toBeGreaterThan(0);
    expect(newSpace!.space_size).toBeLessThanOrEqual(commandYoungGenerationMiB * 2 ** 20);
  });

  it('an error the command does not catch: exit 1, one line with its message, without the API key', async () => {
    const cwd = tempDir();
    const apiKey = 'm0-secret-key-1234';
    // A defect stood in for by a throw on the command thread, its message holding the key.
    const defect = `
import { isMainThread, workerData } from 'node:worker_threads';
if (!isMainThread && Array.isArray(workerData?.args)) setTimeout(() => { throw new Error('boom with ' + process.env.MEM0_API_KEY); }, 0);
`;
    const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(defect)}`, cliPath, 'mem0', '--base-url', 'http://127.0.0.1:9'], {
      cwd,
      env: cleanEnv({ MEM0_API_KEY: apiKey }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe('om-import: internal error: boom with ***\n');
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
    expect(lines[0]).toMatch(/^om-import: out of memory: the run needed more than node's \d+ MiB of JavaScript heap; .* NODE_OPTIONS=--max-old-space-size=\d+ om-import …$/);
  });
});
