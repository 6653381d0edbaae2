// The om-import command runs on a thread of its own (main.ts again, as a worker), which the main thread starts and
// waits for: a thread's heap can be bounded from there (`resourceLimits`), the main thread's only by flags to node.
// The main thread loads nothing else; the thread writes to the same stdout and stderr, and its exit code is the
// process's.
import tty from 'node:tty';
import { parentPort, Worker } from 'node:worker_threads';
import { describeError, InterruptedError } from '../errors.js';
import { knownSecrets, loadEnvironment, Redactor, type Environment } from './environment.js';

/** What the command thread is told: its arguments, and what it cannot see from a thread (which streams are terminals). */
export interface CommandThreadData {
  args: string[];
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
}

/** A resized terminal, passed on to the thread (a thread gets no SIGWINCH). */
interface TerminalSize {
  columns: number;
  rows: number;
}

/** A signal the main thread received, passed on to the thread (which gets none). */
interface Interrupt {
  interrupt: 'SIGINT' | 'SIGTERM';
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
  const args = process.argv.slice(2);
  const thread = new Worker(file, {
    workerData: { args, stdoutIsTty: !!process.stdout.isTTY, stderrIsTty } satisfies CommandThreadData,
    resourceLimits: { maxYoungGenerationSizeMb: commandYoungGenerationMiB },
  });
  // The heap limit V8 gave the thread (node's, or --max-old-space-size), known while it runs.
  let oldGenerationMiB: number | undefined;
  thread.once('online', () => (oldGenerationMiB = thread.resourceLimits?.maxOldGenerationSizeMb));
  if (stderrIsTty) {
    const resized = (): void => thread.postMessage({ columns: process.stderr.columns, rows: process.stderr.rows } satisfies TerminalSize);
    process.stderr.on('resize', resized);
    thread.on('exit', () => process.stderr.off('resize', resized));
  }
  // Ctrl-C or SIGTERM: the thread finishes the batch it is writing and stops (exit 130 or 143, resumable); the same
  // signal again stops the process at once (a write cut short is rolled back by the database).
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) {
        process.stderr.write(`om-import: ${signal} again: stopped at once; a batch being written is rolled back; run again to resume\n`);
        process.exit(new InterruptedError(signal).exitCode);
      }
      interrupted = true;
      thread.postMessage({ interrupt: signal } satisfies Interrupt);
    });
  }
  thread.on('error', (error: unknown) => {
    process.exitCode = 1;
    if ((error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
      const limit = oldGenerationMiB ? `its ${oldGenerationMiB} MiB of JavaScript heap` : 'its JavaScript heap';
      const more = oldGenerationMiB ? 2 * oldGenerationMiB : 8192;
      process.stderr.write(
        `om-import: out of memory: the run needed more than ${limit}; what it wrote is kept, and a run with more resumes it: ` +
          `NODE_OPTIONS=--max-old-space-size=${more} om-import …\n`,
      );
    } else {
      // An error the command did not catch (a defect): one line, without a secret of the arguments or environment.
      const redactor = new Redactor(knownSecrets(environmentOf(args), { apiKey: flagValue(args, '--api-key'), pg: flagValue(args, '--pg') }));
      process.stderr.write(`om-import: internal error: ${redactor.redact(describeError(error)).replace(/\s*\n\s*/g, ' ')}\n`);
    }
  });
  thread.on('exit', (code) => {
    if (process.exitCode === undefined) process.exitCode = code;
  });
}

/** The environment the command read (the process's over `.env` or --env-file), for its secrets. */
function environmentOf(args: readonly string[]): Environment {
  try {
    return loadEnvironment(flagValue(args, '--env-file'));
  } catch {
    return process.env;
  }
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
  const { importInProgress, runCli } = await import('./program.js');
  // A terminal is opened here as one (from a thread, process.stdout and process.stderr are pipes to the main thread,
  // which writes what they carry in order): the progress display moves its cursor on stderr, and what goes to stdout
  // on the same terminal must not overtake it or fall behind.
  const terminal = data.stderrIsTty ? new tty.WriteStream(2) : null;
  const stderr = terminal ?? process.stderr;
  const stdout = terminal && data.stdoutIsTty ? new tty.WriteStream(1) : process.stdout;
  const interrupts = new AbortController();
  parentPort?.on('message', (message: TerminalSize | Interrupt) => {
    if ('interrupt' in message) {
      const interrupt = new InterruptedError(message.interrupt);
      interrupts.abort(interrupt);
      // Anything but an import only reads: it stops at once, with the same line.
      if (!importInProgress()) {
        stderr.write(`om-import: interrupted by ${message.interrupt}\n`);
        process.exit(interrupt.exitCode);
      }
      return;
    }
    if (!terminal) return;
    terminal.columns = message.columns;
    terminal.rows = message.rows;
    terminal.emit('resize');
  });
  parentPort?.unref();
  process.exitCode = await runCli(data.args, {
    interrupts: interrupts.signal,
    stdout: (text) => stdout.write(text),
    stderr: (text) => stderr.write(text),
    stderrIsTty: data.stderrIsTty,
    stderrStream: stderr,
    env: process.env,
  });
}

