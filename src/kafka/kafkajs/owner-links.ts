/**
 * Links the clients one owner (an application instance) made through one KafkajsClient, for its transactional
 * producers:
 * - when one aborts, the runtime has closed tasks dirty and dropped records its group consumers handed out, so
 *   those consumers must not continue from their own positions after their next join;
 * - offsets sent to a transaction must belong to partitions the owner's consumer of that group still owns.
 */
import type { GroupMetadata, TopicPartitionOffset } from '../client.js';
import type { KafkajsConsumer } from './consumer-adapter.js';

/** Owner key for clients made without an owner. */
const NO_OWNER = {};

export class OwnerLinks {
  private readonly consumers = new WeakMap<object, Set<KafkajsConsumer>>();

  /** Track a group consumer until it closes. */
  addConsumer(owner: object | undefined, consumer: KafkajsConsumer): void {
    const key = owner ?? NO_OWNER;
    let set = this.consumers.get(key);
    if (!set) this.consumers.set(key, (set = new Set()));
    set.add(consumer);
    consumer.onClose(() => set.delete(consumer));
  }

  /** Throws TaskMigratedError if `owner`'s consumer of `group` no longer owns a partition of `offsets`. */
  async assertCommittable(owner: object | undefined, group: GroupMetadata, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    for (const c of this.consumers.get(owner ?? NO_OWNER) ?? []) {
      if (c.groupMetadata().groupId === group.groupId) await c.assertCommittable(offsets);
    }
  }

  /** A transactional producer of `owner` is aborting its transaction. */
  aborted(owner: object | undefined): void {
    for (const c of this.consumers.get(owner ?? NO_OWNER) ?? []) c.distrustPositions();
  }
}
