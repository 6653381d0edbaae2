// Zep's wire objects (messages, fact edges, graph episodes, thread summaries, user nodes) turned into our records.
// Every object travels inside a small self-describing envelope — what it is, which API generation sent it, whose it
// is — and that envelope is both what `--save-export` saves and what this module reads: the live adapter builds the
// envelope and calls `zepItem`, exactly as the snapshot reader does, so an offline re-run rebuilds identical items.
import { parseTime, timeFlags, type MemoryRecord, type SkipKind, type SourceItem } from '../../src/records.js';

/** What `--include` can choose; `summaries` covers thread and user summaries. */
export const zepIncludeChoices = ['messages', 'facts', 'data', 'summaries', 'invalidated-facts'] as const;
export type ZepInclude = (typeof zepIncludeChoices)[number];
export const zepDefaultInclude: readonly ZepInclude[] = ['messages', 'facts', 'data', 'summaries'];

/** The API generations om-import reads (see zep-api-generation.ts for how a run finds out which one answers). */
export type ZepApi = 'v4' | 'v3' | 'v2' | 'ce';

export const zepApiNames: Readonly<Record<ZepApi, string>> = {
  v4: 'Zep v4',
  v3: 'Zep Cloud v3 (threads)',
  v2: 'Zep Cloud v2 (sessions)',
  ce: 'Zep Community Edition 1.x',
};

/**
 * Whose an object is. A user's objects carry `user_id` (the user's own id, never escaped: see `zepUserTenantKey`);
 * a standalone graph's (v3 graph, v2 group) carry `graph_id`; a thread without a user carries neither, and its
 * tenant is `thread:<thread_id>`.
 */
export interface ZepOwner {
  user_id?: string;
  graph_id?: string;
}

/**
 * One saved line of a Zep snapshot. `thread_id` is the v3 thread id or the v2/CE session id (the same thing: v3
 * renamed sessions to threads in place). The wire object is kept exactly as the server sent it.
 */
export type ZepEnvelope = ZepOwner & { api: ZepApi } & (
    | { zep: 'message'; thread_id: string; message: unknown }
    | { zep: 'fact'; edge: unknown; /** A member of a hyperedge whose fact another member (this uuid) carries already. */ copy_of?: string }
    | { zep: 'episode'; episode: unknown }
    | { zep: 'thread-summary'; thread_id: string; summary: unknown }
    | { zep: 'user-summary'; user_id: string; node: unknown }
  );

export type ZepEnvelopeKind = ZepEnvelope['zep'];

/** Which `--include` family each kind of object belongs to (`summaries` covers thread and user summaries). */
export const zepFamilies: Readonly<Record<ZepEnvelopeKind, ZepInclude>> = {
  message: 'messages',
  fact: 'facts',
  episode: 'data',
  'thread-summary': 'summaries',
  'user-summary': 'summaries',
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function owner(value: ZepOwner): ZepOwner {
  return value.user_id ? { user_id: value.user_id } : value.graph_id ? { graph_id: value.graph_id } : {};
}

export function messageEnvelope(api: ZepApi, from: ZepOwner, threadId: string, message: unknown): ZepEnvelope {
  return { zep: 'message', api, ...owner(from), thread_id: threadId, message };
}

/** `copyOf`: the edge is a hyperedge member whose fact the member with this uuid carries (imported once, as that one). */
export function factEnvelope(api: ZepApi, from: ZepOwner, edge: unknown, copyOf?: string): ZepEnvelope {
  return { zep: 'fact', api, ...owner(from), edge, ...(copyOf ? { copy_of: copyOf } : {}) };
}

/**
 * The envelopes of one graph's fact edges. A hyperedge — one fact relating more than two nodes — is listed once per
 * member edge, with the same `fact` and its `hyperedge_uuid`: the first member read carries the fact, the others are
 * marked as its copies (skipped). Read through `hyperedgeMembersLast`, the first is the lowest uuid whichever API
 * listed them, in whatever order, so v3 and v4 make the same memory of a hyperedge.
 */
export function factEnvelopes(api: ZepApi, from: ZepOwner): (edge: unknown) => ZepEnvelope {
  const firstMembers = new Map<string, string>();
  return (edge) => {
    const hyperedge = isObject(edge) ? nonEmptyString(edge['hyperedge_uuid']) : null;
    const uuid = isObject(edge) ? nonEmptyString(edge['uuid']) : null;
    if (!hyperedge || !uuid) return factEnvelope(api, from, edge);
    const first = firstMembers.get(hyperedge);
    if (first === undefined) firstMembers.set(hyperedge, uuid);
    return factEnvelope(api, from, edge, first !== undefined && first !== uuid ? first : undefined);
  };
}

/**
 * A listing of fact edges with the members of hyperedges held back and passed on last, by uuid (v3 lists edges
 * newest first, v4 by uuid): see `factEnvelopes`. Everything else passes at once.
 */
export async function* hyperedgeMembersLast<Event extends { type: 'entry'; entry: unknown } | { type: 'warning' }>(events: AsyncIterable<Event>): AsyncGenerator<Event> {
  const members: { uuid: string; event: Event }[] = [];
  for await (const event of events) {
    const edge = event.type === 'entry' ? (event as { entry: unknown }).entry : null;
    const uuid = isObject(edge) && nonEmptyString(edge['hyperedge_uuid']) !== null ? nonEmptyString(edge['uuid']) : null;
    if (uuid === null) yield event;
    else members.push({ uuid, event });
  }
  members.sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
  for (const { event } of members) yield event;
}

export function episodeEnvelope(api: ZepApi, from: ZepOwner, episode: unknown): ZepEnvelope {
  return { zep: 'episode', api, ...owner(from), episode };
}

export function threadSummaryEnvelope(api: ZepApi, from: ZepOwner, threadId: string, summary: unknown): ZepEnvelope {
  return { zep: 'thread-summary', api, ...owner(from), thread_id: threadId, summary };
}

/** `node` is the `node` of `GET /users/{id}/node`, or null when the user has none (a 404, or no node in the answer). */
export function userSummaryEnvelope(api: ZepApi, userId: string, node: unknown): ZepEnvelope {
  return { zep: 'user-summary', api, user_id: userId, node: node ?? null };
}

/** The kinds of Zep owner, each a tenant (and a partition) of its own; the prefix of a partition key names the kind. */
export type ZepOwnerKind = 'user' | 'thread' | 'graph';

const zepOwnerKinds: readonly ZepOwnerKind[] = ['user', 'thread', 'graph'];

/**
 * The tenant key of a Zep user (what `--user-map` and `--user-id` name): its id (v3 `user_id`; through v4, the
 * uuid of a user that has none), unless that id reads as another kind's key — `thread:…`, `graph:…`, or `user:…`
 * itself: then `user:<id>`, so that a user literally named `thread:t1` and the thread `t1` without a user stay two
 * tenants, each nameable in a map. Every other user keeps its id as its key, as before the rule.
 */
export function zepUserTenantKey(userId: string): string {
  return zepOwnerKinds.some((kind) => userId.startsWith(`${kind}:`)) ? `user:${userId}` : userId;
}

/** The tenant key of a Zep owner of `kind` whose own id is `id` (a thread without a user, a standalone graph: `<kind>:<id>`). */
export function zepOwnerTenantKey(kind: ZepOwnerKind, id: string): string {
  return kind === 'user' ? zepUserTenantKey(id) : `${kind}:${id}`;
}

/** A Zep owner as a run names it: its kind, its own id, its tenant key and its partition key (`<kind>:<id>`). */
export interface ZepNamedOwner {
  kind: ZepOwnerKind;
  id: string;
  tenantKey: string;
  partitionKey: string;
}

/**
 * The owner a tenant key names (as `--user-id` takes it) — the inverse of `zepUserTenantKey`/`zepTenantKey`:
 * `thread:<id>` a thread without a user, `graph:<id>` a standalone graph, `user:<id>` the user `<id>` (how a user
 * whose id reads as another kind's key is named), any other key the user of that id.
 */
export function zepNamedOwner(name: string): ZepNamedOwner {
  const kind = zepOwnerKinds.find((candidate) => name.startsWith(`${candidate}:`) && name.length > candidate.length + 1);
  const id = kind ? name.slice(kind.length + 1) : name;
  return { kind: kind ?? 'user', id, tenantKey: zepOwnerTenantKey(kind ?? 'user', id), partitionKey: `${kind ?? 'user'}:${id}` };
}

/**
 * The tenant of an envelope (or of an owner and its thread): its user (see `zepUserTenantKey`), else
 * `graph:<graph_id>`, else `thread:<thread_id>` (a thread without user).
 */
export function zepTenantKey(value: object): string | null {
  const envelope = value as Record<string, unknown>;
  const user = nonEmptyString(envelope['user_id']);
  if (user) return zepUserTenantKey(user);
  const graph = nonEmptyString(envelope['graph_id']);
  if (graph) return zepOwnerTenantKey('graph', graph);
  const thread = nonEmptyString(envelope['thread_id']);
  return thread ? zepOwnerTenantKey('thread', thread) : null;
}

export interface ZepRecordOptions {
  /** The families to import; what is left out answers null. Invalidated facts need `invalidated-facts`. */
  include: readonly ZepInclude[];
}

const kinds = new Set<string>(Object.keys(zepFamilies));
const apis = new Set<string>(Object.keys(zepApiNames));

/**
 * Turns one envelope (built live, or read back from a snapshot) into an item: a memory, the user's summary, or a
 * record skipped with the reason. Null when its family is not included (nothing to import, nothing to report).
 */
export function zepItem(raw: unknown, options: ZepRecordOptions): SourceItem | null {
  if (!isObject(raw) || typeof raw['zep'] !== 'string' || !kinds.has(raw['zep']) || !apis.has(String(raw['api']))) {
    return { type: 'skipped', skipped: { sourceId: null, tenantKey: null, reason: 'not a Zep snapshot record', kind: 'malformed' }, raw };
  }
  const sent = raw as unknown as ZepEnvelope;
  if (!options.include.includes(zepFamilies[sent.zep])) return null;
  const envelope = sent.api === 'v4' ? asV3(sent) : sent;
  const item = ((): SourceItem => {
    switch (envelope.zep) {
      case 'message':
        return messageItem(envelope);
      case 'fact':
        return factItem(envelope, options.include.includes('invalidated-facts'));
      case 'episode':
        return episodeItem(envelope);
      case 'thread-summary':
        return threadSummaryItem(envelope);
      case 'user-summary':
        return userSummaryItem(envelope);
    }
  })();
  // What is saved (--save-export) is the envelope as the server sent its object, not the v3 reading of it.
  return envelope === sent || item.type === 'warning' ? item : { ...item, raw: sent };
}

/**
 * A v4 object read as the v3 object it is (the same record in the same project, read through the other API), so
 * that it becomes exactly the memory v3 made of it — every field the import fingerprints included — and a
 * database imported through v3 finds nothing changed. What v4 renamed gets v3's name back; what v4 adds that v3
 * did not send is dropped where it only restates what v3 sent (the graph's uuid, the thread's uuid, a reference
 * time equal to `created_at`) and kept where it is news (a back-filled `reference_time`, an episode's
 * `wait_status`), so such a record says more than v3 did. The v4 wire leaves out what is unset; v3 sent a fact's
 * unset times as null (zep.md §3.7, §10), and so they are read.
 */
function asV3(envelope: ZepEnvelope): ZepEnvelope {
  switch (envelope.zep) {
    case 'message':
      return { ...envelope, message: v3Shape(envelope.message, { drop: ['thread_uuid'], times: ['reference_time'] }) };
    case 'fact':
      return {
        ...envelope,
        edge: v3Shape(envelope.edge, { drop: ['graph_uuid'], rename: { episode_uuids: 'episodes' }, nulls: ['valid_at', 'invalid_at', 'expired_at'] }),
      };
    case 'episode':
      return {
        ...envelope,
        episode: v3Shape(envelope.episode, { drop: ['graph_uuid'], rename: { role: 'role_type', role_name: 'role', thread_uuid: 'thread_id' }, times: ['reference_time', 'valid_at'] }),
      };
    case 'thread-summary':
      return { ...envelope, summary: v3Shape(envelope.summary, { drop: ['thread_uuid'] }) };
    case 'user-summary':
      return envelope;
  }
}

/** Search-only fields a listing may carry by mistake (zep-v4.md §11.11). */
const searchOnly = ['score', 'relevance'];

function v3Shape(
  wire: unknown,
  how: { drop?: string[]; rename?: Record<string, string>; times?: string[]; nulls?: string[] },
): unknown {
  if (!isObject(wire)) return wire;
  const created = parseTime(wire['created_at']);
  const shaped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(wire)) {
    if (searchOnly.includes(key) || how.drop?.includes(key)) continue;
    // A time that says what `created_at` says (to the millisecond) adds nothing v3 did not send.
    if (how.times?.includes(key) && created !== null && parseTime(value) === created) continue;
    shaped[how.rename?.[key] ?? key] = value;
  }
  for (const key of how.nulls ?? []) if (shaped[key] === undefined) shaped[key] = null;
  return shaped;
}

/** What every kind shares: the wire object, its uuid and text checked, or the reason it cannot be imported. */
function validated(
  envelope: ZepEnvelope,
  wire: unknown,
  what: string,
  textField: string,
): { object: Record<string, unknown>; id: string; text: string; tenantKey: string } | { skip: SourceItem } {
  const tenantKey = zepTenantKey(envelope);
  const skip = (sourceId: string | null, reason: string, kind: SkipKind): { skip: SourceItem } => ({
    skip: { type: 'skipped', skipped: { sourceId, tenantKey, reason, kind }, raw: envelope },
  });
  if (!isObject(wire)) return skip(null, `${what} is not a JSON object`, 'malformed');
  const id = nonEmptyString(wire['uuid']);
  if (!id) return skip(null, `${what} has no uuid`, 'no-id');
  if (!tenantKey) return skip(id, `${what} has no user, graph or thread`, 'no-owner');
  const text = wire[textField];
  if (typeof text !== 'string') return skip(id, `${what} has no text in \`${textField}\``, 'no-text');
  if (text.trim() === '') return skip(id, `empty ${what} text`, 'no-text');
  return { object: wire, id, text, tenantKey };
}

function metadataOf(object: Record<string, unknown>): Record<string, unknown> {
  return isObject(object['metadata']) ? object['metadata'] : {};
}

function without(object: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) if (!keys.includes(key)) rest[key] = value;
  return rest;
}

/**
 * A message: content is exactly its text. The role enum and the speaker's name swapped fields between
 * generations: v3 and v4 send `role` (enum) and `name` (speaker); v2 and CE send `role_type` (enum) and `role`
 * (speaker), and CE leaves `role_type` out when unset, when `role` is all there is.
 */
function messageItem(envelope: ZepEnvelope & { zep: 'message' }): SourceItem {
  const checked = validated(envelope, envelope.message, 'message', 'content');
  if ('skip' in checked) return checked.skip;
  const { object, id, text, tenantKey } = checked;
  const threadsApi = envelope.api === 'v3' || envelope.api === 'v4';
  const enumRole = threadsApi ? nonEmptyString(object['role']) : (nonEmptyString(object['role_type']) ?? nonEmptyString(object['role']));
  const speaker = threadsApi ? nonEmptyString(object['name']) : nonEmptyString(object['role_type']) ? nonEmptyString(object['role']) : null;
  const createdAt = parseTime(object['created_at']);
  const record: MemoryRecord = {
    sourceKind: 'zep.message',
    sourceId: id,
    tenantKey,
    content: text,
    role: enumRole,
    tags: enumRole ? ['zep.message', enumRole] : ['zep.message'],
    metadata: metadataOf(object),
    sourceFields: { thread_id: envelope.thread_id, speaker, ...without(object, 'uuid', 'content', 'metadata') },
    createdAt,
    updatedAt: parseTime(object['updated_at']) ?? createdAt,
    ...withFlags(timeFlags(object['created_at'], object['updated_at'])),
  };
  return { type: 'memory', record, raw: envelope };
}

/** `{flags}` when there are any (a record without flags has no `flags` field). */
function withFlags(flags: string[]): { flags?: string[] } {
  return flags.length > 0 ? { flags } : {};
}

function isoOrAsSent(value: unknown): string {
  const ms = parseTime(value);
  return ms !== null ? new Date(ms).toISOString() : String(value);
}

/**
 * A fact edge: content is the `fact`; its time is `valid_at` (when it became true) or else `created_at` (when Zep
 * learnt it). A fact Zep has invalidated (`invalid_at`: it stopped being true) or expired (`expired_at`: a newer
 * fact superseded it) is not current truth: skipped, with the reason and the time, unless asked for.
 */
function factItem(envelope: ZepEnvelope & { zep: 'fact' }, includeInvalidated: boolean): SourceItem {
  const checked = validated(envelope, envelope.edge, 'fact', 'fact');
  if ('skip' in checked) return checked.skip;
  const { object, id, text, tenantKey } = checked;
  if (envelope.copy_of) {
    const reason = `a member of hyperedge ${String(object['hyperedge_uuid'])}, whose fact is imported once (as ${envelope.copy_of})`;
    // Gone as a memory of its own: one an earlier run made of it (a reader that did not group members) duplicates the fact.
    return { type: 'skipped', skipped: { sourceId: id, tenantKey, reason, kind: 'copy', gone: true }, raw: envelope };
  }
  const invalidAt = object['invalid_at'] ?? null;
  const expiredAt = object['expired_at'] ?? null;
  const stale = invalidAt !== null || expiredAt !== null;
  if (stale && !includeInvalidated) {
    const when = [invalidAt !== null ? `invalidated at ${isoOrAsSent(invalidAt)}` : '', expiredAt !== null ? `expired at ${isoOrAsSent(expiredAt)}` : '']
      .filter(Boolean)
      .join(' and ');
    return {
      type: 'skipped',
      skipped: { sourceId: id, tenantKey, reason: `fact ${when}; --include invalidated-facts imports it`, gone: true, kind: 'invalidated' },
      raw: envelope,
    };
  }
  const name = nonEmptyString(object['name']);
  const createdAt = parseTime(object['valid_at']) ?? parseTime(object['created_at']);
  const record: MemoryRecord = {
    sourceKind: 'zep.fact',
    sourceId: id,
    tenantKey,
    content: text,
    role: 'fact',
    tags: name ? ['zep.fact', name] : ['zep.fact'],
    metadata: {},
    sourceFields: without(object, 'uuid', 'fact'),
    createdAt,
    updatedAt: createdAt,
    ...withFlags([...(stale ? ['invalidated-fact'] : []), ...timeFlags(object['valid_at'], object['created_at'])]),
    // expired_at: a newer fact superseded it; invalid_at alone: it stopped being true
    ...(expiredAt !== null ? { status: 'superseded' as const } : invalidAt !== null ? { status: 'expired' as const } : {}),
  };
  return { type: 'memory', record, raw: envelope };
}

/** A graph episode: data added straight to a graph (`text`, `json`, `fact_triple`; episodes keep v2's role naming). */
function episodeItem(envelope: ZepEnvelope & { zep: 'episode' }): SourceItem {
  const checked = validated(envelope, envelope.episode, 'episode', 'content');
  if ('skip' in checked) return checked.skip;
  const { object, id, text, tenantKey } = checked;
  const source = nonEmptyString(object['source']);
  const createdAt = parseTime(object['created_at']);
  const record: MemoryRecord = {
    sourceKind: 'zep.episode',
    sourceId: id,
    tenantKey,
    content: text,
    role: nonEmptyString(object['role_type']),
    tags: source ? ['zep.data', source] : ['zep.data'],
    metadata: metadataOf(object),
    sourceFields: without(object, 'uuid', 'content', 'metadata'),
    createdAt,
    updatedAt: createdAt,
    ...withFlags(timeFlags(object['created_at'])),
  };
  return { type: 'memory', record, raw: envelope };
}

/** A thread summary: v3 writes its text in `summary`, v2's session summaries in `content`. */
function threadSummaryItem(envelope: ZepEnvelope & { zep: 'thread-summary' }): SourceItem {
  const summary = envelope.summary;
  const textField = isObject(summary) && typeof summary['summary'] === 'string' ? 'summary' : 'content';
  const checked = validated(envelope, summary, 'thread summary', textField);
  if ('skip' in checked) return checked.skip;
  const { object, id, text, tenantKey } = checked;
  const createdAt = parseTime(object['created_at']);
  const record: MemoryRecord = {
    sourceKind: 'zep.thread-summary',
    sourceId: id,
    tenantKey,
    content: text,
    role: 'summary',
    tags: ['zep.thread-summary'],
    metadata: metadataOf(object),
    sourceFields: { thread_id: envelope.thread_id, ...without(object, 'uuid', textField, 'metadata', 'thread_id') },
    createdAt,
    updatedAt: parseTime(object['last_summarized_at']) ?? createdAt,
    ...withFlags(timeFlags(object['created_at'], object['last_summarized_at'])),
  };
  return { type: 'memory', record, raw: envelope };
}

/** The user summary (the `summary` of the user's node): a tenant item, null when there is none, so a stale one is forgotten. */
function userSummaryItem(envelope: ZepEnvelope & { zep: 'user-summary' }): SourceItem {
  const userId = nonEmptyString(envelope.user_id);
  if (!userId) return { type: 'skipped', skipped: { sourceId: null, tenantKey: null, reason: 'user summary without user_id', kind: 'no-owner' }, raw: envelope };
  const node = envelope.node;
  const summary = isObject(node) && typeof node['summary'] === 'string' && node['summary'].trim() !== '' ? node['summary'] : null;
  return { type: 'tenant', tenant: { tenantKey: zepUserTenantKey(userId), summary }, raw: envelope };
}

export { isObject, nonEmptyString };
