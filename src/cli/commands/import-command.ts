// `om-import mem0|zep|supermemory`: one import, its progress on stderr and its report on stdout.
import type { Command } from 'commander';
import { resolveTargetConfig, type TargetConfig } from '../../database/open-target.js';
import { InterruptedError, UsageError } from '../../errors.js';
import { importFrom } from '../../pipeline/import.js';
import { formatReport } from '../../pipeline/report.js';
import { resolveShard } from '../../pipeline/shard.js';
import { loadTenantMap, type TenantMap } from '../../pipeline/tenant-map.js';
import type { OpenedSource } from '../../records.js';
import { databaseStatus } from '../../status.js';
import type { CliContext } from '../cli-context.js';
import {
  addImportOptions, addMem0Options, addSupermemoryOptions, addZepOptions, checkedBaseUrl, commandEnvironment, mem0Labels, supermemoryLabels, zepLabels,
  type ImportCommandOptions, type Mem0Options, type SourceLabels, type SupermemoryOptions, type ZepOptions,
} from '../command-options.js';
import type { Environment } from '../environment.js';
import { openMem0, openSupermemory, openZep } from '../open-source.js';
import { checkNames, listPartitions, mapKeyWarning, nameCheckError } from '../plan.js';
import type { ProgressDisplay } from '../progress.js';
import { ReportFile, reportFormat } from '../report-file.js';

/** Imports running in this thread: an interrupt lets them finish their write; any other command only reads, and stops at once. */
let importsRunning = 0;
export function importInProgress(): boolean {
  return importsRunning > 0;
}

export function addImportCommands(program: Command, cli: CliContext): void {
  addMem0Options(
    addImportOptions(program.command('mem0').description('import every memory of a Mem0 account (platform, self-hosted server, or export file)'), mem0Labels),
  ).action(async (options: Mem0Options) => {
    const { env, tenantMap, apiKey } = prepareImport(cli, options, 'MEM0_API_KEY');
    const nameWarnings = await checkNamedUsers(options, tenantMap, mem0Labels, () => openMem0({ ...options, userId: undefined }, apiKey, tenantMap.sourceUsers));
    const progress = cli.sourceProgress(options, mem0Labels);
    await runImport(cli, openMem0(options, apiKey, tenantMap.sourceUsers, cli.reading(progress)), options, { env, tenantMap, progress, nameWarnings });
  });

  addZepOptions(
    addImportOptions(program.command('zep').description("import every user's threads, messages, facts, data and summaries of a Zep account"), zepLabels),
  ).action(async (options: ZepOptions) => {
    const { env, tenantMap, apiKey } = prepareImport(cli, options, 'ZEP_API_KEY');
    const nameWarnings = await checkNamedUsers(options, tenantMap, zepLabels, () => openZep({ ...options, userId: undefined }, apiKey));
    const progress = cli.sourceProgress(options, zepLabels);
    await runImport(cli, openZep(options, apiKey, cli.reading(progress)), options, { env, tenantMap, progress, nameWarnings });
  });

  addSupermemoryOptions(
    addImportOptions(
      program.command('supermemory').description("import every container tag's documents (full text), memory entries and profile of a Supermemory account"),
      supermemoryLabels,
    ),
  ).action(async (options: SupermemoryOptions) => {
    const { env, tenantMap, apiKey } = prepareImport(cli, options, 'SUPERMEMORY_API_KEY');
    const nameWarnings = await checkNamedUsers(options, tenantMap, supermemoryLabels, () => openSupermemory({ ...options, userId: undefined }, apiKey));
    const progress = cli.sourceProgress(options, supermemoryLabels);
    await runImport(cli, openSupermemory(options, apiKey, cli.reading(progress)), options, { env, tenantMap, progress, nameWarnings });
  });
}

/** What every import command does first: the environment, the secrets to redact, the user map, the API key. */
function prepareImport(cli: CliContext, options: ImportCommandOptions, keyVariable: string): { env: Environment; tenantMap: TenantMap; apiKey: string | undefined } {
  const env = commandEnvironment(options, cli.io.env);
  const apiKey = options.apiKey ?? env[keyVariable];
  cli.redactSecrets(env, { apiKey, pg: options.pg });
  const tenantMap = loadTenantMap(options.userMap, options.unmapped);
  resolveTargetConfig({ db: options.db, pg: options.pg }, env); // a bad target is a usage error before anything is fetched
  checkedBaseUrl(options.baseUrl);
  if (options.report !== undefined) reportFormat(options.report); // a name that is neither .json nor .csv, before any source is opened
  return { env, tenantMap, apiKey };
}

/**
 * Before an import that names users (--user-id, --user-map): the source lists its users once (as `plan` does), and
 * every --user-id that names none — or, under --unmapped fail, every unmapped user — stops the run with one usage
 * error naming them all, before anything is fetched or written; map keys that name none are answered as warnings
 * for the report. A file names its users only when read: not checked.
 */
async function checkNamedUsers(options: ImportCommandOptions, tenantMap: TenantMap, labels: SourceLabels, openAll: () => OpenedSource): Promise<string[]> {
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
}

/** Runs one import and prints its report; the source's HTTP client is closed whatever happens. */
async function runImport(
  cli: CliContext,
  opened: OpenedSource,
  options: ImportCommandOptions,
  prepared: { env: Environment; tenantMap: TenantMap; progress: ProgressDisplay; nameWarnings: readonly string[] },
): Promise<void> {
  const { source, http } = opened;
  const { env, tenantMap, progress } = prepared;
  const { io } = cli;
  // Ctrl-C or SIGTERM: the display ends at once (the terminal is left clean), the batch being written is finished.
  const onInterrupt = (): void => {
    progress.stop();
    const signal = io.interrupts?.reason instanceof InterruptedError ? io.interrupts.reason.signal : 'SIGINT';
    // Under --json, stderr carries only the error object that follows.
    if (!options.json) io.stderr(`om-import: ${signal}: finishing the batch being written (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again: stop now)\n`);
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
    report.warnings.unshift(...prepared.nameWarnings);
    report.accountInDatabase = options.dryRun ? null : await accountHoldings(target, report.source, report.account);
    let reportFileError: unknown = null;
    try {
      reportFile?.write(report, (text) => cli.redactor.redact(text));
    } catch (error) {
      reportFileError = error; // the report is printed all the same, then the error
    }
    cli.print(options.json ? JSON.stringify(report, null, 2) : formatReport(report, { reportFile: reportFileError === null ? options.report : null }));
    if (reportFileError !== null) throw reportFileError;
  } finally {
    importsRunning--;
    io.interrupts?.removeEventListener('abort', onInterrupt);
    progress.stop();
    await http?.close();
  }
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
