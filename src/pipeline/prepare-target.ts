// Before the first write: the target is migrated (or checked with --no-migrate), and its vectors must have the
// dimension this run will write.
import { TargetError } from '../errors.js';
import { storedDimension, type EmbeddingConfig } from '../openmemory/embedding-config.js';
import type { OpenMemoryWriter } from '../database/openmemory-writer.js';
import type { Target } from '../database/target.js';
import type { ImportOptions } from './import.js';
import type { ImportReport } from './report.js';

/** Migrates (or, in a dry run, plans) the target, or refuses a non-v1.2 one under `migrate: false`. */
export async function prepareTarget(target: Target, options: ImportOptions, dryRun: boolean): Promise<ImportReport['migration']> {
  if (options.migrate === false) {
    await target.requireV12();
    return null;
  }
  const result = await target.migrate({ dryRun, allowOtherTables: options.allowOtherTables });
  if (result.steps.length === 0) return null;
  const migration = {
    from: result.before.name,
    to: dryRun ? 'v1.2 (planned)' : result.after.name,
    steps: result.steps.map((step) => step.description),
    backupPath: result.backupPath,
  };
  options.onProgress?.({ type: 'migrated', from: migration.from, to: migration.to, backupPath: migration.backupPath });
  return migration;
}

export async function refuseMixedDimensions(target: Target, writer: OpenMemoryWriter, config: EmbeddingConfig): Promise<void> {
  const { facts } = await target.inspect();
  if (!facts.tables.has(target.dialect.tables.vectors)) return;
  const wanted = storedDimension(config);
  const stored = (await writer.storedDimensions()).filter((dimension) => dimension !== wanted);
  if (stored.length > 0) {
    throw new TargetError(
      `${target.description} already holds ${stored.join(', ')}-dimensional vectors, but OM_TIER=${config.tier} and OM_VEC_DIM give ${wanted}: OpenMemory cannot compare the two`,
      { hint: `set OM_VEC_DIM=${stored[0]} (and the OM_TIER your OpenMemory server uses) so the import matches` },
    );
  }
}
