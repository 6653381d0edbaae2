// The command line: a thin shell over the programmatic API. Each command is a module of commands/; this one builds
// the program, runs it, and turns an error into one line (or one JSON object) and an exit code: 0 ok, 1 failed,
// 2 usage, 130/143 interrupted.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { AuthenticationError, describeError, InterruptedError, SourceError, TargetError, UsageError } from '../errors.js';
import { CliContext, type CliIo } from './cli-context.js';
import { addImportCommands } from './commands/import-command.js';
import { addMigrateCommand } from './commands/migrate-command.js';
import { addPlanCommands } from './commands/plan-command.js';
import { addStatusCommand } from './commands/status-command.js';
import { addVerifyCommands } from './commands/verify-command.js';

export type { CliIo } from './cli-context.js';
export { importInProgress } from './commands/import-command.js';

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: !!process.stderr.isTTY,
  stderrStream: process.stderr,
  env: process.env,
};

/**
 * The stable code of an error, for `--json`: `usage` (exit 2), `interrupted` (130/143), `authentication`, `source`
 * (the source refused or failed), `target` (the database), else `failed`.
 */
export function errorCode(error: unknown): 'usage' | 'interrupted' | 'authentication' | 'source' | 'target' | 'failed' {
  if (error instanceof UsageError) return 'usage';
  if (error instanceof InterruptedError) return 'interrupted';
  if (error instanceof AuthenticationError) return 'authentication';
  if (error instanceof SourceError) return 'source';
  if (error instanceof TargetError) return 'target';
  return 'failed';
}

/** Runs the CLI with `argv` (without node and script); answers the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const cli = new CliContext(io);
  const program = new Command('om-import')
    .description('Move AI-agent memory from Zep, Mem0 and Supermemory into a self-hosted OpenMemory v1.2 database, per user.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError(false)
    .showSuggestionAfterError(true)
    .version(packageVersion(), '-V, --version', 'print the version of om-import');
  addMigrateCommand(program, cli);
  addImportCommands(program, cli);
  addVerifyCommands(program, cli);
  addPlanCommands(program, cli);
  addStatusCommand(program, cli);
  addHelpExamples(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help exits 0; a usage problem (or no command at all) is 2. Commander has already printed its line.
      return error.exitCode === 0 ? 0 : 2;
    }
    return failure(cli, error, argv.includes('--json'));
  }
  return cli.exitCode;
}

/** Prints the error that ended a command (one line, or under --json one JSON object), and answers its exit code. */
function failure(cli: CliContext, error: unknown, json: boolean): number {
  const { io } = cli;
  // After an interrupt, whatever stopped the run (the interrupt itself, or a request it cut short) is the interrupt.
  const interrupted = error instanceof InterruptedError ? error : io.interrupts?.aborted && io.interrupts.reason instanceof InterruptedError ? io.interrupts.reason : null;
  const shown = interrupted ?? error;
  const message = cli.redactor.redact(describeError(shown)).replace(/\s*\n\s*/g, ' ');
  const exit = interrupted ? interrupted.exitCode : shown instanceof UsageError ? 2 : 1;
  // Under --json the reader is a program: the error is one JSON object on stderr, with a stable code.
  if (json) io.stderr(`${JSON.stringify({ error: { code: errorCode(shown), message, exitCode: exit } })}\n`);
  else io.stderr(`om-import: ${message}\n`);
  return exit;
}

/** om-import's version, from its package.json: the first one up from this module (it runs from src/ and dist/src/). */
function packageVersion(): string {
  for (let folder = path.dirname(fileURLToPath(import.meta.url)); ; folder = path.dirname(folder)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'om-import' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // no package.json here: look further up
    }
    if (path.dirname(folder) === folder) return 'unknown';
  }
}

/** Examples under each command's --help, by command: the README's quick start. */
const helpExamples: Readonly<Record<string, readonly string[]>> = {
  'om-import': [
    'om-import plan zep                                     # first: the users, their mapping, an estimate; reads no record',
    'om-import zep                                          # Zep Cloud → ./data/openmemory.sqlite (ZEP_API_KEY)',
    'om-import supermemory                                  # every container tag of a Supermemory account',
    'om-import mem0                                         # hosted Mem0 (MEM0_API_KEY)',
    'om-import mem0 --from-file mem0-export.json --dry-run  # what would change; writes nothing',
    "om-import verify                                       # audit the database (every user's rows in place)",
    'om-import migrate --dry-run                            # the SQL a v1.1 database needs, in order',
  ],
  'om-import mem0': [
    'om-import mem0                                         # hosted Mem0 (MEM0_API_KEY) → ./data/openmemory.sqlite',
    'om-import mem0 --user-map map.json --unmapped skip     # map Mem0 users onto OpenMemory users',
    'PGPASSWORD=… om-import mem0 --pg postgres://user@host:5432/openmemory   # into PostgreSQL (or OM_PG_* in .env)',
    'om-import mem0 --self-hosted --base-url http://localhost:8888   # every user, agent and run (key as X-API-Key)',
    'om-import mem0 --include memories,superseded,expired   # also the memories past their expiration_date',
    'om-import mem0 --from-file mem0-export.json --dry-run  # what would change; writes nothing',
  ],
  'om-import zep': [
    'om-import zep                                          # Zep Cloud (ZEP_API_KEY) → ./data/openmemory.sqlite',
    'om-import zep --prune                                  # also remove what the source no longer has',
    'om-import zep --base-url http://localhost:8000         # a Community Edition server',
  ],
  'om-import supermemory': [
    'om-import supermemory                                  # every container tag (SUPERMEMORY_API_KEY)',
    'om-import supermemory --user-id alice --user-id bob    # only these container tags',
  ],
  'om-import migrate': [
    'om-import migrate --dry-run                            # the SQL a v1.1 database needs, in order',
    'om-import migrate --pg postgres://user@host:5432/openmemory',
  ],
  'om-import verify': [
    "om-import verify                                       # audit the database (every user's rows in place)",
    'om-import verify mem0                                  # also compare with what Mem0 holds',
  ],
  'om-import verify mem0': ['om-import verify mem0', 'om-import verify mem0 --from-file mem0-export.json'],
  'om-import verify zep': ['om-import verify zep', 'om-import verify zep --user-id alice'],
  'om-import verify supermemory': ['om-import verify supermemory'],
  'om-import plan': [
    'om-import plan zep                                     # every Zep user, where it lands, what the target holds',
    'om-import plan mem0 --user-map map.json                # check a map before importing (keys that match nothing: exit 1)',
    'om-import plan supermemory --write-map map.json        # a map template to edit, one entry per container tag',
  ],
  'om-import plan mem0': ['om-import plan mem0', 'om-import plan mem0 --user-map map.json --unmapped skip', 'om-import plan mem0 --from-file mem0-export.json'],
  'om-import plan zep': ['om-import plan zep', 'om-import plan zep --write-map map.json'],
  'om-import plan supermemory': ['om-import plan supermemory', 'om-import plan supermemory --user-id alice --json'],
  'om-import status': ['om-import status', 'om-import status --pg postgres://user@host:5432/openmemory --json'],
};

/** Adds `Examples:` after the help of every command that has some, subcommands included. */
function addHelpExamples(command: Command, name = command.name()): void {
  const examples = helpExamples[name];
  if (examples) command.addHelpText('after', `\nExamples:\n${examples.map((line) => `  ${line}`).join('\n')}\n`);
  for (const subcommand of command.commands) addHelpExamples(subcommand, `${name} ${subcommand.name()}`);
}
