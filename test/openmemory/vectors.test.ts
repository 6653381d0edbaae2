import { describe, expect, it } from 'vitest';
import { float32Bytes, float32FromBytes, Float32Storage } from '../../src/openmemory/vectors.js';

/** The storage format spelt out value by value, as `float32Bytes` once wrote it. */
function writtenOneByOne(values: ArrayLike<number>): Buffer {
  const buffer = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) buffer.writeFloatLE(values[i]!, i * 4);
  return buffer;
}

function readOneByOne(bytes: Buffer): number[] {
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
}

// Doubles that round differently to float32: ties, subnormals, overflow to infinity, signed zeros.
const awkward = [0, -0, 1, -1, 1 / 3, 0.1, 1 + 2 ** -24, 1 + 3 * 2 ** -24, 2 ** -149, 2 ** -150, 1.5 * 2 ** -149, 3.4028235e38, 3.5e38, -3.5e38, 1e-46, Math.PI];

function randomDoubles(count: number, seed: number): Float64Array {
  let state = seed;
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    values[i] = ((state / 2 ** 32) * 2 - 1) * 10 ** ((state % 13) - 6);
  }
  return values;
}

describe('vectors as stored', () => {
  it('float32Bytes writes the bytes writeFloatLE writes, from doubles and from float32 views', () => {
    const doubles = Float64Array.from([...awkward, ...randomDoubles(5000, 7)]);
    expect(float32Bytes(doubles).equals(writtenOneByOne(doubles))).toBe(true);
    const backing = new Float32Array(doubles.length + 3);
    backing.set(Float32Array.from(doubles), 3);
    const view = backing.subarray(3);
    const bytes = float32Bytes(view);
    expect(bytes.equals(writtenOneByOne(view))).toBe(true);
    expect(bytes.length).toBe(view.length * 4);
    view[0] = 42; // the bytes are a copy
    expect(bytes.readFloatLE(0)).toBe(0);
  });

  it('float32FromBytes reads them back from any offset, as a copy', () => {
    const doubles = Float64Array.from([...awkward, ...randomDoubles(1000, 3)]);
    const stored = Buffer.concat([Buffer.from([9]), writtenOneByOne(doubles)]).subarray(1); // not 4-byte aligned
    const vector = float32FromBytes(stored);
    expect(Array.from(vector)).toEqual(readOneByOne(stored));
    vector[0] = 42;
    expect(stored.readFloatLE(0)).toBe(0);
  });

  it('Float32Storage stores each vector as float32Bytes does, in shared buffers its spans point into', () => {
    const storage = new Float32Storage(64); // 16 values a buffer: vectors share buffers, and a longer one gets its own
    const vectors = [Float64Array.from(awkward), randomDoubles(5, 1), randomDoubles(7, 2), Float32Array.from(randomDoubles(3, 4)), randomDoubles(40, 5)];
    const stored = vectors.map((vector) => storage.bytesOf(vector));
    vectors.forEach((vector, i) => expect(stored[i]!.equals(writtenOneByOne(vector))).toBe(true));
    expect(storage.buffers.length).toBe(3); // [16 values] [5 + 7 + 3] [40]
    expect(storage.buffers.map((buffer) => buffer.byteLength)).toEqual([64, 64, 160]);
    stored.forEach((bytes, i) => {
      const span = storage.spanOf(bytes);
      expect(Buffer.from(storage.buffers[span.buffer]!, span.offset, span.length).equals(writtenOneByOne(vectors[i]!))).toBe(true);
    });
    expect(() => storage.spanOf(float32Bytes(vectors[1]!))).toThrow(/not stored here/);
  });

});
