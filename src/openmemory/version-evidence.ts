// What a database's own rows tell about the OpenMemory version that wrote them: the dimension of its vectors (each
// version's tier default) and the sectors its memories were classified in (each version's patterns).
import { defaultDimensions, type Tier } from './embedding-config.js';
import { openMemoryVersions, type OpenMemoryVersion } from './openmemory-version.js';
import { classify, isSector } from './sectors.js';
import { jsonObject } from '../stored-json.js';

/** The versions whose default dimension for `tier` is `dimension`. */
export function versionsDefaultingTo(tier: Tier, dimension: number): OpenMemoryVersion[] {
  return openMemoryVersions.filter((version) => defaultDimensions[version][tier] === dimension);
}

/** A memory as stored: the text it was classified from, its primary sector, its meta (JSON text or null). */
export interface StoredMemory {
  content: string;
  primarySector: string;
  meta: string | null;
}

/**
 * For each version, how many memories only its patterns classify into their stored primary sector. Memories both
 * versions classify alike tell nothing, nor do those whose meta forces a sector (upstream reads `meta.sector` first).
 */
export function classifierVotes(memories: Iterable<StoredMemory>): Record<OpenMemoryVersion, number> {
  const votes: Record<OpenMemoryVersion, number> = { '1.2': 0, '1.3': 0 };
  for (const memory of memories) {
    if (isSector(jsonObject(memory.meta)?.['sector'])) continue;
    const matching = openMemoryVersions.filter((version) => classify(memory.content, null, version).primary === memory.primarySector);
    if (matching.length === 1) votes[matching[0] as OpenMemoryVersion]++;
  }
  return votes;
}

