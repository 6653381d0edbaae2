// The partitions a run reads, listed before the target is touched: a source that does not answer (a wrong address)
// stops the run with the database as it was, and so does `--unmapped fail`.
import type { Partition, Source } from '../records.js';
import { ownsUser, type Shard } from './shard.js';
import type { TenantMap } from './tenant-map.js';

/**
 * Every partition of the source this shard reads (a partition whose user belongs to another shard is not even
 * fetched). Partitions that do not know their tenants up front (an export file) are read once more to check under
 * `--unmapped fail`, else to their first record: a file that is not what it should be stops the run here too.
 */
export async function partitionsToRead(source: Source, tenantMap: TenantMap, shard: Shard | null): Promise<Partition[]> {
  const partitions: Partition[] = [];
  for await (const partition of source.partitions()) {
    if (partition.tenantKey !== null) {
      if (partition.aliases) tenantMap.alias(partition.tenantKey, partition.aliases);
      const resolution = tenantMap.resolve(partition.tenantKey);
      if (!ownsUser(shard, 'userId' in resolution ? resolution.userId : partition.tenantKey)) continue;
    }
    partitions.push(partition);
  }
  for (const partition of partitions.filter((p) => p.tenantKey === null)) {
    for await (const item of source.items(partition, { updatedSince: null })) {
      if (tenantMap.unmapped !== 'fail') break;
      if (item.type === 'memory' && item.record.tenantKey !== null) tenantMap.resolve(item.record.tenantKey);
    }
  }
  return partitions;
}
