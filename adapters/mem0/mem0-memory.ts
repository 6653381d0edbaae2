// A Mem0 memory object as the wire carries it (snake_case), validated once and turned into a MemoryRecord.
import { parseTime, timeFlags, type MemoryRecord, type Partition, type SkipKind, type SourceItem } from '../../src/records.js';

/**
 * What `--include` can name: `memories` (every memory Mem0 lists), `superseded` (those Mem0's Dream marks with
 * `replaced_by`), `expired` (those past their `expiration_date`, which Mem0 hides unless asked).
 */
export const mem0IncludeChoices = ['memories', 'superseded', 'expired'] as const;
export type Mem0Include = (typeof mem0IncludeChoices)[number];
/** Superseded memories are history Mem0 itself still lists; expired ones are hidden by Mem0, so by om-import too. */
export const mem0DefaultInclude: readonly Mem0Include[] = ['memories', 'superseded'];

/** Which marked memories a run imports, and the day (UTC, `YYYY-MM-DD`) against which an expiry is read. */
export interface Mem0ReadPolicy {
  include: readonly Mem0Include[];
  today: string;
}

/** The policy of a run that starts now, with `include` (default: `mem0DefaultInclude`). */
export function mem0ReadPolicy(include: readonly Mem0Include[] = mem0DefaultInclude, now: number = Date.now()): Mem0ReadPolicy {
  return { include, today: new Date(now).toISOString().slice(0, 10) };
}

/** Mem0's owner fields, in the order that decides the tenant of a memory without `user_id`. */
const ownerFields = ['agent_id', 'app_id', 'run_id'] as const;
const ownerPrefixes: Record<(typeof ownerFields)[number], string> = { agent_id: 'agent:', app_id: 'app:', run_id: 'run:' };

/** The run id of a memory: `run_id`, or `session_id` as the v3 and v2 listings and `GET /v1/memories/{id}/` name it. */
function ownerId(memory: Record<string, unknown>, field: (typeof ownerFields)[number]): string | null {
  return field === 'run_id' ? (idOf(memory['run_id']) ?? idOf(memory['session_id'])) : idOf(memory[field]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** An id as Mem0 sends it: a non-blank string, or a number (`{"user_id": 42}` is user `42`). */
function idOf(value: unknown): string | null {
  return nonEmptyString(value) ?? (typeof value === 'number' && Number.isFinite(value) ? String(value) : null);
}

/**
 * The tenant key of a Mem0 user: its id, unless that id reads as another kind's key (`agent:…`, `app:…`, `run:…`,
 * or `user:…` itself): then `user:<id>`, so that the user `agent:support-bot` and the agent `support-bot` stay two
 * tenants, each nameable in --user-map.
 */
export function mem0UserTenantKey(userId: string): string {
  return [userPrefix, ...Object.values(ownerPrefixes)].some((prefix) => userId.startsWith(prefix)) ? `${userPrefix}${userId}` : userId;
}

const userPrefix = 'user:';

/**
 * The tenant of a Mem0 memory: its `user_id` (see `mem0UserTenantKey`); without one, `agent:<agent_id>`, else
 * `app:<app_id>`, else `run:<run_id>` (or `session_id`) (map any of these with --user-map). Ids sent as numbers are
 * read as their decimal form.
 */
export function mem0TenantKey(memory: Record<string, unknown>): string | null {
  const user = idOf(memory['user_id']);
  if (user) return mem0UserTenantKey(user);
  for (const field of ownerFields) {
    const owner = ownerId(memory, field);
    if (owner) return `${ownerPrefixes[field]}${owner}`;
  }
  return null;
}

/**
 * The day a memory expires after, when it has a readable `expiration_date` (Mem0: `YYYY-MM-DD`, UTC, the memory
 * holds through that day; a date it cannot read counts as no expiry, as Mem0 counts it).
 */
function expirationDay(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const day = /^(\d{4}-\d{2}-\d{2})(?:$|T)/.exec(value.trim())?.[1];
  return day !== undefined && !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) ? day : null;
}

/**
 * How the policy treats a memory Mem0 marks: expired (past its `expiration_date`) or superseded (`replaced_by`).
 * A memory left out is skipped with the reason, and never as `gone`: the source still lists it, so nothing an
 * earlier run made of it is pruned. One taken in carries the mark as a flag (and its fields in `meta`).
 */
function marks(raw: Record<string, unknown>, policy: Mem0ReadPolicy): { leftOut: { reason: string; kind: SkipKind & Mem0Include } | null; flags: string[] } {
  const flags: string[] = [];
  const expires = expirationDay(raw['expiration_date']);
  if (expires !== null && expires < policy.today) {
    if (!policy.include.includes('expired')) return { leftOut: { reason: `expired after ${expires} (expiration_date); --include expired imports it`, kind: 'expired' }, flags };
    flags.push('expired');
  }
  const replacedBy = idOf(raw['replaced_by']);
  if (replacedBy !== null) {
    if (!policy.include.includes('superseded')) {
      return { leftOut: { reason: `superseded by ${replacedBy} (replaced_by); --include superseded imports it`, kind: 'superseded' }, flags };
    }
    flags.push('superseded');
  }
  return { leftOut: null, flags };
}

/**
 * The wire object with a run id sent as `session_id` (the Platform's listings) under `run_id` (the name of its filter,
 * of the self-hosted server and of older exports), so that a memory read through any of them carries the same
 * fields, and an unchanged one is not written again. Both sent: both kept.
 */
function runIdAsRunId(raw: Record<string, unknown>): Record<string, unknown> {
  if (!('session_id' in raw) || (raw['run_id'] !== undefined && raw['run_id'] !== null)) return raw;
  const { session_id: sessionId, ...rest } = raw;
  return { ...rest, run_id: sessionId };
}

/**
 * The partition a tenant key names (as `--user-id` takes it): `agent:<id>`, `app:<id>`, `run:<id>` that entity, any
 * other key a user — the inverse of `mem0TenantKey`, so `--user-id run:checkout-7` reads that run.
 */
export function mem0Partition(tenantKey: string): Partition {
  const prefix = [userPrefix, ...Object.values(ownerPrefixes)].find((value) => tenantKey.startsWith(value) && tenantKey.length > value.length);
  return prefix ? { key: tenantKey, tenantKey } : { key: `${userPrefix}${tenantKey}`, tenantKey };
}

/** Turns one wire object into a memory record, or says why it cannot be imported. */
export function mem0Item(raw: unknown, policy: Mem0ReadPolicy = mem0ReadPolicy()): SourceItem {
  if (!isObject(raw)) return { type: 'skipped', skipped: { sourceId: null, tenantKey: null, reason: 'not a JSON object', kind: 'malformed' }, raw };
  const id = idOf(raw['id']);
  const tenantKey = mem0TenantKey(raw);
  const skip = (reason: string, kind: SkipKind): SourceItem => ({ type: 'skipped', skipped: { sourceId: id, tenantKey, reason, kind }, raw });
  if (!id) return skip('no id', 'no-id');
  const text = raw['memory'];
  if (typeof text !== 'string') return skip('no text in `memory`', 'no-text');
  if (text.trim() === '') return skip('empty `memory` text', 'no-text');
  if (!tenantKey) return skip('no user_id, agent_id, app_id or run_id', 'no-owner');
  // A row of Mem0's OpenMemory app that its user deleted (its backup exports them too).
  if (raw['state'] === 'deleted') return skip('deleted in Mem0\'s OpenMemory app (state "deleted")', 'deleted');
  if (raw['metadata'] !== undefined && raw['metadata'] !== null && !isObject(raw['metadata'])) return skip('`metadata` is not an object', 'malformed');
  const marked = marks(raw, policy);
  if (marked.leftOut !== null) return skip(marked.leftOut.reason, marked.leftOut.kind);
  const categories = Array.isArray(raw['categories']) ? raw['categories'].filter((c): c is string => typeof c === 'string') : [];
  const { memory: _text, metadata, id: _id, ...sourceFields } = runIdAsRunId(raw);
  // A time that is there but cannot be read is left out (the memory takes the other one, or the run's), and said so.
  const flags = [...marked.flags, ...timeFlags(raw['created_at'], raw['updated_at'])];
  const record: MemoryRecord = {
    sourceKind: 'mem0.memory',
    sourceId: id,
    tenantKey,
    content: text,
    role: nonEmptyString(raw['role']),
    tags: categories,
    metadata: isObject(metadata) ? metadata : {},
    sourceFields,
    createdAt: parseTime(raw['created_at']),
    updatedAt: parseTime(raw['updated_at']) ?? parseTime(raw['created_at']),
    ...(flags.length > 0 ? { flags } : {}),
    // superseded says more than expired (a newer memory holds the truth); either makes it history
    ...(marked.flags.includes('superseded') ? { status: 'superseded' as const } : marked.flags.includes('expired') ? { status: 'expired' as const } : {}),
  };
  return { type: 'memory', record, raw };
}

/** The memories of a listing answer: `{results: [...]}` (paginated or not), or a bare array (older servers). */
export function mem0MemoryList(body: unknown): { memories: unknown[]; next: string | null } | null {
  if (Array.isArray(body)) return { memories: body, next: null };
  if (isObject(body) && Array.isArray(body['results'])) {
    return { memories: body['results'], next: typeof body['next'] === 'string' && body['next'] !== '' ? body['next'] : null };
  }
  if (isObject(body) && Array.isArray(body['memories'])) return { memories: body['memories'], next: null };
  return null;
}

export { idOf, isObject, nonEmptyString };
