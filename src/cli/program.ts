// The command line: a thin shell over the programmatic API. Exit 0 ok, 1 failed, 2 usage.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { mem0DefaultInclude, mem0DefaultRateLimit, mem0IncludeChoices, mem0Source, type Mem0Include } from '../../adapters/mem0/index.js';
import {
  legacyShutdownDate, multiTagPolicies, supermemoryApiChoices, supermemoryDefaultBaseUrl, supermemoryDefaultRateLimit, supermemoryIncludeChoices,
  supermemorySource, type MultiTagPolicy, type SupermemoryApiChoice, type SupermemoryInclude,
} from '../../adapters/supermemory/index.js';
import { zepDefaultBaseUrl, zepDefaultInclude, zepDefaultRateLimit, zepIncludeChoices, zepSource, type ZepInclude } from '../../adapters/zep/index.js';
import { defaultMaxWaitMs, type ConnectionOptions } from '../http/http-client.js';
import type { OpenedSource } from '../records.js';
import { resolveShard } from '../pipeline/shard.js';
import { AuthenticationError, describeError, InterruptedError, SourceError, TargetError, UsageError } from '../errors.js';
import { migrate } from '../migrate.js';
import { defaultWorkers } from '../openmemory/row-pool.js';
import { importFrom } from '../pipeline/import.js';
import { formatReport } from '../pipeline/report.js';
import { loadTenantMap, unmappedPolicies, type TenantMap, type UnmappedPolicy } from '../pipeline/tenant-map.js';
import { resolveTargetConfig, type TargetConfig } from '../database/open-target.js';
import { currentSchemaVersion } from '../database/schema-definition.js';
import { compareWithSource, formatVerification, sourceDiffers, verifyDatabase } from '../verify.js';
import { databaseStatus, formatStatus } from '../status.js';
import { parseOpenMemoryVersion } from '../openmemory/openmemory-version.js';
import { knownSecrets, loadEnvironment, Redactor, type Environment } from './environment.js';
import { colorsAllowed, progressDisplay, progressMode, type ProgressDisplay } from './progress.js';
import { ReportFile, reportFormat } from './report-file.js';
import { buildPlan, checkNames, fileUsers, formatPlan, listPartitions, mapKeyWarning, nameCheckError, planFails, targetUsers, writeMapTemplate } from './plan.js';

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

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: !!process.stderr.isTTY,
  stderrStream: process.stderr,
  env: process.env,
};

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a whole number above 0');
  return parsed;
}

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a number above 0');
  return parsed;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

interface TargetOptions {
  db?: string;
  pg?: string;
  envFile?: string;
  openmemory?: string;
  json?: boolean;
  dryRun?: boolean;
  allowOtherTables?: boolean;
}

/** How a source is read: the options every source command (import or verify) has. */
interface SourceReadOptions {
  apiKey?: string;
  baseUrl?: string;
  userId?: string[];
  fromFile?: string;
  concurrency: number;
  rateLimit?: number;
  maxWait: number;
}

/** The options every import command has, whatever the source. */
interface ImportCommandOptions extends TargetOptions, SourceReadOptions {
  shard?: string;
  shards?: number;
  workers?: number;
  userMap?: string;
  unmapped: UnmappedPolicy;
  migrate: boolean;
  fresh?: boolean;
  prune?: boolean;
  quiet?: boolean;
  saveExport?: string;
  report?: string;
}

interface Mem0ReadOptions extends SourceReadOptions {
  selfHosted?: boolean;
  orgId?: string;
  projectId?: string;
  include: Mem0Include[];
}

interface ZepReadOptions extends SourceReadOptions {
  include: ZepInclude[];
}

interface SupermemoryReadOptions extends SourceReadOptions {
  include: SupermemoryInclude[];
  multiTag: MultiTagPolicy;
  api: SupermemoryApiChoice;
}

/** `om-import plan <source>`: the source's reading options, the mapping, the target, and a map template to write. */
interface PlanCommandOptions extends SourceReadOptions {
  db?: string;
  pg?: string;
  envFile?: string;
  json?: boolean;
  userMap?: string;
  unmapped: UnmappedPolicy;
  writeMap?: string;
}

interface Mem0Options extends ImportCommandOptions, Mem0ReadOptions {}
interface ZepOptions extends ImportCommandOptions, ZepReadOptions {}
interface SupermemoryOptions extends ImportCommandOptions, SupermemoryReadOptions {}

/** `om-import verify` and its source subcommands (whose target options are verify's own). */
interface VerifyCommandOptions {
  db?: string;
  pg?: string;
  envFile?: string;
  json?: boolean;
  userMap?: string;
}

/** `verify <source> --user-map`: each record is checked to be under the user its owner maps to, as the import mapped it. */
function addVerifyOwners(command: Command): Command {
  return command.option('--user-map <file>', 'the --user-map the import used: each record must be under the user its owner maps to (default: the source user\'s own id)');
}

/** The OpenMemory user of a source user's records, as an import with this map (and unmapped users kept) puts them. */
function verifyOwners(userMap: string | undefined): (tenantKey: string) => string | null {
  const tenantMap = loadTenantMap(userMap, 'keep');
  return (tenantKey) => {
    const resolution = tenantMap.resolve(tenantKey);
    return 'userId' in resolution ? resolution.userId : null;
  };
}

/** `--include a,b`: a comma-separated subset of `choices`. */
function includeList<Choice extends string>(choices: readonly Choice[]): (value: string) => Choice[] {
  return (value) => {
    const chosen = value.split(',').map((part) => part.trim()).filter(Boolean);
    const unknown = chosen.filter((part) => !(choices as readonly string[]).includes(part));
    if (unknown.length > 0 || chosen.length === 0) throw new InvalidArgumentError(`expected a comma-separated list of ${choices.join(', ')}`);
    return [...new Set(chosen)] as Choice[];
  };
}

/** `--include <list>`, its default shown once, as a list (commander would print the array, after ours). */
function includeOption<Choice extends string>(description: string, choices: readonly Choice[], defaults: readonly Choice[], defaultName = defaults.join(',')): Option {
  return new Option('--include <list>', description).argParser(includeList(choices)).default([...defaults], defaultName);
}

/** Which database: a SQLite file or PostgreSQL, and OpenMemory's .env. */
function addDatabaseOptions(command: Command): Command {
  return command
    .option('--db <path>', 'SQLite database file (default: OM_DB_PATH or ./data/openmemory.sqlite)')
    .option('--pg <url>', 'PostgreSQL connection URL (default: OM_METADATA_BACKEND=postgres with OM_PG_*)')
    .option('--env-file <path>', "OpenMemory's .env to read (default: ./.env when present)")
    .option('--openmemory <version>', 'the OpenMemory release to compute rows for: 1.2 (1.2.x) or 1.3 (1.3.0) (default: OM_IMPORT_OPENMEMORY, else 1.2)');
}

/** The environment a command reads: the process's over OpenMemory's .env, with --openmemory over both. */
function commandEnvironment(options: TargetOptions, processEnv: Environment): Environment {
  const env = loadEnvironment(options.envFile, processEnv);
  if (options.openmemory === undefined) return env;
  parseOpenMemoryVersion(options.openmemory, '--openmemory'); // a usage error before anything is opened
  return { ...env, OM_IMPORT_OPENMEMORY: options.openmemory };
}

function addTargetOptions(command: Command): Command {
  return addDatabaseOptions(command)
    .option('--dry-run', 'show what would change; write nothing')
    .option('--allow-other-tables', "add OpenMemory's tables to a SQLite file that holds another application's tables and none of OpenMemory's (refused otherwise)")
    .option('--json', 'print the result as JSON on stdout');
}

interface SourceLabels {
  label: string;
  keyVariable: string;
  defaultRate: number;
  userNoun: string;
}

/** How a source is read (its key, which users, how fast); `source` names the source in help texts. */
function addSourceOptions(command: Command, source: SourceLabels): Command {
  return command
    .option('--api-key <key>', `${source.label} API key (default: ${source.keyVariable})`)
    .option('--user-id <id>', `read only this ${source.userNoun} (repeatable)`, collect)
    .option('--concurrency <n>', `${source.userNoun}s fetched at once, and requests in flight`, positiveInteger, 4)
    .option('--rate-limit <r>', `requests per second at most (default ${source.defaultRate})`, positiveNumber)
    .option('--max-wait <seconds>', 'the longest wait a rate limit (Retry-After) may ask for before the run stops with an error', positiveNumber, defaultMaxWaitMs / 1000);
}

/** The options of every import command. */
function addImportOptions(command: Command, source: SourceLabels): Command {
  return addSourceOptions(addTargetOptions(command), source)
    .option('--user-map <file>', `JSON object mapping ${source.label} ${source.userNoun}s to OpenMemory user_ids`)
    .addOption(new Option('--unmapped <policy>', `what to do with ${source.userNoun}s missing from --user-map`).choices(unmappedPolicies).default('keep'))
    .option('--no-migrate', 'refuse to write into a database that is not v1.2 instead of migrating it')
    .option('--fresh', 'ignore checkpoints: no resume, no incremental fetch')
    .option('--quiet', 'no progress on stderr (errors and the report are still printed)')
    .option('--prune', 'remove the memories om-import made of records the source no longer has (found by a full read of a user)')
    .option('--shard <i/n>', 'import only the OpenMemory users of shard i of n (0-based; by a stable hash of the mapped user_id)')
    .option('--shards <n>', 'with the shard index from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)', positiveInteger)
    .option('--workers <n>', `cores to use: the import's own thread and n − 1 threads building rows; a large user's waypoints on n threads (default: the machine's cores, ${defaultWorkers()}; 1: no threads)`, positiveInteger)
    .option('--save-export <dir>', 'also save what was fetched as JSONL, for an offline re-run with --from-file')
    .option('--report <file>', 'also write the whole per-user report to FILE: JSON (.json) or CSV (.csv), readable by you only');
}

const mem0Labels: SourceLabels = { label: 'Mem0', keyVariable: 'MEM0_API_KEY', defaultRate: mem0DefaultRateLimit, userNoun: 'user' };
const zepLabels: SourceLabels = { label: 'Zep', keyVariable: 'ZEP_API_KEY', defaultRate: zepDefaultRateLimit, userNoun: 'user' };
const supermemoryLabels: SourceLabels = {
  label: 'Supermemory', keyVariable: 'SUPERMEMORY_API_KEY', defaultRate: supermemoryDefaultRateLimit, userNoun: 'container tag',
};

/** Mem0's own options: where and what to read. */
function addMem0Options(command: Command): Command {
  return command
    .option('--base-url <url>', 'Mem0 API host (default: https://api.mem0.ai), or a self-hosted server with --self-hosted')
    .option(
      '--self-hosted',
      'read the open-source Mem0 REST server at --base-url: the key goes as X-API-Key (a per-user m0sk_ key or ADMIN_API_KEY), a JWT as Authorization: Bearer; users, agents and runs from GET /entities (a server without it reads --user-id, or the keys of --user-map)',
    )
    .option('--org-id <id>', 'Mem0 organization')
    .option('--project-id <id>', 'Mem0 project')
    .addOption(
      includeOption(
        `what to import, of ${mem0IncludeChoices.join(',')}: superseded = memories Mem0 marks replaced_by a newer one; expired = memories past their expiration_date, which Mem0 hides`,
        mem0IncludeChoices,
        mem0DefaultInclude,
      ),
    )
    .option('--from-file <file>', "read a file instead of the API: a saved Mem0 listing (JSON), an om-import snapshot (.jsonl), or the backup of Mem0's OpenMemory app (.zip)");
}

function addZepOptions(command: Command): Command {
  return command
    .option('--base-url <url>', `Zep server (default: ${zepDefaultBaseUrl}): its root reads v4 where it answers, else v3/v2/Community Edition; …/api/v2 reads only the v3 wire`)
    .addOption(includeOption(`what to import, of ${zepIncludeChoices.join(',')}`, zepIncludeChoices, zepDefaultInclude))
    .option('--from-file <file>', 'read a Zep snapshot written by --save-export instead of the API');
}

function addSupermemoryOptions(command: Command): Command {
  return command
    .option('--base-url <url>', `Supermemory API (default: ${supermemoryDefaultBaseUrl}; a path prefix is kept)`)
    .addOption(includeOption(`what to import, of ${supermemoryIncludeChoices.join(',')}`, supermemoryIncludeChoices, supermemoryIncludeChoices, 'all'))
    .addOption(new Option('--multi-tag <policy>', 'a document in several container tags: imported under each (all), or under its first only (v3/v4)').choices(multiTagPolicies).default('all'))
    .addOption(
      new Option('--api <generation>', `which Supermemory API to read: auto (v5 where the server answers it, else v3/v4), v5, or v4 (v3/v4; Supermemory's cloud ends it on ${legacyShutdownDate})`)
        .choices(supermemoryApiChoices)
        .default('auto'),
    )
    .option('--from-file <file>', 'read a Supermemory snapshot written by --save-export instead of the API');
}

/** What the run gives a source's connection: the progress display's wait line, and the interrupt that cuts requests and waits. */
type SourceConnection = Pick<ConnectionOptions, 'onWait' | 'signal'>;

/** The connection flags every source command has (--rate-limit, --concurrency, --max-wait), as each source's factory takes them. */
function connectionOptions(options: SourceReadOptions, connection: SourceConnection): ConnectionOptions {
  return { requestsPerSecond: options.rateLimit, concurrency: options.concurrency, maxWaitMs: options.maxWait * 1000, ...connection };
}

/** The Mem0 source the options name; `knownUsers`: read where a self-hosted server cannot list its users (the keys of --user-map). */
function openMem0(options: Mem0ReadOptions, apiKey: string | undefined, knownUsers: readonly string[] | undefined, connection: SourceConnection = {}): OpenedSource {
  if (!options.fromFile && !options.selfHosted && !apiKey) {
    throw new UsageError('no Mem0 API key: pass --api-key or set MEM0_API_KEY (or read an export with --from-file)');
  }
  if (options.selfHosted && !options.baseUrl) throw new UsageError('--self-hosted needs --base-url (your Mem0 server)');
  return mem0Source({
    apiKey,
    baseUrl: options.baseUrl,
    selfHosted: options.selfHosted,
    userIds: options.userId,
    knownUsers,
    include: options.include,
    orgId: options.orgId,
    projectId: options.projectId,
    fromFile: options.fromFile,
    ...connectionOptions(options, connection),
  });
}

function openZep(options: ZepReadOptions, apiKey: string | undefined, connection: SourceConnection = {}): OpenedSource {
  if (!options.fromFile && !apiKey) throw new UsageError('no Zep API key: pass --api-key or set ZEP_API_KEY (or read a snapshot with --from-file)');
  return zepSource({
    apiKey,
    baseUrl: options.baseUrl,
    fromFile: options.fromFile,
    userIds: options.userId,
    include: options.include,
    ...connectionOptions(options, connection),
  });
}

function openSupermemory(options: SupermemoryReadOptions, apiKey: string | undefined, connection: SourceConnection = {}): OpenedSource {
  if (!options.fromFile && !apiKey) {
    throw new UsageError('no Supermemory API key: pass --api-key or set SUPERMEMORY_API_KEY (or read a snapshot with --from-file)');
  }
  return supermemorySource({
    apiKey,
    baseUrl: options.baseUrl,
    fromFile: options.fromFile,
    tags: options.userId,
    include: options.include,
    multiTag: options.multiTag,
    api: options.api,
    ...connectionOptions(options, connection),
  });
}

/** A --base-url must be a URL. */
function checkedBaseUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    new URL(value);
  } catch {
    throw new UsageError(`--base-url ${value} is not a URL`);
  }
  return value;
}

/**
 * What the database holds from one source account after a run (every run's records: after a resume, the whole run),
 * as `om-import status` counts it.
 */
async function accountHoldings(target: TargetConfig, source: string, account: string): Promise<{ records: number; users: number }> {
  const status = await databaseStatus(target);
  const held = status.accounts.find((entry) => entry.source === source && entry.account === account);
  return { records: held?.records ?? 0, users: held?.users ?? 0 };
}

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

/** Imports running in this thread: an interrupt lets them finish their write; any other command only reads, and stops at once. */
let importsRunning = 0;
export function importInProgress(): boolean {
  return importsRunning > 0;
}

/** Runs the CLI with `argv` (without node and script); answers the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let redactor = new Redactor(knownSecrets(io.env, {}));
  let exitCode = 0;
  const fail = (error: unknown): number => {
    // After an interrupt, whatever stopped the run (the interrupt itself, or a request it cut short) is the interrupt.
    const interrupted = error instanceof InterruptedError ? error : io.interrupts?.aborted && io.interrupts.reason instanceof InterruptedError ? io.interrupts.reason : null;
    const shown = interrupted ?? error;
    const message = redactor.redact(describeError(shown)).replace(/\s*\n\s*/g, ' ');
    const exit = interrupted ? interrupted.exitCode : shown instanceof UsageError ? 2 : 1;
    // Under --json the reader is a program: the error is one JSON object on stderr, with a stable code.
    if (argv.includes('--json')) io.stderr(`${JSON.stringify({ error: { code: errorCode(shown), message, exitCode: exit } })}\n`);
    else io.stderr(`om-import: ${message}\n`);
    return exit;
  };

  const program = new Command('om-import')
    .description('Move AI-agent memory from Zep, Mem0 and Supermemory into a self-hosted OpenMemory v1.2 database, per user.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError(false)
    .showSuggestionAfterError(true)
    .version(packageVersion(), '-V, --version', 'print the version of om-import');

  addTargetOptions(program.command('migrate').description(`bring an OpenMemory database to schema ${currentSchemaVersion} (tenants), keeping every row`)).action(
    async (options: TargetOptions) => {
      const env = commandEnvironment(options, io.env);
      redactor = new Redactor(knownSecrets(env, { pg: options.pg }));
      const target = resolveTargetConfig({ db: options.db, pg: options.pg }, env);
      const say = (line: string): void => {
        if (!options.json) io.stdout(`${redactor.redact(line)}\n`);
      };
      say('OpenMemory Database Migration Tool (om-import)\n');
      say('[MIGRATE] Checking for pending migrations...');
      const result = await migrate(target, { dryRun: options.dryRun, allowOtherTables: options.allowOtherTables });
      if (options.json) {
        io.stdout(`${redactor.redact(JSON.stringify({ ...result, steps: result.steps }, null, 2))}\n`);
        return;
      }
      say(`[MIGRATE] Target: ${result.target}`);
      say(`[MIGRATE] Current database version: ${result.before.recordedVersion ?? 'none'} (schema state: ${result.before.name})`);
      if (result.before.missing.length > 0) say(`[MIGRATE] Missing: ${result.before.missing.join(', ')}`);
      if (result.steps.length === 0) {
        say(`[MIGRATE] No pending migrations: the schema is ${result.before.name}`);
        return;
      }
      if (result.dryRun) {
        say(`[MIGRATE] Dry run: migration ${currentSchemaVersion} - Multi-user tenant support would run these statements in one transaction:`);
        for (const step of result.steps) {
          say(`-- ${step.description}`);
          for (const statement of step.statements) say(`${statement.replace(/\s+/g, ' ')};`);
        }
        return;
      }
      if (result.backupPath) say(`[MIGRATE] Backup written to ${result.backupPath}`);
      say(`[MIGRATE] Running migration: ${currentSchemaVersion} - Multi-user tenant support`);
      for (const step of result.steps) say(`[MIGRATE]   ${step.description}`);
      say(`[MIGRATE] Migration ${currentSchemaVersion} completed successfully`);
      say('[MIGRATE] All migrations completed\n');
      say('[SUCCESS] Migration completed');
    },
  );

  /** Runs one import and prints its report; the source's HTTP client is closed whatever happens. */
  const runImport = async (
    opened: OpenedSource,
    options: ImportCommandOptions,
    env: Environment,
    tenantMap: TenantMap,
    progress: ProgressDisplay,
    nameWarnings: readonly string[],
  ): Promise<void> => {
    const { source, http } = opened;
    // Ctrl-C or SIGTERM: the display ends at once (the terminal is left clean), the batch being written is finished.
    const onInterrupt = (): void => {
      progress.stop();
      const signal = io.interrupts?.reason instanceof InterruptedError ? io.interrupts.reason.signal : 'SIGINT';
      // Under --json, stderr carries only the error object that follows.
      if (!options.json) io.stderr(`om-import: ${signal}: stopping after the batch being written (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again stops at once)\n`);
    };
    io.interrupts?.addEventListener('abort', onInterrupt, { once: true });
    importsRunning++;
    try {
      // Checked before anything is fetched: a file already there or a folder that cannot be written stops the run now.
      const reportFile = options.report === undefined ? null : ReportFile.check(options.report);
      const target = resolveTargetConfig({ db: options.db, pg: options.pg }, env);
      const report = await importFrom({
        source,
        target,
        tenantMap,
        env,
        migrate: options.migrate,
        allowOtherTables: options.allowOtherTables,
        dryRun: options.dryRun,
        fresh: options.fresh,
        prune: options.prune,
        shard: resolveShard(options, env),
        concurrency: options.concurrency,
        saveExportDir: options.saveExport,
        workers: options.workers,
        onProgress: progress.event,
        signal: io.interrupts,
      });
      progress.stop(); // the display ends before the report begins
      if (http) report.http = { ...http.stats };
      report.warnings.unshift(...nameWarnings);
      report.accountInDatabase = options.dryRun ? null : await accountHoldings(target, report.source, report.account);
      let reportFileError: unknown = null;
      try {
        reportFile?.write(report, (text) => redactor.redact(text));
      } catch (error) {
        reportFileError = error; // the report is printed all the same, then the error
      }
      const output = options.json ? JSON.stringify(report, null, 2) : formatReport(report, { reportFile: reportFileError === null ? options.report : null });
      io.stdout(`${redactor.redact(output)}\n`);
      if (reportFileError !== null) throw reportFileError;
    } finally {
      importsRunning--;
      io.interrupts?.removeEventListener('abort', onInterrupt);
      progress.stop();
      await http?.close();
    }
  };

  /** What every import command does first: the environment, the secrets to redact, the user map, the API key. */
  const prepareImport = (options: ImportCommandOptions, keyVariable: string): { env: Environment; tenantMap: TenantMap; apiKey: string | undefined } => {
    const env = commandEnvironment(options, io.env);
    const apiKey = options.apiKey ?? env[keyVariable];
    redactor = new Redactor(knownSecrets(env, { apiKey, pg: options.pg }));
    const tenantMap = loadTenantMap(options.userMap, options.unmapped);
    resolveTargetConfig({ db: options.db, pg: options.pg }, env); // a bad target is a usage error before anything is fetched
    checkedBaseUrl(options.baseUrl);
    if (options.report !== undefined) reportFormat(options.report); // a name that is neither .json nor .csv, before any source is opened
    return { env, tenantMap, apiKey };
  };

  /** Reading a source (an import, or verify <source>): progress on stderr (see progress.ts); waits named after the source (`Zep rate limit`). */
  const sourceProgress = (options: { quiet?: boolean; json?: boolean; fromFile?: string }, labels: SourceLabels): ProgressDisplay => {
    const display = progressDisplay({
      mode: progressMode({ quiet: options.quiet, json: options.json, stderrIsTty: io.stderrIsTty }),
      stream: io.stderrStream,
      partitionNoun: options.fromFile ? 'file' : labels.userNoun,
      color: colorsAllowed(io.env),
      redact: (text) => redactor.redact(text),
    });
    return {
      event: (event) => display.event(event),
      wait: (milliseconds, reason) => display.wait(milliseconds, `${labels.label} ${reason}`),
      stop: () => display.stop(),
    };
  };

  /** A source read with a display: its waits shown, its requests and waits cut by Ctrl-C or SIGTERM. */
  const reading = (progress: ProgressDisplay): SourceConnection => ({ onWait: progress.wait, signal: io.interrupts });

  /**
   * Before an import that names users (--user-id, --user-map): the source lists its users once (as `plan` does), and
   * every --user-id that names none — or, under --unmapped fail, every unmapped user — stops the run with one usage
   * error naming them all, before anything is fetched or written; map keys that name none are answered as warnings
   * for the report. A file names its users only when read: not checked.
   */
  const checkNamedUsers = async (options: ImportCommandOptions, tenantMap: TenantMap, labels: SourceLabels, openAll: () => OpenedSource): Promise<string[]> => {
    const userIds = options.userId ?? [];
    if (options.fromFile !== undefined || (userIds.length === 0 && tenantMap.sourceUsers.length === 0)) return [];
    const opened = openAll();
    try {
      // A source that cannot list its users (a self-hosted Mem0 server before 2.0.1) reads the names given: unchecked.
      const partitions = await listPartitions(opened).catch((error: unknown) => {
        if (error instanceof UsageError && userIds.length > 0) return null;
        throw error;
      });
      if (partitions === null || partitions.some((partition) => partition.tenantKey === null)) return [];
      const check = checkNames(partitions, userIds, tenantMap);
      const problem = nameCheckError(check, opened.source.name, labels.userNoun);
      if (problem) throw problem;
      const warning = mapKeyWarning(check, opened.source.name);
      return warning === null ? [] : [warning];
    } finally {
      await opened.http?.close();
    }
  };

  addMem0Options(
    addImportOptions(program.command('mem0').description('import every memory of a Mem0 account (platform, self-hosted server, or export file)'), mem0Labels),
  ).action(async (options: Mem0Options) => {
    const { env, tenantMap, apiKey } = prepareImport(options, 'MEM0_API_KEY');
    const nameWarnings = await checkNamedUsers(options, tenantMap, mem0Labels, () => openMem0({ ...options, userId: undefined }, apiKey, tenantMap.sourceUsers));
    const progress = sourceProgress(options, mem0Labels);
    const opened = openMem0(options, apiKey, tenantMap.sourceUsers, reading(progress));
    await runImport(opened, options, env, tenantMap, progress, nameWarnings);
  });

  addZepOptions(
    addImportOptions(program.command('zep').description("import every user's threads, messages, facts, data and summaries of a Zep account"), zepLabels),
  ).action(async (options: ZepOptions) => {
    const { env, tenantMap, apiKey } = prepareImport(options, 'ZEP_API_KEY');
    const nameWarnings = await checkNamedUsers(options, tenantMap, zepLabels, () => openZep({ ...options, userId: undefined }, apiKey));
    const progress = sourceProgress(options, zepLabels);
    await runImport(openZep(options, apiKey, reading(progress)), options, env, tenantMap, progress, nameWarnings);
  });

  addSupermemoryOptions(
    addImportOptions(
      program.command('supermemory').description("import every container tag's documents (full text), memory entries and profile of a Supermemory account"),
      supermemoryLabels,
    ),
  ).action(async (options: SupermemoryOptions) => {
    const { env, tenantMap, apiKey } = prepareImport(options, 'SUPERMEMORY_API_KEY');
    const nameWarnings = await checkNamedUsers(options, tenantMap, supermemoryLabels, () => openSupermemory({ ...options, userId: undefined }, apiKey));
    const progress = sourceProgress(options, supermemoryLabels);
    await runImport(openSupermemory(options, apiKey, reading(progress)), options, env, tenantMap, progress, nameWarnings);
  });

  /** Audits the database; with a source, also compares its records with the database's. Exit 1 on any finding. */
  const runVerify = async (
    options: VerifyCommandOptions & Partial<SourceReadOptions>,
    env: Environment,
    opened: OpenedSource | null,
    progress: ProgressDisplay | null = null,
  ): Promise<void> => {
    const target = resolveTargetConfig({ db: options.db, pg: options.pg }, env);
    try {
      const verification = await verifyDatabase(target, { env });
      // Reading the source shows the same display as an import's fetching (on a terminal; plain lines on a pipe).
      const comparison = opened
        ? await compareWithSource(target, opened.source, {
            readInPart: (options.userId ?? []).length > 0,
            ownerOf: verifyOwners(options.userMap),
            onProgress: progress?.event,
          }).finally(() => progress?.stop())
        : undefined;
      const output = options.json ? JSON.stringify(comparison ? { ...verification, source: comparison } : verification, null, 2) : formatVerification(verification, comparison);
      io.stdout(`${redactor.redact(output)}\n`);
      exitCode = verification.violations.length > 0 || (comparison !== undefined && sourceDiffers(comparison)) ? 1 : 0;
    } finally {
      await opened?.http?.close();
    }
  };

  /** What every verify command does first: the environment, the secrets to redact, the API key. */
  const prepareVerify = (options: VerifyCommandOptions & Partial<SourceReadOptions>, keyVariable: string | null): { env: Environment; apiKey: string | undefined } => {
    const env = commandEnvironment(options, io.env);
    const apiKey = options.apiKey ?? (keyVariable ? env[keyVariable] : undefined);
    redactor = new Redactor(knownSecrets(env, { apiKey, pg: options.pg }));
    resolveTargetConfig({ db: options.db, pg: options.pg }, env); // a bad target is a usage error before anything is fetched
    checkedBaseUrl(options.baseUrl);
    return { env, apiKey };
  };

  const verify = addDatabaseOptions(
    program
      .command('verify')
      .description('audit an OpenMemory database (vectors, waypoints, users, om-import records); with a source, compare its records with the database')
      .argument('[source]', 'zep, mem0 or supermemory: also list what the source has that the database lacks, and the reverse'),
  )
    .option('--json', 'print the result as JSON on stdout')
    .configureHelp({ showGlobalOptions: true })
    .action(async (source: string | undefined, options: VerifyCommandOptions) => {
      if (source !== undefined) throw new UsageError(`verify ${source}: not a source (expected zep, mem0 or supermemory)`);
      const { env } = prepareVerify(options, null);
      await runVerify(options, env, null);
    });

  addMem0Options(addVerifyOwners(addSourceOptions(verify.command('mem0').description("compare a Mem0 account's memories with the database (and audit it)"), mem0Labels))).action(
    async (_options: Mem0ReadOptions, command: Command) => {
      const options = command.optsWithGlobals<VerifyCommandOptions & Mem0ReadOptions>();
      const { env, apiKey } = prepareVerify(options, 'MEM0_API_KEY');
      const progress = sourceProgress(options, mem0Labels);
      await runVerify(options, env, openMem0(options, apiKey, undefined, reading(progress)), progress);
    },
  );

  addZepOptions(addVerifyOwners(addSourceOptions(verify.command('zep').description("compare a Zep account's records with the database (and audit it)"), zepLabels))).action(
    async (_options: ZepReadOptions, command: Command) => {
      const options = command.optsWithGlobals<VerifyCommandOptions & ZepReadOptions>();
      const { env, apiKey } = prepareVerify(options, 'ZEP_API_KEY');
      const progress = sourceProgress(options, zepLabels);
      await runVerify(options, env, openZep(options, apiKey, reading(progress)), progress);
    },
  );

  addSupermemoryOptions(
    addVerifyOwners(addSourceOptions(verify.command('supermemory').description("compare a Supermemory account's documents and memories with the database (and audit it)"), supermemoryLabels)),
  ).action(async (_options: SupermemoryReadOptions, command: Command) => {
    const options = command.optsWithGlobals<VerifyCommandOptions & SupermemoryReadOptions>();
    const { env, apiKey } = prepareVerify(options, 'SUPERMEMORY_API_KEY');
    const progress = sourceProgress(options, supermemoryLabels);
    await runVerify(options, env, openSupermemory(options, apiKey, reading(progress)), progress);
  });

  /**
   * Lists the source's users (cheap requests only: no record is fetched), where each would land, what the target
   * holds of them, and a rough estimate of the import. Exit 1 when a --user-id or map key names nothing.
   */
  const runPlan = async (options: PlanCommandOptions, env: Environment, opened: OpenedSource, labels: SourceLabels): Promise<void> => {
    try {
      const tenantMap = loadTenantMap(options.userMap, options.unmapped);
      const target = resolveTargetConfig({ db: options.db, pg: options.pg }, env);
      const status = await targetUsers(target);
      const userIds = options.userId ?? [];
      // A source that cannot list its users (a self-hosted Mem0 server before 2.0.1): the users named, unchecked.
      const listed = await listPartitions(opened).catch((error: unknown) => {
        if (error instanceof UsageError && userIds.length > 0) return null;
        throw error;
      });
      const partitions =
        listed === null
          ? userIds.map((id) => ({ key: id, tenantKey: id }))
          : opened.http === null
            ? await fileUsers(opened, listed)
            : listed;
      const plan = await buildPlan({
        opened,
        partitions,
        userIds,
        tenantMap,
        status,
        requestsPerSecond: options.rateLimit ?? labels.defaultRate,
        listedBySource: listed !== null,
      });
      if (options.writeMap !== undefined) writeMapTemplate(options.writeMap, plan);
      io.stdout(`${redactor.redact(options.json ? JSON.stringify(plan, null, 2) : formatPlan(plan, options.writeMap ?? null))}\n`);
      exitCode = planFails(plan) ? 1 : 0;
    } finally {
      await opened.http?.close();
    }
  };

  /** What every plan command does first: the environment, the secrets to redact, the API key. */
  const preparePlan = (options: PlanCommandOptions, keyVariable: string): { env: Environment; apiKey: string | undefined; listAll: PlanCommandOptions } => {
    const env = loadEnvironment(options.envFile, io.env);
    const apiKey = options.apiKey ?? env[keyVariable];
    redactor = new Redactor(knownSecrets(env, { apiKey, pg: options.pg }));
    resolveTargetConfig({ db: options.db, pg: options.pg }, env);
    checkedBaseUrl(options.baseUrl);
    // The source lists every user, so that a --user-id that names none shows.
    return { env, apiKey, listAll: { ...options, userId: undefined } };
  };

  const plan = program
    .command('plan')
    .description("before importing: the source's users with the records it announces, where each would land (--user-map), what the target holds of them, and a rough estimate; reads no record, writes nothing");
  const addPlanOptions = (command: Command, labels: SourceLabels): Command =>
    addSourceOptions(addDatabaseOptions(command), labels)
      .option('--json', 'print the plan as JSON on stdout')
      .option('--user-map <file>', `JSON object mapping ${labels.label} ${labels.userNoun}s to OpenMemory user_ids`)
      .addOption(new Option('--unmapped <policy>', `what to do with ${labels.userNoun}s missing from --user-map`).choices(unmappedPolicies).default('keep'))
      .option('--write-map <file>', 'also write a --user-map template naming every listed user (identity), never over an existing file');

  addMem0Options(addPlanOptions(plan.command('mem0').description("plan an import of a Mem0 account: its users, agents and runs"), mem0Labels)).action(
    async (options: PlanCommandOptions & Mem0ReadOptions) => {
      const { env, apiKey, listAll } = preparePlan(options, 'MEM0_API_KEY');
      const tenantMap = loadTenantMap(options.userMap, options.unmapped);
      await runPlan(options, env, openMem0({ ...options, userId: listAll.userId }, apiKey, tenantMap.sourceUsers), mem0Labels);
    },
  );
  addZepOptions(addPlanOptions(plan.command('zep').description("plan an import of a Zep account: its users, threads without a user and graphs"), zepLabels)).action(
    async (options: PlanCommandOptions & ZepReadOptions) => {
      const { env, apiKey, listAll } = preparePlan(options, 'ZEP_API_KEY');
      await runPlan(options, env, openZep({ ...options, userId: listAll.userId }, apiKey), zepLabels);
    },
  );
  addSupermemoryOptions(addPlanOptions(plan.command('supermemory').description("plan an import of a Supermemory account: its container tags"), supermemoryLabels)).action(
    async (options: PlanCommandOptions & SupermemoryReadOptions) => {
      const { env, apiKey, listAll } = preparePlan(options, 'SUPERMEMORY_API_KEY');
      await runPlan(options, env, openSupermemory({ ...options, userId: listAll.userId }, apiKey), supermemoryLabels);
    },
  );

  addDatabaseOptions(
    program.command('status').description("what the database holds from om-import: runs per source and account, what a resume or an incremental run would do, memories per user"),
  )
    .option('--json', 'print the whole status as JSON on stdout')
    .action(async (options: VerifyCommandOptions) => {
      const env = commandEnvironment(options, io.env);
      redactor = new Redactor(knownSecrets(env, { pg: options.pg }));
      const status = await databaseStatus(resolveTargetConfig({ db: options.db, pg: options.pg }, env));
      io.stdout(`${redactor.redact(options.json ? JSON.stringify(status, null, 2) : formatStatus(status))}\n`);
    });

  addHelpExamples(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help exits 0; a usage problem (or no command at all) is 2. Commander has already printed its line.
      return error.exitCode === 0 ? 0 : 2;
    }
    exitCode = fail(error);
  }
  return exitCode;
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
