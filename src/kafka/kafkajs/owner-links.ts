/**
 * Links the clients one owner (an application instance) made through one KafkajsClient, for its transactional
 * producers:
 * - when one aborts, the runtime has closed tasks dirty and dropped records its group consumers handed out, so
 *   those consumers must not continue from their own positions after their next join;
 * - offsets sent to a transaction must belong to partitions the owner's consumer of that group still owns.
 */
import type { GroupMetadata, TopicPartitionOffset } from '../client.js';

/** What OwnerLinks needs of a group consumer (LinkedConsumer). */
export interface LinkedConsumer {
  /** `group` is (or was) this consumer's membership. */
  wasMember(group: GroupMetadata): boolean;
  /** Throws TaskMigratedError unless every partition of `offsets` is still this consumer's. */
  assertCommittable(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** The next join restarts from the committed offsets. */
  distrustPositions(): void;
  onClose(hook: () => void): void;
}

/** Owner key for clients made without an owner. */
const NO_OWNER = {};

export class OwnerLinks {
  private readonly consumers = new WeakMap<object, Set<LinkedConsumer>>();

  /** Track a group consumer until it closes. */
  addConsumer(owner: object | undefined, consumer: LinkedConsumer): void {
    const key = owner ?? NO_OWNER;
    let set = this.consumers.get(key);
    if (!set) this.consumers.set(key, (set = new Set()));
    set.add(consumer);
    consumer.onClose(() => set.delete(consumer));
  }

  /**
   * Throws TaskMigratedError if the consumer that is `group`'s member (an owner has one per stream thread, all in
   * the same group) no longer owns a partition of `offsets`.
   */
  async assertCommittable(owner: object | undefined, group: GroupMetadata, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    for (const c of this.members(owner, group)) await c.assertCommittable(offsets);
  }

  /**
   * A transactional producer of `owner` is aborting its transaction; `group` is the member it last sent offsets
   * for (its stream thread's consumer), or undefined when it sent none yet: then every consumer of the owner.
   */
  aborted(owner: object | undefined, group: GroupMetadata | undefined): void {
    const consumers = group ? this.members(owner, group) : [...(this.consumers.get(owner ?? NO_OWNER) ?? [])];
    for (const c of consumers) c.distrustPositions();
  }

  private members(owner: object | undefined, group: GroupMetadata): LinkedConsumer[] {
    return [...(this.consumers.get(owner ?? NO_OWNER) ?? [])].filter((c) => c.wasMember(group));
  }
}
