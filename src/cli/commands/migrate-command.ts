// `om-import migrate`: brings an OpenMemory database to v1.2, printing what the OpenMemory migration tool prints.
import type { Command } from 'commander';
import { resolveTargetConfig } from '../../database/open-target.js';
import { currentSchemaVersion } from '../../database/schema-definition.js';
import { migrate } from '../../migrate.js';
import type { CliContext } from '../cli-context.js';
import { addTargetOptions, commandEnvironment, type TargetOptions } from '../command-options.js';

export function addMigrateCommand(program: Command, cli: CliContext): void {
  addTargetOptions(program.command('migrate').description(`bring an OpenMemory database to schema ${currentSchemaVersion} (tenants), keeping every row`)).action(
    async (options: TargetOptions) => {
      const env = commandEnvironment(options, cli.io.env);
      cli.redactSecrets(env, { pg: options.pg });
      const target = resolveTargetConfig({ db: options.db, pg: options.pg }, env);
      const say = (line: string): void => {
        if (!options.json) cli.print(line);
      };
      say('OpenMemory Database Migration Tool (om-import)\n');
      say('[MIGRATE] Checking for pending migrations...');
      const result = await migrate(target, { dryRun: options.dryRun, allowOtherTables: options.allowOtherTables });
      if (options.json) {
        cli.print(JSON.stringify({ ...result, steps: result.steps }, null, 2));
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
}
