// `migrate` as a function: open a target, bring it to v1.2 (or plan it), close it.
import { openTarget, type TargetConfig } from './database/open-target.js';
import type { MigrateOptions, MigrationResult } from './database/target.js';

export async function migrate(target: TargetConfig, options: MigrateOptions = {}): Promise<MigrationResult & { target: string }> {
  const opened = await openTarget(target, { dryRun: options.dryRun });
  try {
    return { ...(await opened.migrate(options)), target: opened.description };
  } finally {
    await opened.close();
  }
}
