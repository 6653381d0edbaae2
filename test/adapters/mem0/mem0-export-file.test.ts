import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { mem0Source } from '../../../adapters/mem0/index.js';
import { Mem0ExportFile } from '../../../adapters/mem0/mem0-export-file.js';
import { UsageError } from '../../../src/errors.js';
import { snapshotHeaderLine } from '../../../src/pipeline/snapshot.js';
import { readZipMember } from '../../../src/pipeline/zip-member.js';
import { fixturePath } from '../../support/fixtures.js';
import type { SourceItem } from '../../../src/records.js';
import { tempDir } from '../../support/temp.js';

const memories = [
  { id: 'm1', memory: 'Likes tea', user_id: 'alice' },
  { id: 'm2', memory: 'Likes coffee', user_id: 'bob' },
  { id: 'm3', memory: 'Answers in English', agent_id: 'bot' },
  { id: 'm4', memory: 'Numbers', user_id: 42 },
  { id: 'm5', memory: 'No owner' },
];

function file(name: string, text: string): string {
  const written = path.join(tempDir(), name);
  writeFileSync(written, text);
  return written;
}

async function read(source: Mem0ExportFile): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const _partition of source.partitions()) for await (const item of source.items()) items.push(item);
  return items;
}

const ids = (items: SourceItem[]): (string | null)[] => items.map((item) => (item.type === 'memory' ? item.record.sourceId : item.type === 'skipped' ? item.skipped.sourceId : null));

describe('a Mem0 export file', () => {
  it('accepts a UTF-8 byte order mark, in JSON and in a snapshot (whose header still names the account)', async () => {
    const json = file('export.json', `\uFEFF${JSON.stringify({ results: memories })}`);
    expect(ids(await read(new Mem0ExportFile(json)))).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    const jsonl = file('mem0.jsonl', `\uFEFF${snapshotHeaderLine({ source: 'mem0', account: 'acct-7', saved_at: '2026-11-25T00:00:00Z' })}${JSON.stringify(memories[0])}\n`);
    const snapshot = new Mem0ExportFile(jsonl);
    expect(await snapshot.account()).toBe('acct-7');
    expect(ids(await read(snapshot))).toEqual(['m1']);
  });

  it('--user-id reads only the named users (numeric ids and agent:/app:/run: keys too); the others are not read at all', async () => {
    const json = file('export.json', JSON.stringify(memories));
    const { source } = mem0Source({ fromFile: json, userIds: ['bob', '42', 'agent:bot'] });
    const items = await read(source as Mem0ExportFile);
    expect(items.map((item) => item.type)).toEqual(['memory', 'memory', 'memory']);
    expect(ids(items)).toEqual(['m2', 'm3', 'm4']);
    const jsonl = file('mem0.jsonl', `${memories.map((m) => JSON.stringify(m)).join('\n')}\nnot json\n`);
    const lines = await read(new Mem0ExportFile(jsonl, ['alice']));
    // a line that cannot be read belongs to nobody known: it is still reported
    expect(lines.map((item) => [item.type, item.type === 'memory' ? item.record.tenantKey : null])).toEqual([['memory', 'alice'], ['skipped', null]]);
    expect(ids(await read(new Mem0ExportFile(json, [])))).toHaveLength(5);
  });

  it('streams JSON: every shape, a byte order mark and characters split across chunks; one bad memory is reported, the others read', async () => {
    const written = [memories[0], { id: 'm-é', memory: 'Spricht Deutsch 😀 ] "}', user_id: 'bob' }, ...memories.slice(1)];
    const body = JSON.stringify(written);
    for (const text of [body, `{"results": ${body}, "next": null}`, `{"count": 6, "memories": ${body}}`, `\uFEFF${body}`]) {
      expect(ids(await read(new Mem0ExportFile(file('export.json', text), [], { chunkSize: 3 })))).toEqual(['m1', 'm-é', 'm2', 'm3', 'm4', 'm5']);
    }
    const broken = file('export.json', `[${JSON.stringify(memories[0])}, {"id": "bad", "memory": tea}, ${JSON.stringify(memories[1])}]`);
    // A memory that is not JSON belongs to nobody known: reported even when only some users are read.
    for (const userIds of [[], ['bob']]) {
      const items = await read(new Mem0ExportFile(broken, userIds, { chunkSize: 7 }));
      const expected = userIds.length === 0 ? [['memory', 'm1']] : [];
      expect(items.map((item) => [item.type, item.type === 'memory' ? item.record.sourceId : null])).toEqual([...expected, ['skipped', null], ['memory', 'm2']]);
      const skipped = items.find((item) => item.type === 'skipped');
      expect(skipped).toMatchObject({ skipped: { sourceId: null, tenantKey: null, reason: expect.stringMatching(/^element 2 is not valid JSON \(/) }, raw: '{"id": "bad", "memory": tea}' });
    }
  });

  it('reads saved listing pages ({count, next, previous, results} each), in an array or one after another, as their memories', async () => {
    const pages = [
      { count: 5, next: 'https://api.mem0.ai/v3/memories/?page=2&page_size=3', previous: null, results: memories.slice(0, 3) },
      { count: 5, next: null, previous: 'https://api.mem0.ai/v3/memories/?page=1&page_size=3', results: memories.slice(3) },
    ];
    expect(ids(await read(new Mem0ExportFile(file('pages.json', JSON.stringify(pages)), [], { chunkSize: 5 })))).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    // … or the pages one after another, as a script appending each answer to one file writes them
    const appended = file('pages.json', pages.map((page) => JSON.stringify(page, null, 2)).join('\n'));
    expect(ids(await read(new Mem0ExportFile(appended, [], { chunkSize: 5 })))).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('reads rows of a self-hosted vector store ({id, payload}, a pgvector dump) as the server lists them: the same records as its API answer', async () => {
    const payload = {
      data: 'Likes tea', hash: 'h1', created_at: '2026-01-01T00:00:00+00:00', updated_at: '2026-01-02T00:00:00+00:00',
      user_id: 'alice', run_id: 'r1', actor_id: 'alice', role: 'user', text_lemmatized: 'like tea', mood: 'calm',
    };
    const row = { id: '00000000-0000-4000-8000-000000000001', payload };
    const bare = { id: '00000000-0000-4000-8000-000000000002', payload: { data: 'Bot speaks English', agent_id: 'bot', created_at: '2026-01-01T00:00:00+00:00' } };
    // What GET /memories answers for them (mem0 `_get_all_from_vector_store`).
    const api = [
      { id: row.id, memory: 'Likes tea', hash: 'h1', created_at: payload.created_at, updated_at: payload.updated_at, user_id: 'alice', run_id: 'r1', actor_id: 'alice', role: 'user', metadata: { mood: 'calm' } },
      { id: bare.id, memory: 'Bot speaks English', hash: null, created_at: '2026-01-01T00:00:00+00:00', updated_at: null, agent_id: 'bot' },
    ];
    const records = (items: SourceItem[]) => items.map((item) => (item.type === 'memory' ? item.record : item));
    const fromApi = records(await read(new Mem0ExportFile(file('api.json', JSON.stringify(api)))));
    expect(fromApi.map((record) => 'tenantKey' in record && record.tenantKey)).toEqual(['alice', 'agent:bot']);
    expect(records(await read(new Mem0ExportFile(file('store.jsonl', `${JSON.stringify(row)}\n${JSON.stringify(bare)}\n`))))).toEqual(fromApi);
    expect(records(await read(new Mem0ExportFile(file('store.json', JSON.stringify([row, bare])))))).toEqual(fromApi);
  });

  it('a file cut short: the memories before the cut are read, and the cut is reported', async () => {
    const whole = JSON.stringify({ results: memories });
    const cut = file('export.json', whole.slice(0, whole.indexOf('Likes coffee')));
    const items = await read(new Mem0ExportFile(cut));
    expect(items.map((item) => (item.type === 'skipped' ? item.skipped.reason : item.type))).toEqual(['memory', 'the file ends inside element 2 (cut short?)']);
  });

  it('a file that is not JSON, or has no array of memories, is a usage error before anything is read', async () => {
    const cases: [string, string][] = [
      ['hello', `is not valid JSON (Unexpected token 'h', "hello" is not valid JSON); JSONL files must end in .jsonl`],
      ['{"id": "m1"}\n{"id": "m2"}\n', 'is not valid JSON (the file goes on after its JSON ends'],
      ['', 'is not valid JSON (the file is empty, or only white space); JSONL files must end in .jsonl'],
      ['{"data": [1]}', ': expected an array of Mem0 memories, or an object with "results" or "memories"'],
      ['{"results": null}', ': expected an array of Mem0 memories, or an object with "results" or "memories"'],
      ['"memories"', ': expected an array of Mem0 memories, or an object with "results" or "memories"'],
    ];
    for (const [text, message] of cases) {
      const written = file('export.json', text);
      const reading = read(new Mem0ExportFile(written));
      await expect(reading).rejects.toThrow(UsageError);
      await expect(reading).rejects.toThrow(`--from-file ${written}${message.startsWith(':') ? '' : ' '}${message}`);
    }
  });
});

/** A zip archive of deflated members, as Python's zipfile writes one (for the cases the fixture is not). */
function zipOf(members: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(members)) {
    const data = Buffer.from(text);
    const packed = deflateRawSync(data);
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, packed);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(members).length, 8);
  end.writeUInt16LE(Object.keys(members).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

describe("the backup of Mem0's OpenMemory app", () => {
  const backup = fixturePath('mem0', 'memories_export_alice.zip');

  it('reads the zip: text from content, the owner from user.user_id, category and app names; a deleted row is skipped with the reason', async () => {
    const items = await read(new Mem0ExportFile(backup));
    expect(items.map((item) => (item.type === 'memory' ? `${item.record.tenantKey}: ${item.record.content} [${item.record.tags.join(',')}]` : item.type === 'skipped' ? `skipped: ${item.skipped.reason}` : item.type))).toEqual([
      'alice: Prefers dark mode in every editor [preferences]',
      'alice: Flies to Lisbon in May [travel]',
      'alice: Used to live in Paris [travel]',
      'skipped: deleted in Mem0\'s OpenMemory app (state "deleted")',
    ]);
    expect(items[0]).toMatchObject({
      record: {
        sourceId: '6f1c2a34-0000-4000-8000-000000000101',
        metadata: { source: 'cursor' },
        createdAt: Date.UTC(2026, 2, 1, 10),
        sourceFields: { state: 'active', app: 'cursor', openmemory_user_id: '6f1c2a34-0000-4000-8000-000000000001', categories: ['preferences'] },
      },
    });
    expect(items[2]).toMatchObject({ record: { sourceFields: { state: 'archived', archived_at: '2026-04-01T00:00:00+00:00' } } });
    expect(items[0]!.type === 'memory' && 'content' in items[0]!.record.sourceFields).toBe(false);
    expect(ids(await read(new Mem0ExportFile(backup, ['bob'])))).toEqual([]);
  });

  it('reads the memories.json inside it alone the same way, and a --save-export snapshot of either reads back as the same records', async () => {
    const fromZip = await read(new Mem0ExportFile(backup));
    const json = file('memories.json', readZipMember(backup, 'memories.json').data!.toString('utf8'));
    const fromJson = await read(new Mem0ExportFile(json));
    expect(fromJson).toEqual(fromZip);
    const snapshot = file('mem0.jsonl', fromZip.map((item) => `${JSON.stringify(item.type === 'warning' ? null : item.raw)}\n`).join(''));
    expect(await read(new Mem0ExportFile(snapshot))).toEqual(fromZip);
  });

  it('a file that is none of what Mem0 users can download is a usage error saying what is read', async () => {
    const cases: [string, string | Buffer, RegExp][] = [
      ['backup.zip', 'not a zip at all', /backup\.zip: not a zip archive \(no end of central directory\)/],
      ['other.zip', zipOf({ 'notes.txt': 'hello' }), /other\.zip: a zip without memories\.json \(it holds notes\.txt\), so not the backup of Mem0's OpenMemory app/],
      ['broken.zip', zipOf({ 'memories.json': '{"user": {"user_id": "alice"}, "memories": [' }), /broken\.zip: its memories\.json is not valid JSON/],
      ['nouser.zip', zipOf({ 'export/memories.json': '{"memories": []}' }), /nouser\.zip: not a backup of Mem0's OpenMemory app \(expected \{"user": \{"user_id": …\}, "memories": \[…\]\}\)/],
      ['memories.jsonl.gz', 'x', /memories\.jsonl\.gz: a gzipped file; om-import reads the zip of Mem0's OpenMemory app \(its memories\.jsonl\.gz names no user\)/],
      ['export.json', '{"full_name": "Alice", "current_role": "engineer"}', /export\.json: expected an array of Mem0 memories.*A Platform "memory export" \(POST \/v1\/exports\/.*cannot be imported: read the account with om-import mem0 \(add --save-export DIR to keep a file\)$/],
    ];
    for (const [name, content, message] of cases) {
      const written = path.join(tempDir(), name);
      writeFileSync(written, content);
      const reading = read(new Mem0ExportFile(written));
      await expect(reading).rejects.toThrow(UsageError);
      await expect(read(new Mem0ExportFile(written))).rejects.toThrow(message);
    }
    // A backup member in a folder of the zip is found too.
    const nested = path.join(tempDir(), 'nested.zip');
    writeFileSync(nested, zipOf({ 'backup/': '', 'backup/memories.json': '{"user": {"user_id": "bo"}, "memories": [{"id": "x1", "content": "Hi", "state": "active"}]}' }));
    expect((await read(new Mem0ExportFile(nested))).map((item) => item.type === 'memory' && item.record.tenantKey)).toEqual(['bo']);
  });
});
