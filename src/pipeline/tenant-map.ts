// Which OpenMemory user_id each source user's records land under: identity by default, or a --user-map file.
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

export const unmappedPolicies = ['keep', 'skip', 'fail'] as const;
export type UnmappedPolicy = (typeof unmappedPolicies)[number];

export type TenantResolution = { userId: string } | { skip: string };

export class TenantMap {
  constructor(
    private readonly entries: ReadonlyMap<string, string> = new Map(),
    readonly unmapped: UnmappedPolicy = 'keep',
  ) {}

  /** The source users the map names (a self-hosted Mem0 server is read for exactly these). */
  get sourceUsers(): string[] {
    return [...this.entries.keys()];
  }

  /** The OpenMemory user of a source tenant, or why its records are skipped; throws under `--unmapped fail`. */
  resolve(tenantKey: string): TenantResolution {
    const mapped = this.entries.get(tenantKey);
    if (mapped !== undefined) return { userId: mapped };
    switch (this.unmapped) {
      case 'keep':
        return { userId: tenantKey };
      case 'skip':
        return { skip: `source user "${tenantKey}" is not in --user-map (--unmapped skip)` };
      case 'fail':
        throw new UsageError(`source user "${tenantKey}" is not in --user-map; add it to the map, or use --unmapped keep|skip`);
    }
  }
}

/** Reads `{ "<source user id>": "<openmemory user_id>", … }`; every problem names the file. */
export function loadTenantMap(file: string | undefined, unmapped: UnmappedPolicy = 'keep'): TenantMap {
  if (!(unmappedPolicies as readonly string[]).includes(unmapped)) {
    throw new UsageError(`--unmapped ${unmapped}: expected one of ${unmappedPolicies.join(', ')}`);
  }
  if (file === undefined) {
    if (unmapped !== 'keep') throw new UsageError(`--unmapped ${unmapped} needs --user-map`);
    return new TenantMap(new Map(), unmapped);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--user-map ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--user-map ${file}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--user-map ${file}: expected a JSON object {"<source user id>": "<openmemory user_id>"}`);
  }
  const entries = new Map<string, string>();
  for (const [source, target] of Object.entries(parsed)) {
    if (typeof target !== 'string' || target.trim() === '') {
      throw new UsageError(`--user-map ${file}: the value for "${source}" must be a non-empty string (an OpenMemory user_id)`);
    }
    entries.set(source, target);
  }
  return new TenantMap(entries, unmapped);
}
