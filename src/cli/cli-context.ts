// What every command of one CLI invocation shares: its input and output, the secrets never to print, the exit code.
import type { ProgressEvent } from '../pipeline/import.js';
import type { SourceLabels } from './command-options.js';
import type { SourceConnection } from './open-source.js';
import { knownSecrets, Redactor, type Environment } from './environment.js';
import { colorsAllowed, progressDisplay, progressMode, type ProgressDisplay } from './progress.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stderrIsTty: boolean;
  /** stderr itself, for the progress display (on a terminal, cli-progress moves its cursor). */
  stderrStream: NodeJS.WriteStream;
  env: Environment;
  /** Aborted (with an `InterruptedError`) on Ctrl-C or SIGTERM: an import stops between two writes, resumable. */
  interrupts?: AbortSignal;
}

export class CliContext {
  /** Applied to everything printed: the environment's secrets, and once a command has read its flags, its own. */
  redactor: Redactor;
  /** The exit code of a command that ends without an error (1 when `verify` or `plan` found something). */
  exitCode = 0;

  constructor(readonly io: CliIo) {
    this.redactor = new Redactor(knownSecrets(io.env, {}));
  }

  /** The command's secrets (its environment's, the API key, the database URL's password): none is ever printed. */
  redactSecrets(env: Environment, flags: { apiKey?: string | undefined; pg?: string | undefined }): void {
    this.redactor = new Redactor(knownSecrets(env, flags));
  }

  /** One result on stdout (a report, a status), its secrets redacted. */
  print(text: string): void {
    this.io.stdout(`${this.redactor.redact(text)}\n`);
  }

  /** A source read with a display: its waits shown, its requests and waits cut by Ctrl-C or SIGTERM. */
  reading(progress: ProgressDisplay): SourceConnection {
    return { onWait: progress.wait, signal: this.io.interrupts };
  }

  /** Reading a source (an import, or verify <source>): progress on stderr (see progress.ts); waits named after the source (`Zep rate limit`). */
  sourceProgress(options: { quiet?: boolean; json?: boolean; fromFile?: string }, labels: SourceLabels): ProgressDisplay {
    const display = progressDisplay({
      mode: progressMode({ quiet: options.quiet, json: options.json, stderrIsTty: this.io.stderrIsTty }),
      stream: this.io.stderrStream,
      partitionNoun: options.fromFile ? 'file' : labels.userNoun,
      color: colorsAllowed(this.io.env),
      redact: (text) => this.redactor.redact(text),
    });
    return {
      event: (event: ProgressEvent) => display.event(event),
      wait: (milliseconds, reason) => display.wait(milliseconds, `${labels.label} ${reason}`),
      stop: () => display.stop(),
    };
  }
}
