// The legacy in-memory Supermemory account (supermemory-account.ts) projected onto the v5 wire
// (/work/shared/sources/supermemory-v5.md §3–§6): namespaces are the container-tag strings, documents take one
// public `id`, memories are flat items with `system` timestamps. Pure functions over the account, so the same
// account can be served over v3/v4 and v5 at once and an import through either generation compared.
import type {
  SupermemoryAccount,
  SupermemoryMetadata,
  SupermemoryWireChunk,
  SupermemoryWireDocument,
  SupermemoryWireMemoryEntry,
  SupermemoryWireTag,
} from './supermemory-account.js';

/** How the projection reads the account: the two open questions of §9.2 and §9.3, and the memory listing of §5.1. */
export interface SupermemoryV5Projection {
  /**
   * 'every' (variant A, default): a multi-tag document is in every tag's namespace, with the same id.
   * 'first' (variant B): only in its first tag's namespace; a GET under another tag answers 404.
   */
  multiTagDocuments: 'every' | 'first';
  /** 'caller' (default, §9.2's likely reading): a v5 `id` is the legacy `customId ?? id`. 'internal': always the legacy `id`. */
  documentIds: 'caller' | 'internal';
  /** Pre-release variant (§2): memory and chunk `metadata` stays `null` where the account has none. */
  nullMetadata: boolean;
}

/**
 * Document metadata keys the v5 server removes (the spec: "internal keys removed"). Which keys are internal is not
 * documented; the fake's rule is every key starting with `sm_internal`, so a test can plant one and see it dropped.
 */
export const internalMetadataKeyPrefix = 'sm_internal';

export type V5Metadata = Record<string, unknown>;

export interface V5Namespace {
  id: string;
  namespace: string;
  documentCount: number;
  memoryCount: number;
  description: string | null;
  system: { createdAt: string; updatedAt: string };
}

export interface V5DocumentListItem {
  id: string;
  title: string | null;
  type: string;
  summary: string | null;
  metadata: V5Metadata;
  url: string | null;
  system: { status: string; createdAt: string; updatedAt: string };
}

export interface V5Chunk {
  id: string;
  position: number;
  content: string;
  type: string;
  metadata: V5Metadata | null;
  system: { createdAt: string };
}

export interface V5Memory {
  id: string;
  memory: string;
  metadata: V5Metadata | null;
  isStatic: boolean;
  isInference: boolean;
  isLatest: boolean;
  isForgotten: boolean;
  version: number;
  system: { createdAt: string; updatedAt: string };
}

/**
 * One memory version of a namespace as the projection sees it: a stored entry, or an older version that exists only
 * in a successor's `history[]` (the generated account stores v1 of a chain only there).
 */
export interface MemoryRecord {
  id: string;
  memory: string;
  version: number;
  isLatest: boolean;
  /** Forgotten, or past its `forgetAfter` (v5 folds expiry into `isForgotten`, §5.1). */
  isForgotten: boolean;
  isStatic: boolean;
  isInference: boolean;
  metadata: Record<string, unknown> | null;
  parentMemoryId: string | null;
  relations: Record<string, string>;
  documentIds: string[];
  createdAt: string;
  updatedAt: string;
}

/** ISO-8601 UTC with a trailing `Z`, as every v5 document, chunk and memory timestamp is (the spec's regex). */
export function utc(time: string): string {
  const parsed = Date.parse(time);
  return Number.isNaN(parsed) ? time : new Date(parsed).toISOString();
}

/** v5 metadata is always an object: legacy null, strings, numbers, booleans and arrays read as `{}`. */
export function objectMetadata(metadata: SupermemoryMetadata | Record<string, unknown> | undefined): V5Metadata {
  return typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) ? { ...metadata } : {};
}

function documentMetadata(metadata: SupermemoryMetadata): V5Metadata {
  const object = objectMetadata(metadata);
  for (const key of Object.keys(object)) if (key.startsWith(internalMetadataKeyPrefix)) delete object[key];
  return object;
}

function looseMetadata(metadata: Record<string, unknown> | null, projection: SupermemoryV5Projection): V5Metadata | null {
  return metadata === null && projection.nullMetadata ? null : objectMetadata(metadata);
}

export function findTag(account: SupermemoryAccount, namespace: string): SupermemoryWireTag | undefined {
  return account.containerTags.find((tag) => tag.containerTag === namespace);
}

/** The namespace's documents, in storage order (untagged documents belong to none). */
export function documentsIn(
  account: SupermemoryAccount,
  namespace: string,
  projection: SupermemoryV5Projection,
): SupermemoryWireDocument[] {
  return account.documents.filter((document) => {
    const tags = document.containerTags ?? [];
    return projection.multiTagDocuments === 'every' ? tags.includes(namespace) : tags[0] === namespace;
  });
}

export function publicDocumentId(document: SupermemoryWireDocument, projection: SupermemoryV5Projection): string {
  return projection.documentIds === 'caller' ? (document.customId ?? document.id) : document.id;
}

/** A GET path id resolves as the internal id or the caller id (§4.2), whichever `documentIds` says responses carry. */
export function findDocument(
  account: SupermemoryAccount,
  namespace: string,
  id: string,
  projection: SupermemoryV5Projection,
): SupermemoryWireDocument | undefined {
  const candidates = documentsIn(account, namespace, projection);
  return candidates.find((document) => document.id === id) ?? candidates.find((document) => document.customId === id);
}

function isExpired(forgetAfter: string | null, now: number): boolean {
  return forgetAfter !== null && Date.parse(forgetAfter) <= now;
}

function recordOfEntry(entry: SupermemoryWireMemoryEntry, now: number): MemoryRecord {
  return {
    id: entry.id,
    memory: entry.memory,
    version: entry.version,
    isLatest: entry.isLatest,
    isForgotten: entry.isForgotten || isExpired(entry.forgetAfter, now),
    isStatic: entry.isStatic,
    isInference: entry.isInference ?? false,
    metadata: entry.metadata,
    parentMemoryId: entry.parentMemoryId,
    relations: { ...(entry.memoryRelations ?? {}) },
    documentIds: entry.documentIds,
    createdAt: entry.createdAt,
    updatedAt: entry.updatedAt,
  };
}

/**
 * Every memory version in the namespace's space: stored entries first, then history-only versions (which inherit
 * their successor's isStatic and documents, and `updates`-link to their own parent).
 */
export function memoryRecordsIn(account: SupermemoryAccount, namespace: string, now = Date.now()): MemoryRecord[] {
  const tag = findTag(account, namespace);
  if (!tag) return [];
  const entries = account.memoryEntries.filter((entry) => entry.spaceId === tag.id);
  const records = entries.map((entry) => recordOfEntry(entry, now));
  const known = new Set(records.map((record) => record.id));
  for (const entry of entries) {
    for (const version of entry.history) {
      if (known.has(version.id)) continue;
      known.add(version.id);
      records.push({
        id: version.id,
        memory: version.memory,
        version: version.version,
        isLatest: version.isLatest,
        isForgotten: version.isForgotten,
        isStatic: entry.isStatic,
        isInference: false,
        metadata: null,
        parentMemoryId: version.parentMemoryId,
        relations: {},
        documentIds: entry.documentIds,
        createdAt: version.createdAt,
        updatedAt: version.updatedAt,
      });
    }
  }
  return records;
}

export interface NamespaceCounts {
  documentCount: number;
  memoryCount: number;
}

/**
 * Every namespace's counts in one pass over the account (a bench's namespace listing would otherwise scan every
 * document once per namespace): documents as the projection places them; latest, unforgotten (unexpired) memories.
 */
export function namespaceCounts(account: SupermemoryAccount, projection: SupermemoryV5Projection, now = Date.now()): Map<string, NamespaceCounts> {
  const counts = new Map<string, NamespaceCounts>(account.containerTags.map((tag) => [tag.containerTag, { documentCount: 0, memoryCount: 0 }]));
  for (const document of account.documents) {
    const tags = document.containerTags ?? [];
    for (const namespace of projection.multiTagDocuments === 'every' ? new Set(tags) : tags.slice(0, 1)) {
      const entry = counts.get(namespace);
      if (entry) entry.documentCount++;
    }
  }
  const namespaceOfSpace = new Map(account.containerTags.map((tag) => [tag.id, tag.containerTag]));
  for (const entry of account.memoryEntries) {
    const namespace = namespaceOfSpace.get(entry.spaceId);
    const live = entry.isLatest && !entry.isForgotten && !isExpired(entry.forgetAfter, now);
    const counted = namespace === undefined ? undefined : counts.get(namespace);
    if (counted && live) counted.memoryCount++;
  }
  return counts;
}

export function v5Namespace(tag: SupermemoryWireTag, counts: NamespaceCounts | undefined): V5Namespace {
  return {
    id: tag.id,
    namespace: tag.containerTag,
    documentCount: counts?.documentCount ?? 0,
    memoryCount: counts?.memoryCount ?? 0,
    description: tag.description,
    system: { createdAt: utc(tag.createdAt), updatedAt: utc(tag.updatedAt) },
  };
}

export function v5DocumentListItem(document: SupermemoryWireDocument, projection: SupermemoryV5Projection): V5DocumentListItem {
  return {
    id: publicDocumentId(document, projection),
    title: document.title,
    type: document.type,
    summary: document.summary,
    metadata: documentMetadata(document.metadata),
    url: document.url ?? null,
    system: { status: document.status, createdAt: utc(document.createdAt), updatedAt: utc(document.updatedAt) },
  };
}

/** The GET body before includes: the list item with `content` and without `url` (OAS-b has no `url` there, §4.2). */
export function v5Document(document: SupermemoryWireDocument, projection: SupermemoryV5Projection): Record<string, unknown> {
  const { url: _url, ...listed } = v5DocumentListItem(document, projection);
  return { ...listed, content: document.content };
}

export function v5Chunk(chunk: SupermemoryWireChunk, projection: SupermemoryV5Projection): V5Chunk {
  return {
    id: chunk.id,
    position: chunk.position,
    content: chunk.content,
    type: chunk.type,
    metadata: looseMetadata(chunk.metadata, projection),
    system: { createdAt: utc(chunk.createdAt) },
  };
}

export function chunksByPosition(account: SupermemoryAccount, document: SupermemoryWireDocument): SupermemoryWireChunk[] {
  return [...(account.chunks[document.id] ?? [])].sort((a, b) => a.position - b.position);
}

export function v5Memory(record: MemoryRecord, projection: SupermemoryV5Projection): V5Memory {
  return {
    id: record.id,
    memory: record.memory,
    metadata: looseMetadata(record.metadata, projection),
    isStatic: record.isStatic,
    isInference: record.isInference,
    isLatest: record.isLatest,
    isForgotten: record.isForgotten,
    version: record.version,
    system: { createdAt: utc(record.createdAt), updatedAt: utc(record.updatedAt) },
  };
}

/** `included.document` and a related entry's `document`: no content, no url (§5.2). */
export function v5IncludedDocument(document: SupermemoryWireDocument, projection: SupermemoryV5Projection): Record<string, unknown> {
  return {
    id: publicDocumentId(document, projection),
    title: document.title,
    type: document.type,
    metadata: documentMetadata(document.metadata),
    summary: document.summary,
    system: { createdAt: utc(document.createdAt), updatedAt: utc(document.updatedAt) },
  };
}

/** FNV-1a, hex: stable synthetic ids and tie-breaks that do not follow the natural order. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
