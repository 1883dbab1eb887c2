/**
 * Rebalance bookkeeping for the consumer adapter. kafkajs' group events are fire-and-forget and arrive on its
 * own schedule; the port wants listener callbacks inside `poll`. Events are recorded here and delivered, in
 * order lost -> assign, by the next `deliver`.
 *
 * kafkajs runs the eager protocol and rejoins at once when it sees REBALANCING (it does not wait for a commit), so
 * by the time the new assignment is known, partitions that moved are already someone else's: they are reported
 * lost, never revoked (a commit for them now could overwrite the new owner's). Partitions a rejoin keeps are not
 * revoked at all, as with Kafka Streams' cooperative protocol: their tasks go on from where they are.
 */
import type { RebalanceListener, TopicPartition } from '../client.js';
import { tpKey } from '../client.js';

export class RebalanceEvents {
  /** Partitions reported to the listener as owned. */
  private owned: TopicPartition[] = [];
  private pendingLost = false;
  private pendingJoin: { partitions: TopicPartition[]; userData: Buffer } | undefined;
  /** A REBALANCING came before the next join (a rejoin of a member still in the group). */
  private announced = false;

  /** kafkajs rejoins right away (REBALANCING). What is kept or lost is decided by the join. */
  rebalancing(): void {
    this.announced = true;
  }

  /** kafkajs crashed and restarts (rejoins): owned partitions are lost, nobody could commit for them. */
  crashed(): void {
    this.announced = false;
    this.pendingJoin = undefined;
    if (this.owned.length > 0) this.pendingLost = true;
  }

  /** Owned partitions will be reported lost at the next `deliver`: nothing of them may be committed. */
  get losing(): boolean {
    return this.pendingLost;
  }

  /** The next `deliver` reports a new assignment. */
  get assigning(): boolean {
    return this.pendingJoin !== undefined;
  }

  /**
   * A join completed. Returns the owned partitions whose processing goes on (the listener hears nothing about
   * them); the others were lost. Everything owned is lost when the join was not announced (UNKNOWN_MEMBER_ID:
   * the session expired), when the assignment dropped any owned partition (the eager rebalance already handed it
   * to another member, and the runtime can only close all its tasks dirty at once), or when `trusted` is false
   * (the positions handed out may be ahead of what the runtime still holds, see KafkajsConsumer).
   */
  joined(partitions: TopicPartition[], userData: Buffer, trusted: boolean): TopicPartition[] {
    const assigned = new Set(partitions.map((p) => tpKey(p.topic, p.partition)));
    const allKept = this.owned.every((p) => assigned.has(tpKey(p.topic, p.partition)));
    const keep = this.announced && trusted && !this.pendingLost && allKept;
    this.announced = false;
    this.pendingJoin = { partitions, userData };
    if (keep) return [...this.owned];
    if (this.owned.length > 0) this.pendingLost = true;
    return [];
  }

  async deliver(listener: RebalanceListener): Promise<void> {
    if (this.pendingLost) {
      this.pendingLost = false;
      const old = this.owned;
      this.owned = [];
      if (old.length > 0) await (listener.onPartitionsLost ?? listener.onPartitionsRevoked).call(listener, old);
    }
    const join = this.pendingJoin;
    if (join) {
      this.pendingJoin = undefined;
      this.owned = join.partitions;
      await listener.onPartitionsAssigned(join.partitions, join.userData);
    }
  }
}
