// The om-import command runs on a thread of its own (main.ts again, as a worker), which the main thread starts and
// waits for: a thread's heap can be bounded from there (`resourceLimits`), the main thread's only by flags to node.
// The main thread loads nothing else; the thread writes to the same stdout and stderr, and its exit code is the
// process's.
import tty from 'node:tty';
import { getHeapStatistics } from 'node:v8';
import { parentPort, Worker } from 'node:worker_threads';
import { knownSecrets, Redactor } from './environment.js';

/** What the command thread is told: its arguments, and what it cannot see from a thread (stderr is a terminal). */
export interface CommandThreadData {
  args: string[];
  stderrIsTty: boolean;
}

/** A resized terminal, passed on to the thread (a thread gets no SIGWINCH). */
interface TerminalSize {
  columns: number;
  rows: number;
}

/**
 * The command thread's young generation, in MiB. V8 grows the main thread's to 32 MiB as soon as objects survive its
 * collections, and an import's do: what a batch holds lives until the batch is written, and is promoted whatever the
 * young generation's size. 8 MiB gives the same speed in the bench and ~25 MiB less peak RSS. The old generation
 * keeps node's limit (and a `--max-old-space-size` given to node).
 */
export const commandYoungGenerationMiB = 8;

/** Starts the command in a thread running `file` (main.ts) and makes its exit code the process's. */
export function startCommandThread(file: URL): void {
  // A reader that stops early (`om-import … | head`) closes the pipe: stop quietly instead of crashing.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  const stderrIsTty = !!process.stderr.isTTY;
  const thread = new Worker(file, {
    workerData: { args: process.argv.slice(2), stderrIsTty } satisfies CommandThreadData,
    resourceLimits: { maxYoungGenerationSizeMb: commandYoungGenerationMiB },
  });
  if (stderrIsTty) {
    const resized = (): void => thread.postMessage({ columns: process.stderr.columns, rows: process.stderr.rows } satisfies TerminalSize);
    process.stderr.on('resize', resized);
    thread.on('exit', () => process.stderr.off('resize', resized));
  }
  thread.on('error', (error: Error & { code?: string }) => {
    process.exitCode = 1;
    if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      const limitMiB = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
      process.stderr.write(
        `om-import: out of memory: the run needed more than node's ${limitMiB} MiB of JavaScript heap; what it wrote is kept, ` +
          `and a run with more resumes it: NODE_OPTIONS=--max-old-space-size=${2 * limitMiB} om-import …\n`,
      );
    } else {
      // An error the command did not catch (a defect): its message, without a secret the arguments or environment hold.
      const args = process.argv.slice(2);
      const redactor = new Redactor(knownSecrets(process.env, { apiKey: flagValue(args, '--api-key'), pg: flagValue(args, '--pg') }));
      process.stderr.write(`om-import: internal error: ${redactor.redact(error.message)}\n`);
    }
  });
  thread.on('exit', (code) => {
    if (process.exitCode === undefined) process.exitCode = code;
  });
}

/** The value of `--name value` or `--name=value` among command-line arguments (the last one given). */
function flagValue(args: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  args.forEach((arg, i) => {
    if (arg === name) value = args[i + 1];
    else if (arg.startsWith(`${name}=`)) value = arg.slice(name.length + 1);
  });
  return value;
}

/** The command, on its thread. */
export async function runCommand(data: CommandThreadData): Promise<void> {
  const { runCli, defaultIo } = await import('./program.js');
  // On a terminal, stderr is opened here as one (from a thread, process.stderr is a pipe to the main thread): the
  // progress display moves its cursor, and the warnings and errors go the same way, in order.
  const terminal = data.stderrIsTty ? new tty.WriteStream(2) : null;
  const stderr = terminal ?? process.stderr;
  if (terminal) {
    parentPort?.on('message', (size: TerminalSize) => {
      terminal.columns = size.columns;
      terminal.rows = size.rows;
      terminal.emit('resize');
    });
    parentPort?.unref();
  }
  process.exitCode = await runCli(data.args, {
    ...defaultIo,
    stderr: (text) => stderr.write(text),
    stderrIsTty: data.stderrIsTty,
    stderrStream: stderr,
  });
}

