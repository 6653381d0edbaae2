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

/** Dot product summed strictly left to right (as upstream), four terms per loop turn. */
function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  const length = a.length;
  const whole = length - (length % 4);
  let i = 0;
  for (; i < whole; i += 4) {
    sum += a[i]! * b[i]!;
    sum += a[i + 1]! * b[i + 1]!;
    sum += a[i + 2]! * b[i + 2]!;
    sum += a[i + 3]! * b[i + 3]!;
  }
  for (; i < length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/**
 * The waypoints of one tenant's memories, given in ascending source order (oldest first).
 * A memory points at the most similar of the `window` memories before it, examined most recent first,
 * a later candidate winning only when strictly more similar; with none, it points at itself with weight 1.
 * `from` skips computing the waypoints of the first `from` memories (they are unchanged).
 */
export function tenantWaypoints(nodes: readonly WaypointNode[], window = waypointCandidateWindow, from = 0): Waypoint[] {
  // float32 → double is exact, and double arrays read faster in the hot loop.
  const vectors = nodes.map((node) => (node.meanVector ? Float64Array.from(node.meanVector) : null));
  const { targets, weights } = waypointChoices(vectors, window, from);
  return Array.from(targets, (target, i) => ({
    sourceId: (nodes[from + i] as WaypointNode).id,
    targetId: (nodes[target] as WaypointNode).id,
    weight: weights[i] as number,
  }));
}

/**
 * The choice `tenantWaypoints` makes for memories `from` to `to` (exclusive) of `vectors` (the memories' mean vectors
 * in source order, as doubles; null for none): each one's target, as an index into `vectors` (its own index when it
 * has none), and the weight. Reads only `vectors[from - window]` on, so a slice with its window of history before it
 * decides the same as the whole list (row-worker.ts relies on it).
 */
export function waypointChoices(
  vectors: readonly (Float64Array | null)[],
  window: number,
  from: number,
  to = vectors.length,
): { targets: Int32Array; weights: Float64Array } {
  const first = Math.max(0, from - window);
  const norms = new Float64Array(vectors.length);
  for (let index = first; index < to; index++) {
    const vector = vectors[index];
    if (vector) norms[index] = norm(vector);
  }
  const targets = new Int32Array(Math.max(0, to - from));
  const weights = new Float64Array(targets.length);
  for (let index = from; index < to; index++) {
    let target = index;
    let weight = 1.0;
    const vector = vectors[index] ?? null;
    const vectorNorm = norms[index] as number;
    if (vector) {
      let best = -Infinity;
      for (let candidate = index - 1; candidate >= Math.max(0, index - window); candidate--) {
        const other = vectors[candidate];
        if (!other || other.length !== vector.length) continue;
        const denominator = vectorNorm * (norms[candidate] as number);
        const similarity = denominator === 0 ? 0 : dot(vector, other) / denominator;
        if (similarity > best) {
          best = similarity;
          target = candidate;
        }
      }
      if (best !== -Infinity) weight = best;
    }
    targets[index - from] = target;
    weights[index - from] = weight;
  }
  return { targets, weights };
}
