// Opening an OpenMemory database to read it only (`om-import verify`, `om-import status`): a missing SQLite file is not
// created, every statement is refused a write, and a database that is not v1.2 is a usage error naming the fix.
import { UsageError } from '../errors.js';
import { openTarget, type TargetConfig } from './open-target.js';
import type { SchemaFacts, SchemaStateName } from './schema-state.js';
import type { Target } from './target.js';

export interface ReadableDatabase {
  target: Target;
  facts: SchemaFacts;
  schema: SchemaStateName;
}

/**
 * Opens a database to read it only, and refuses one that is not v1.2 — with a usage error, as the fix is to run
 * `om-import migrate` first. `purpose` ends the message: `nothing to verify`.
 */
export async function openReadOnly(config: TargetConfig, purpose: string): Promise<ReadableDatabase> {
  const target = await openTarget(config, { dryRun: true });
  try {
    await target.executor.run(target.dialect.name === 'sqlite' ? 'pragma query_only = on' : 'set default_transaction_read_only = on');
    const { facts, state } = await target.inspect();
    if (state.name === 'v1.2' || state.name === 'newer') return { target, facts, schema: state.name };
    const migrateHint = 'run `om-import migrate` first';
    const message =
      state.name === 'missing'
        ? `${target.description} does not exist: ${purpose} (check --db, --pg and OpenMemory's OM_* settings, or ${migrateHint})`
        : `${target.description} ${
            state.name === 'partial' ? `is partly migrated (missing: ${state.missing.join(', ')})` : state.name === 'empty' ? 'has no OpenMemory tables' : `is ${state.name}`
          }, not an OpenMemory v1.2 database: ${purpose} (${migrateHint})`;
    throw new UsageError(message);
  } catch (error) {
    await target.close();
    throw error;
  }
}
