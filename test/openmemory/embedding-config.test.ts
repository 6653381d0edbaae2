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

describe('OM_IMPORT_OPENMEMORY', () => {
  it('chooses the version whose tier dimensions apply; OM_VEC_DIM still overrides', () => {
    expect(embeddingConfigFromEnv({}).openMemoryVersion).toBe('1.2');
    for (const [raw, version] of [['1.2', '1.2'], ['1.2.3', '1.2'], ['1.2.0', '1.2'], ['1.3', '1.3'], ['1.3.0', '1.3'], ['v1.3.0', '1.3'], [' 1.3 ', '1.3']]) {
      expect(embeddingConfigFromEnv({ OM_IMPORT_OPENMEMORY: raw }).openMemoryVersion).toBe(version);
    }
    const dimensions = (env: Record<string, string>): number[] =>
      ['fast', 'smart', 'deep', 'hybrid'].map((tier) => embeddingConfigFromEnv({ ...env, OM_TIER: tier }).dimension);
    expect(dimensions({})).toEqual([256, 384, 1536, 256]);
    expect(dimensions({ OM_IMPORT_OPENMEMORY: '1.3' })).toEqual([1536, 1536, 1536, 1536]);
    expect(embeddingConfigFromEnv({ OM_IMPORT_OPENMEMORY: '1.3', OM_VEC_DIM: '256' })).toMatchObject({ dimension: 256, dimensionFromEnv: true });
    expect(embeddingConfigFromEnv({ OM_IMPORT_OPENMEMORY: '1.3' })).toMatchObject({ dimension: 1536, dimensionFromEnv: false });
  });

  it.each(['1.3.3', '1.4', '2', 'main', 'v1.1'])('refuses %s, naming the variable and the two releases', (raw) => {
    expect(() => embeddingConfigFromEnv({ OM_IMPORT_OPENMEMORY: raw })).toThrow(UsageError);
    expect(() => embeddingConfigFromEnv({ OM_IMPORT_OPENMEMORY: raw })).toThrow(`OM_IMPORT_OPENMEMORY ${raw} is not an OpenMemory release om-import writes rows for`);
  });
});
