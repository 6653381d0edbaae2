// How OpenMemory is configured to embed (OM_TIER, OM_EMBEDDINGS, OM_VEC_DIM, …), read the way its `core/cfg.ts` does.
import { UsageError } from '../errors.js';
import { defaultOpenMemoryVersion, openMemoryReleases, otherOpenMemoryVersion, parseOpenMemoryVersion, type OpenMemoryVersion } from './openmemory-version.js';

export const tiers = ['fast', 'smart', 'deep', 'hybrid'] as const;
export type Tier = (typeof tiers)[number];
export const providerNames = ['synthetic', 'openai', 'ollama', 'gemini'] as const;
export type ProviderName = (typeof providerNames)[number];

export interface EmbeddingConfig {
  /** The OpenMemory release the rows are computed for (OM_IMPORT_OPENMEMORY, `--openmemory`): its defaults and classifier. */
  openMemoryVersion: OpenMemoryVersion;
  tier: Tier;
  provider: ProviderName;
  /** Dimension of the synthetic part (OM_VEC_DIM, or the tier's default in that version). */
  dimension: number;
  /** Whether OM_VEC_DIM chose the dimension (else the version's default for the tier). */
  dimensionFromEnv: boolean;
  openai: { baseUrl: string; model: string | undefined; apiKey: string | undefined };
  ollama: { url: string; model: string };
  /** OM_USE_SUMMARY_ONLY: store OpenMemory's essence instead of the full text (the full text then goes to meta). */
  useSummaryOnly: boolean;
  summaryMaxLength: number;
  /** OM_SEG_SIZE: memories per segment. */
  segmentSize: number;
}

/** Each version's `tier_dims` (core/cfg.ts): 1.3.0 made every tier 1536. */
export const defaultDimensions: Readonly<Record<OpenMemoryVersion, Readonly<Record<Tier, number>>>> = {
  '1.2': { fast: 256, hybrid: 256, smart: 384, deep: 1536 },
  '1.3': { fast: 1536, hybrid: 1536, smart: 1536, deep: 1536 },
};

/** A bad OM_* embedding setting: a usage error (exit 2). */
export class EmbeddingConfigError extends UsageError {
  override name = 'EmbeddingConfigError';
}

/**
 * The largest OM_VEC_DIM accepted. OpenMemory's own tiers use 256 to 1536 and the largest embedding models ~4096;
 * a vector of 65536 float32 is already 256 KB per sector of every memory, so anything above is a typo (and a
 * dimension of 1e10 would not even fit in memory).
 */
export const maxVectorDimension = 65_536;

function positiveInteger(name: string, raw: string | undefined, fallback: number, range?: { max: number; hint: string }): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new EmbeddingConfigError(`${name}=${raw} is not a positive whole number`);
  if (range && value > range.max) {
    throw new EmbeddingConfigError(`${name}=${raw} is out of range: expected a whole number from 1 to ${range.max} (${range.hint})`);
  }
  return value;
}

export function embeddingConfigFromEnv(env: Readonly<Record<string, string | undefined>>): EmbeddingConfig {
  const tierRaw = (env['OM_TIER'] ?? 'hybrid').toLowerCase();
  if (!(tiers as readonly string[]).includes(tierRaw)) {
    throw new EmbeddingConfigError(`OM_TIER=${tierRaw} is not one of ${tiers.join(', ')}`);
  }
  const tier = tierRaw as Tier;
  const providerRaw = (env['OM_EMBEDDINGS'] ?? 'synthetic').toLowerCase();
  if (!(providerNames as readonly string[]).includes(providerRaw)) {
    throw new EmbeddingConfigError(`OM_EMBEDDINGS=${providerRaw} is not one of ${providerNames.join(', ')}`);
  }
  const versionRaw = env['OM_IMPORT_OPENMEMORY'];
  const openMemoryVersion = versionRaw === undefined || versionRaw.trim() === '' ? defaultOpenMemoryVersion : parseOpenMemoryVersion(versionRaw, 'OM_IMPORT_OPENMEMORY');
  const dimensionFromEnv = env['OM_VEC_DIM'] !== undefined && env['OM_VEC_DIM'].trim() !== '';
  return {
    openMemoryVersion,
    tier,
    provider: providerRaw as ProviderName,
    dimension: positiveInteger('OM_VEC_DIM', env['OM_VEC_DIM'], defaultDimensions[openMemoryVersion][tier], {
      max: maxVectorDimension,
      hint: "OpenMemory's tiers use 256 to 1536: set the OM_VEC_DIM your OpenMemory server uses",
    }),
    dimensionFromEnv,
    openai: {
      baseUrl: (env['OM_OPENAI_BASE_URL'] ?? 'https://api.openai.com/v1').replace(/\/+$/, ''),
      model: env['OM_OPENAI_MODEL'] || undefined,
      apiKey: env['OM_OPENAI_API_KEY'] || env['OPENAI_API_KEY'] || undefined,
    },
    ollama: {
      url: (env['OM_OLLAMA_URL'] ?? 'http://localhost:11434').replace(/\/+$/, ''),
      model: env['OM_OLLAMA_MODEL'] || 'nomic-embed-text',
    },
    useSummaryOnly: env['OM_USE_SUMMARY_ONLY'] === 'true',
    summaryMaxLength: positiveInteger('OM_SUMMARY_MAX_LENGTH', env['OM_SUMMARY_MAX_LENGTH'], 200),
    segmentSize: positiveInteger('OM_SEG_SIZE', env['OM_SEG_SIZE'], 10000),
  };
}

/** Whether the tier ignores the provider and always embeds synthetically (upstream: hybrid and fast). */
export function usesProvider(config: EmbeddingConfig): boolean {
  return (config.tier === 'smart' || config.tier === 'deep') && config.provider !== 'synthetic';
}

/** Length of the stored sector vectors. */
export function storedDimension(config: EmbeddingConfig): number {
  return config.tier === 'smart' && usesProvider(config) ? config.dimension + 128 : config.dimension;
}

/** Which OpenMemory's rows a run wrote, for its report; `otherVersion` is the one `--openmemory` would choose instead. */
export interface OpenMemoryRows {
  version: OpenMemoryVersion;
  release: string;
  tier: Tier;
  dimension: number;
  otherVersion: OpenMemoryVersion;
  otherRelease: string;
}

export function openMemoryRows(config: EmbeddingConfig): OpenMemoryRows {
  const otherVersion = otherOpenMemoryVersion(config.openMemoryVersion);
  return {
    version: config.openMemoryVersion,
    release: openMemoryReleases[config.openMemoryVersion],
    tier: config.tier,
    dimension: storedDimension(config),
    otherVersion,
    otherRelease: openMemoryReleases[otherVersion],
  };
}
