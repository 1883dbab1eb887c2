/**
 * Links the clients one owner (an application instance) made through one KafkajsClient: when a transactional
 * producer of the owner aborts, the runtime has closed tasks dirty and dropped records its group consumers handed
 * out, so those consumers must not continue from their own positions after their next join.
 */
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

  /** A transactional producer of `owner` is aborting its transaction. */
  aborted(owner: object | undefined): void {
    for (const c of this.consumers.get(owner ?? NO_OWNER) ?? []) c.distrustPositions();
  }
}
