// The tricky account (supermemory-account.ts) plus the v5-only data cases of supermemory-v5.md §10 that it lacks:
// a caller id needing URL encoding, a `_merge`-suffixed id, a dotted caller id, an internal metadata key, an
// expired (not flagged forgotten) memory, and a memory shared by two documents. Kept apart so the legacy tests'
// account, counts and expectations stay exactly as they were.
import {
  deriveTagCounts,
  trickySupermemoryAccount,
  trickySupermemoryIds,
  trickySupermemoryTags,
  type SupermemoryAccount,
  type SupermemoryWireDocument,
} from './supermemory-account.js';
import { internalMetadataKeyPrefix } from './supermemory-v5-wire.js';

/** The ids `trickySupermemoryV5Account()` adds to the tricky account. */
export const trickySupermemoryV5Ids = {
  documents: {
    /** customId `a/b c@d` (slash, space, at sign) in `user_456`. */
    encoded: 'eNcOdEd4SlashSpace7At1',
    /** customId `chat-42_merge` in `user_456`: a caller id renamed by a container merge (§9.2). */
    merged: 'mErGeD2Chat42Suffix9Kq',
    /** customId `doc_2026.01` in `sm_project_default`; its metadata carries an internal key v5 must drop. */
    dotted: 'dOtTeD6Doc2026Jan01Pw3',
  },
  memories: {
    /** Not flagged forgotten, but past its forgetAfter: v5 reads it as forgotten (§5.1). Linked to two documents. */
    expired: 'eXpIrEd8OldAddress2Mn5',
  },
  /** The caller ids of the added documents. */
  customIds: { encoded: 'a/b c@d', merged: 'chat-42_merge', dotted: 'doc_2026.01' },
  /** The internal metadata key planted on the dotted document. */
  internalMetadataKey: `${internalMetadataKeyPrefix}_pipeline`,
} as const;

const added = trickySupermemoryV5Ids;

function addedDocument(fields: Pick<SupermemoryWireDocument, 'id' | 'customId' | 'containerTags' | 'title' | 'metadata' | 'content' | 'createdAt'>): SupermemoryWireDocument {
  return {
    connectionId: null,
    summary: `Summary of ${fields.title ?? 'an untitled document'}.`,
    status: 'done',
    type: 'text',
    filepath: null,
    url: null,
    updatedAt: fields.createdAt,
    ...fields,
  };
}

/** `trickySupermemoryAccount()` with the v5-only cases added; fresh objects on each call. */
export function trickySupermemoryV5Account(): SupermemoryAccount {
  const account = trickySupermemoryAccount();
  const tags = trickySupermemoryTags;
  account.documents.push(
    addedDocument({
      id: added.documents.encoded,
      customId: added.customIds.encoded,
      containerTags: [tags.other],
      title: 'Encoded id',
      metadata: { source: 'api' },
      content: 'A document whose caller id needs URL encoding.',
      createdAt: '2025-05-11T08:00:00.000Z',
    }),
    addedDocument({
      id: added.documents.merged,
      customId: added.customIds.merged,
      containerTags: [tags.other],
      title: 'Trip notes (merged)',
      metadata: { source: 'chat' },
      content: 'A copy of the trip notes that came in through a container merge.',
      createdAt: '2025-05-11T09:00:00.000Z',
    }),
    addedDocument({
      id: added.documents.dotted,
      customId: added.customIds.dotted,
      containerTags: [tags.project],
      title: 'January report',
      metadata: { month: '2026-01', [added.internalMetadataKey]: 'v2' },
      content: 'The January report.',
      createdAt: '2025-05-11T10:00:00.000Z',
    }),
  );
  account.memoryEntries.push({
    id: added.memories.expired,
    memory: 'The user’s old address was 12 Rua Augusta',
    version: 1,
    isLatest: true,
    isForgotten: false,
    isStatic: false,
    isInference: false,
    createdAt: '2025-05-11T08:01:00.000Z',
    updatedAt: '2025-05-11T08:01:00.000Z',
    spaceId: trickySupermemoryIds.spaces.other,
    orgId: account.orgId,
    sourceCount: 2,
    parentMemoryId: null,
    rootMemoryId: null,
    forgetAfter: '2025-06-01T00:00:00.000Z',
    forgetReason: 'Temporary fact',
    metadata: null,
    memoryRelations: {},
    temporalContext: null,
    history: [],
    documentIds: [added.documents.encoded, added.documents.merged],
  });
  return deriveTagCounts(account);
}
