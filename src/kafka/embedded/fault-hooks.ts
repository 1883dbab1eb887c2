/**
 * Fault injection for tests: `cluster.faults`. Each hook arms a fault that the next matching operation consumes.
 * Faults apply to the clients handed out by the cluster (producers, consumers), not to the cluster's own test
 * helpers (`produce`, `readAll`), so test setup stays deterministic.
 */
import { injectedFault } from './kafka-errors.js';

/** How `delayRestore` slows the polls of manually assigned consumers. */
export interface RestoreSlowdown {
  readonly ms: number;
  /** At most this many records per poll (undefined: the consumer's own maxPollRecords). */
  readonly maxRecords: number | undefined;
}

export class FaultHooks {
  private readonly sendFailures = new Map<string, { remaining: number; error: Error | undefined }>();
  private readonly commitFailures: Error[] = [];
  private readonly pollFailures: Error[] = [];
  private flushDelay = 0;
  private pollDelay = 0;
  private restoreSlowdown: RestoreSlowdown | undefined;
  private pollObserver: (() => void) | undefined;

  /**
   * Fails the next `count` records sent to `topic` by any producer: `flush` reports each in
   * `FlushResult.failures` (by default with a retriable KafkaError, kafkaCode NOT_LEADER_OR_FOLLOWER) and does not
   * append it. Inside a transaction a failed record makes the transaction abortable only, as in Kafka.
   */
  failNextSends(topic: string, count = 1, error?: Error): void {
    this.sendFailures.set(topic, { remaining: count, error });
  }

  /**
   * Fails the next commit: a producer's `commitTransaction` or a consumer's `commit`, whichever comes first, with
   * `error` (default: a retriable KafkaError). A failed transactional commit leaves the transaction open (retry or
   * abort it), unless the error is a ProducerFencedError, which fences the producer. Calls queue up.
   */
  failNextCommit(error?: Error): void {
    this.commitFailures.push(error ?? injectedFault('commit'));
  }

  /** Fails the next `count` consumer polls (fetches) with `error` (default: a retriable KafkaError). */
  failNextPoll(error?: Error, count = 1): void {
    for (let i = 0; i < count; i++) this.pollFailures.push(error ?? injectedFault('fetch'));
  }

  /** Every producer flush (and the flush inside commitTransaction) waits `ms` before appending; 0 turns it off. */
  delayFlush(ms: number): void {
    this.flushDelay = Math.max(0, ms);
  }

  /** Every consumer poll waits `ms` before fetching; 0 turns it off. */
  delayPoll(ms: number): void {
    this.pollDelay = Math.max(0, ms);
  }

  /**
   * Slow restoration: every poll of a consumer with a manual assignment (`assign`, no group: the runtime's restore
   * consumers, which read changelogs) waits `ms` and returns at most `maxRecords` records, so a store takes many
   * polls to restore and rebalances land while tasks restore. Group consumers are not slowed. `delayRestore(0)`
   * without `maxRecords` turns it off.
   */
  delayRestore(ms: number, maxRecords?: number): void {
    const slowdown = { ms: Math.max(0, ms), maxRecords: maxRecords === undefined ? undefined : Math.max(1, Math.floor(maxRecords)) };
    this.restoreSlowdown = slowdown.ms > 0 || slowdown.maxRecords !== undefined ? slowdown : undefined;
  }

  /**
   * Calls `observer` at the start of every poll of a group consumer (a stream thread's main consumer); undefined
   * removes it. The embedded cluster processes a small input without yielding to timers, so a test tool that fires
   * faults at a given progress samples it here: faults then land while the application processes, not after it is
   * done. Not a fault: reset() keeps it.
   */
  observePolls(observer: (() => void) | undefined): void {
    this.pollObserver = observer;
  }

  /** Disarms every fault. */
  reset(): void {
    this.sendFailures.clear();
    this.commitFailures.length = 0;
    this.pollFailures.length = 0;
    this.flushDelay = 0;
    this.pollDelay = 0;
    this.restoreSlowdown = undefined;
  }

  /** @internal */
  get hasSendFailures(): boolean {
    return this.sendFailures.size > 0;
  }

  /** @internal Consumes one armed send failure for the topic. */
  takeSendFailure(topic: string): Error | undefined {
    const f = this.sendFailures.get(topic);
    if (!f) return undefined;
    if (--f.remaining <= 0) this.sendFailures.delete(topic);
    return f.error ?? injectedFault(`send to topic '${topic}'`);
  }

  /** @internal */
  takeCommitFailure(): Error | undefined {
    return this.commitFailures.shift();
  }

  /** @internal */
  takePollFailure(): Error | undefined {
    return this.pollFailures.shift();
  }

  /** @internal */
  get flushDelayMs(): number {
    return this.flushDelay;
  }

  /** @internal */
  get pollDelayMs(): number {
    return this.pollDelay;
  }

  /** @internal */
  get onGroupPoll(): (() => void) | undefined {
    return this.pollObserver;
  }

  /** @internal */
  get restoreDelay(): RestoreSlowdown | undefined {
    return this.restoreSlowdown;
  }
}
