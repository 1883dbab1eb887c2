/**
 * The cluster's shared state behind every client: topics, consumer groups, the transaction coordinator, the
 * wake-up signal for waiting polls, and the fault hooks. Clients hold a Broker; the public EmbeddedKafkaCluster
 * wraps one.
 */
import { KafkaError } from '../../errors.js';
import { ConsumerGroup, type GroupContext } from './consumer-group.js';
import { FaultHooks } from './fault-hooks.js';
import { clusterClosed, unknownTopic } from './kafka-errors.js';
import { Signal } from './signal.js';
import { Topic, validTopicName } from './topic.js';
import { TransactionCoordinator, type TxnContext } from './transaction-coordinator.js';

export class Broker implements GroupContext, TxnContext {
  readonly topics = new Map<string, Topic>();
  readonly groups = new Map<string, ConsumerGroup>();
  readonly txns: TransactionCoordinator = new TransactionCoordinator(this);
  readonly signal = new Signal();
  readonly faults = new FaultHooks();
  private closedFlag = false;
  private memberSeq = 0;

  get closed(): boolean {
    return this.closedFlag;
  }

  ensureOpen(): void {
    if (this.closedFlag) throw clusterClosed();
  }

  /** Creates the topic unless it exists (then leaves it as it is). Returns whether it was created. */
  createTopic(name: string, partitions: number, config: Readonly<Record<string, string>> = {}): boolean {
    this.ensureOpen();
    if (this.topics.has(name)) return false;
    if (!validTopicName(name)) {
      throw new KafkaError(
        `Invalid topic name '${name}': use 1-249 characters from [a-zA-Z0-9._-] (and not '.' or '..').`,
        { kafkaCode: 'INVALID_TOPIC_EXCEPTION' },
      );
    }
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new KafkaError(`Topic '${name}': the partition count must be a positive integer, got ${partitions}.`, {
        kafkaCode: 'INVALID_PARTITIONS',
      });
    }
    this.topics.set(name, new Topic(name, partitions, { ...config }));
    for (const g of this.groups.values()) g.topicCreated(name);
    return true;
  }

  requireTopic(name: string): Topic {
    const t = this.topics.get(name);
    if (!t) throw unknownTopic(name);
    return t;
  }

  group(groupId: string): ConsumerGroup {
    let g = this.groups.get(groupId);
    if (!g) this.groups.set(groupId, (g = new ConsumerGroup(groupId, this)));
    return g;
  }

  partitionCount(topic: string): number | undefined {
    return this.topics.get(topic)?.partitionCount;
  }

  topicNames(): Iterable<string> {
    return this.topics.keys();
  }

  notify(): void {
    this.signal.notify();
  }

  /** Member ids sort in join order (the built-in assignors sort by member id). */
  nextMemberId(clientId: string): string {
    return `${clientId}-${String(++this.memberSeq).padStart(6, '0')}`;
  }

  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const g of this.groups.values()) g.close();
    this.txns.close();
    this.signal.notify();
  }
}
