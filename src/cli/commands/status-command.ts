// `om-import status`: what a database holds from om-import (only reading).
import type { Command } from 'commander';
import { resolveTargetConfig } from '../../database/open-target.js';
import { databaseStatus, formatStatus } from '../../status.js';
import type { CliContext } from '../cli-context.js';
import { addDatabaseOptions, commandEnvironment, type VerifyCommandOptions } from '../command-options.js';

export function addStatusCommand(program: Command, cli: CliContext): void {
  addDatabaseOptions(
    program.command('status').description("what the database holds from om-import: runs per source and account, what a resume or an incremental run would do, memories per user"),
  )
    .option('--json', 'print the whole status as JSON on stdout')
    .action(async (options: VerifyCommandOptions) => {
      const env = commandEnvironment(options, cli.io.env);
      cli.redactSecrets(env, { pg: options.pg });
      const status = await databaseStatus(resolveTargetConfig({ db: options.db, pg: options.pg }, env));
      cli.print(options.json ? JSON.stringify(status, null, 2) : formatStatus(status));
    });
}
