// Each memory's single outgoing waypoint, as OpenMemory writes it after storing a memory
// (upstream: create_single_waypoint in memory/hsg.ts), computed per tenant in source order.
import { type Vector } from './vectors.js';

/** OpenMemory compares a new memory with its user's 1000 most recent memories. */
export const waypointCandidateWindow = 1000;

export interface WaypointNode {
  id: string;
  /** The stored (float32) mean vector; null when the memory has none. */
  meanVector: Vector | null;
}

export interface Waypoint {
  sourceId: string;
  targetId: string;
  weight: number;
}

function norm(vector: Vector): number {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += (vector[i] as number) * (vector[i] as number);
  return Math.sqrt(sum);
}

function dot(a: Vector, b: Vector): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

/**
 * The waypoints of one tenant's memories, given in ascending source order (oldest first).
 * A memory points at the most similar of the `window` memories before it, examined most recent first,
 * a later candidate winning only when strictly more similar; with none, it points at itself with weight 1.
 * `from` skips computing the waypoints of the first `from` memories (they are unchanged).
 */
export function tenantWaypoints(nodes: readonly WaypointNode[], window = waypointCandidateWindow, from = 0): Waypoint[] {
  const norms = nodes.map((node) => (node.meanVector ? norm(node.meanVector) : 0));
  const waypoints: Waypoint[] = [];
  for (let index = from; index < nodes.length; index++) {
    const node = nodes[index] as WaypointNode;
    let targetId = node.id;
    let weight = 1.0;
    const vector = node.meanVector;
    const vectorNorm = norms[index] as number;
    if (vector) {
      let best = -Infinity;
      for (let candidate = index - 1; candidate >= Math.max(0, index - window); candidate--) {
        const other = nodes[candidate] as WaypointNode;
        if (!other.meanVector || other.meanVector.length !== vector.length) continue;
        const denominator = vectorNorm * (norms[candidate] as number);
        const similarity = denominator === 0 ? 0 : dot(vector, other.meanVector) / denominator;
        if (similarity > best) {
          best = similarity;
          targetId = other.id;
        }
      }
      if (best !== -Infinity) weight = best;
    }
    waypoints.push({ sourceId: node.id, targetId, weight });
  }
  return waypoints;
}
