// Supermemory wire objects (API v3/v4 and API v5, camelCase) turned into records. Everything a live reader fetches
// is first wrapped in a self-describing envelope — the wire object plus what the run learnt about it (its tag, where
// its text came from, which API generation sent it) — and the envelope is what `--save-export` keeps: the snapshot
// reader calls `supermemoryItem` on the same envelope, so an offline re-run rebuilds exactly the items the live run
// produced. The same document or memory read through either generation becomes the same memory: v5 keys records
// by namespace and public id, and both generations name the other's key among their aliases (see `MemoryRecord`).
import { hash } from 'node:crypto';
import { parseTime, timeFlags, type ImportedProvenance, type MemoryRecord, type SkipKind, type SourceItem } from '../../src/records.js';

export const multiTagPolicies = ['all', 'first'] as const;
export type MultiTagPolicy = (typeof multiTagPolicies)[number];
/** The tenant key of documents without a container tag: no real tag can be it (tags are [A-Za-z0-9_:-]). */
export const untaggedTenantKey = '(untagged)';

/** Where a document's text was found: the listing (`includeContent`), the document's GET, or its chunks. */
export type DocumentTextSource = 'list' | 'document' | 'chunks';

/** The API generation a wire object came from: absent for v3/v4 (snapshots written before v5 existed). */
export type SupermemoryWire = 'v5' | undefined;

/** A document as listed under one tag, with the text the run resolved for it. */
export interface DocumentEnvelope {
  supermemory: 'document';
  api?: SupermemoryWire;
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
  api?: SupermemoryWire;
  /** v5: the ids of the earlier versions of the chain (`GET …/memories/{id}?include=related` parents), nearest first. */
  parents?: string[];
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
  api?: SupermemoryWire;
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
  return { type: 'skipped', skipped: { sourceId: null, tenantKey: null, reason: 'not a Supermemory snapshot record (no "supermemory" envelope)', kind: 'malformed' }, raw };
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

/** What both generations send of a document, read from either: v5 moved its lifecycle fields under `system`. */
function documentLifecycle(document: Record<string, unknown>): { status: string | null; createdAt: unknown; updatedAt: unknown } {
  const system = isObject(document['system']) ? document['system'] : null;
  return system
    ? { status: nonEmptyString(system['status']), createdAt: system['createdAt'], updatedAt: system['updatedAt'] }
    : { status: nonEmptyString(document['status']), createdAt: document['createdAt'], updatedAt: document['updatedAt'] };
}

/**
 * The names a document under `tag` goes by in the other generation: v5 keys it `<public id>@<namespace>`, where the
 * public id is v3's `customId` (when it has one; §9.2 of the wire note, not confirmed) or its id; v3 keyed it by its
 * id (`<id>@<tag>` outside its first tag). Every name is within the tag's partition, so none reaches another owner.
 */
function documentAliases(sourceId: string, tag: string, wire: SupermemoryWire, fields: Record<string, unknown>): string[] {
  const id = idOf(fields['id']);
  const names =
    wire === 'v5'
      ? [id]
      : [idOf(fields['customId']), id].map((name) => (name === null ? null : `${name}@${tag}`));
  return [...new Set(names.filter((name): name is string => name !== null && name !== sourceId))];
}

/**
 * One document under one tag. Only `done` documents are imported (earlier states have partial or no text and are
 * picked up by a later run); the text is the resolved content, else the summary, flagged.
 */
export function documentItem(envelope: DocumentEnvelope): SourceItem {
  const tag = typeof envelope.tag === 'string' ? envelope.tag : null;
  const { document } = envelope;
  const wire = envelope.api === 'v5' ? 'v5' : undefined;
  let aliases: string[] = [];
  const skip = (sourceId: string | null, reason: string, kind: SkipKind): SourceItem => ({ type: 'skipped', skipped: { sourceId, tenantKey: tag, reason, aliases, kind }, raw: envelope });
  if (tag === null) return skip(null, 'snapshot record without a tag', 'no-owner');
  if (!isObject(document)) return skip(null, 'document is not a JSON object', 'malformed');
  const id = idOf(document['id']);
  if (!id) return skip(null, 'document without an id', 'no-id');
  // v5: a document lives in its namespace, and its id is unique there only.
  const firstTag = wire === 'v5' ? null : (documentTags(document)[0] ?? tag);
  const sourceId = firstTag === null ? `${id}@${tag}` : keyUnderTag(id, tag, firstTag);
  aliases = documentAliases(sourceId, tag, wire, document);
  if (envelope.gone) return skip(sourceId, 'deleted at Supermemory after it was listed (reading it answered 404)', 'deleted');
  const lifecycle = documentLifecycle(document);
  const status = lifecycle.status;
  if (status === 'failed') return skip(sourceId, 'processing failed at Supermemory', 'processing-failed');
  if (status !== 'done') return skip(sourceId, `not processed yet (status ${status ?? 'missing'}); a later run picks it up`, 'not-processed');
  if (firstTag !== null && tag !== firstTag && envelope.multiTag === 'first') return skip(sourceId, multiTagSkip(firstTag), 'multi-tag');

  let text = documentText(envelope.text);
  const flags: string[] = timeFlags(lifecycle.createdAt, lifecycle.updatedAt);
  if (text === null) {
    text = nonEmptyString(document['summary']);
    if (text === null) return skip(sourceId, 'no text: content, document and chunks are empty, and there is no summary', 'no-text');
    flags.push(contentFromSummaryFlag);
  }
  const { metadata, sourceFields } = splitMetadata(document, ['content']);
  const type = nonEmptyString(document['type']);
  const createdAt = parseTime(lifecycle.createdAt);
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
    updatedAt: parseTime(lifecycle.updatedAt) ?? createdAt,
    ...(flags.length > 0 ? { flags } : {}),
    aliases,
    comparedByContent: true,
    // A v3/v4 copy under a tag other than the document's first: one memory where both tags map to one user.
    ...(firstTag !== null && tag !== firstTag ? { copyOf: { sourceId: id, tenantKey: firstTag } } : {}),
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

/** A memory version's times: v5 moved them under `system`. */
function memoryTimes(version: Record<string, unknown>): { createdAt: unknown; updatedAt: unknown } {
  const system = isObject(version['system']) ? version['system'] : null;
  return system ? { createdAt: system['createdAt'], updatedAt: system['updatedAt'] } : { createdAt: version['createdAt'], updatedAt: version['updatedAt'] };
}

/** The earliest time of a chain (the entry and its `history`): when the memory first existed. */
function chainCreatedAt(entry: Record<string, unknown>): number | null {
  const times = [entry, ...(Array.isArray(entry['history']) ? entry['history'].filter(isObject) : [])]
    .map((version) => parseTime(memoryTimes(version).createdAt))
    .filter((time): time is number => time !== null);
  return times.length > 0 ? Math.min(...times) : null;
}

/**
 * A memory entry's name by its text within a tag: the last resort by which the same unchanged entry is found across
 * the v4 → v5 switch should v5 give entries other ids than v4 did (the wire note's open question 5).
 */
export function memoryTextAlias(text: string, tag: string): string {
  return `text:${hash('sha256', text.replace(/\s+/g, ' ').trim(), 'hex').slice(0, 32)}@${tag}`;
}

/**
 * The names a memory entry goes by in the other generation: v5 keys the latest version by its own id, v4 the chain
 * by its first version's id; v5 names the earlier versions it read (`parents`), v4 its latest version's id; both,
 * the entry's text.
 */
function memoryAliases(sourceId: string, tag: string, entry: Record<string, unknown>, parents: readonly unknown[] | undefined, text: string): string[] {
  const names = [idOf(entry['id']), ...(parents ?? []).map(idOf), memoryTextAlias(text, tag)];
  return [...new Set(names.filter((name): name is string => name !== null && name !== sourceId))];
}

/** The latest version of a memory entry chain under one tag; forgotten and superseded entries are skipped. */
export function memoryItem(envelope: MemoryEnvelope): SourceItem {
  const tag = typeof envelope.tag === 'string' ? envelope.tag : null;
  const { entry } = envelope;
  const skip = (sourceId: string | null, reason: string, kind: SkipKind): SourceItem => ({ type: 'skipped', skipped: { sourceId, tenantKey: tag, reason, kind }, raw: envelope });
  if (tag === null) return skip(null, 'snapshot record without a tag', 'no-owner');
  if (!isObject(entry)) return skip(null, 'memory entry is not a JSON object', 'malformed');
  const id = idOf(entry['id']);
  const key = memoryChainKey(entry);
  if (!id || !key) return skip(null, 'memory entry without an id', 'no-id');
  if (entry['isForgotten'] === true) {
    const reason = nonEmptyString(entry['forgetReason']);
    const forgotten = skip(id, `forgotten at Supermemory${reason ? ` (forgetReason: ${reason})` : ''}`, 'forgotten');
    // The chain's memory is gone at the source: its key, not this version's id, is what an earlier run imported.
    return forgotten.type === 'skipped' ? { ...forgotten, skipped: { ...forgotten.skipped, gone: true } } : forgotten;
  }
  if (entry['isLatest'] === false) return skip(id, 'superseded by a later version', 'old-version');
  const firstTag = typeof envelope.firstTag === 'string' ? envelope.firstTag : tag;
  const sourceId = keyUnderTag(key, tag, firstTag);
  if (tag !== firstTag && envelope.multiTag === 'first') return skip(sourceId, multiTagSkip(firstTag), 'multi-tag');
  const text = entry['memory'];
  if (typeof text !== 'string') return skip(id, 'no text in `memory`', 'no-text');
  if (text.trim() === '') return skip(id, 'empty `memory` text', 'no-text');
  const { metadata, sourceFields } = splitMetadata(entry, ['memory']);
  const createdAt = chainCreatedAt(entry);
  const times = memoryTimes(entry);
  const flags = timeFlags(times.createdAt, times.updatedAt);
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
    updatedAt: parseTime(times.updatedAt) ?? parseTime(times.createdAt) ?? createdAt,
    ...(flags.length > 0 ? { flags } : {}),
    aliases: memoryAliases(sourceId, tag, entry, envelope.parents, text),
    comparedByContent: true,
  };
  return { type: 'memory', record, raw: envelope };
}

/**
 * The aliases of a record an om-import from before aliases wrote (see `Source.aliasesOfImported`), from what it
 * stored: the wire fields and the text. The same names `documentItem` and `memoryItem` give a v3/v4 record now.
 */
export function aliasesOfImported(imported: ImportedProvenance): string[] {
  const tag = imported.tenantKey;
  if (tag === null) return [];
  if (imported.sourceKind === 'supermemory.document') return documentAliases(imported.recordId, tag, undefined, imported.fields);
  if (imported.sourceKind === 'supermemory.memory') return memoryAliases(imported.recordId, tag, imported.fields, undefined, imported.content);
  return [];
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
