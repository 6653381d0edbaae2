import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/pipeline/memory-identity.js';

/** What fingerprints stored by om-import 0.2 were made of: JSON.stringify with a replacer sorting every object's keys. */
function sortingReplacerJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner && typeof inner === 'object' && !Array.isArray(inner) && !Buffer.isBuffer(inner)) {
      return Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return inner;
  });
}

/** A small deterministic generator of JSON-like values, with the odd cases JSON.stringify treats specially. */
function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 7 : 10));
  const keys = ['b', 'a', 'Z', 'é', '😀', '10', '2', '0', '01', '-1', '4294967294', '4294967295', '', 'a b', 'source_id', '__proto__x'];
  switch (pick) {
    case 0: return null;
    case 1: return [0, -0, 1e21, 1.5e-7, -42, Number.NaN, Number.POSITIVE_INFINITY, 3.141592653589793][Math.floor(next() * 8)];
    case 2: return ['', 'text', 'quote " and \\ backslash', 'line\nbreak\u0001', '\ud800 lone surrogate', 'ünïcödé'][Math.floor(next() * 6)];
    case 3: return next() < 0.5;
    case 4: return undefined;
    case 5: return new Date(Math.floor(next() * 2e12));
    case 6: return Buffer.from([1, 2, 3]);
    case 7:
    case 8: return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 5); i > 0; i--) object[keys[Math.floor(next() * keys.length)]!] = randomValue(next, depth + 1);
      return object;
    }
  }
}

describe('canonicalJson', () => {
  it('serialises exactly as the sorting replacer did, so fingerprints stored by earlier runs still match', () => {
    let seed = 12345;
    const next = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 5000; i++) {
      const value = { record: randomValue(next, 0), nested: [randomValue(next, 1), { z: randomValue(next, 2), a: 1 }] };
      expect(canonicalJson(value)).toBe(sortingReplacerJson(value));
    }
    const record = { userId: 'u', record: { sourceId: '1', content: 'x', tags: [], metadata: { b: 1, a: [{ d: 1, c: 2 }] }, createdAt: null }, embedding: { tier: 'hybrid' } };
    expect(canonicalJson(record)).toBe(sortingReplacerJson(record));
    expect(canonicalJson('plain')).toBe('"plain"');
    expect(() => canonicalJson({ big: 1n })).toThrow(TypeError);
  });
});
