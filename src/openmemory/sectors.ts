// Sector classification, ported from OpenMemory 1.2.3 and 1.3.0 `memory/hsg.ts` (sector_configs, classify_content).
import type { OpenMemoryVersion } from './openmemory-version.js';

export const sectorNames = ['episodic', 'semantic', 'procedural', 'emotional', 'reflective'] as const;
export type Sector = (typeof sectorNames)[number];

export interface SectorConfig {
  /** Classification weight; also drives the mean-vector weighting. */
  weight: number;
  decayLambda: number;
  /** Weight of the synthetic embedding's features. */
  syntheticWeight: number;
}

/** Weights and decay, the same in 1.2.3 and 1.3.0 (only the patterns differ: `classifierPatterns`). */
export const sectorConfigs: Readonly<Record<Sector, SectorConfig>> = {
  episodic: { weight: 1.2, decayLambda: 0.015, syntheticWeight: 1.3 },
  semantic: { weight: 1.0, decayLambda: 0.005, syntheticWeight: 1.0 },
  procedural: { weight: 1.1, decayLambda: 0.008, syntheticWeight: 1.2 },
  emotional: { weight: 1.3, decayLambda: 0.02, syntheticWeight: 1.4 },
  reflective: { weight: 0.8, decayLambda: 0.001, syntheticWeight: 0.9 },
};

/** Each version's classifier patterns per sector, copied from its `sector_configs` (1.3.0 rewrote every list). */
export const classifierPatterns: Readonly<Record<OpenMemoryVersion, Readonly<Record<Sector, readonly RegExp[]>>>> = {
  // OpenMemory 1.2.3 backend/src/memory/hsg.ts
  '1.2': {
    episodic: [
      /\b(today|yesterday|last\s+week|remember\s+when|recall|that\s+time)\b/i,
      /\b(I\s+(did|went|saw|met|felt))\b/i,
      /\b(at\s+\d+:\d+|on\s+\w+day|in\s+\d{4})\b/i,
      /\b(happened|occurred|experience|event|moment)\b/i,
    ],
    semantic: [
      /\b(define|definition|meaning|concept|theory)\b/i,
      /\b(what\s+is|how\s+does|why\s+do|facts?\s+about)\b/i,
      /\b(principle|rule|law|algorithm|method)\b/i,
      /\b(knowledge|information|data|research|study)\b/i,
    ],
    procedural: [
      /\b(how\s+to|step\s+by\s+step|procedure|process)\b/i,
      /\b(first|then|next|finally|afterwards)\b/i,
      /\b(install|configure|setup|run|execute)\b/i,
      /\b(tutorial|guide|instructions|manual)\b/i,
      /\b(click|press|type|enter|select|def|function|class|return|import|const|var|let)\b/i,
    ],
    emotional: [
      /\b(feel|feeling|felt|emotion|mood)\b/i,
      /\b(happy|sad|angry|excited|worried|anxious|calm)\b/i,
      /\b(love|hate|like|dislike|enjoy|fear)\b/i,
      /\b(amazing|terrible|wonderful|awful|fantastic|horrible)\b/i,
      /[!]{2,}|[\?\!]{2,}/,
    ],
    reflective: [
      /\b(think|thinking|thought|reflect|reflection)\b/i,
      /\b(realize|understand|insight|conclusion|lesson)\b/i,
      /\b(why|purpose|meaning|significance|impact)\b/i,
      /\b(philosophy|wisdom|belief|value|principle)\b/i,
      /\b(should\s+have|could\s+have|if\s+only|what\s+if)\b/i,
    ],
  },
  // OpenMemory 1.3.0 packages/openmemory-js/src/memory/hsg.ts
  '1.3': {
    episodic: [
      /\b(today|yesterday|tomorrow|last\s+(week|month|year)|next\s+(week|month|year))\b/i,
      /\b(remember\s+when|recall|that\s+time|when\s+I|I\s+was|we\s+were)\b/i,
      /\b(went|saw|met|felt|heard|visited|attended|participated)\b/i,
      /\b(at\s+\d{1,2}:\d{2}|on\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b/i,
      /\b(event|moment|experience|incident|occurrence|happened)\b/i,
      /\bI\s+'?m\s+going\s+to\b/i,
    ],
    semantic: [
      /\b(is\s+a|represents|means|stands\s+for|defined\s+as)\b/i,
      /\b(concept|theory|principle|law|hypothesis|theorem|axiom)\b/i,
      /\b(fact|statistic|data|evidence|proof|research|study|report)\b/i,
      /\b(capital|population|distance|weight|height|width|depth)\b/i,
      /\b(history|science|geography|math|physics|biology|chemistry)\b/i,
      /\b(know|understand|learn|read|write|speak)\b/i,
    ],
    procedural: [
      /\b(how\s+to|step\s+by\s+step|guide|tutorial|manual|instructions)\b/i,
      /\b(first|second|then|next|finally|afterwards|lastly)\b/i,
      /\b(install|run|execute|compile|build|deploy|configure|setup)\b/i,
      /\b(click|press|type|enter|select|drag|drop|scroll)\b/i,
      /\b(method|function|class|algorithm|routine|recipie)\b/i,
      /\b(to\s+do|to\s+make|to\s+build|to\s+create)\b/i,
    ],
    emotional: [
      /\b(feel|feeling|felt|emotions?|mood|vibe)\b/i,
      /\b(happy|sad|angry|mad|excited|scared|anxious|nervous|depressed)\b/i,
      /\b(love|hate|like|dislike|adore|detest|enjoy|loathe)\b/i,
      /\b(amazing|terrible|awesome|awful|wonderful|horrible|great|bad)\b/i,
      /\b(frustrated|confused|overwhelmed|stressed|relaxed|calm)\b/i,
      /\b(wow|omg|yay|nooo|ugh|sigh)\b/i,
      /[!]{2,}/,
    ],
    reflective: [
      /\b(realize|realized|realization|insight|epiphany)\b/i,
      /\b(think|thought|thinking|ponder|contemplate|reflect)\b/i,
      /\b(understand|understood|understanding|grasp|comprehend)\b/i,
      /\b(pattern|trend|connection|link|relationship|correlation)\b/i,
      /\b(lesson|moral|takeaway|conclusion|summary|implication)\b/i,
      /\b(feedback|review|analysis|evaluation|assessment)\b/i,
      /\b(improve|grow|change|adapt|evolve)\b/i,
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

// upstream: classify_content (the same code in 1.2.3 and 1.3.0; `version` chooses its patterns)
export function classify(text: string, metadata: Readonly<Record<string, unknown>> | null | undefined, version: OpenMemoryVersion): Classification {
  const forced = metadata?.['sector'];
  if (isSector(forced)) return { primary: forced, additional: [], confidence: 1.0 };

  const scored = sectorNames.map((sector) => {
    const { weight } = sectorConfigs[sector];
    let score = 0;
    for (const pattern of classifierPatterns[version][sector]) {
      const match = text.match(pattern);
      if (match) score += match.length * weight;
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
