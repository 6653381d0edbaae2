// Help as people expect from a command line: examples under every command's --help, --version, and a suggestion
// on a mistyped command or flag. Help and version exit 0; a usage error exits 2.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runCliProcess } from '../support/cli.js';
import { projectRoot } from '../support/fixtures.js';
import { tempDir } from '../support/temp.js';

const run = (args: string[]) => runCliProcess(args, { cwd: tempDir(), env: cleanEnv() });

/** The commands `om-import --help` lists (and those `verify --help` lists under it), as argument lists. */
function listedCommands(help: string, parent: string[] = []): string[][] {
  const section = (help.split(/^Commands:$/m)[1] ?? '').split(/^Examples:$/m)[0]!;
  return [...section.matchAll(/^ {2}([a-z][a-z0-9-]*)\b/gm)].map((match) => match[1]!).filter((name) => name !== 'help').map((name) => [...parent, name]);
}

describe('om-import --help, --version and suggestions', () => {
  it('shows examples (the README quick start) under the help of every command, exit 0', async () => {
    const root = await run(['--help']);
    expect(root.code).toBe(0);
    expect(root.stdout).toMatch(/^Examples:\n {2}om-import plan zep /m);
    const verify = await run(['verify', '--help']);
    const plan = await run(['plan', '--help']);
    const commands = [...listedCommands(root.stdout), ...listedCommands(verify.stdout, ['verify']), ...listedCommands(plan.stdout, ['plan'])];
    expect(commands).toEqual(
      expect.arrayContaining([['migrate'], ['mem0'], ['zep'], ['supermemory'], ['verify'], ['verify', 'mem0'], ['verify', 'zep'], ['verify', 'supermemory'], ['plan'], ['plan', 'mem0'], ['plan', 'zep'], ['plan', 'supermemory']]),
    );
    for (const command of commands) {
      const help = await run([...command, '--help']);
      expect(help.code, command.join(' ')).toBe(0);
      expect(help.stderr, command.join(' ')).toBe('');
      const examples = help.stdout.split(/^Examples:$/m)[1];
      expect(examples, `${command.join(' ')} --help has no examples`).toBeDefined();
      // Each example runs the command it is shown under.
      const lines = examples!.split('\n').filter((line) => line.trim() !== '');
      expect(lines.length, command.join(' ')).toBeGreaterThan(0);
      for (const line of lines) expect(line, command.join(' ')).toContain(`om-import ${command.join(' ')}`);
    }
    const mem0 = await run(['mem0', '--help']);
    expect(mem0.stdout).toContain('om-import mem0 --from-file mem0-export.json --dry-run');
    expect(mem0.stdout).toContain('--quiet');
    // --include's default is said once, as the list it is.
    expect(mem0.stdout.replace(/\s+/g, ' ')).toContain('which Mem0 hides (default: memories,superseded)');
    expect(mem0.stdout).not.toMatch(/default: \[/);
    const zepInclude = (await run(['zep', '--help'])).stdout.replace(/\s+/g, ' ').split('--include <list>')[1]!.split(' --')[0]!;
    expect(zepInclude.match(/\(default:/g)).toEqual(['(default:']);
    expect(zepInclude).toContain('(default: messages,facts,data,summaries)');
    // `help <command>` says the same as `<command> --help`.
    expect((await run(['help', 'zep'])).stdout).toBe((await run(['zep', '--help'])).stdout);
  });

  it('--version (and -V) prints the version of package.json, exit 0', async () => {
    const { version } = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await run([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${version}\n`);
      expect(result.stderr).toBe('');
    }
  });

  it('suggests the command or flag meant on a typo, exit 2', async () => {
    const command = await run(['zpe']);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/unknown command 'zpe'\n\(Did you mean zep\?\)/);
    expect(command.stdout).toBe('');

    const flag = await run(['mem0', '--dryrun']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--dryrun'\n\(Did you mean --dry-run\?\)/);

    const flagOfSubcommand = await run(['verify', 'mem0', '--user-idd', 'alice']);
    expect(flagOfSubcommand.code).toBe(2);
    expect(flagOfSubcommand.stderr).toMatch(/unknown option '--user-idd'\n\(Did you mean --user-id\?\)/);

    const noCommand = await run([]);
    expect(noCommand.code).toBe(2);
    expect(noCommand.stderr).toMatch(/Usage: om-import/);
  });
});
