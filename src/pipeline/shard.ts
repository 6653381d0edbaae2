// Sharding an import across processes: each OpenMemory user belongs to exactly one shard, by a stable hash of its
// *mapped* user_id, so one user's memories, waypoints and summary are only ever written by one process (a
// many-to-one --user-map cannot split a user across two).
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';

/** Shard `index` (0-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** The shard an OpenMemory user belongs to, of `count`: the first 32 bits of the SHA-1 of its user_id, modulo. */
export function shardOfUser(userId: string, count: number): number {
  return createHash('sha1').update(userId, 'utf8').digest().readUInt32BE(0) % count;
}

/** Whether this process imports the user (every user when the run is not sharded). */
export function ownsUser(shard: Shard | null, userId: string): boolean {
  return shard === null || shardOfUser(userId, shard.count) === shard.index;
}

/** How a shard is named in messages, bookkeeping and the report: `1/4`, or `all`. */
export function shardName(shard: Shard | null): string {
  return shard === null ? 'all' : `${shard.index}/${shard.count}`;
}

/**
 * `--shard i/n`, or `--shards n` with the index from the scheduler (`JOB_COMPLETION_INDEX`, as a Kubernetes
 * Indexed Job numbers its pods from 0). Null when neither is given.
 */
export function resolveShard(flags: { shard?: string | undefined; shards?: number | undefined }, env: Readonly<Record<string, string | undefined>>): Shard | null {
  if (flags.shard !== undefined) {
    if (flags.shards !== undefined) throw new UsageError('--shard i/n and --shards n exclude each other: give one');
    const match = /^(\d+)\/(\d+)$/.exec(flags.shard.trim());
    if (!match) throw new UsageError(`--shard ${flags.shard}: expected i/n, e.g. 0/4 (shards are numbered from 0)`);
    return checkedShard(Number(match[1]), Number(match[2]), `--shard ${flags.shard}`);
  }
  if (flags.shards === undefined) return null;
  const index = env['JOB_COMPLETION_INDEX'];
  if (index === undefined || !/^\d+$/.test(index.trim())) {
    throw new UsageError('--shards n takes the shard index from JOB_COMPLETION_INDEX (as a Kubernetes Indexed Job sets it); it is not set: use --shard i/n');
  }
  return checkedShard(Number(index), flags.shards, `JOB_COMPLETION_INDEX=${index} with --shards ${flags.shards}`);
}

function checkedShard(index: number, count: number, given: string): Shard {
  if (!Number.isSafeInteger(count) || count < 1 || count > 10_000) throw new UsageError(`${given}: the number of shards must be 1 to 10000`);
  if (!Number.isSafeInteger(index) || index >= count) throw new UsageError(`${given}: the shard index must be 0 to ${count - 1}`);
  return { index, count };
}
