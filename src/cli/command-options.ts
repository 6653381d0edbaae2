// The flags of every command, defined once: which database, how a source is read, what an import does.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { mem0DefaultInclude, mem0DefaultRateLimit, mem0IncludeChoices, type Mem0Include } from '../../adapters/mem0/index.js';
import {
  legacyShutdownDate, multiTagPolicies, supermemoryApiChoices, supermemoryDefaultBaseUrl, supermemoryDefaultRateLimit, supermemoryIncludeChoices,
  type MultiTagPolicy, type SupermemoryApiChoice, type SupermemoryInclude,
} from '../../adapters/supermemory/index.js';
import { zepDefaultBaseUrl, zepDefaultInclude, zepDefaultRateLimit, zepIncludeChoices, type ZepInclude } from '../../adapters/zep/index.js';
import { UsageError } from '../errors.js';
import { defaultMaxWaitMs } from '../http/http-client.js';
import { defaultWorkers } from '../openmemory/row-pool.js';
import { parseOpenMemoryVersion } from '../openmemory/openmemory-version.js';
import { loadTenantMap, unmappedPolicies, type UnmappedPolicy } from '../pipeline/tenant-map.js';
import { loadEnvironment, type Environment } from './environment.js';

export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a whole number above 0');
  return parsed;
}

export function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a number above 0');
  return parsed;
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export interface TargetOptions {
  db?: string;
  pg?: string;
  envFile?: string;
  openmemory?: string;
  json?: boolean;
  dryRun?: boolean;
  allowOtherTables?: boolean;
}

/** How a source is read: the options every source command (import or verify) has. */
export interface SourceReadOptions {
  apiKey?: string;
  baseUrl?: string;
  userId?: string[];
  fromFile?: string;
  concurrency: number;
  rateLimit?: number;
  maxWait: number;
}

/** The options every import command has, whatever the source. */
export interface ImportCommandOptions extends TargetOptions, SourceReadOptions {
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

export interface Mem0ReadOptions extends SourceReadOptions {
  selfHosted?: boolean;
  orgId?: string;
  projectId?: string;
  include: Mem0Include[];
}

export interface ZepReadOptions extends SourceReadOptions {
  include: ZepInclude[];
}

export interface SupermemoryReadOptions extends SourceReadOptions {
  include: SupermemoryInclude[];
  multiTag: MultiTagPolicy;
  api: SupermemoryApiChoice;
}

/** `om-import plan <source>`: the source's reading options, the mapping, the target, and a map template to write. */
export interface PlanCommandOptions extends SourceReadOptions {
  db?: string;
  pg?: string;
  envFile?: string;
  json?: boolean;
  userMap?: string;
  unmapped: UnmappedPolicy;
  writeMap?: string;
}

export interface Mem0Options extends ImportCommandOptions, Mem0ReadOptions {}
export interface ZepOptions extends ImportCommandOptions, ZepReadOptions {}
export interface SupermemoryOptions extends ImportCommandOptions, SupermemoryReadOptions {}

/** `om-import verify` and its source subcommands (whose target options are verify's own). */
export interface VerifyCommandOptions {
  db?: string;
  pg?: string;
  envFile?: string;
  json?: boolean;
  userMap?: string;
}

/** `verify <source> --user-map`: each record is checked to be under the user its owner maps to, as the import mapped it. */
export function addVerifyOwners(command: Command): Command {
  return command.option('--user-map <file>', 'the --user-map the import used: each record must be under the user its owner maps to (default: the source user\'s own id)');
}

/** The OpenMemory user of a source user's records, as an import with this map (and unmapped users kept) puts them. */
export function verifyOwners(userMap: string | undefined): (tenantKey: string) => string | null {
  const tenantMap = loadTenantMap(userMap, 'keep');
  return (tenantKey) => {
    const resolution = tenantMap.resolve(tenantKey);
    return 'userId' in resolution ? resolution.userId : null;
  };
}

/** `--include a,b`: a comma-separated subset of `choices`. */
export function includeList<Choice extends string>(choices: readonly Choice[]): (value: string) => Choice[] {
  return (value) => {
    const chosen = value.split(',').map((part) => part.trim()).filter(Boolean);
    const unknown = chosen.filter((part) => !(choices as readonly string[]).includes(part));
    if (unknown.length > 0 || chosen.length === 0) throw new InvalidArgumentError(`expected a comma-separated list of ${choices.join(', ')}`);
    return [...new Set(chosen)] as Choice[];
  };
}

/** `--include <list>`, its default shown once, as a list (commander would print the array, after ours). */
export function includeOption<Choice extends string>(description: string, choices: readonly Choice[], defaults: readonly Choice[], defaultName = defaults.join(',')): Option {
  return new Option('--include <list>', description).argParser(includeList(choices)).default([...defaults], defaultName);
}

/** Which database: a SQLite file or PostgreSQL, and OpenMemory's .env. */
export function addDatabaseOptions(command: Command): Command {
  return command
    .option('--db <path>', 'SQLite database file (default: OM_DB_PATH or ./data/openmemory.sqlite)')
    .option('--pg <url>', 'PostgreSQL connection URL (default: OM_METADATA_BACKEND=postgres with OM_PG_*)')
    .option('--env-file <path>', "OpenMemory's .env to read (default: ./.env when present)")
    .option('--openmemory <version>', 'the OpenMemory release to compute rows for: 1.2 (1.2.x) or 1.3 (1.3.0) (default: OM_IMPORT_OPENMEMORY, else 1.2)');
}

/** The environment a command reads: the process's over OpenMemory's .env, with --openmemory over both. */
export function commandEnvironment(options: TargetOptions, processEnv: Environment): Environment {
  const env = loadEnvironment(options.envFile, processEnv);
  if (options.openmemory === undefined) return env;
  parseOpenMemoryVersion(options.openmemory, '--openmemory'); // a usage error before anything is opened
  return { ...env, OM_IMPORT_OPENMEMORY: options.openmemory };
}

export function addTargetOptions(command: Command): Command {
  return addDatabaseOptions(command)
    .option('--dry-run', 'show what would change; write nothing')
    .option('--allow-other-tables', "add OpenMemory's tables to a SQLite file that holds another application's tables and none of OpenMemory's (refused otherwise)")
    .option('--json', 'print the result as JSON on stdout');
}

export interface SourceLabels {
  label: string;
  keyVariable: string;
  defaultRate: number;
  userNoun: string;
}

/** How a source is read (its key, which users, how fast); `source` names the source in help texts. */
export function addSourceOptions(command: Command, source: SourceLabels): Command {
  return command
    .option('--api-key <key>', `${source.label} API key (default: ${source.keyVariable})`)
    .option('--user-id <id>', `read only this ${source.userNoun} (repeatable)`, collect)
    .option('--concurrency <n>', `${source.userNoun}s fetched at once, and requests in flight`, positiveInteger, 4)
    .option('--rate-limit <r>', `requests per second at most (default ${source.defaultRate})`, positiveNumber)
    .option('--max-wait <seconds>', 'the longest wait a rate limit (Retry-After) may ask for before the run stops with an error', positiveNumber, defaultMaxWaitMs / 1000);
}

/** The options of every import command. */
export function addImportOptions(command: Command, source: SourceLabels): Command {
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

export const mem0Labels: SourceLabels = { label: 'Mem0', keyVariable: 'MEM0_API_KEY', defaultRate: mem0DefaultRateLimit, userNoun: 'user' };
export const zepLabels: SourceLabels = { label: 'Zep', keyVariable: 'ZEP_API_KEY', defaultRate: zepDefaultRateLimit, userNoun: 'user' };
export const supermemoryLabels: SourceLabels = {
  label: 'Supermemory', keyVariable: 'SUPERMEMORY_API_KEY', defaultRate: supermemoryDefaultRateLimit, userNoun: 'container tag',
};

/** Mem0's own options: where and what to read. */
export function addMem0Options(command: Command): Command {
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

export function addZepOptions(command: Command): Command {
  return command
    .option('--base-url <url>', `Zep server (default: ${zepDefaultBaseUrl}): its root reads v4 where it answers, else v3/v2/Community Edition; …/api/v2 reads only the v3 wire`)
    .addOption(includeOption(`what to import, of ${zepIncludeChoices.join(',')}`, zepIncludeChoices, zepDefaultInclude))
    .option('--from-file <file>', 'read a Zep snapshot written by --save-export instead of the API');
}

export function addSupermemoryOptions(command: Command): Command {
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

/** A --base-url must be a URL. */
export function checkedBaseUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    new URL(value);
  } catch {
    throw new UsageError(`--base-url ${value} is not a URL`);
  }
  return value;
}
