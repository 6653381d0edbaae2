// The source the pipeline tests import from: no API, no file, just the items a test gives per user.
import type { Partition, Source, SourceItem } from '../../src/records.js';

/**
 * Source `test`, account `account-1`, one partition per user (`user:<id>`, in the order given); `itemsOf` gives a
 * user's items when its partition is read.
 */
export function testSource(users: readonly string[], itemsOf: (user: string) => Iterable<SourceItem> | AsyncIterable<SourceItem>): Source {
  return {
    name: 'test',
    filtersByUpdateTime: false,
    account: async () => 'account-1',
    async *partitions(): AsyncIterable<Partition> {
      for (const user of users) yield { key: `user:${user}`, tenantKey: user };
    },
    async *items(partition: Partition): AsyncIterable<SourceItem> {
      yield* itemsOf(partition.tenantKey as string);
    },
  };
}
