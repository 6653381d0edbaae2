// Before the first write: the target is migrated (or checked with --no-migrate), and its rows must be those of the
// OpenMemory version this run computes for (the dimension of its vectors, the classifier of its memories).
import { TargetError } from '../errors.js';
import { storedDimension, type EmbeddingConfig } from '../openmemory/embedding-config.js';
import { openMemoryReleases, otherOpenMemoryVersion } from '../openmemory/openmemory-version.js';
import { classifierVotes, versionsDefaultingTo } from '../openmemory/version-evidence.js';
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

/** Memories the sector check reads: the newest this many that OpenMemory itself wrote. */
const classifierSample = 1000;

/**
 * Refuses to write rows unlike the target's own: vectors of another dimension (a server scores them 0), or memories
 * classified with one version's patterns into a database OpenMemory filled with the other's (its server-written
 * memories, newest first; om-import's own are left out, a re-run for another version rewrites them). Both errors
 * name the two versions and how to choose.
 */
export async function refuseMismatchedRows(target: Target, writer: OpenMemoryWriter, config: EmbeddingConfig): Promise<void> {
  const { facts } = await target.inspect();
  if (!facts.tables.has(target.dialect.tables.memories)) return;
  const chosen = config.openMemoryVersion;
  const other = otherOpenMemoryVersion(chosen);
  const wanted = storedDimension(config);
  const stored = facts.tables.has(target.dialect.tables.vectors) ? (await writer.storedDimensions()).filter((dimension) => dimension !== wanted) : [];
  if (stored.length > 0) {
    const othersDefault = !config.dimensionFromEnv && stored.length === 1 && versionsDefaultingTo(config.tier, stored[0] as number).includes(other);
    throw new TargetError(
      othersDefault
        ? `${target.description} already holds ${stored[0]}-dimensional vectors, as ${openMemoryReleases[other]} writes them (OM_TIER=${config.tier}), ` +
            `but ${openMemoryReleases[chosen]} writes ${wanted}: a server of one cannot search the other's vectors`
        : `${target.description} already holds ${stored.join(', ')}-dimensional vectors, but OM_TIER=${config.tier} and OM_VEC_DIM give ${wanted} ` +
            `(${openMemoryReleases[chosen]}): OpenMemory cannot compare the two`,
      {
        hint: othersDefault
          ? `run with --openmemory ${other} if your server is ${openMemoryReleases[other]}; if it is ${openMemoryReleases[chosen]}, set OM_VEC_DIM=${stored[0]} when it runs so, else import into a new database`
          : `set OM_VEC_DIM=${stored[0]} (and the OM_TIER your OpenMemory server uses) so the import matches`,
      },
    );
  }
  const memories = await target.executor.all<{ content: string | null; primary_sector: string | null; meta: string | null }>(
    `select content, primary_sector, meta from ${target.dialect.qualified(target.dialect.tables.memories)}
      where meta is null or meta not like ? order by created_at desc limit ${classifierSample}`,
    ['%"om_import":%'],
  );
  const votes = classifierVotes(
    memories.map((memory) => ({ content: String(memory.content ?? ''), primarySector: String(memory.primary_sector ?? ''), meta: memory.meta })),
  );
  if (votes[other] > 0 && votes[chosen] === 0) {
    throw new TargetError(
      `${target.description} holds memories OpenMemory classified with ${openMemoryReleases[other]}'s patterns ` +
        `(${votes[other]} of its newest ${memories.length} fall in the sector only that version gives them), but this run computes rows as ${openMemoryReleases[chosen]} does`,
      { hint: `run with --openmemory ${other} (or OM_IMPORT_OPENMEMORY=${other}) to classify as that server does` },
    );
  }
}
