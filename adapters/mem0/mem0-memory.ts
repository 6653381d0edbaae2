// A Mem0 memory object as the wire carries it (snake_case), validated once and turned into a MemoryRecord.
import { parseTime, timeFlags, type MemoryRecord, type SourceItem } from '../../src/records.js';

/** Mem0's owner fields, in the order that decides the tenant of a memory without `user_id`. */
const ownerFields = ['agent_id', 'app_id', 'run_id'] as const;
const ownerPrefixes: Record<(typeof ownerFields)[number], string> = { agent_id: 'agent:', app_id: 'app:', run_id: 'run:' };

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
 * The tenant of a Mem0 memory: its `user_id`; without one, `agent:<agent_id>`, else `app:<app_id>`, else
 * `run:<run_id>` (map any of these with --user-map). Ids sent as numbers are read as their decimal form.
 */
export function mem0TenantKey(memory: Record<string, unknown>): string | null {
  const user = idOf(memory['user_id']);
  if (user) return user;
  for (const field of ownerFields) {
    const owner = idOf(memory[field]);
    if (owner) return `${ownerPrefixes[field]}${owner}`;
  }
  return null;
}

/** Turns one wire object into a memory record, or says why it cannot be imported. */
export function mem0Item(raw: unknown): SourceItem {
  if (!isObject(raw)) return { type: 'skipped', skipped: { sourceId: null, tenantKey: null, reason: 'not a JSON object' }, raw };
  const id = idOf(raw['id']);
  const tenantKey = mem0TenantKey(raw);
  const skip = (reason: string): SourceItem => ({ type: 'skipped', skipped: { sourceId: id, tenantKey, reason }, raw });
  if (!id) return skip('no id');
  const text = raw['memory'];
  if (typeof text !== 'string') return skip('no text in `memory`');
  if (text.trim() === '') return skip('empty `memory` text');
  if (!tenantKey) return skip('no user_id, agent_id, app_id or run_id');
  if (raw['metadata'] !== undefined && raw['metadata'] !== null && !isObject(raw['metadata'])) return skip('`metadata` is not an object');
  const categories = Array.isArray(raw['categories']) ? raw['categories'].filter((c): c is string => typeof c === 'string') : [];
  const { memory: _text, metadata, id: _id, ...sourceFields } = raw;
  // A time that is there but cannot be read is left out (the memory takes the other one, or the run's), and said so.
  const flags = timeFlags(raw['created_at'], raw['updated_at']);
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
