/**
 * Rebalance bookkeeping for the consumer adapter. kafkajs' group events are fire-and-forget and arrive on its
 * own schedule; the port wants listener callbacks inside `poll`. Events are recorded here and delivered, in
 * order revoke -> lost -> assign, by the next `deliver`.
 */
import type { RebalanceListener, TopicPartition } from '../client.js';

export class RebalanceEvents {
  /** Partitions reported to the listener as owned. */
  private owned: TopicPartition[] = [];
  private pendingRevoke = false;
  private pendingLost = false;
  private pendingJoin: { partitions: TopicPartition[]; userData: Buffer } | undefined;
  /** A REBALANCING or crash came before the next join, so that join is expected. */
  private announced = false;

  /** kafkajs will rejoin right away (REBALANCING): eager protocol, everything owned is revoked. */
  rebalancing(): void {
    this.announced = true;
    this.pendingJoin = undefined;
    this.pendingRevoke = true;
  }

  /** kafkajs crashed and restarts (rejoins): owned partitions are lost, nobody could commit for them. */
  crashed(): void {
    this.announced = true;
    this.pendingJoin = undefined;
    if (this.owned.length > 0) this.pendingLost = true;
  }

  /** A join completed. Unannounced (UNKNOWN_MEMBER_ID: session expired) means the old partitions were lost. */
  joined(partitions: TopicPartition[], userData: Buffer): void {
    if (!this.announced && this.owned.length > 0) this.pendingLost = true;
    this.announced = false;
    this.pendingJoin = { partitions, userData };
  }

  async deliver(listener: RebalanceListener): Promise<void> {
    if (this.pendingRevoke) {
      this.pendingRevoke = false;
      const old = this.take();
      if (old.length > 0) await listener.onPartitionsRevoked(old);
    }
    if (this.pendingLost) {
      this.pendingLost = false;
      const old = this.take();
      if (old.length > 0) await (listener.onPartitionsLost ?? listener.onPartitionsRevoked).call(listener, old);
    }
    const join = this.pendingJoin;
    if (join) {
      this.pendingJoin = undefined;
      this.owned = join.partitions;
      await listener.onPartitionsAssigned(join.partitions, join.userData);
    }
  }

  private take(): TopicPartition[] {
    const old = this.owned;
    this.owned = [];
    return old;
  }
}
