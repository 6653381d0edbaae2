// `om-import verify [source]`: audits the database; with a source, also compares its records with the database's.
import type { Command } from 'commander';
import { resolveTargetConfig } from '../../database/open-target.js';
import { UsageError } from '../../errors.js';
import type { OpenedSource } from '../../records.js';
import { compareWithSource, formatVerification, sourceDiffers, verifyDatabase } from '../../verify.js';
import type { CliContext } from '../cli-context.js';
import {
  addDatabaseOptions, addMem0Options, addSourceOptions, addSupermemoryOptions, addVerifyOwners, addZepOptions, checkedBaseUrl, commandEnvironment, mem0Labels,
  supermemoryLabels, verifyOwners, zepLabels,
  type Mem0ReadOptions, type SourceReadOptions, type SupermemoryReadOptions, type VerifyCommandOptions, type ZepReadOptions,
} from '../command-options.js';
import type { Environment } from '../environment.js';
import { openMem0, openSupermemory, openZep } from '../open-source.js';
import type { ProgressDisplay } from '../progress.js';

export function addVerifyCommands(program: Command, cli: CliContext): void {
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
      const { env } = prepareVerify(cli, options, null);
      await runVerify(cli, options, env, null);
    });

  addMem0Options(addVerifyOwners(addSourceOptions(verify.command('mem0').description("compare a Mem0 account's memories with the database (and audit it)"), mem0Labels))).action(
    async (_options: Mem0ReadOptions, command: Command) => {
      const options = command.optsWithGlobals<VerifyCommandOptions & Mem0ReadOptions>();
      const { env, apiKey } = prepareVerify(cli, options, 'MEM0_API_KEY');
      const progress = cli.sourceProgress(options, mem0Labels);
      await runVerify(cli, options, env, openMem0(options, apiKey, undefined, cli.reading(progress)), progress);
    },
  );

  addZepOptions(addVerifyOwners(addSourceOptions(verify.command('zep').description("compare a Zep account's records with the database (and audit it)"), zepLabels))).action(
    async (_options: ZepReadOptions, command: Command) => {
      const options = command.optsWithGlobals<VerifyCommandOptions & ZepReadOptions>();
      const { env, apiKey } = prepareVerify(cli, options, 'ZEP_API_KEY');
      const progress = cli.sourceProgress(options, zepLabels);
      await runVerify(cli, options, env, openZep(options, apiKey, cli.reading(progress)), progress);
    },
  );

  addSupermemoryOptions(
    addVerifyOwners(addSourceOptions(verify.command('supermemory').description("compare a Supermemory account's documents and memories with the database (and audit it)"), supermemoryLabels)),
  ).action(async (_options: SupermemoryReadOptions, command: Command) => {
    const options = command.optsWithGlobals<VerifyCommandOptions & SupermemoryReadOptions>();
    const { env, apiKey } = prepareVerify(cli, options, 'SUPERMEMORY_API_KEY');
    const progress = cli.sourceProgress(options, supermemoryLabels);
    await runVerify(cli, options, env, openSupermemory(options, apiKey, cli.reading(progress)), progress);
  });
}

/** What every verify command does first: the environment, the secrets to redact, the API key. */
function prepareVerify(
  cli: CliContext,
  options: VerifyCommandOptions & Partial<SourceReadOptions>,
  keyVariable: string | null,
): { env: Environment; apiKey: string | undefined } {
  const env = commandEnvironment(options, cli.io.env);
  const apiKey = options.apiKey ?? (keyVariable ? env[keyVariable] : undefined);
  cli.redactSecrets(env, { apiKey, pg: options.pg });
  resolveTargetConfig({ db: options.db, pg: options.pg }, env); // a bad target is a usage error before anything is fetched
  checkedBaseUrl(options.baseUrl);
  return { env, apiKey };
}

/** Audits the database; with a source, also compares its records with the database's. Exit 1 on any finding. */
async function runVerify(
  cli: CliContext,
  options: VerifyCommandOptions & Partial<SourceReadOptions>,
  env: Environment,
  opened: OpenedSource | null,
  progress: ProgressDisplay | null = null,
): Promise<void> {
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
    cli.print(options.json ? JSON.stringify(comparison ? { ...verification, source: comparison } : verification, null, 2) : formatVerification(verification, comparison));
    cli.exitCode = verification.violations.length > 0 || (comparison !== undefined && sourceDiffers(comparison)) ? 1 : 0;
  } finally {
    await opened?.http?.close();
  }
}
