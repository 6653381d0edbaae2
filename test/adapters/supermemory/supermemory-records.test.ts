import { describe, expect, it } from 'vitest';
import {
  chunksText,
  documentItem,
  documentMemoryChains,
  memoryChainKey,
  memoryItem,
  profileItem,
  profileSummary,
  supermemoryItem,
  untaggedTenantKey,
  type DocumentEnvelope,
  type MemoryEnvelope,
} from '../../../adapters/supermemory/supermemory-records.js';
import type { SourceItem } from '../../../src/records.js';

const listedDocument = {
  id: 'acxV5LHMEsG2hMSNb4umbn',
  customId: 'chat-42',
  connectionId: null,
  containerTags: ['user_123'],
  title: 'Trip notes',
  summary: 'User plans a trip to Lisbon.',
  status: 'done',
  type: 'text',
  metadata: { source: 'chat', turns: 3 },
  filepath: null,
  url: null,
  createdAt: '2025-04-15T09:30:00.000Z',
  updatedAt: '2025-04-15T09:31:00+00:00',
  somethingNew: { x: 1 },
};

function documentEnvelope(overrides: Partial<DocumentEnvelope> = {}, document: Record<string, unknown> = {}): DocumentEnvelope {
  return {
    supermemory: 'document',
    tag: 'user_123',
    multiTag: 'all',
    document: { ...listedDocument, ...document },
    text: 'Jane is planning a trip to Lisbon.',
    textFrom: 'list',
    ...overrides,
  };
}

const entry = {
  id: 'mEm7Qp2LxV9sKd4TnR8wYz',
  memory: 'Jane lives in Lisbon',
  version: 2,
  isLatest: true,
  isForgotten: false,
  isStatic: true,
  isInference: false,
  createdAt: '2025-05-02T10:00:00.000Z',
  updatedAt: '2025-05-02T10:00:00.000Z',
  spaceId: 'sPc3Hq8NvB1xLm6TrW2kJd',
  orgId: 'org',
  sourceCount: 1,
  parentMemoryId: 'mEm1Ab2Cd3Ef4Gh5Ij6Kl',
  rootMemoryId: 'mEm1Ab2Cd3Ef4Gh5Ij6Kl',
  forgetAfter: null,
  forgetReason: null,
  metadata: {},
  memoryRelations: { mEm1Ab2Cd3Ef4Gh5Ij6Kl: 'updates' },
  temporalContext: null,
  history: [
    {
      id: 'mEm1Ab2Cd3Ef4Gh5Ij6Kl',
      memory: 'Jane lives in Porto',
      version: 1,
      createdAt: '2025-04-01T10:00:00.000Z',
      updatedAt: '2025-05-02T10:00:00.000Z',
      parentMemoryId: null,
      rootMemoryId: null,
      isLatest: false,
      isForgotten: false,
    },
  ],
  documentIds: ['acxV5LHMEsG2hMSNb4umbn'],
};

function memoryEnvelope(overrides: Partial<MemoryEnvelope> = {}, fields: Record<string, unknown> = {}): MemoryEnvelope {
  return { supermemory: 'memory', tag: 'user_123', firstTag: 'user_123', multiTag: 'all', via: 'list', entry: { ...entry, ...fields }, ...overrides };
}

function skipReason(item: SourceItem): string | null {
  return item.type === 'skipped' ? item.skipped.reason : null;
}

function record(item: SourceItem) {
  if (item.type !== 'memory') throw new Error(`expected a memory, got ${JSON.stringify(item)}`);
  return item.record;
}

describe('Supermemory documents', () => {
  it('become a record under their tag: full text, document times, metadata as is, everything else in source fields', () => {
    const item = documentItem(documentEnvelope());
    expect(item).toMatchObject({
      type: 'memory',
      record: {
        sourceKind: 'supermemory.document',
        sourceId: 'acxV5LHMEsG2hMSNb4umbn',
        tenantKey: 'user_123',
        content: 'Jane is planning a trip to Lisbon.',
        role: null,
        tags: ['supermemory.document', 'text'],
        metadata: { source: 'chat', turns: 3 },
        createdAt: Date.UTC(2025, 3, 15, 9, 30),
        updatedAt: Date.UTC(2025, 3, 15, 9, 31),
      },
    });
    const { sourceFields, flags } = record(item);
    expect(flags).toBeUndefined();
    const { metadata: _metadata, ...rest } = listedDocument;
    expect(sourceFields).toEqual(rest);
    expect(sourceFields).not.toHaveProperty('content');
  });

  it('never store a stray `content` in the source fields', () => {
    expect(record(documentItem(documentEnvelope({}, { content: 'x' }))).sourceFields).not.toHaveProperty('content');
  });

  it.each([
    [null, {}, 'null'],
    ['imported-from-notion', {}, 'a bare string'],
    [7, {}, 'a number'],
    [true, {}, 'a boolean'],
    [[1, 'two', { three: 3 }], {}, 'an array'],
  ])('keep metadata %j out of `metadata` and in the source fields (%s)', (metadata: unknown, expected: unknown, _shape: string) => {
    const { metadata: stored, sourceFields } = record(documentItem(documentEnvelope({}, { metadata })));
    expect(stored).toEqual(expected);
    expect(sourceFields['metadata']).toEqual(metadata);
  });

  it('keep nested and empty metadata objects as they came', () => {
    const nested = { author: { name: 'Jane', roles: ['owner'] }, review: { round: 2 } };
    expect(record(documentItem(documentEnvelope({}, { metadata: nested }))).metadata).toEqual(nested);
    expect(record(documentItem(documentEnvelope({}, { metadata: {} }))).metadata).toEqual({});
  });

  it('take text from chunks or the document just like from the listing', () => {
    expect(record(documentItem(documentEnvelope({ text: 'from chunks', textFrom: 'chunks' }))).content).toBe('from chunks');
    expect(record(documentItem(documentEnvelope({ text: 'from the document', textFrom: 'document' }))).content).toBe('from the document');
  });

  it('fall back to the summary, flagged, when no text was found anywhere', () => {
    for (const text of [null, '', '   ']) {
      const fallback = record(documentItem(documentEnvelope({ text, textFrom: null })));
      expect(fallback.content).toBe('User plans a trip to Lisbon.');
      expect(fallback.flags).toEqual(['content-from-summary']);
    }
    expect(skipReason(documentItem(documentEnvelope({ text: null, textFrom: null }, { summary: null })))).toBe(
      'no text: content, document and chunks are empty, and there is no summary',
    );
  });

  it.each([
    ['queued', 'not processed yet (status queued); a later run picks it up'],
    ['extracting', 'not processed yet (status extracting); a later run picks it up'],
    ['indexing', 'not processed yet (status indexing); a later run picks it up'],
    ['unknown', 'not processed yet (status unknown); a later run picks it up'],
    [undefined, 'not processed yet (status missing); a later run picks it up'],
    ['failed', 'processing failed at Supermemory'],
  ])('skip status %s: %s', (status, reason) => {
    const item = documentItem(documentEnvelope({}, { status }));
    expect(item).toMatchObject({ type: 'skipped', skipped: { sourceId: 'acxV5LHMEsG2hMSNb4umbn', tenantKey: 'user_123', reason } });
  });

  it('skip a document deleted between listing and reading, and malformed ones, with the reason', () => {
    expect(skipReason(documentItem(documentEnvelope({ gone: true, text: null, textFrom: null })))).toBe(
      'deleted at Supermemory after it was listed (reading it answered 404)',
    );
    expect(skipReason(documentItem(documentEnvelope({ document: 'oops' })))).toBe('document is not a JSON object');
    expect(skipReason(documentItem(documentEnvelope({ document: null })))).toBe('document is not a JSON object');
    expect(skipReason(documentItem(documentEnvelope({}, { id: '' })))).toBe('document without an id');
    expect(record(documentItem(documentEnvelope({}, { id: 42 }))).sourceId).toBe('42');
  });

  it('in several tags: the plain id under the first tag, `<id>@<tag>` under each further one', () => {
    const shared = { containerTags: ['user_123', 'org:acme:user:1'] };
    expect(record(documentItem(documentEnvelope({}, shared)))).toMatchObject({ sourceId: listedDocument.id, tenantKey: 'user_123' });
    expect(record(documentItem(documentEnvelope({ tag: 'org:acme:user:1' }, shared)))).toMatchObject({
      sourceId: `${listedDocument.id}@org:acme:user:1`,
      tenantKey: 'org:acme:user:1',
    });
  });

  it('in several tags with --multi-tag first: imported under the first tag only, the others skipped with the reason', () => {
    const shared = { containerTags: ['user_123', 'org:acme:user:1'] };
    expect(record(documentItem(documentEnvelope({ multiTag: 'first' }, shared))).sourceId).toBe(listedDocument.id);
    expect(documentItem(documentEnvelope({ tag: 'org:acme:user:1', multiTag: 'first' }, shared))).toMatchObject({
      type: 'skipped',
      skipped: { sourceId: `${listedDocument.id}@org:acme:user:1`, tenantKey: 'org:acme:user:1', reason: 'also in tag user_123: imported there only (--multi-tag first)' },
    });
  });

  it('without tags: under `(untagged)` with the plain id; a singular `containerTag` counts as its tag', () => {
    for (const tags of [{ containerTags: undefined }, { containerTags: [] }]) {
      expect(record(documentItem(documentEnvelope({ tag: untaggedTenantKey }, tags)))).toMatchObject({ sourceId: listedDocument.id, tenantKey: '(untagged)' });
    }
    expect(record(documentItem(documentEnvelope({ tag: 'b' }, { containerTags: undefined, containerTag: 'a' }))).sourceId).toBe(`${listedDocument.id}@b`);
  });

  it('keep unicode text, titles and metadata keys byte for byte, and open-ended types as tags', () => {
    const text = 'Emoji 🎉👩‍💻🇵🇹, CJK 東京で寿司を食べた, RTL עברית ومرحبا, combining e\u0301 a\u0308, astral 𝄞';
    const metadata = { ключ: 'значение', 'cafe\u0301': 'oui', 絵文字: ['🎉'] };
    const unicode = record(documentItem(documentEnvelope({ text }, { title: '旅行メモ 🧳 — مرحبا', metadata, type: 'granola' })));
    expect(unicode.content).toBe(text);
    expect(unicode.metadata).toEqual(metadata);
    expect(unicode.sourceFields['title']).toBe('旅行メモ 🧳 — مرحبا');
    expect(unicode.tags).toEqual(['supermemory.document', 'granola']);
  });

  it('read times with and without fractions or offsets; unreadable ones are null', () => {
    expect(record(documentItem(documentEnvelope({}, { createdAt: '2024-01-15T10:30:00Z', updatedAt: 'soon' })))).toMatchObject({
      createdAt: Date.UTC(2024, 0, 15, 10, 30),
      updatedAt: Date.UTC(2024, 0, 15, 10, 30),
    });
  });
});

describe('chunks', () => {
  it('join in position order by a blank line, leaving out empty ones', () => {
    const body = {
      documentId: 'd',
      chunks: [
        { id: 'c2', position: 2, content: 'two', type: 'text' },
        { id: 'c0', position: 0, content: 'zero', type: 'text' },
        { id: 'c3', position: 3, content: 'chart', type: 'image' },
        { id: 'cx', position: 4, content: '', type: 'text' },
        { id: 'c1', position: 1, content: 'one', type: 'text' },
      ],
      total: 5,
    };
    expect(chunksText(body)).toBe('zero\n\none\n\ntwo\n\nchart');
    expect(chunksText({ chunks: [] })).toBeNull();
    expect(chunksText({ error: ['x'] })).toBeNull();
  });
});

describe('Supermemory memory entries', () => {
  it('are keyed by their chain (root id), with every wire field but the text kept', () => {
    const item = memoryItem(memoryEnvelope());
    expect(item).toMatchObject({
      type: 'memory',
      record: {
        sourceKind: 'supermemory.memory',
        sourceId: 'mEm1Ab2Cd3Ef4Gh5Ij6Kl',
        tenantKey: 'user_123',
        content: 'Jane lives in Lisbon',
        role: null,
        tags: ['supermemory.memory', 'static'],
        metadata: {},
        // created when the chain began (v1), updated by v2
        createdAt: Date.UTC(2025, 3, 1, 10),
        updatedAt: Date.UTC(2025, 4, 2, 10),
      },
    });
    const { memory: _memory, metadata: _metadata, ...rest } = entry;
    expect(record(item).sourceFields).toEqual(rest);
  });

  it('a chain of one is keyed by its own id; a later version keeps the key', () => {
    expect(memoryChainKey({ id: 'a', rootMemoryId: null })).toBe('a');
    expect(memoryChainKey({ id: 'b', rootMemoryId: 'a' })).toBe('a');
    expect(record(memoryItem(memoryEnvelope({}, { id: 'solo', rootMemoryId: null, parentMemoryId: null, history: [] }))).sourceId).toBe('solo');
  });

  it('tag inference and dynamic entries; non-object metadata goes to the source fields', () => {
    const inferred = record(memoryItem(memoryEnvelope({}, { isStatic: false, isInference: true, metadata: null })));
    expect(inferred.tags).toEqual(['supermemory.memory', 'dynamic', 'inference']);
    expect(inferred.metadata).toEqual({});
    expect(inferred.sourceFields['metadata']).toBeNull();
    expect(record(memoryItem(memoryEnvelope({}, { isInference: null }))).tags).toEqual(['supermemory.memory', 'static']);
  });

  it('skip forgotten entries (with the reason Supermemory gave) and superseded ones', () => {
    expect(memoryItem(memoryEnvelope({}, { id: 'f1', rootMemoryId: null, isForgotten: true, forgetReason: 'User asked to forget this' }))).toMatchObject({
      type: 'skipped',
      skipped: { sourceId: 'f1', tenantKey: 'user_123', reason: 'forgotten at Supermemory (forgetReason: User asked to forget this)' },
    });
    expect(skipReason(memoryItem(memoryEnvelope({}, { isForgotten: true })))).toBe('forgotten at Supermemory');
    expect(skipReason(memoryItem(memoryEnvelope({}, { isLatest: false })))).toBe('superseded by a later version');
  });

  it('skip malformed entries with the reason', () => {
    expect(skipReason(memoryItem(memoryEnvelope({ entry: [1] })))).toBe('memory entry is not a JSON object');
    expect(skipReason(memoryItem(memoryEnvelope({}, { id: null, rootMemoryId: null })))).toBe('memory entry without an id');
    expect(skipReason(memoryItem(memoryEnvelope({}, { memory: 7 })))).toBe('no text in `memory`');
    expect(skipReason(memoryItem(memoryEnvelope({}, { memory: ' ' })))).toBe('empty `memory` text');
  });

  it('read from a document of several tags: `<key>@<tag>` under further tags, or skipped with --multi-tag first', () => {
    expect(record(memoryItem(memoryEnvelope({ tag: 'b', firstTag: 'a', via: 'documents' }))).sourceId).toBe('mEm1Ab2Cd3Ef4Gh5Ij6Kl@b');
    expect(skipReason(memoryItem(memoryEnvelope({ tag: 'b', firstTag: 'a', multiTag: 'first', via: 'documents' })))).toBe(
      'also in tag a: imported there only (--multi-tag first)',
    );
  });

  it('keep unicode memory text as it came', () => {
    const text = '喜欢喝抹茶 🍵 — تحب القهوة العربية — cafe\u0301 ☕';
    expect(record(memoryItem(memoryEnvelope({}, { memory: text }))).content).toBe(text);
  });
});

describe('memory entries gathered from documents', () => {
  const version = (id: string, v: number, latest: boolean, extra: Record<string, unknown> = {}) => ({
    id,
    memory: `v${v}`,
    version: v,
    isLatest: latest,
    isForgotten: false,
    isStatic: false,
    isInference: false,
    createdAt: `2025-0${v}-01T00:00:00Z`,
    updatedAt: null,
    sourceCount: 1,
    metadata: null,
    parentMemoryId: v > 1 ? 'root' : null,
    rootMemoryId: v > 1 ? 'root' : null,
    ...extra,
  });

  it('group versions by chain across documents: the latest stands for it, the others become its history', () => {
    const chains = documentMemoryChains([
      { documentId: 'd1', firstTag: 'a', memories: [version('root', 1, false), version('other', 1, true, { rootMemoryId: null, parentMemoryId: null })] },
      { documentId: 'd2', firstTag: 'a', memories: [version('v2', 2, true), version('root', 1, false)] },
      { documentId: 'd3', firstTag: 'a', memories: undefined },
    ]);
    expect(chains).toHaveLength(2);
    const chain = chains.find((c) => (c.entry as { id: string }).id === 'v2');
    expect(chain).toMatchObject({ firstTag: 'a', entry: { memory: 'v2', documentIds: ['d1', 'd2'], history: [{ id: 'root', version: 1 }] } });
    const item = record(memoryItem({ supermemory: 'memory', tag: 'a', firstTag: 'a', multiTag: 'all', via: 'documents', entry: chain!.entry }));
    expect(item).toMatchObject({ sourceId: 'root', content: 'v2', createdAt: Date.UTC(2025, 0, 1) });
  });

  it('give the same record as the list endpoint for the same chain', () => {
    const listed = record(memoryItem(memoryEnvelope({}, { history: [] })));
    const [gathered] = documentMemoryChains([{ documentId: 'acxV5LHMEsG2hMSNb4umbn', firstTag: 'user_123', memories: [{ ...entry, history: undefined }] }]);
    const fromDocuments = record(memoryItem(memoryEnvelope({ via: 'documents', entry: gathered!.entry })));
    expect(fromDocuments.sourceId).toBe(listed.sourceId);
    expect(fromDocuments.content).toBe(listed.content);
  });

  it('keep a chain whose versions are all superseded as superseded, and malformed entries for the record function', () => {
    const chains = documentMemoryChains([{ documentId: 'd', firstTag: 'a', memories: [version('root', 1, false), 'junk'] }]);
    expect(chains).toHaveLength(2);
    expect(skipReason(memoryItem({ supermemory: 'memory', tag: 'a', firstTag: 'a', multiTag: 'all', via: 'documents', entry: chains[0]!.entry }))).toBe(
      'superseded by a later version',
    );
    expect(skipReason(memoryItem({ supermemory: 'memory', tag: 'a', firstTag: 'a', multiTag: 'all', via: 'documents', entry: chains[1]!.entry }))).toBe(
      'memory entry is not a JSON object',
    );
  });
});

describe('profiles', () => {
  it('become the tag’s summary: static facts, then dynamic ones, one per line', () => {
    const item = profileItem({
      supermemory: 'profile',
      tag: 'user_123',
      profile: { profile: { static: ['Lives in Lisbon', 'Works as a designer'], dynamic: ['Planning a trip'], buckets: { work: ['x'] } } },
    });
    expect(item).toMatchObject({ type: 'tenant', tenant: { tenantKey: 'user_123', summary: 'Lives in Lisbon\nWorks as a designer\nPlanning a trip' } });
    expect(item.type === 'tenant' && item.raw).toBeTruthy();
  });

  it('are null when empty (so OpenMemory generates one), read v5 `{memory}` facts, and warn when malformed', () => {
    expect(profileSummary({ static: [], dynamic: [] })).toBeNull();
    expect(profileSummary({ static: [{ id: 'x', memory: 'Fact' }, 3, ''], dynamic: ['  Trip  '] })).toBe('Fact\nTrip');
    expect(profileItem({ supermemory: 'profile', tag: 'user_123', profile: { error: [{ path: ['containerTag'] }] } }).type).toBe('warning');
  });
});

describe('snapshot envelopes', () => {
  it('rebuild exactly the item the live run produced', () => {
    const envelopes: unknown[] = [
      documentEnvelope(),
      documentEnvelope({ text: null, textFrom: null }),
      documentEnvelope({ tag: 'org:acme:user:1', multiTag: 'first' }, { containerTags: ['user_123', 'org:acme:user:1'] }),
      documentEnvelope({}, { status: 'queued' }),
      memoryEnvelope(),
      memoryEnvelope({}, { isForgotten: true }),
      { supermemory: 'profile', tag: 'user_123', profile: { profile: { static: ['a'], dynamic: ['b'] } } },
    ];
    for (const envelope of envelopes) {
      const live = supermemoryItem(envelope);
      const saved = JSON.parse(JSON.stringify('raw' in live ? live.raw : null)) as unknown;
      expect(supermemoryItem(saved)).toEqual(live);
    }
  });

  it('skip lines that are not an envelope', () => {
    expect(skipReason(supermemoryItem({ id: 'x', memory: 'mem0 line' }))).toBe('not a Supermemory snapshot record (no "supermemory" envelope)');
    expect(skipReason(supermemoryItem(null))).toBe('not a Supermemory snapshot record (no "supermemory" envelope)');
  });
});
