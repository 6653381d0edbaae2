// Sector classification, ported from OpenMemory 1.2.3 `memory/hsg.ts` (sector_configs, classify_content).

export const sectorNames = ['episodic', 'semantic', 'procedural', 'emotional', 'reflective'] as const;
export type Sector = (typeof sectorNames)[number];

export interface SectorConfig {
  /** Classification weight; also drives the mean-vector weighting. */
  weight: number;
  decayLambda: number;
  /** Weight of the synthetic embedding's features. */
  syntheticWeight: number;
  patterns: readonly RegExp[];
}

export const sectorConfigs: Readonly<Record<Sector, SectorConfig>> = {
  episodic: {
    weight: 1.2,
    decayLambda: 0.015,
    syntheticWeight: 1.3,
    patterns: [
      /\b(today|yesterday|last\s+week|remember\s+when|recall|that\s+time)\b/i,
      /\b(I\s+(did|went|saw|met|felt))\b/i,
      /\b(at\s+\d+:\d+|on\s+\w+day|in\s+\d{4})\b/i,
      /\b(happened|occurred|experience|event|moment)\b/i,
    ],
  },
  semantic: {
    weight: 1.0,
    decayLambda: 0.005,
    syntheticWeight: 1.0,
    patterns: [
      /\b(define|definition|meaning|concept|theory)\b/i,
      /\b(what\s+is|how\s+does|why\s+do|facts?\s+about)\b/i,
      /\b(principle|rule|law|algorithm|method)\b/i,
      /\b(knowledge|information|data|research|study)\b/i,
    ],
  },
  procedural: {
    weight: 1.1,
    decayLambda: 0.008,
    syntheticWeight: 1.2,
    patterns: [
      /\b(how\s+to|step\s+by\s+step|procedure|process)\b/i,
      /\b(first|then|next|finally|afterwards)\b/i,
      /\b(install|configure|setup|run|execute)\b/i,
      /\b(tutorial|guide|instructions|manual)\b/i,
      /\b(click|press|type|enter|select|def|function|class|return|import|const|var|let)\b/i,
    ],
  },
  emotional: {
    weight: 1.3,
    decayLambda: 0.02,
    syntheticWeight: 1.4,
    patterns: [
      /\b(feel|feeling|felt|emotion|mood)\b/i,
      /\b(happy|sad|angry|excited|worried|anxious|calm)\b/i,
      /\b(love|hate|like|dislike|enjoy|fear)\b/i,
      /\b(amazing|terrible|wonderful|awful|fantastic|horrible)\b/i,
      /[!]{2,}|[\?\!]{2,}/i,
    ],
  },
  reflective: {
    weight: 0.8,
    decayLambda: 0.001,
    syntheticWeight: 0.9,
    patterns: [
      /\b(think|thinking|thought|reflect|reflection)\b/i,
      /\b(realize|understand|insight|conclusion|lesson)\b/i,
      /\b(why|purpose|meaning|significance|impact)\b/i,
      /\b(philosophy|wisdom|belief|value|principle)\b/i,
      /\b(should\s+have|could\s+have|if\s+only|what\s+if)\b/i,
    ],
  },
};

export function isSector(value: unknown): value is Sector {
  return typeof value === 'string' && (sectorNames as readonly string[]).includes(value);
}

export interface Classification {
  primary: Sector;
  additional: Sector[];
  confidence: number;
}

// upstream: classify_content
export function classify(text: string, metadata?: Readonly<Record<string, unknown>> | null): Classification {
  const forced = metadata?.['sector'];
  if (isSector(forced)) return { primary: forced, additional: [], confidence: 1.0 };

  const scored = sectorNames.map((sector) => {
    const config = sectorConfigs[sector];
    let score = 0;
    for (const pattern of config.patterns) {
      const match = text.match(pattern);
      if (match) score += match.length * config.weight;
    }
    return { sector, score };
  });
  // Array.prototype.sort is stable: ties keep the table order, as upstream.
  scored.sort((a, b) => b.score - a.score);
  const first = scored[0] as { sector: Sector; score: number };
  const second = scored[1] as { sector: Sector; score: number };
  const primary: Sector = first.score > 0 ? first.sector : 'semantic';
  const primaryScore = first.score;
  const threshold = Math.max(1, primaryScore * 0.3);
  const additional = scored
    .filter((entry) => entry.sector !== primary && entry.score > 0 && entry.score >= threshold)
    .map((entry) => entry.sector);
  const confidence = primaryScore > 0 ? Math.min(1, primaryScore / (primaryScore + second.score + 1)) : 0.2;
  return { primary, additional, confidence };
}

/** Initial salience: 0.4 + 0.1 per additional sector, clamped to [0, 1] (upstream: add_hsg_memory). */
export function initialSalience(classification: Classification): number {
  return Math.max(0, Math.min(1, 0.4 + 0.1 * classification.additional.length));
}

/** The sectors a memory is embedded in: primary first, then the additional ones. */
export function embeddedSectors(classification: Classification): Sector[] {
  return [classification.primary, ...classification.additional];
}
