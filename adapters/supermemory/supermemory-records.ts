// Supermemory wire objects (API v3/v4, camelCase) turned into records. Everything the live API fetches is first
// wrapped in a self-describing envelope — the wire object plus what the run learnt about it (its tag, where its
// text came from) — and the envelope is what `--save-export` keeps: the snapshot reader calls `supermemoryItem` on
// the same envelope, so an offline re-run rebuilds exactly the items the live run produced.
import { parseTime, timeFlags, type MemoryRecord, type SourceItem } from '../../src/records.js';

export const multiTagPolicies = ['all', 'first'] as const;
export type MultiTagPolicy = (typeof multiTagPolicies)[number];
/** The tenant key of documents without a container tag: no real tag can be it (tags are [A-Za-z0-9_:-]). */
export const untaggedTenantKey = '(untagged)';

/** Where a document's text was found: the listing (`includeContent`), the document's GET, or its chunks. */
export type DocumentTextSource = 'list' | 'document' | 'chunks';

/** A document as listed under one tag, with the text the run resolved for it. */
export interface DocumentEnvelope {
  supermemory: 'document';
  /** The tenant it was listed under: a container tag, or `(untagged)`. */
  tag: string;
  multiTag: MultiTagPolicy;
  /** The listing item as sent, without its `content` (that is `text`). */
  document: unknown;
  /** Null when neither the listing, the document nor its chunks had any: the summary is used, flagged. */
  text: string | null;
  textFrom: DocumentTextSource | null;
  /** The document was listed, then answered 404 when read (deleted in between). */
  gone?: true;
}

/** A memory entry (the latest of its version chain) as read under one tag. */
export interface MemoryEnvelope {
  supermemory: 'memory';
  tag: string;
  /**
   * The tag that owns the chain's plain key: the tag itself for `/v4/memories/list` entries (they belong to one
   * space); for entries read from documents (no list endpoint), the first tag of the document that carried them.
   */
  firstTag: string;
  multiTag: MultiTagPolicy;
  /** `list`: `/v4/memories/list`; `documents`: gathered from each document's `memories` (see `documentMemoryChains`). */
  via: 'list' | 'documents';
  entry: unknown;
}

/** A tag's profile (`POST /v4/profile`), which becomes the user's summary. */
export interface ProfileEnvelope {
  supermemory: 'profile';
  tag: string;
  profile: unknown;
}

export type SupermemoryEnvelope = DocumentEnvelope | MemoryEnvelope | ProfileEnvelope;

export const contentFromSummaryFlag = 'content-from-summary';

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** Ids are strings; a number is accepted as its decimal form. */
export function idOf(value: unknown): string | null {
  return nonEmptyString(value) ?? (typeof value === 'number' && Number.isFinite(value) ? String(value) : null);
}

/**
 * A document's container tags: `containerTags` (deprecated, read-only, may be absent, empty or several), else a
 * singular `containerTag`, which some responses carry.
 */
export function documentTags(document: Record<string, unknown>): string[] {
  const many = document['containerTags'];
  if (Array.isArray(many)) {
    const tags = many.filter((tag): tag is string => nonEmptyString(tag) !== null);
    if (tags.length > 0) return tags;
  }
  const one = nonEmptyString(document['containerTag']);
  return one ? [one] : [];
}

/** The text of a document's content value: a non-blank string, else null. */
export function documentText(value: unknown): string | null {
  return nonEmptyString(value);
}

/** Chunks (`GET /v3/documents/{id}/chunks`) joined in `position` order by a blank line; null when none has text. */
export function chunksText(body: unknown): string | null {
  const chunks = isObject(body) && Array.isArray(body['chunks']) ? body['chunks'] : Array.isArray(body) ? body : [];
  const texts = chunks
    .filter(isObject)
    .map((chunk, index) => ({ position: typeof chunk['position'] === 'number' ? chunk['position'] : Number.MAX_SAFE_INTEGER, index, text: nonEmptyString(chunk['content']) }))
    .filter((chunk): chunk is { position: number; index: number; text: string } => chunk.text !== null)
    .sort((a, b) => a.position - b.position || a.index - b.index)
    .map((chunk) => chunk.text);
  return texts.length > 0 ? texts.join('\n\n') : null;
}

/** The source id of a record read under `tag` whose plain key belongs to `firstTag`: `<key>` there, `<key>@<tag>` elsewhere. */
function keyUnderTag(key: string, tag: string, firstTag: string): string {
  return tag === firstTag ? key : `${key}@${tag}`;
}

function multiTagSkip(firstTag: string): string {
  return `also in tag ${firstTag}: imported there only (--multi-tag first)`;
}

/** Turns any envelope (live, or a snapshot line) into its item; anything else is skipped with the reason. */
export function supermemoryItem(raw: unknown): SourceItem {
  if (isObject(raw)) {
    switch (raw['supermemory']) {
      case 'document':
        return documentItem(raw as unknown as DocumentEnvelope);
      case 'memory':
        return memoryItem(raw as unknown as MemoryEnvelope);
      case 'profile':
        return profileItem(raw as unknown as ProfileEnvelope);
    }
  }
  return { type: 'skipped', skipped: { sourceId: null, tenantKey: null, reason: 'not a Supermemory snapshot record (no "supermemory" envelope)' }, raw };
}

/** Keeps a source-sent value in `metadata` when it is an object, else in the source fields under its own name. */
function splitMetadata(wire: Record<string, unknown>, omit: readonly string[]): { metadata: Record<string, unknown>; sourceFields: Record<string, unknown> } {
  const sourceFields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(wire)) if (!omit.includes(key)) sourceFields[key] = value;
  const metadata = wire['metadata'];
  if (isObject(metadata)) {
    delete sourceFields['metadata'];
    return { metadata, sourceFields };
  }
  return { metadata: {}, sourceFields };
}

/**
 * One document under one tag. Only `done` documents are imported (earlier states have partial or no text and are
 * picked up by a later run); the text is the resolved content, else the summary, flagged.
 */
export function documentItem(envelope: DocumentEnvelope): SourceItem {
  const tag = typeof envelope.tag === 'string' ? envelope.tag : null;
  const { document } = envelope;
  const skip = (sourceId: string | null, reason: string): SourceItem => ({ type: 'skipped', skipped: { sourceId, tenantKey: tag, reason }, raw: envelope });
  if (tag === null) return skip(null, 'snapshot record without a tag');
  if (!isObject(document)) return skip(null, 'document is not a JSON object');
  const id = idOf(document['id']);
  if (!id) return skip(null, 'document without an id');
  const firstTag = documentTags(document)[0] ?? tag;
  const sourceId = keyUnderTag(id, tag, firstTag);
  if (envelope.gone) return skip(sourceId, 'deleted at Supermemory after it was listed (reading it answered 404)');
  const status = nonEmptyString(document['status']);
  if (status === 'failed') return skip(sourceId, 'processing failed at Supermemory');
  if (status !== 'done') return skip(sourceId, `not processed yet (status ${status ?? 'missing'}); a later run picks it up`);
  if (tag !== firstTag && envelope.multiTag === 'first') return skip(sourceId, multiTagSkip(firstTag));

  let text = documentText(envelope.text);
  const flags: string[] = timeFlags(document['createdAt'], document['updatedAt']);
  if (text === null) {
    text = nonEmptyString(document['summary']);
    if (text === null) return skip(sourceId, 'no text: content, document and chunks are empty, and there is no summary');
    flags.push(contentFromSummaryFlag);
  }
  const { metadata, sourceFields } = splitMetadata(document, ['content']);
  const type = nonEmptyString(document['type']);
  const createdAt = parseTime(document['createdAt']);
  const record: MemoryRecord = {
    sourceKind: 'supermemory.document',
    sourceId,
    tenantKey: tag,
    content: text,
    role: null,
    tags: type ? ['supermemory.document', type] : ['supermemory.document'],
    metadata,
    sourceFields,
    createdAt,
    updatedAt: parseTime(document['updatedAt']) ?? createdAt,
    ...(flags.length > 0 ? { flags } : {}),
  };
  return { type: 'memory', record, raw: envelope };
}

/**
 * The key of a memory entry's version chain. Supermemory gives every version its own id and points later versions
 * at the first one through `rootMemoryId` (null on the first itself), so the root's id names the chain: a later
 * version arrives under the same key and updates the OpenMemory memory the earlier one became, instead of adding a
 * second memory next to it.
 */
export function memoryChainKey(entry: Record<string, unknown>): string | null {
  return idOf(entry['rootMemoryId']) ?? idOf(entry['id']);
}

/** The earliest time of a chain (the entry and its `history`): when the memory first existed. */
function chainCreatedAt(entry: Record<string, unknown>): number | null {
  const times = [entry, ...(Array.isArray(entry['history']) ? entry['history'].filter(isObject) : [])]
    .map((version) => parseTime(version['createdAt']))
    .filter((time): time is number => time !== null);
  return times.length > 0 ? Math.min(...times) : null;
}

/** The latest version of a memory entry chain under one tag; forgotten and superseded entries are skipped. */
export function memoryItem(envelope: MemoryEnvelope): SourceItem {
  const tag = typeof envelope.tag === 'string' ? envelope.tag : null;
  const { entry } = envelope;
  const skip = (sourceId: string | null, reason: string): SourceItem => ({ type: 'skipped', skipped: { sourceId, tenantKey: tag, reason }, raw: envelope });
  if (tag === null) return skip(null, 'snapshot record without a tag');
  if (!isObject(entry)) return skip(null, 'memory entry is not a JSON object');
  const id = idOf(entry['id']);
  const key = memoryChainKey(entry);
  if (!id || !key) return skip(null, 'memory entry without an id');
  if (entry['isForgotten'] === true) {
    const reason = nonEmptyString(entry['forgetReason']);
    const forgotten = skip(id, `forgotten at Supermemory${reason ? ` (forgetReason: ${reason})` : ''}`);
    // The chain's memory is gone at the source: its key, not this version's id, is what an earlier run imported.
    return forgotten.type === 'skipped' ? { ...forgotten, skipped: { ...forgotten.skipped, gone: true } } : forgotten;
  }
  if (entry['isLatest'] === false) return skip(id, 'superseded by a later version');
  const firstTag = typeof envelope.firstTag === 'string' ? envelope.firstTag : tag;
  const sourceId = keyUnderTag(key, tag, firstTag);
  if (tag !== firstTag && envelope.multiTag === 'first') return skip(sourceId, multiTagSkip(firstTag));
  const text = entry['memory'];
  if (typeof text !== 'string') return skip(id, 'no text in `memory`');
  if (text.trim() === '') return skip(id, 'empty `memory` text');
  const { metadata, sourceFields } = splitMetadata(entry, ['memory']);
  const createdAt = chainCreatedAt(entry);
  const flags = timeFlags(entry['createdAt'], entry['updatedAt']);
  const record: MemoryRecord = {
    sourceKind: 'supermemory.memory',
    sourceId,
    tenantKey: tag,
    content: text,
    role: null,
    tags: ['supermemory.memory', entry['isStatic'] === true ? 'static' : 'dynamic', ...(entry['isInference'] === true ? ['inference'] : [])],
    metadata,
    sourceFields,
    createdAt,
    updatedAt: parseTime(entry['updatedAt']) ?? parseTime(entry['createdAt']) ?? createdAt,
    ...(flags.length > 0 ? { flags } : {}),
  };
  return { type: 'memory', record, raw: envelope };
}

/** Profile facts: plain strings (v3/v4); `{memory}` objects (as v5 sends them) are read too. */
function facts(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((fact) => nonEmptyString(fact) ?? (isObject(fact) ? nonEmptyString(fact['memory']) : null))
    .filter((fact): fact is string => fact !== null)
    .map((fact) => fact.trim());
}

/**
 * The user summary of a tag: its static facts, then its dynamic ones, one per line; null when both are empty, so
 * OpenMemory's generated summary is used. The facts are memory entries too, so they are not imported again.
 */
export function profileSummary(profile: Record<string, unknown>): string | null {
  const lines = [...facts(profile['static']), ...facts(profile['dynamic'])];
  return lines.length > 0 ? lines.join('\n') : null;
}

export function profileItem(envelope: ProfileEnvelope): SourceItem {
  const tag = nonEmptyString(envelope.tag);
  const body = envelope.profile;
  const profile = isObject(body) && isObject(body['profile']) ? body['profile'] : null;
  if (!tag || !profile) {
    return { type: 'warning', warning: { tenantKey: tag, message: 'the profile answer is not {"profile": {"static": […], "dynamic": […]}}; no summary taken from it' } };
  }
  return { type: 'tenant', tenant: { tenantKey: tag, summary: profileSummary(profile) }, raw: envelope };
}

/** A document's `memories` (GET /v3/documents/{id}), with the document it came from. */
export interface DocumentMemories {
  documentId: string;
  /** The first container tag of that document (or the tag it was listed under). */
  firstTag: string;
  memories: unknown;
}

/**
 * Memory entries gathered from documents, where a server has no `/v4/memories/list`: a document's `memories` holds
 * every version of each chain (superseded and forgotten ones included) and one entry may hang off several
 * documents. Entries are grouped by chain; the latest version stands for it (as the list endpoint answers), the
 * earlier ones become its `history`, and the documents carrying it its `documentIds`. Malformed entries are kept
 * as they came, so the record function skips them with the reason.
 */
export function documentMemoryChains(sources: readonly DocumentMemories[]): { firstTag: string; entry: unknown }[] {
  const chains = new Map<string, { firstTag: string; versions: Map<string, Record<string, unknown>>; documentIds: string[] }>();
  const malformed: { firstTag: string; entry: unknown }[] = [];
  for (const source of sources) {
    if (!Array.isArray(source.memories)) continue;
    for (const entry of source.memories) {
      const key = isObject(entry) ? memoryChainKey(entry) : null;
      const id = isObject(entry) ? idOf(entry['id']) : null;
      if (!isObject(entry) || !key || !id) {
        malformed.push({ firstTag: source.firstTag, entry });
        continue;
      }
      let chain = chains.get(key);
      if (!chain) {
        chain = { firstTag: source.firstTag, versions: new Map(), documentIds: [] };
        chains.set(key, chain);
      }
      if (!chain.versions.has(id)) chain.versions.set(id, entry);
      if (!chain.documentIds.includes(source.documentId)) chain.documentIds.push(source.documentId);
    }
  }
  const version = (entry: Record<string, unknown>): number => (typeof entry['version'] === 'number' ? entry['version'] : 0);
  const time = (entry: Record<string, unknown>): number => parseTime(entry['updatedAt']) ?? parseTime(entry['createdAt']) ?? 0;
  const gathered = [...chains.values()].map((chain) => {
    const ordered = [...chain.versions.values()].sort((a, b) => version(a) - version(b) || time(a) - time(b));
    const latest = [...ordered].reverse().find((entry) => entry['isLatest'] !== false) ?? (ordered[ordered.length - 1] as Record<string, unknown>);
    const history = ordered.filter((entry) => entry !== latest);
    return { firstTag: chain.firstTag, entry: { ...latest, history, documentIds: chain.documentIds } };
  });
  return [...gathered, ...malformed];
}
