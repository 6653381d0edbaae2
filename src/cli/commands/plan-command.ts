// `om-import plan <source>`: before importing, the source's users, where each would land, what the target holds.
import { Option, type Command } from 'commander';
import { resolveTargetConfig } from '../../database/open-target.js';
import { UsageError } from '../../errors.js';
import { loadTenantMap, unmappedPolicies } from '../../pipeline/tenant-map.js';
import type { OpenedSource } from '../../records.js';
import type { CliContext } from '../cli-context.js';
import {
  addDatabaseOptions, addMem0Options, addSourceOptions, addSupermemoryOptions, addZepOptions, checkedBaseUrl, mem0Labels, supermemoryLabels, zepLabels,
  type Mem0ReadOptions, type PlanCommandOptions, type SourceLabels, type SupermemoryReadOptions, type ZepReadOptions,
} from '../command-options.js';
import { loadEnvironment, type Environment } from '../environment.js';
import { openMem0, openSupermemory, openZep } from '../open-source.js';
import { buildPlan, fileUsers, formatPlan, listPartitions, planFails, targetUsers, writeMapTemplate } from '../plan.js';

export function addPlanCommands(program: Command, cli: CliContext): void {
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
      const { env, apiKey, listAll } = preparePlan(cli, options, 'MEM0_API_KEY');
      const tenantMap = loadTenantMap(options.userMap, options.unmapped);
      await runPlan(cli, options, env, openMem0({ ...options, userId: listAll.userId }, apiKey, tenantMap.sourceUsers), mem0Labels);
    },
  );
  addZepOptions(addPlanOptions(plan.command('zep').description("plan an import of a Zep account: its users, threads without a user and graphs"), zepLabels)).action(
    async (options: PlanCommandOptions & ZepReadOptions) => {
      const { env, apiKey, listAll } = preparePlan(cli, options, 'ZEP_API_KEY');
      await runPlan(cli, options, env, openZep({ ...options, userId: listAll.userId }, apiKey), zepLabels);
    },
  );
  addSupermemoryOptions(addPlanOptions(plan.command('supermemory').description("plan an import of a Supermemory account: its container tags"), supermemoryLabels)).action(
    async (options: PlanCommandOptions & SupermemoryReadOptions) => {
      const { env, apiKey, listAll } = preparePlan(cli, options, 'SUPERMEMORY_API_KEY');
      await runPlan(cli, options, env, openSupermemory({ ...options, userId: listAll.userId }, apiKey), supermemoryLabels);
    },
  );
}

/** What every plan command does first: the environment, the secrets to redact, the API key. */
function preparePlan(cli: CliContext, options: PlanCommandOptions, keyVariable: string): { env: Environment; apiKey: string | undefined; listAll: PlanCommandOptions } {
  const env = loadEnvironment(options.envFile, cli.io.env);
  const apiKey = options.apiKey ?? env[keyVariable];
  cli.redactSecrets(env, { apiKey, pg: options.pg });
  resolveTargetConfig({ db: options.db, pg: options.pg }, env);
  checkedBaseUrl(options.baseUrl);
  // The source lists every user, so that a --user-id that names none shows.
  return { env, apiKey, listAll: { ...options, userId: undefined } };
}

/**
 * Lists the source's users (cheap requests only: no record is fetched), where each would land, what the target
 * holds of them, and a rough estimate of the import. Exit 1 when a --user-id or map key names nothing.
 */
async function runPlan(cli: CliContext, options: PlanCommandOptions, env: Environment, opened: OpenedSource, labels: SourceLabels): Promise<void> {
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
    cli.print(options.json ? JSON.stringify(plan, null, 2) : formatPlan(plan, options.writeMap ?? null));
    cli.exitCode = planFails(plan) ? 1 : 0;
  } finally {
    await opened.http?.close();
  }
}
