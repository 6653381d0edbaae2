import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { embeddingConfigFromEnv, maxVectorDimension } from '../../src/openmemory/embedding-config.js';

describe('OM_VEC_DIM', () => {
  it('takes any whole dimension from 1 to 65536', () => {
    expect(embeddingConfigFromEnv({}).dimension).toBe(256);
    expect(embeddingConfigFromEnv({ OM_VEC_DIM: '1' }).dimension).toBe(1);
    expect(embeddingConfigFromEnv({ OM_VEC_DIM: '4096' }).dimension).toBe(4096);
    expect(embeddingConfigFromEnv({ OM_VEC_DIM: String(maxVectorDimension) }).dimension).toBe(65_536);
  });

  it.each(['10000000000', '65537', '1e300'])('refuses %s as out of range, naming the variable and the range', (value) => {
    expect(() => embeddingConfigFromEnv({ OM_VEC_DIM: value })).toThrow(UsageError);
    expect(() => embeddingConfigFromEnv({ OM_VEC_DIM: value })).toThrow(`OM_VEC_DIM=${value} is out of range: expected a whole number from 1 to 65536`);
  });

  it.each(['0', '-3', '2.5', 'big'])('refuses %s as not a positive whole number', (value) => {
    expect(() => embeddingConfigFromEnv({ OM_VEC_DIM: value })).toThrow(`OM_VEC_DIM=${value} is not a positive whole number`);
  });
});
