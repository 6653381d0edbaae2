import { describe, expect, it } from 'vitest';
import { parseTime, timeFlags } from '../src/records.js';

const at2026 = Date.UTC(2026, 10, 25, 15, 18, 0, 123);

describe('parseTime', () => {
  it('reads ISO-8601, and epoch numbers by magnitude: seconds, milliseconds, microseconds, nanoseconds', () => {
    expect(parseTime('2026-11-25T15:18:00.123Z')).toBe(at2026);
    expect(parseTime('2026-11-25T16:18:00.123+01:00')).toBe(at2026);
    expect(parseTime(at2026 / 1000)).toBe(at2026);
    expect(parseTime(at2026)).toBe(at2026);
    expect(parseTime(at2026 * 1000)).toBe(at2026); // microseconds: not the year 55840
    expect(parseTime(at2026 * 1_000_000)).toBe(at2026);
    expect(parseTime(String(at2026 * 1000))).toBe(at2026); // digits in a string are an epoch too
    expect(parseTime(1e17)).toBe(1e11); // nanoseconds: 1973-03-03
    expect(parseTime(-86_400)).toBe(-86_400_000);
  });

  it('answers null for what is absent, unreadable, or beyond what a Date can hold', () => {
    for (const value of [undefined, null, '', '  ', 'yesterday', '2026-13-45', Number.NaN, Number.POSITIVE_INFINITY, 1e20, 1e25, -1e25, '+275760-09-13T00:00:00.001Z', true, {}]) {
      expect(parseTime(value), String(value)).toBeNull();
    }
    expect(parseTime('+275760-09-13T00:00:00.000Z')).toBe(8.64e15);
  });

  it('answers only times that can be written: every magnitude, both signs', () => {
    for (let exponent = 0; exponent <= 30; exponent += 0.25) {
      for (const value of [10 ** exponent, -(10 ** exponent), String(Math.round(10 ** Math.min(exponent, 20)))]) {
        const ms = parseTime(value);
        if (ms !== null) expect(() => new Date(ms).toISOString(), String(value)).not.toThrow();
      }
    }
  });
});

describe('timeFlags', () => {
  it('flags a time that was sent but cannot be read, not one that is absent', () => {
    expect(timeFlags('2026-01-01T00:00:00Z', 1_700_000_000)).toEqual([]);
    expect(timeFlags(undefined, null, '')).toEqual([]);
    expect(timeFlags('2026-01-01T00:00:00Z', 'not a time')).toEqual(['unreadable-time']);
    expect(timeFlags(1e25)).toEqual(['unreadable-time']);
  });
});
