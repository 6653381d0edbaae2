import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonArrayElements, JsonArrayNotFound, type JsonArrayEntry, type JsonArrayOptions } from '../../src/pipeline/json-array-stream.js';
import { tempDir } from '../support/temp.js';

function file(text: string | Buffer): string {
  const written = path.join(tempDir(), 'export.json');
  writeFileSync(written, text);
  return written;
}

async function read(text: string | Buffer, options: JsonArrayOptions = {}): Promise<JsonArrayEntry[]> {
  const entries: JsonArrayEntry[] = [];
  for await (const entry of jsonArrayElements(file(text), options)) entries.push(entry);
  return entries;
}

/** The parsed values, the same at every chunk size: 1 byte (every boundary, inside every character) up to one chunk. */
async function valuesAtEveryChunkSize(text: string | Buffer, keys: string[] = []): Promise<unknown[]> {
  const bySize = [];
  for (const chunkSize of [1, 2, 3, 5, 64 * 1024]) {
    const entries = await read(text, { keys, chunkSize });
    for (const entry of entries) expect(entry).not.toHaveProperty('problem');
    bySize.push(entries.map((entry) => ('value' in entry ? entry.value : null)));
  }
  for (const values of bySize) expect(values).toEqual(bySize[0]);
  return bySize[0]!;
}

async function notFound(text: string, keys: string[] = []): Promise<JsonArrayNotFound> {
  const error = await read(text, { keys }).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(JsonArrayNotFound);
  return error as JsonArrayNotFound;
}

const tricky = [
  { id: 'brackets', memory: 'a ] and a [ and a } and a { and a , inside a string' },
  { id: 'quotes', memory: 'she said "no" \\ twice \\"', empty: '' },
  { id: 'escapes', memory: '\u00e9\u4e2d\ud83d\ude00 tab\tnew\nline \u0000 \u001f', unicode: '\\u005d' },
  { id: 'nested', memory: 'x', metadata: { list: [[1, [2, ['3]']]], { a: [] }], deep: { deeper: { deepest: '}' } } } },
  { id: 'multibyte', memory: 'é ü 中文 日本語 😀👍🏽 — “quotes”' },
  'a bare string ]',
  -12.5e3,
  true,
  null,
  [],
  {},
];

describe('the elements of a JSON array, streamed from a file', () => {
  it('reads strings with brackets, quotes, backslashes and \\u escapes, nested arrays and objects, at any chunk size', async () => {
    // \u escapes written as escapes in the file (not as the characters), and a backslash before the closing quote.
    const text = JSON.stringify(tricky).replace('\u00e9\u4e2d', '\\u00e9\\u4e2d').replace('\ud83d\ude00', '\\ud83d\\ude00');
    expect(text).toContain('\\u00e9');
    expect(await valuesAtEveryChunkSize(text)).toEqual(tricky);
  });

  it('keeps a multi-byte character whole when a chunk boundary falls inside it', async () => {
    const values = [{ memory: '😀'.repeat(5) }, { memory: 'é'.repeat(7) }, { memory: '中'.repeat(3) }, '𝄞'];
    expect(await valuesAtEveryChunkSize(Buffer.from(JSON.stringify(values), 'utf8'))).toEqual(values);
  });

  it('takes white space anywhere, and a UTF-8 byte order mark', async () => {
    const text = ' \r\n\t[ \n {"id" : 1 , "a" : [ 1 , 2 ] } \t,\r\n 2 , "x" \n ] \n\n';
    expect(await valuesAtEveryChunkSize(text)).toEqual([{ id: 1, a: [1, 2] }, 2, 'x']);
    expect(await valuesAtEveryChunkSize(`\uFEFF${text}`)).toEqual([{ id: 1, a: [1, 2] }, 2, 'x']);
    expect(await valuesAtEveryChunkSize(`\uFEFF{"results": [1]}`, ['results'])).toEqual([1]);
  });

  it('reads a bare array, or the array under one of the keys of a top-level object (the first in the file)', async () => {
    const memories = [{ id: 'm1' }, { id: 'm2' }];
    expect(await valuesAtEveryChunkSize(JSON.stringify(memories), ['results', 'memories'])).toEqual(memories);
    expect(await valuesAtEveryChunkSize(JSON.stringify({ results: memories, next: null }), ['results', 'memories'])).toEqual(memories);
    expect(await valuesAtEveryChunkSize(JSON.stringify({ memories }), ['results', 'memories'])).toEqual(memories);
    // Other members before and after are passed over, as is a key whose value is no array, and one not at the top.
    const wrapped = { count: 2, next: 'https://x/?page=2', meta: { results: ['nested'] }, results: 'none', memories, after: [{ results: [] }] };
    expect(await valuesAtEveryChunkSize(JSON.stringify(wrapped), ['results', 'memories'])).toEqual(memories);
    // A key spelt with an escape is still that key.
    expect(await valuesAtEveryChunkSize('{"\\u0072esults": [1, 2]}', ['results'])).toEqual([1, 2]);
    expect(await valuesAtEveryChunkSize('{"memories": [1], "results": [2]}', ['results', 'memories'])).toEqual([1]);
  });

  it('reads an empty array as no elements', async () => {
    expect(await read('[]')).toEqual([]);
    expect(await read(' [ \n ] ')).toEqual([]);
    expect(await read('{"results": []}', { keys: ['results'] })).toEqual([]);
  });

  it('reports a malformed element with its text and reads the ones after it', async () => {
    for (const chunkSize of [1, 4, 64 * 1024]) {
      const entries = await read('[{"id": 1}, {"id": tru}, {"id": "]"}, {"id": 4,}, 5 6, {"id": 7}]', { chunkSize });
      expect(entries).toEqual([
        { number: 1, value: { id: 1 } },
        { number: 2, problem: expect.stringMatching(/^element 2 is not valid JSON \(.+\)$/), text: '{"id": tru}' },
        { number: 3, value: { id: ']' } },
        { number: 4, problem: expect.stringMatching(/^element 4 is not valid JSON/), text: '{"id": 4,}' },
        { number: 5, problem: expect.stringMatching(/^element 5 is not valid JSON/), text: '5 6' },
        { number: 6, value: { id: 7 } },
      ]);
    }
  });

  it('reports a missing comma between elements, and an element missing between commas', async () => {
    expect(await read('[{"id": 1} {"id": 2}, 3]')).toEqual([
      { number: 1, value: { id: 1 } },
      { number: 2, problem: 'element 2 has no "," before it', text: '{"id": 2}' },
      { number: 3, value: 3 },
    ]);
    expect(await read('[1,,2,]')).toEqual([
      { number: 1, value: 1 },
      { number: 2, problem: 'element 2 is missing (nothing between "," and ",")', text: '' },
      { number: 3, value: 2 },
      { number: 4, problem: 'element 4 is missing (nothing between "," and "]")', text: '' },
    ]);
  });

  it('reports an element longer than the limit (with its beginning) and reads the ones after it', async () => {
    const long = { memory: 'x'.repeat(5000) };
    const entries = await read(JSON.stringify([1, long, 2]), { chunkSize: 100, maxElementChars: 1000 });
    expect(entries.map((entry) => ('problem' in entry ? entry.problem : entry.value))).toEqual([1, 'element 2 is longer than 1000 characters; not read', 2]);
    const problem = entries[1] as { text: string };
    expect(problem.text.startsWith('{"memory":"xxx')).toBe(true);
    expect(problem.text.length).toBeLessThanOrEqual(1001);
  });

  it('gives the complete elements of a file cut short, then says where it was cut', async () => {
    const whole = JSON.stringify({ results: [{ id: 'm1', memory: 'one' }, { id: 'm2', memory: 'two ]' }] });
    for (const chunkSize of [1, 64 * 1024]) {
      const insideSecond = await read(whole.slice(0, whole.indexOf('two') + 4), { keys: ['results'], chunkSize });
      expect(insideSecond).toEqual([
        { number: 1, value: { id: 'm1', memory: 'one' } },
        { number: 2, problem: 'the file ends inside element 2 (cut short?)', text: '{"id":"m2","memory":"two ' },
      ]);
      const afterSecond = await read(whole.slice(0, whole.indexOf('two') + 7), { keys: ['results'], chunkSize });
      expect(afterSecond.at(-1)).toEqual({ number: null, problem: 'the file ends before the array does, after element 2 (cut short?)', text: '' });
      const afterArray = await read(whole.slice(0, -1), { keys: ['results'], chunkSize });
      expect(afterArray).toHaveLength(3);
      expect(afterArray.at(-1)).toEqual({ number: null, problem: 'after the array: the file ends before its top-level object does (cut short?) at character ' + (whole.length - 1), text: '' });
    }
    expect(await read('[')).toEqual([{ number: null, problem: 'the file ends before the array does, after element 0 (cut short?)', text: '' }]);
  });

  it('reports what follows the array when it is not JSON, once, after every element', async () => {
    expect(await read('[1, 2] 3 4')).toEqual([
      { number: 1, value: 1 },
      { number: 2, value: 2 },
      { number: null, problem: 'after the array: the file goes on after its JSON ends (found "3") at character 7', text: '' },
    ]);
    const entries = await read('{"results": [1], "next": nul}', { keys: ['results'] });
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({ number: null, problem: expect.stringMatching(/^after the array: the value of "next" is not valid JSON \(.*\) at character 25$/) });
  });

  it('throws JsonArrayNotFound, before any element, for a file that is not JSON', async () => {
    for (const text of ['', '  \n', 'hello', 'results:\n  - id: 1\n', '<html><body>[1]</body></html>', 'id,memory\nm1,"tea"\n', '{results: [1]}', "{'results': [1]}"]) {
      const error = await notFound(text, ['results']);
      expect({ text, notJson: error.notJson }).toEqual({ text, notJson: true });
    }
    expect((await notFound('hello')).message).toMatch(/^Unexpected token 'h'/); // as JSON.parse says it
    expect((await notFound('{results: [1]}', ['results'])).message).toBe('expected a key in double quotes, found "r" at character 1');
    expect((await notFound('{"count": 5x, "results": [1]}', ['results'])).message).toMatch(/^the value of "count" is not valid JSON \(.*\) at character 10$/);
    expect((await notFound('{"results" [1]}', ['results'])).message).toBe('expected ":" after the key "results", found "[" at character 11');
    expect((await notFound('{"count": 1', ['results'])).message).toBe('the file ends inside the value of "count" (cut short?) at character 11');
    expect((await notFound('{"count": 1,', ['results'])).message).toBe('the file ends before its top-level object does (cut short?) at character 12');
    expect((await notFound('')).message).toBe('the file is empty, or only white space');
  });

  it('throws JsonArrayNotFound for JSON that has no array where one is looked for', async () => {
    for (const [text, keys] of [
      ['{"a": [1]}', ['results']],
      ['{"results": null, "memories": {"x": [1]}}', ['results', 'memories']],
      ['{}', ['results']],
      ['{"results": [1]}', []],
      ['42', []],
      ['"a string"', []],
      ['null', ['results']],
    ] as const) {
      const error = await notFound(text, [...keys]);
      expect({ text, notJson: error.notJson }).toEqual({ text, notJson: false });
    }
    expect((await notFound('{"a": [1]}', ['results', 'memories'])).message).toBe('the top-level object has no array under "results" or "memories"');
  });

  it('stops reading when the reader stops asking', async () => {
    const elements = jsonArrayElements(file(JSON.stringify(Array.from({ length: 10_000 }, (_, i) => ({ i })))), { chunkSize: 16 });
    for await (const element of elements) {
      expect(element).toEqual({ number: 1, value: { i: 0 } });
      break;
    }
  });
});

describe('concatenated top-level values (listing pages saved back to back)', () => {
  const page = (ids: number[], next: boolean): string => JSON.stringify({ count: 5, next: next ? 'https://x/?page=2' : null, previous: null, results: ids.map((id) => ({ id })) });

  it('reads the array of each value in turn, numbering elements on, at every chunk size', async () => {
    const text = `${page([1, 2, 3], true)}\n${page([4, 5], false)}\n[{"id": 6}]`;
    for (const chunkSize of [1, 3, 7, 64 * 1024]) {
      const entries = await read(text, { keys: ['results'], chunkSize, concatenated: true });
      expect(entries).toEqual([1, 2, 3, 4, 5, 6].map((id, i) => ({ number: i + 1, value: { id } })));
    }
  });

  it('reports a later value without an array, and anything after a value without one; without the option, the second value is a problem', async () => {
    expect(await read(`${page([1], false)} {"detail": "Invalid page."}`, { keys: ['results'], concatenated: true })).toEqual([
      { number: 1, value: { id: 1 } },
      { number: null, problem: 'top-level value 2 of the file: an object has no array under "results"', text: '' },
    ]);
    const unconcatenated = await read(`${page([1], false)}${page([2], false)}`, { keys: ['results'] });
    expect(unconcatenated.map((entry) => ('problem' in entry ? entry.problem : entry.value))).toEqual([{ id: 1 }, expect.stringMatching(/^after the array: the file goes on after its JSON ends \(found "\{"\)/)]);
    // A JSONL file named .json is still not JSON: its first value has no array, so nothing after it is read.
    await expect(read('{"id": "m1"}\n{"id": "m2"}\n', { keys: ['results'], concatenated: true })).rejects.toThrow(/the file goes on after its JSON ends/);
  });
});
