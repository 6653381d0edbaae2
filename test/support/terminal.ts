// The CLI under a pseudo-terminal (util-linux `script`), as a person's terminal runs it: its width set with `stty`.
import { spawn, spawnSync } from 'node:child_process';
import { cliPath } from './cli.js';
import { tempDir } from './temp.js';

export const hasScript = spawnSync('script', ['--version']).status === 0;

const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the built CLI in a pseudo-terminal (160 columns wide unless told), as a person's colour terminal would (`TERM`
 * set, no `CI`: under CI Node assumes a terminal without colours); answers everything the terminal received.
 * `typed`: called with a function that types into the terminal (`\u0003` is Ctrl-C) and what it received so far.
 */
export function runInTerminal(
  args: string[],
  env: Record<string, string>,
  cwd = tempDir(),
  options: { columns?: number; typed?: (type: (text: string) => void, output: () => string) => void } = {},
): Promise<{ code: number | null; output: string }> {
  const command = `stty cols ${options.columns ?? 160} rows 40; exec ${[process.execPath, cliPath, ...args].map(quote).join(' ')}`;
  const { CI: _ci, ...terminalEnv } = env;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd,
    env: { TERM: 'xterm-256color', ...terminalEnv },
    stdio: [options.typed ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  options.typed?.((text) => child.stdin!.write(text), () => output);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

/** What a terminal shows, line by line: escape sequences and carriage returns as line ends (each redraw a line). */
export function drawnLines(output: string): string[] {
  return output
    .replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '\n')
    .split(/\r?\n|\r/)
    .filter((line) => line.trim() !== '');
}


/**
 * Text output (at most 80 columns, see `wrapLine`) with the continuations of its indented lines joined again: a
 * continuation is indented 6 or more spaces, deeper than any line of its own in `verify`'s and the report's output.
 */
export function unwrapped(text: string): string {
  return text.replace(/\n {6,}(?=\S)/g, ' ');
}

/** Text output with every run of white space (line ends and wrap indents too) as one space: to read prose whole. */
export function flattened(text: string): string {
  return text.replace(/\s+/g, ' ');
}
