// The command line: a thin shell over the programmatic API. Exit 0 ok, 1 failed, 2 usage.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { mem0DefaultRateLimit, mem0Source } from '../../adapters/mem0/index.js';
import { describeError, UsageError } from '../errors.js';
import { migrate } from '../migrate.js';
import { importFrom, type ProgressEvent } from '../pipeline/import.js';
import { formatReport } from '../pipeline/report.js';
import { loadTenantMap, unmappedPolicies, type UnmappedPolicy } from '../pipeline/tenant-map.js';
import { resolveTargetConfig } from '../target/open-target.js';
import { currentSchemaVersion } from '../target/schema-definition.js';
import { knownSecrets, loadEnvironment, Redactor, type Environment } from './environment.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stderrIsTty: boolean;
  env: Environment;
}

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: !!process.stderr.isTTY,
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
  json?: boolean;
  dryRun?: boolean;
}

interface Mem0Options extends TargetOptions {
  apiKey?: string;
  baseUrl?: string;
  selfHosted?: boolean;
  userId?: string[];
  orgId?: string;
  projectId?: string;
  fromFile?: string;
  userMap?: string;
  unmapped: UnmappedPolicy;
  migrate: boolean;
  concurrency: number;
  rateLimit?: number;
  fresh?: boolean;
  saveExport?: string;
}

function addTargetOptions(command: Command): Command {
  return command
    .option('--db <path>', 'SQLite database file (default: OM_DB_PATH or ./data/openmemory.sqlite)')
    .option('--pg <url>', 'PostgreSQL connection URL (default: OM_METADATA_BACKEND=postgres with OM_PG_*)')
    .option('--env-file <path>', "OpenMemory's .env to read (default: ./.env when present)")
    .option('--dry-run', 'show what would change; write nothing')
    .option('--json', 'print the result as JSON on stdout');
}

/** Runs the CLI with `argv` (without node and script); answers the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let redactor = new Redactor(knownSecrets(io.env, {}));
  let exitCode = 0;
  const fail = (error: unknown): number => {
    const usage = error instanceof UsageError;
    io.stderr(`om-import: ${redactor.redact(describeError(error)).replace(/\s*\n\s*/g, ' ')}\n`);
    return usage ? 2 : 1;
  };

  const program = new Command('om-import')
    .description('Move AI-agent memory from Mem0 (Zep and Supermemory next) into a self-hosted OpenMemory v1.2 database, per user.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError(false);

  addTargetOptions(program.command('migrate').description(`bring an OpenMemory database to schema ${currentSchemaVersion} (tenants), keeping every row`)).action(
    async (options: TargetOptions) => {
      const env = loadEnvironment(options.envFile, io.env);
      redactor = new Redactor(knownSecrets(env, { pg: options.pg }));
      const target = resolveTargetConfig({ db: options.db, pg: options.pg }, env);
      const say = (line: string): void => {
        if (!options.json) io.stdout(`${redactor.redact(line)}\n`);
      };
      say('OpenMemory Database Migration Tool (om-import)\n');
      say('[MIGRATE] Checking for pending migrations...');
      const result = await migrate(target, { dryRun: options.dryRun });
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

  addTargetOptions(program.command('mem0').description('import every memory of a Mem0 account (platform, self-hosted server, or export file)'))
    .option('--api-key <key>', 'Mem0 API key (default: MEM0_API_KEY)')
    .option('--base-url <url>', 'Mem0 API host (default: https://api.mem0.ai), or a self-hosted server with --self-hosted')
    .option('--self-hosted', 'read the open-source Mem0 REST server at --base-url')
    .option('--user-id <id>', 'read only this user (repeatable); a self-hosted server needs them (default there: the keys of --user-map)', collect)
    .option('--org-id <id>', 'Mem0 organization')
    .option('--project-id <id>', 'Mem0 project')
    .option('--from-file <file>', 'read a Mem0 export (JSON) or an om-import snapshot (.jsonl) instead of the API')
    .option('--user-map <file>', 'JSON object mapping source user ids to OpenMemory user_ids')
    .addOption(new Option('--unmapped <policy>', 'what to do with users missing from --user-map').choices(unmappedPolicies).default('keep'))
    .option('--no-migrate', 'refuse to write into a database that is not v1.2 instead of migrating it')
    .option('--concurrency <n>', 'users fetched at once, and requests in flight', positiveInteger, 4)
    .option('--rate-limit <r>', `requests per second at most (default ${mem0DefaultRateLimit})`, positiveNumber)
    .option('--fresh', 'ignore checkpoints: no resume, no incremental fetch')
    .option('--save-export <dir>', 'also save what was fetched as JSONL, for an offline re-run with --from-file')
    .action(async (options: Mem0Options) => {
      const env = loadEnvironment(options.envFile, io.env);
      const apiKey = options.apiKey ?? env['MEM0_API_KEY'];
      redactor = new Redactor(knownSecrets(env, { apiKey, pg: options.pg }));
      const tenantMap = loadTenantMap(options.userMap, options.unmapped);
      const target = resolveTargetConfig({ db: options.db, pg: options.pg }, env);
      if (!options.fromFile && !options.selfHosted && !apiKey) {
        throw new UsageError('no Mem0 API key: pass --api-key or set MEM0_API_KEY (or read an export with --from-file)');
      }
      if (options.selfHosted && !options.baseUrl) throw new UsageError('--self-hosted needs --base-url (your Mem0 server)');
      if (options.baseUrl) {
        try {
          new URL(options.baseUrl);
        } catch {
          throw new UsageError(`--base-url ${options.baseUrl} is not a URL`);
        }
      }
      const { source, http } = mem0Source({
        apiKey,
        baseUrl: options.baseUrl,
        selfHosted: options.selfHosted,
        userIds: options.userId ?? (options.selfHosted ? tenantMap.sourceUsers : undefined),
        orgId: options.orgId,
        projectId: options.projectId,
        fromFile: options.fromFile,
        requestsPerSecond: options.rateLimit,
        concurrency: options.concurrency,
      });
      try {
        const report = await importFrom({
          source,
          target,
          tenantMap,
          env,
          migrate: options.migrate,
          dryRun: options.dryRun,
          fresh: options.fresh,
          concurrency: options.concurrency,
          saveExportDir: options.saveExport,
          onProgress: io.stderrIsTty ? (event) => io.stderr(`${redactor.redact(progressLine(event))}\n`) : undefined,
        });
        if (http) report.http = { ...http.stats };
        io.stdout(`${redactor.redact(options.json ? JSON.stringify(report, null, 2) : formatReport(report))}\n`);
      } finally {
        await http?.close();
      }
    });

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

function progressLine(event: ProgressEvent): string {
  switch (event.type) {
    case 'migrated':
      return `schema ${event.from} → ${event.to}${event.backupPath ? ` (backup: ${event.backupPath})` : ''}`;
    case 'partition':
      return `${event.partition}: ${event.fetched} fetched`;
    case 'finalizing':
      return `waypoints and summaries for ${event.users} users…`;
  }
}
