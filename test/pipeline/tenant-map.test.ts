import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { duplicateTopLevelKey, loadTenantMap } from '../../src/pipeline/tenant-map.js';
import { tempDir } from '../support/temp.js';

function mapFile(text: string): string {
  const file = path.join(tempDir(), 'map.json');
  writeFileSync(file, text);
  return file;
}

describe('--user-map', () => {
  it('accepts a UTF-8 byte order mark', () => {
    const map = loadTenantMap(mapFile('\uFEFF{"alice": "a", "bob": "b"}'), 'skip');
    expect(map.resolve('alice')).toEqual({ userId: 'a' });
    expect(map.sourceUsers).toEqual(['alice', 'bob']);
  });

  it('refuses a source user mapped twice, naming the key, the line and the file', () => {
    const file = mapFile('{\n  "alice": "a",\n  "bob": "b",\n  "alice": "c"\n}\n');
    expect(() => loadTenantMap(file)).toThrow(UsageError);
    expect(() => loadTenantMap(file)).toThrow(`--user-map ${file}: the source user "alice" is mapped twice (again on line 4)`);
    // spelled differently, the same key
    expect(() => loadTenantMap(mapFile('{"user1": "a", "\\u0075ser1": "b"}'))).toThrow(/"user1" is mapped twice/);
  });

  it('matches source users exactly: user1 does not capture user10', () => {
    const map = loadTenantMap(mapFile('{"user1": "alice"}'), 'keep');
    expect(map.resolve('user1')).toEqual({ userId: 'alice' });
    expect(map.resolve('user10')).toEqual({ userId: 'user10' });
    expect(map.resolve('user')).toEqual({ userId: 'user' });
    expect(map.resolve('User1')).toEqual({ userId: 'User1' });
    const skipping = loadTenantMap(mapFile('{"user1": "alice"}'), 'skip');
    expect(skipping.resolve('user10')).toEqual({ skip: 'source user "user10" is not in --user-map (--unmapped skip)' });
  });

  it("names a tenant by one of the source's aliases for it (a Zep v4 user's uuid or email), and refuses two names with different targets", () => {
    const map = loadTenantMap(mapFile('{"6f1a2c3e-8a4b-4c1e-9d2f-0b5e7a9c1d23": "ana", "li@example.com": "li", "user-jane": "jane"}'), 'skip');
    expect(map.resolve('user-ana')).toEqual({ skip: 'source user "user-ana" is not in --user-map (--unmapped skip)' });
    map.alias('user-ana', ['6f1a2c3e-8a4b-4c1e-9d2f-0b5e7a9c1d23', 'ana@example.com']);
    expect(map.resolve('user-ana')).toEqual({ userId: 'ana' });
    map.alias('0d6c2b1a-5e4f-4a3b-9c8d-7e6f5a4b3c2d', ['li@example.com']);
    expect(map.resolve('0d6c2b1a-5e4f-4a3b-9c8d-7e6f5a4b3c2d')).toEqual({ userId: 'li' });
    // The tenant's own key, mapped, wins over nothing else: the same target is fine, a different one is refused.
    map.alias('user-jane', ['jane@example.com']);
    expect(map.resolve('user-jane')).toEqual({ userId: 'jane' });
    expect(() => map.alias('user-jane', ['li@example.com'])).toThrow(/names the source user "user-jane" twice, as "user-jane" and "li@example.com", with different targets/);
  });
});

describe('duplicateTopLevelKey', () => {
  it.each([
    ['{}', null],
    ['{"a": 1, "b": 2}', null],
    ['{"a": 1, "a": 2}', 'a'],
    // keys of nested objects, inside arrays, or inside strings are not the top level's
    ['{"a": {"a": 1, "b": {"a": [1, {"a": 2}]}}, "b": 3}', null],
    ['{"a": [{"b": 1}, "b", "]}", {"c": "{"}], "b": 2}', null],
    ['{"a": "\\"b\\": 1, \\"a\\": 2", "c": "x"}', null],
    ['{"a\\"b": 1, "a\\\\": 2, "a\\\\": 3}', 'a\\'],
    ['{"x": true, "y": false, "z": null, "n": -1.5e3, "x": 0}', 'x'],
    ['{"a": {"b": 1}, "c": [], "a": "again"}', 'a'],
    ['{"\\u00e9": 1, "é": 2}', 'é'],
    [' \n\t{ "k" : "v" ,\r\n "k" : "w" } ', 'k'],
  ])('%s → %s', (text, duplicate) => {
    JSON.parse(text); // every case is valid JSON
    expect(duplicateTopLevelKey(text)?.key ?? null).toBe(duplicate);
  });

  it('agrees with JSON.parse on generated maps: nested keys never count, a repeated top-level key always does', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const keys = ['a', 'b', 'user1', 'user10', 'qu"ote', 'back\\slash', '{', '}', '[', ']', ',', ':', 'é', '\n', ''];
    const value = (depth: number): unknown => {
      switch (random(depth > 2 ? 4 : 6)) {
        case 0: return keys[random(keys.length)];
        case 1: return random(1000) - 500;
        case 2: return [true, false, null][random(3)];
        case 3: return `${keys[random(keys.length)]}", "${keys[random(keys.length)]}": {`;
        case 4: return Array.from({ length: random(4) }, () => value(depth + 1));
        default: return Object.fromEntries(Array.from({ length: random(4) }, () => [keys[random(keys.length)], value(depth + 1)]));
      }
    };
    for (let round = 0; round < 500; round++) {
      const map = Object.fromEntries(Array.from({ length: 1 + random(6) }, () => [keys[random(keys.length)] as string, value(0)]));
      const text = JSON.stringify(map, null, random(2) === 0 ? 2 : undefined);
      expect(duplicateTopLevelKey(text), text).toBeNull();
      const [key] = Object.keys(map);
      const twice = `${text.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(value(0))}}`;
      expect(duplicateTopLevelKey(twice)?.key, twice).toBe(key);
    }
  });
});

