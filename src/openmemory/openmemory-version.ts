// Which OpenMemory release the rows are computed for. 1.2.3 and 1.3.0 share the schema and every algorithm but two:
// the dimension each tier defaults to (core/cfg.ts `tier_dims`) and the sector classifier's patterns (memory/hsg.ts
// `sector_configs`). See ../shared/openmemory/VERSIONS.md §3–4.
import { UsageError } from '../errors.js';

export const openMemoryVersions = ['1.2', '1.3'] as const;
export type OpenMemoryVersion = (typeof openMemoryVersions)[number];

/** The version om-import writes for unless told otherwise (`--openmemory`, `OM_IMPORT_OPENMEMORY`). */
export const defaultOpenMemoryVersion: OpenMemoryVersion = '1.2';

/** How the report and errors name a version: the releases whose rows it computes. */
export const openMemoryReleases: Readonly<Record<OpenMemoryVersion, string>> = {
  '1.2': 'OpenMemory 1.2.x (1.2.3)',
  '1.3': 'OpenMemory 1.3.0',
};

export function isOpenMemoryVersion(value: unknown): value is OpenMemoryVersion {
  return typeof value === 'string' && (openMemoryVersions as readonly string[]).includes(value);
}

/**
 * `1.2`, `1.2.3`, `1.3`, `v1.3.0` → the version; anything else is a usage error naming where it came from. 1.3.1 and
 * later (OpenMemory's unreleased main) are refused: main needs another layout (see the README).
 */
export function parseOpenMemoryVersion(raw: string, from: string): OpenMemoryVersion {
  const match = /^v?(1)\.([23])(?:\.(\d+))?$/.exec(raw.trim());
  const version = match && (match[2] === '2' || match[3] === undefined || match[3] === '0') ? `${match[1]}.${match[2]}` : null;
  if (!isOpenMemoryVersion(version)) {
    throw new UsageError(
      `${from} ${raw} is not an OpenMemory release om-import writes rows for: use 1.2 (OpenMemory 1.2.x) or 1.3 (its last release, 1.3.0); ` +
        "OpenMemory's unreleased main (1.3.3) needs another layout, see the README",
    );
  }
  return version;
}

/** The other version, for the report's "how to choose the other" and refusals. */
export function otherOpenMemoryVersion(version: OpenMemoryVersion): OpenMemoryVersion {
  return version === '1.2' ? '1.3' : '1.2';
}
