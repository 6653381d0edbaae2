// An in-memory Supermemory account for the fake server (API v3/v4: camelCase JSON, container tags as tenants),
// a hand-written account holding every data case of the wire reference's §11
// (/work/shared/sources/supermemory.md), and a deterministic generator of large, realistic accounts.

/** Document metadata as responses carry it: any JSON value (writes only take flat objects, reads are looser). */
export type SupermemoryMetadata = string | number | boolean | { [key: string]: unknown } | unknown[] | null;

export type SupermemoryDocumentStatus =
  | 'unknown'
  | 'queued'
  | 'extracting'
  | 'chunking'
  | 'embedding'
  | 'indexing'
  | 'done'
  | 'failed';

export type SupermemoryMemoryRelation = 'updates' | 'extends' | 'derives';

/** One item of `GET /v3/container-tags/list` (a bare array of these). `id` is the space id entries point to. */
export interface SupermemoryWireTag {
  id: string;
  name: string;
  containerTag: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  isExperimental: boolean;
  /** True for `sm_project_…` tags (consumer-app projects). */
  isNova: boolean;
  visibility?: 'public' | 'private' | 'unlisted';
  /** The fake serves these derived from the account (see `tagCounts`); stored values are the initial ones. */
  documentCount: number;
  memoryCount: number;
  lastActivityAt: string | null;
  emoji?: string;
  mergeStatus?: 'source' | 'target';
  mergeId?: string;
  mergeTargetTag?: string;
  [extra: string]: unknown;
}

/**
 * A document as stored; `POST /v3/documents/list` serves it without `content` (unless `includeContent`) and without
 * the GET-only keys, `GET /v3/documents/{id}` serves all of it. Extra keys pass through to both.
 */
export interface SupermemoryWireDocument {
  id: string;
  customId: string | null;
  connectionId: string | null;
  /** Deprecated and read-only on the wire: absent, empty, one tag, or several (legacy). */
  containerTags?: string[];
  title: string | null;
  summary: string | null;
  status: SupermemoryDocumentStatus;
  /** Open-ended: the 4.25.4 client's union lacks `granola`, and new kinds appear. */
  type: string;
  metadata: SupermemoryMetadata;
  filepath: string | null;
  url?: string | null;
  content: string | null;
  createdAt: string;
  updatedAt: string;
  [extra: string]: unknown;
}

/** One item of `GET /v3/documents/{id}/chunks`. */
export interface SupermemoryWireChunk {
  id: string;
  position: number;
  content: string;
  type: 'text' | 'image';
  metadata: Record<string, unknown> | null;
  createdAt: string;
}

/** An older version of a memory entry, as `history[]` of a `/v4/memories/list` item carries it. */
export interface SupermemoryWireMemoryVersion {
  id: string;
  memory: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  parentMemoryId: string | null;
  rootMemoryId: string | null;
  isLatest: boolean;
  isForgotten: boolean;
}

/** One item of `POST /v4/memories/list` (all 21 keys are always present; the nullable ones may be null). */
export interface SupermemoryWireMemoryEntry {
  id: string;
  memory: string;
  version: number;
  isLatest: boolean;
  isForgotten: boolean;
  isStatic: boolean;
  isInference: boolean | null;
  createdAt: string;
  updatedAt: string;
  /** The space id of the entry's container tag (`SupermemoryWireTag.id`), never the tag string. */
  spaceId: string;
  orgId: string;
  sourceCount: number;
  parentMemoryId: string | null;
  rootMemoryId: string | null;
  forgetAfter: string | null;
  forgetReason: string | null;
  metadata: Record<string, unknown> | null;
  memoryRelations: Record<string, SupermemoryMemoryRelation> | null;
  temporalContext: Record<string, unknown> | null;
  history: SupermemoryWireMemoryVersion[];
  documentIds: string[];
}

/** An entry as the `memories` key of `GET /v3/documents/{id}` carries it (§4.2). */
export interface SupermemoryWireDocumentMemory {
  id: string;
  memory: string;
  createdAt: string;
  updatedAt: string | null;
  isLatest: boolean;
  isForgotten: boolean;
  isStatic: boolean;
  isInference: boolean | null;
  version: number;
  sourceCount: number;
  metadata: Record<string, unknown> | null;
  parentMemoryId: string | null;
  rootMemoryId: string | null;
}

/** The `profile` of `POST /v4/profile`: plain strings, no ids or timestamps. */
export interface SupermemoryProfile {
  static: string[];
  dynamic: string[];
  buckets?: Record<string, string[]>;
}

export interface SupermemoryAccount {
  apiKey: string;
  orgId: string;
  containerTags: SupermemoryWireTag[];
  documents: SupermemoryWireDocument[];
  /** Document id → its chunks, in storage order (the fake orders them by `position` when serving). */
  chunks: Record<string, SupermemoryWireChunk[]>;
  /** Latest and superseded entries alike; each belongs to a tag through `spaceId`. */
  memoryEntries: SupermemoryWireMemoryEntry[];
  /** Container tag → profile; a tag without one answers empty arrays. */
  profiles: Record<string, SupermemoryProfile>;
  /** A scoped key → the only tags it may see (any other tag answers 403). */
  scopedKeys?: Record<string, string[]>;
  /** Container tag → its extraction prompt, served by `GET /v3/container-tags/{tag}`. */
  entityContexts?: Record<string, string>;
}

/** What the tag list reports for a tag: documents carrying it; latest, non-forgotten entries in its space. */
export function tagCounts(account: SupermemoryAccount, containerTag: string): { documentCount: number; memoryCount: number } {
  const spaceIds = new Set(account.containerTags.filter((tag) => tag.containerTag === containerTag).map((tag) => tag.id));
  return {
    documentCount: account.documents.filter((document) => document.containerTags?.includes(containerTag) ?? false).length,
    memoryCount: account.memoryEntries.filter((entry) => spaceIds.has(entry.spaceId) && entry.isLatest && !entry.isForgotten)
      .length,
  };
}

/** Sets every tag's `documentCount` and `memoryCount` from the account's data; answers the same account. */
export function deriveTagCounts(account: SupermemoryAccount): SupermemoryAccount {
  for (const tag of account.containerTags) Object.assign(tag, tagCounts(account, tag.containerTag));
  return account;
}

// ---------------------------------------------------------------------------------------------------------------
// The tricky account
// ---------------------------------------------------------------------------------------------------------------

/** The container tags of `trickySupermemoryAccount()`. */
export const trickySupermemoryTags = {
  user: 'user_123',
  /** Colons, a null description and lastActivityAt, a mergeStatus; holds every non-done status. */
  acme: 'org:acme:user:1',
  project: 'sm_project_default',
  /** documentCount 0, no entries, no profile. */
  empty: 'empty_tag',
  /** Has documents but an empty profile; shares a customId with `user`. */
  other: 'user_456',
} as const;

/** The ids of `trickySupermemoryAccount()`, so tests can name what they expect. */
export const trickySupermemoryIds = {
  spaces: {
    user: 'sPc3Hq8NvB1xLm6TrW2kJd',
    acme: 'sAcMe9rgUsr1Spc7Xy2QwZ',
    project: 'sPrJ4dEfAuLt8Nova3KqWm',
    empty: 'sEmPtY5tAg0Docs2Vb6NcX',
    other: 'sOtHr4U56sEr7Spc1Ty8Lp',
  },
  documents: {
    /** Text, done, customId `chat-42`, the source of the version chain. */
    trip: 'acxV5LHMEsG2hMSNb4umbn',
    /** PDF, done, content null, four chunks stored out of position order (one an image), customId with dots. */
    pdf: 'doc_abc123',
    /** Webpage whose content is its URL; metadata null; times with `+00:00`. */
    webpage: 'wEbPg7LisbonFood2Kq9Xz',
    /** Done, content '', no chunks: its text can only come from its summary. */
    summaryOnly: 'sUmOnLy3CallNotes8Rt5W',
    /** Tagged `user_123` and `org:acme:user:1`; nested metadata. */
    twoTags: 'tWoTaGs4DocShared6Mn1P',
    /** Unicode everywhere (emoji, CJK, RTL, combining marks), metadata keys included. */
    unicode: 'uNiCoDe8Emoji4Cjk2RtlQ',
    queued: 'qUeUeD1Doc2Content0Nul',
    /** Type `granola`, partial content. */
    extracting: 'eXtRaCt5GranolaPart7Yz',
    indexing: 'iNdExInG6QuarterPlan3B',
    /** Type `something_new`, metadata a bare string. */
    unknown: 'uNkNoWn9SomethingNew4C',
    /** Content null, metadata an array. */
    failed: 'fAiLeD2ScanPdf8Content',
    /** No `containerTags` key at all; metadata a number. */
    untagged: 'uNtAgGeD3NoContainer5H',
    /** `containerTags: []`; metadata a boolean. */
    emptyTags: 'eMpTyTaGs7Array0Docs1J',
    /** customId `shared-note-1`, also used in `user_456`. */
    sharedCustomIdUser: 'sHaReD1CustomUser123aB',
    sharedCustomIdOther: 'sHaReD2CustomUser456cD',
    /** From a connection (22-character connectionId), `google_doc`. */
    googleDoc: 'gOoGlEdOc4Connected9Xw',
    /** Content over 1 MiB. */
    large: 'lArGe1MiBTranscript5Zq',
    /** `user_456`, customId null. */
    otherNote: 'oThErNoTe2User456Doc7M',
  },
  /** An id that memory entries point to although no such document exists (deleted). */
  deletedDocument: 'dElEtEdDoc0000Gone00Xy',
  connection: 'cOnNeCt1GoogleDrive2Ab',
  memories: {
    /** v1 of the chain: `isLatest: false`, listed only inside v2's `history`. */
    versionOne: 'mEm1Ab2Cd3Ef4Gh5Ij6KlM',
    /** v2, latest: parent and root = v1, `memoryRelations: {v1: 'updates'}`, isStatic, temporalContext. */
    versionTwo: 'mEm7Qp2LxV9sKd4TnR8wYz',
    /** Forgotten, with forgetReason and a past forgetAfter. */
    forgotten: 'fOrGoT1PhoneNumber4821',
    /** isInference, forgetAfter in the future, documentIds empty. */
    inference: 'iNfEr2WindowSeats7Pq3R',
    /** isInference/metadata/memoryRelations/temporalContext null; points to a deleted document. */
    nulls: 'nUlLs3DentistJune5Vb8T',
    unicode: 'uNiMeM4Matcha9Coffee2K',
    project: 'pRoJmEm5Postgres17Db6W',
  },
  scopedKey: 'sm_scoped_user123_readonly_0001',
} as const;

const tags = trickySupermemoryTags;
const ids = trickySupermemoryIds;

/** Over 1 MiB of UTF-8, so an importer's size limits and streaming are exercised. */
function largeTranscript(): string {
  const lines: string[] = [];
  for (let line = 0; line < 20_000; line++) {
    lines.push(`[${String(line).padStart(5, '0')}] Speaker ${line % 3 === 0 ? 'A' : 'B'}: we went over the roadmap — item ${line % 97}.`);
  }
  return lines.join('\n');
}

/**
 * Every data case of §11: tag shapes, all statuses, content shapes, unicode, metadata shapes, id and time formats,
 * unknown types, version chains and forgotten entries, profiles with and without buckets. Fresh objects on each call.
 */
export function trickySupermemoryAccount(): SupermemoryAccount {
  const orgId = 'oRgAcMe1Tricky2Accnt3X';
  const documents: SupermemoryWireDocument[] = [
    {
      id: ids.documents.trip,
      customId: 'chat-42',
      connectionId: null,
      containerTags: [tags.user],
      title: 'Trip notes',
      summary: 'Jane plans a two-week trip to Lisbon in June.',
      status: 'done',
      type: 'text',
      metadata: { source: 'chat', turns: 3 },
      filepath: null,
      url: null,
      content: 'Jane is planning a two-week trip to Lisbon in June. She wants to visit Sintra and try pastéis de nata.',
      createdAt: '2025-04-15T09:30:00.000Z',
      updatedAt: '2025-04-15T09:31:00.000Z',
    },
    {
      id: ids.documents.pdf,
      customId: 'reports.2025.q1',
      connectionId: null,
      containerTags: [tags.user],
      title: 'Q1 report.pdf',
      summary: 'Q1 2025 financial report: revenue up 12%.',
      status: 'done',
      type: 'pdf',
      metadata: { labels: ['finance', 'quarterly'], pages: 12, confidential: false, score: 4.5 },
      filepath: '/reports/2025/q1.pdf',
      url: null,
      content: null,
      createdAt: '2025-04-16T08:00:00Z',
      updatedAt: '2025-04-16T08:05:00Z',
    },
    {
      id: ids.documents.webpage,
      customId: null,
      connectionId: null,
      containerTags: [tags.user],
      title: 'Where to eat in Lisbon',
      summary: 'A guide to restaurants and bakeries in Lisbon.',
      status: 'done',
      type: 'webpage',
      metadata: null,
      filepath: null,
      url: 'https://example.com/guides/lisbon-food',
      content: 'https://example.com/guides/lisbon-food',
      createdAt: '2025-04-17T10:15:00+00:00',
      updatedAt: '2025-04-17T10:20:00+00:00',
      ogImage: 'https://example.com/guides/lisbon-food/cover.jpg',
    },
    {
      id: ids.documents.summaryOnly,
      customId: null,
      connectionId: null,
      containerTags: [tags.user],
      title: 'Call notes',
      summary: 'Call with the accountant about the tax filing deadline on 15 May.',
      status: 'done',
      type: 'text',
      metadata: {},
      filepath: null,
      url: null,
      content: '',
      createdAt: '2025-04-18T14:00:00.000Z',
      updatedAt: '2025-04-18T14:00:00.000Z',
    },
    {
      id: ids.documents.twoTags,
      customId: null,
      connectionId: null,
      containerTags: [tags.user, tags.acme],
      title: 'Shared project brief',
      summary: 'Brief for the Acme onboarding project, shared between Jane and Acme.',
      status: 'done',
      type: 'text',
      metadata: { author: { name: 'Jane', roles: ['owner', 'editor'] }, review: { round: 2, approved: true } },
      filepath: null,
      url: null,
      content: 'Acme onboarding: kick-off on 2 June, Jane leads the design workstream.',
      createdAt: '2025-04-20T09:00:00.000Z',
      updatedAt: '2025-05-01T09:00:00.000Z',
    },
    {
      id: ids.documents.sharedCustomIdUser,
      customId: 'shared-note-1',
      connectionId: null,
      containerTags: [tags.user],
      title: 'Groceries',
      summary: 'Shopping list for the week.',
      status: 'done',
      type: 'text',
      metadata: { list: true, items: 4 },
      filepath: null,
      url: null,
      content: 'Milk, eggs, bread, coffee.',
      createdAt: '2025-04-21T18:00:00.000Z',
      updatedAt: '2025-04-21T18:00:00.000Z',
    },
    {
      id: ids.documents.unicode,
      customId: null,
      connectionId: null,
      containerTags: [tags.acme],
      title: '旅行メモ 🧳 — مرحبا',
      summary: 'Résumé with combining marks: cafe\u0301, Zoe\u0308, 東京 🗼, שלום',
      status: 'done',
      type: 'text',
      metadata: { ключ: 'значение', 絵文字: '🎉', מפתח: 'ערך', 'cafe\u0301': 'oui', tags: ['日本', 'עברית', '👩‍💻'] },
      filepath: null,
      url: null,
      content:
        'Emoji 🎉👩‍💻🇵🇹, CJK 東京で寿司を食べた, RTL עברית ومرحبا بالعالم, combining e\u0301 a\u0308 n\u0303, astral 𝄞.',
      createdAt: '2025-05-03T07:45:00.000Z',
      updatedAt: '2025-05-03T07:45:00.000Z',
    },
    {
      id: ids.documents.queued,
      customId: null,
      connectionId: null,
      containerTags: [tags.acme],
      title: null,
      summary: null,
      status: 'queued',
      type: 'text',
      metadata: null,
      filepath: null,
      url: null,
      content: null,
      createdAt: '2025-05-04T08:00:00.000Z',
      updatedAt: '2025-05-04T08:00:00.000Z',
    },
    {
      id: ids.documents.extracting,
      customId: 'granola.meeting.2025-05-04',
      connectionId: null,
      containerTags: [tags.acme],
      title: 'Standup (Granola)',
      summary: null,
      status: 'extracting',
      type: 'granola',
      metadata: { source: 'granola' },
      filepath: null,
      url: null,
      content: 'Partial transcript: we agreed to',
      createdAt: '2025-05-04T09:00:00.000Z',
      updatedAt: '2025-05-04T09:00:30.000Z',
    },
    {
      id: ids.documents.indexing,
      customId: null,
      connectionId: null,
      containerTags: [tags.acme],
      title: 'Quarterly plan',
      summary: null,
      status: 'indexing',
      type: 'text',
      metadata: { quarter: 'Q3' },
      filepath: null,
      url: null,
      content: 'Quarterly planning: hire two engineers, ship the importer, review pricing.',
      createdAt: '2025-05-04T10:00:00.000Z',
      updatedAt: '2025-05-04T10:00:00.000Z',
    },
    {
      id: ids.documents.unknown,
      customId: null,
      connectionId: null,
      containerTags: [tags.acme],
      title: 'Imported page',
      summary: null,
      status: 'unknown',
      type: 'something_new',
      metadata: 'imported-from-notion',
      filepath: null,
      url: null,
      content: 'Imported page body.',
      createdAt: '2025-05-04T11:00:00Z',
      updatedAt: '2025-05-04T11:00:00Z',
    },
    {
      id: ids.documents.failed,
      customId: null,
      connectionId: null,
      containerTags: [tags.acme],
      title: 'scan.pdf',
      summary: null,
      status: 'failed',
      type: 'pdf',
      metadata: [1, 'two', { three: 3 }],
      filepath: '/scans/scan.pdf',
      url: null,
      content: null,
      createdAt: '2025-05-04T12:00:00.000Z',
      updatedAt: '2025-05-04T12:10:00.000Z',
    },
    {
      id: ids.documents.untagged,
      customId: null,
      connectionId: null,
      title: 'Loose note',
      summary: 'A note saved without any container tag.',
      status: 'done',
      type: 'text',
      metadata: 7,
      filepath: null,
      content: 'A note saved without any container tag.',
      createdAt: '2025-05-05T08:00:00.000Z',
      updatedAt: '2025-05-05T08:00:00.000Z',
    },
    {
      id: ids.documents.emptyTags,
      customId: null,
      connectionId: null,
      containerTags: [],
      title: 'Another loose note',
      summary: 'A note whose container tags are an empty array.',
      status: 'done',
      type: 'text',
      metadata: true,
      filepath: null,
      url: null,
      content: 'A note whose container tags are an empty array.',
      createdAt: '2025-05-05T09:00:00.000Z',
      updatedAt: '2025-05-05T09:00:00.000Z',
    },
    {
      id: ids.documents.googleDoc,
      customId: 'gdrive-1AbCdEf',
      connectionId: ids.connection,
      containerTags: [tags.project],
      title: 'Architecture decisions',
      summary: 'The project stores its data in PostgreSQL 17.',
      status: 'done',
      type: 'google_doc',
      metadata: { driveFolder: 'Engineering', starred: true },
      filepath: null,
      url: 'https://docs.google.com/document/d/1AbCdEf',
      content: 'Decision 1: PostgreSQL 17 for storage. Decision 2: one importer per source.',
      createdAt: '2025-05-06T08:00:00+00:00',
      updatedAt: '2025-05-07T08:00:00+00:00',
    },
    {
      id: ids.documents.large,
      customId: 'transcript.all-hands.2025-05',
      connectionId: null,
      containerTags: [tags.project],
      title: 'All-hands transcript',
      summary: 'A long meeting transcript.',
      status: 'done',
      type: 'text',
      metadata: { minutes: 240 },
      filepath: '/transcripts/all-hands.txt',
      url: null,
      content: largeTranscript(),
      createdAt: '2025-05-08T08:00:00.000Z',
      updatedAt: '2025-05-08T08:00:00.000Z',
    },
    {
      id: ids.documents.sharedCustomIdOther,
      customId: 'shared-note-1',
      connectionId: null,
      containerTags: [tags.other],
      title: 'Reading list',
      summary: 'Books to read this summer.',
      status: 'done',
      type: 'text',
      metadata: { count: 3 },
      filepath: null,
      url: null,
      content: 'Dune, The Left Hand of Darkness, Piranesi.',
      createdAt: '2025-05-09T08:00:00.000Z',
      updatedAt: '2025-05-09T08:00:00.000Z',
    },
    {
      id: ids.documents.otherNote,
      customId: null,
      connectionId: null,
      containerTags: [tags.other],
      title: 'Gym plan',
      summary: 'Three sessions a week.',
      status: 'done',
      type: 'text',
      metadata: null,
      filepath: null,
      url: null,
      content: 'Monday legs, Wednesday back, Friday cardio.',
      createdAt: '2025-05-10T08:00:00.000Z',
      updatedAt: '2025-05-10T08:00:00.000Z',
    },
  ];

  const chunks: Record<string, SupermemoryWireChunk[]> = {
    // Stored out of position order on purpose.
    [ids.documents.pdf]: [
      { id: 'cHk2Pdf0Outlook0Grow8Q', position: 2, content: 'Outlook: revenue is expected to grow 8% in Q2.', type: 'text', metadata: null, createdAt: '2025-04-16T08:01:00Z' },
      { id: 'cHk0Pdf0Title0Summary0', position: 0, content: 'Q1 2025 financial report — revenue and costs.', type: 'text', metadata: { page: 1 }, createdAt: '2025-04-16T08:01:00Z' },
      { id: 'cHk3Pdf0Chart0Image000', position: 3, content: 'Chart: revenue by month, January to March.', type: 'image', metadata: { page: 4 }, createdAt: '2025-04-16T08:01:00Z' },
      { id: 'cHk1Pdf0Revenue0Costs0', position: 1, content: 'Revenue: €1.2M (+12% YoY). Costs: €0.9M.', type: 'text', metadata: { page: 2 }, createdAt: '2025-04-16T08:01:00Z' },
    ],
  };

  const versionOne: SupermemoryWireMemoryVersion = {
    id: ids.memories.versionOne,
    memory: 'Jane lives in Porto',
    version: 1,
    createdAt: '2025-04-15T09:31:00.000Z',
    updatedAt: '2025-05-02T10:00:00.000Z',
    parentMemoryId: null,
    rootMemoryId: null,
    isLatest: false,
    isForgotten: false,
  };

  const memoryEntries: SupermemoryWireMemoryEntry[] = [
    {
      ...versionOne,
      isStatic: true,
      isInference: false,
      spaceId: ids.spaces.user,
      orgId,
      sourceCount: 1,
      forgetAfter: null,
      forgetReason: null,
      metadata: {},
      memoryRelations: {},
      temporalContext: null,
      history: [],
      documentIds: [ids.documents.trip],
    },
    {
      id: ids.memories.versionTwo,
      memory: 'Jane lives in Lisbon',
      version: 2,
      isLatest: true,
      isForgotten: false,
      isStatic: true,
      isInference: false,
      createdAt: '2025-05-02T10:00:00.000Z',
      updatedAt: '2025-05-02T10:00:00.000Z',
      spaceId: ids.spaces.user,
      orgId,
      sourceCount: 2,
      parentMemoryId: ids.memories.versionOne,
      rootMemoryId: ids.memories.versionOne,
      forgetAfter: null,
      forgetReason: null,
      metadata: { source: 'chat' },
      memoryRelations: { [ids.memories.versionOne]: 'updates' },
      temporalContext: { documentDate: '2025-05-02', eventDate: ['2025-06-01'] },
      history: [versionOne],
      documentIds: [ids.documents.trip],
    },
    {
      id: ids.memories.forgotten,
      memory: 'Jane’s old phone number ends in 4821',
      version: 1,
      isLatest: true,
      isForgotten: true,
      isStatic: false,
      isInference: false,
      createdAt: '2025-04-15T09:32:00.000Z',
      updatedAt: '2025-06-01T00:00:00.000Z',
      spaceId: ids.spaces.user,
      orgId,
      sourceCount: 1,
      parentMemoryId: null,
      rootMemoryId: null,
      forgetAfter: '2025-06-01T00:00:00.000Z',
      forgetReason: 'User asked to forget this',
      metadata: {},
      memoryRelations: {},
      temporalContext: null,
      history: [],
      documentIds: [ids.documents.trip],
    },
    {
      id: ids.memories.inference,
      memory: 'Jane probably prefers window seats',
      version: 1,
      isLatest: true,
      isForgotten: false,
      isStatic: false,
      isInference: true,
      createdAt: '2025-05-02T10:05:00Z',
      updatedAt: '2025-05-02T10:05:00Z',
      spaceId: ids.spaces.user,
      orgId,
      sourceCount: 0,
      parentMemoryId: null,
      rootMemoryId: null,
      forgetAfter: '2099-01-01T00:00:00.000Z',
      forgetReason: null,
      metadata: { confidence: 0.62 },
      memoryRelations: { [ids.memories.versionTwo]: 'derives' },
      temporalContext: null,
      history: [],
      documentIds: [],
    },
    {
      id: ids.memories.nulls,
      memory: 'Jane’s dentist appointment is on 3 June',
      version: 1,
      isLatest: true,
      isForgotten: false,
      isStatic: false,
      isInference: null,
      createdAt: '2025-05-03T08:00:00+00:00',
      updatedAt: '2025-05-03T08:00:00+00:00',
      spaceId: ids.spaces.user,
      orgId,
      sourceCount: 1,
      parentMemoryId: null,
      rootMemoryId: null,
      forgetAfter: null,
      forgetReason: null,
      metadata: null,
      memoryRelations: null,
      temporalContext: null,
      history: [],
      documentIds: [ids.deletedDocument],
    },
    {
      id: ids.memories.unicode,
      memory: '喜欢喝抹茶 🍵 — تحب القهوة العربية — cafe\u0301 ☕',
      version: 1,
      isLatest: true,
      isForgotten: false,
      isStatic: false,
      isInference: false,
      createdAt: '2025-05-03T07:50:00.000Z',
      updatedAt: '2025-05-03T07:50:00.000Z',
      spaceId: ids.spaces.acme,
      orgId,
      sourceCount: 1,
      parentMemoryId: null,
      rootMemoryId: null,
      forgetAfter: null,
      forgetReason: null,
      metadata: { 言語: '中文' },
      memoryRelations: {},
      temporalContext: null,
      history: [],
      documentIds: [ids.documents.unicode],
    },
    {
      id: ids.memories.project,
      memory: 'The project stores its data in PostgreSQL 17',
      version: 1,
      isLatest: true,
      isForgotten: false,
      isStatic: true,
      isInference: false,
      createdAt: '2025-05-06T08:01:00+00:00',
      updatedAt: '2025-05-06T08:01:00+00:00',
      spaceId: ids.spaces.project,
      orgId,
      sourceCount: 1,
      parentMemoryId: null,
      rootMemoryId: null,
      forgetAfter: null,
      forgetReason: null,
      metadata: {},
      memoryRelations: {},
      temporalContext: null,
      history: [],
      documentIds: [ids.documents.googleDoc],
    },
  ];

  const containerTags: SupermemoryWireTag[] = [
    {
      id: ids.spaces.user,
      name: tags.user,
      containerTag: tags.user,
      description: 'Jane (customer)',
      createdAt: '2025-04-15T09:30:00.000Z',
      updatedAt: '2025-04-15T09:31:00.000Z',
      isExperimental: false,
      isNova: false,
      visibility: 'private',
      documentCount: 0,
      memoryCount: 0,
      lastActivityAt: '2025-05-03T08:00:00.000Z',
    },
    {
      id: ids.spaces.acme,
      name: tags.acme,
      containerTag: tags.acme,
      description: null,
      createdAt: '2025-04-20T09:00:00Z',
      updatedAt: '2025-04-20T09:00:00Z',
      isExperimental: false,
      isNova: false,
      documentCount: 0,
      memoryCount: 0,
      lastActivityAt: null,
      mergeStatus: 'source',
    },
    {
      id: ids.spaces.project,
      name: 'Default Project',
      containerTag: tags.project,
      description: 'The app’s default project',
      createdAt: '2025-05-06T08:00:00+00:00',
      updatedAt: '2025-05-06T08:00:00+00:00',
      isExperimental: false,
      isNova: true,
      visibility: 'unlisted',
      documentCount: 0,
      memoryCount: 0,
      lastActivityAt: '2025-05-08T08:00:00.000Z',
      emoji: '📁',
    },
    {
      id: ids.spaces.empty,
      name: tags.empty,
      containerTag: tags.empty,
      description: 'Created, never used',
      createdAt: '2025-05-01T00:00:00.000Z',
      updatedAt: '2025-05-01T00:00:00.000Z',
      isExperimental: true,
      isNova: false,
      visibility: 'public',
      documentCount: 0,
      memoryCount: 0,
      lastActivityAt: null,
    },
    {
      id: ids.spaces.other,
      name: tags.other,
      containerTag: tags.other,
      description: 'Second user',
      createdAt: '2025-05-09T08:00:00.000Z',
      updatedAt: '2025-05-09T08:00:00.000Z',
      isExperimental: false,
      isNova: false,
      visibility: 'private',
      documentCount: 0,
      memoryCount: 0,
      lastActivityAt: '2025-05-10T08:00:00.000Z',
    },
  ];

  const profiles: Record<string, SupermemoryProfile> = {
    [tags.user]: {
      static: ['Lives in Lisbon', 'Works as a product designer'],
      dynamic: ['Planning a trip to Lisbon in June'],
      buckets: { travel: ['Prefers window seats'], work: [] },
    },
    [tags.acme]: { static: [], dynamic: ['Reviewing the quarterly plan 📈'] },
    [tags.project]: { static: ['The project stores its data in PostgreSQL 17'], dynamic: [] },
    [tags.other]: { static: [], dynamic: [] },
  };

  return deriveTagCounts({
    apiKey: 'sm_test_tricky_key_0123456789',
    orgId,
    containerTags,
    documents,
    chunks,
    memoryEntries,
    profiles,
    scopedKeys: { [ids.scopedKey]: [tags.user] },
    entityContexts: { [tags.user]: 'Jane is a product designer; extract travel plans and preferences.' },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------------------------------

const idAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A 22-character alphanumeric id, unique per (prefix, n): the prefix and n in base 62, then a pseudo-random tail. */
function generatedId(prefix: string, n: number): string {
  let counter = '';
  let rest = n;
  do {
    counter = idAlphabet[rest % 62] + counter;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  let id = prefix + counter.padStart(6, '0');
  let state = (Math.imul(n + 1, 2_654_435_761) ^ Math.imul(prefix.charCodeAt(0) * 256 + prefix.charCodeAt(1), 40_503)) >>> 0;
  while (id.length < 22) {
    state = (Math.imul(state ^ (state >>> 15), 2_246_822_507) + 0x9e37_79b9) >>> 0;
    id += idAlphabet[state % 62];
  }
  return id;
}

const people = ['Ana', 'Bilal', 'Chen', 'Dara', 'Emeka', 'Freya', 'Goran', 'Hana', 'Ines', 'Jonas'];
const cities = ['Lisbon', 'Berlin', 'Nairobi', 'Osaka', 'Toronto', 'Valparaíso', 'Tbilisi', 'Hanoi'];
const jobs = ['a nurse', 'a backend engineer', 'a teacher', 'a product designer', 'an accountant', 'a photographer'];
const subjects = [
  { title: 'Trip planning', sentence: 'is planning a trip and wants a quiet hotel near the old town' },
  { title: 'Marathon training', sentence: 'is training for a marathon and runs four times a week' },
  { title: 'Kitchen renovation', sentence: 'is renovating the kitchen and chose oak cabinets' },
  { title: 'Quarterly review', sentence: 'prepared the quarterly review and flagged the hiring budget' },
  { title: 'Learning Rust', sentence: 'is learning Rust and struggles with lifetimes' },
  { title: 'Dentist appointment', sentence: 'booked a dentist appointment for next Tuesday morning' },
  { title: 'Book club', sentence: 'picked a novel for the book club and hosts the next meeting' },
  { title: 'Garden plans', sentence: 'wants to plant tomatoes and basil on the balcony' },
  { title: 'Team offsite', sentence: 'is organising the team offsite and compares two venues' },
  { title: 'Home network', sentence: 'asked how to set up the VPN on the home router step by step' },
];
const details = [
  'The budget is tight, so cheaper options come first.',
  'Weekends are the only free time.',
  'A reminder one day before would help.',
  'Notes are kept in Markdown and synced to the phone.',
  'Coffee in the morning is non-negotiable.',
  'Any change should be confirmed by email.',
];
const documentTypes = ['text', 'text', 'text', 'pdf', 'google_doc', 'notion_doc'] as const;

/**
 * A deterministic account of `tags` container tags, each with `documentsPerTag` done documents (content, summary,
 * metadata) and `memoriesPerTag` latest entries (every tenth with a v1 in `history`), and a profile. Times are
 * distinct and increase with the document index.
 */
export function generatedSupermemoryAccount(options: {
  tags: number;
  documentsPerTag: number;
  memoriesPerTag: number;
  apiKey?: string;
}): SupermemoryAccount {
  const orgId = generatedId('og', 0);
  const start = Date.UTC(2025, 0, 1, 8);
  const minute = 60_000;
  const containerTags: SupermemoryWireTag[] = [];
  const documents: SupermemoryWireDocument[] = [];
  const memoryEntries: SupermemoryWireMemoryEntry[] = [];
  const profiles: Record<string, SupermemoryProfile> = {};
  let documentNumber = 0;
  let memoryNumber = 0;

  for (let tagIndex = 0; tagIndex < options.tags; tagIndex++) {
    const containerTag = tagIndex % 10 === 9 ? `org:acme:user:${tagIndex}` : `user_${String(tagIndex).padStart(3, '0')}`;
    const person = `${people[tagIndex % people.length]} ${String.fromCharCode(65 + (tagIndex % 26))}.`;
    const city = cities[tagIndex % cities.length] as string;
    const job = jobs[tagIndex % jobs.length] as string;
    const spaceId = generatedId('sp', tagIndex);
    const tagCreatedAt = new Date(start + tagIndex * minute).toISOString();
    const tagDocumentIds: string[] = [];
    let lastActivity = start + tagIndex * minute;

    for (let documentIndex = 0; documentIndex < options.documentsPerTag; documentIndex++) {
      documentNumber++;
      const subject = subjects[(tagIndex + documentIndex) % subjects.length] as (typeof subjects)[number];
      const createdAt = start + (documentIndex * options.tags + tagIndex) * 37 * minute;
      const updatedAt = createdAt + (documentIndex % 4) * 5 * minute;
      lastActivity = Math.max(lastActivity, updatedAt);
      const id = generatedId('dc', documentNumber);
      tagDocumentIds.push(id);
      const type = documentTypes[documentIndex % documentTypes.length] as string;
      documents.push({
        id,
        customId: documentIndex % 3 === 0 ? `note-${tagIndex}-${documentIndex}` : null,
        connectionId: null,
        containerTags: [containerTag],
        title: `${subject.title} (${documentIndex + 1})`,
        summary: `${person} ${subject.sentence}.`,
        status: 'done',
        type,
        metadata:
          documentIndex % 7 === 0
            ? null
            : { source: documentIndex % 2 === 0 ? 'chat' : 'email', sequence: documentIndex, important: documentIndex % 5 === 0 },
        filepath: type === 'pdf' ? `/documents/${containerTag.replaceAll(':', '/')}/${documentIndex}.pdf` : null,
        url: null,
        content: `${person}, ${job} from ${city}, ${subject.sentence}. ${details[(tagIndex + 2 * documentIndex) % details.length]} ${
          details[(tagIndex + 2 * documentIndex + 1) % details.length]
        } (entry ${documentIndex + 1} of ${options.documentsPerTag})`,
        createdAt: new Date(createdAt).toISOString(),
        updatedAt: new Date(updatedAt).toISOString(),
      });
    }

    for (let memoryIndex = 0; memoryIndex < options.memoriesPerTag; memoryIndex++) {
      memoryNumber++;
      const subject = subjects[(tagIndex + memoryIndex) % subjects.length] as (typeof subjects)[number];
      const createdAt = new Date(start + (memoryIndex * options.tags + tagIndex) * 41 * minute + 30_000).toISOString();
      const id = generatedId('me', memoryNumber);
      const chained = memoryIndex % 10 === 9;
      const previous: SupermemoryWireMemoryVersion | null = chained
        ? {
            id: generatedId('mv', memoryNumber),
            memory: `${person} ${subject.sentence} (earlier version)`,
            version: 1,
            createdAt,
            updatedAt: createdAt,
            parentMemoryId: null,
            rootMemoryId: null,
            isLatest: false,
            isForgotten: false,
          }
        : null;
      const linked = options.documentsPerTag > 0 ? tagDocumentIds[memoryIndex % options.documentsPerTag] : undefined;
      memoryEntries.push({
        id,
        memory: `${person} ${subject.sentence}`,
        version: previous ? 2 : 1,
        isLatest: true,
        isForgotten: false,
        isStatic: memoryIndex % 4 === 0,
        isInference: false,
        createdAt,
        updatedAt: createdAt,
        spaceId,
        orgId,
        sourceCount: 1,
        parentMemoryId: previous?.id ?? null,
        rootMemoryId: previous?.id ?? null,
        forgetAfter: null,
        forgetReason: null,
        metadata: memoryIndex % 3 === 0 ? null : { source: 'extraction' },
        memoryRelations: previous ? { [previous.id]: 'updates' } : {},
        temporalContext: null,
        history: previous ? [previous] : [],
        documentIds: linked ? [linked] : [],
      });
    }

    containerTags.push({
      id: spaceId,
      name: containerTag,
      containerTag,
      description: tagIndex % 2 === 0 ? `Memories of ${person}` : null,
      createdAt: tagCreatedAt,
      updatedAt: tagCreatedAt,
      isExperimental: false,
      isNova: false,
      visibility: 'private',
      documentCount: 0,
      memoryCount: 0,
      lastActivityAt: options.documentsPerTag > 0 ? new Date(lastActivity).toISOString() : null,
    });
    profiles[containerTag] = {
      static: [`Lives in ${city}`, `Works as ${job}`],
      dynamic: [`${person} ${(subjects[tagIndex % subjects.length] as (typeof subjects)[number]).sentence}`],
    };
  }

  return deriveTagCounts({
    apiKey: options.apiKey ?? 'sm_test_generated_key_000000',
    orgId,
    containerTags,
    documents,
    chunks: {},
    memoryEntries,
    profiles,
  });
}
