// Which OpenMemory user_id each source user's records land under: identity by default, or a --user-map file.
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

export const unmappedPolicies = ['keep', 'skip', 'fail'] as const;
export type UnmappedPolicy = (typeof unmappedPolicies)[number];

export type TenantResolution = { userId: string } | { skip: string };

export class TenantMap {
  /** Tenants the map names by one of their aliases (see `alias`), and the target. */
  private readonly aliased = new Map<string, string>();

  constructor(
    private readonly entries: ReadonlyMap<string, string> = new Map(),
    readonly unmapped: UnmappedPolicy = 'keep',
  ) {}

  /** The source users the map names (a self-hosted Mem0 server is read for exactly these). */
  get sourceUsers(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * Lets the map name `tenantKey` by one of its `aliases` (a source's other names for the same tenant). A map that
   * names the tenant by two names, with different targets, is refused.
   */
  alias(tenantKey: string, aliases: readonly string[]): void {
    const named = [tenantKey, ...aliases].filter((name) => this.entries.has(name));
    const targets = new Set(named.map((name) => this.entries.get(name)));
    if (targets.size > 1) {
      throw new UsageError(`--user-map names the source user "${tenantKey}" twice, as ${named.map((name) => JSON.stringify(name)).join(' and ')}, with different targets; keep one entry for it`);
    }
    const [target] = targets;
    if (target !== undefined && !this.entries.has(tenantKey)) this.aliased.set(tenantKey, target);
  }

  /** Whether the map names `tenantKey` (by its own name or an alias). */
  maps(tenantKey: string): boolean {
    return this.entries.has(tenantKey) || this.aliased.has(tenantKey);
  }

  /** The OpenMemory user of a source tenant, or why its records are skipped; throws under `--unmapped fail`. */
  resolve(tenantKey: string): TenantResolution {
    const mapped = this.entries.get(tenantKey) ?? this.aliased.get(tenantKey);
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
  // A byte order mark (as Windows editors save UTF-8) is not JSON, and not part of the map.
  text = text.replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--user-map ${file}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--user-map ${file}: expected a JSON object {"<source user id>": "<openmemory user_id>"}`);
  }
  // JSON.parse keeps the last of two equal keys without a word: a user would silently move to the other target.
  const duplicate = duplicateTopLevelKey(text);
  if (duplicate) {
    throw new UsageError(
      `--user-map ${file}: the source user ${JSON.stringify(duplicate.key)} is mapped twice (again on line ${duplicate.line}); keep one entry for it`,
    );
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

/**
 * The first key that the top-level object of `text` names twice (compared as decoded strings, so `"a"` and
 * `"\u0061"` are one key), with the line of its second occurrence; null when every key is distinct. `text` must be
 * valid JSON whose top level is an object (JSON.parse has said so): strings are read with their escapes, and
 * nested objects and arrays are skipped whole, so their keys are not the map's.
 */
export function duplicateTopLevelKey(text: string): { key: string; line: number } | null {
  let at = 0;
  const skipSpace = (): void => {
    while (at < text.length && ' \t\n\r'.includes(text[at] as string)) at++;
  };
  /** From an opening quote to just past its closing one; answers the string token. */
  const readString = (): string => {
    const start = at++;
    while (text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    at++;
    return text.slice(start, at);
  };
  /** Skips one value: a string, an object or array (with everything inside), or a number, true, false or null. */
  const skipValue = (): void => {
    if (text[at] === '"') {
      readString();
      return;
    }
    if (text[at] === '{' || text[at] === '[') {
      let depth = 0;
      do {
        const char = text[at];
        if (char === '"') {
          readString();
          continue;
        }
        if (char === '{' || char === '[') depth++;
        else if (char === '}' || char === ']') depth--;
        at++;
      } while (depth > 0);
      return;
    }
    while (at < text.length && !',}] \t\n\r'.includes(text[at] as string)) at++;
  };

  const seen = new Set<string>();
  skipSpace();
  at++; // {
  for (;;) {
    skipSpace();
    if (text[at] !== '"') return null; // } : the object has ended
    const position = at;
    const key = JSON.parse(readString()) as string;
    if (seen.has(key)) return { key, line: text.slice(0, position).split('\n').length };
    seen.add(key);
    skipSpace();
    at++; // :
    skipSpace();
    skipValue();
    skipSpace();
    if (text[at] !== ',') return null;
    at++;
  }
}
