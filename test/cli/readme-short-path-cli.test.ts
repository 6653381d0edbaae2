// The README's short path, run as written (against the fake Mem0 API instead of api.mem0.ai): each `om-import` line
// of its first code block, in order, and the plan it shows, which must be what the CLI prints.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { displayWidth } from '../../src/pipeline/report.js';
import { generatedMem0Account } from '../fakes/mem0/mem0-account.js';
import type { ServedHandlers } from '../fakes/serve-handlers.js';
import { cleanEnv, runCliProcess } from '../support/cli.js';
import { projectRoot } from '../support/fixtures.js';
import { memoryCount } from '../support/kill-targets.js';
import { startMem0Fake } from '../support/mem0-fake.js';
import { tempDir } from '../support/temp.js';

const servers: ServedHandlers[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** The README's short path: its section, the commands of its first `sh` block, and its first `text` block. */
function shortPath(): { commands: string[][]; planShown: string } {
  const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
  const section = readme.split(/^## Short path/m)[1]!.split(/^## /m)[0]!;
  const block = (language: string): string => section.split('```' + language + '\n')[1]!.split('```')[0]!;
  const commands = block('sh')
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line.startsWith('om-import '))
    .map((line) => line.split(/\s+/).slice(1));
  return { commands, planShown: block('text') };
}

describe("the README's short path", () => {
  it('plans, dry-runs, imports and verifies, each exit 0, and its plan is what the CLI prints', async () => {
    const { commands, planShown } = shortPath();
    expect(commands).toEqual([['plan', 'mem0'], ['mem0', '--dry-run'], ['mem0'], ['verify', 'mem0']]);
    const source = generatedMem0Account({ users: 3, perUser: 4 });
    const served = await startMem0Fake(source);
    servers.push(served);
    const cwd = tempDir();
    const env = cleanEnv({ MEM0_API_KEY: source.apiKey });
    const outputs: string[] = [];
    for (const args of commands) {
      const result = await runCliProcess([...args, '--base-url', served.url], { cwd, env });
      expect(result.code, `om-import ${args.join(' ')}: ${result.stderr}`).toBe(0);
      outputs.push(result.stdout);
    }
    const [plan, dryRun, imported, verified] = outputs as [string, string, string, string];
    expect(plan).toBe(planShown);
    // On a pipe too, the plan and the reports read at 80 columns.
    for (const output of [plan, dryRun, imported]) for (const line of output.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
    expect(dryRun).toMatch(/^would import 12 new and 0 changed memories/m);
    expect(imported).toMatch(/^the database now holds 12 records of 3 users from mem0 \(org_test\/proj_test\)$/m);
    expect(await memoryCount(path.join(cwd, 'data', 'openmemory.sqlite'))).toBe(12);
    expect(verified).toMatch(/^no violations$/m);
    expect(verified).toMatch(/the source and the database hold the same records/);
  });
});
