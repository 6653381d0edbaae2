import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mem0Source } from '../../../adapters/mem0/index.js';
import { Mem0ExportFile } from '../../../adapters/mem0/mem0-export-file.js';
import { UsageError } from '../../../src/errors.js';
import { snapshotHeaderLine } from '../../../src/pipeline/snapshot.js';
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
