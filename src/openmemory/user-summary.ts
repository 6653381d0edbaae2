// The generated summary of a user's memories, ported from OpenMemory 1.2.0 `memory/user_summary.ts`
// (gen_user_summary). OpenMemory 1.2.3's replacement describes IDE activity and says nothing about chat memory.
import type { Sector } from './sectors.js';

export interface SummarizedMemory {
  content: string;
  primarySector: Sector;
  salience: number;
  createdAt: number;
  updatedAt: number;
}

/** OpenMemory summarises the user's 100 most recent memories. */
export const summaryMemoryLimit = 100;
const dayMs = 86_400_000;

function wordCounts(text: string): number[] {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().split(/\s+/)) counts.set(word, (counts.get(word) ?? 0) + 1);
  return [...counts.values()];
}

/** Upstream's text similarity: cosine of the two count arrays position by position (they are not aligned by word). */
function countSimilarity(a: string, b: string): number {
  const left = wordCounts(a);
  const right = wordCounts(b);
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  for (let i = 0; i < left.length; i++) {
    const x = left[i] as number;
    const y = right[i] as number; // undefined past the end: NaN, as upstream
    dot += x * y;
    leftNorm += x * x;
    rightNorm += y * y;
  }
  return dot / (Math.sqrt(leftNorm) * Math.sqrt(rightNorm));
}

interface Cluster {
  sector: Sector;
  members: SummarizedMemory[];
}

function clusterSalience(cluster: Cluster, now: number): number {
  const recency =
    cluster.members.reduce((sum, member) => sum + Math.exp(-(now - member.createdAt) / 43_200_000), 0) / cluster.members.length;
  const emotional = cluster.members.some((member) => member.primarySector === 'emotional') ? 1 : 0;
  return Math.min(1, 0.6 * (cluster.members.length / 10) + 0.3 * recency + 0.1 * emotional);
}

/**
 * The summary text for a user. `memories` may be given in any order; the most recent 100 by `createdAt` are used.
 */
export function generateUserSummary(memories: readonly SummarizedMemory[], now: number): string {
  if (memories.length === 0) return 'new user with no memories yet';
  const recent = [...memories].sort((a, b) => b.createdAt - a.createdAt).slice(0, summaryMemoryLimit);

  const used = new Set<SummarizedMemory>();
  const clusters: Cluster[] = [];
  for (const memory of recent) {
    if (used.has(memory) || memory.primarySector === 'reflective') continue;
    const cluster: Cluster = { sector: memory.primarySector, members: [memory] };
    used.add(memory);
    for (const other of recent) {
      if (used.has(other) || other.primarySector !== memory.primarySector) continue;
      if (countSimilarity(memory.content, other.content) > 0.75) {
        cluster.members.push(other);
        used.add(other);
      }
    }
    clusters.push(cluster);
  }
  clusters.sort((a, b) => b.members.length - a.members.length);

  const averageSalience = recent.reduce((sum, memory) => sum + memory.salience, 0) / recent.length;
  const recentlyUpdated = recent.filter((memory) => now - memory.updatedAt < 7 * dayMs).length;
  const activity = recentlyUpdated > 10 ? 'active' : recentlyUpdated > 3 ? 'moderate' : 'low';
  const top = clusters
    .slice(0, 5)
    .map(
      (cluster) =>
        `${cluster.sector}(${cluster.members.length}, sal=${clusterSalience(cluster, now).toFixed(2)}): "${(cluster.members[0] as SummarizedMemory).content.slice(0, 40)}..."`,
    )
    .join(' | ');
  return `${recent.length} memories, ${clusters.length} patterns | ${activity} | avg_sal=${averageSalience.toFixed(2)} | top: ${top}`;
}
