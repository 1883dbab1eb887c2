/**
 * EmbeddedKafkaCluster: an in-process, in-memory Kafka with real semantics (partitions and offsets, consumer groups
 * and rebalances, idempotent and transactional producers, read_committed isolation, fencing, compaction) plus test
 * helpers (`createTopic`, `produce`, `readAll`, `crash`) and fault hooks (`faults`). It implements the KafkaClient
 * port, so the runtime runs on it unchanged.
 */
import type {
  ConsumedRecord,
  ConsumerOptions,
  IsolationLevel,
  KafkaClient,
  MessageHeaders,
  ProducerOptions,
} from '../client.js';
import { KafkaError } from '../../errors.js';
import { Broker } from './broker.js';
import { notifyOwnerCrashed, type OwnedClient } from './crash.js';
import { EmbeddedAdmin } from './embedded-admin.js';
import { EmbeddedConsumer } from './embedded-consumer.js';
import { EmbeddedProducer } from './embedded-producer.js';
import type { FaultHooks } from './fault-hooks.js';
import { KafkajsFacade, withKafkajsAdmin, withKafkajsConsumer, withKafkajsProducer, type DualAdmin, type DualConsumer, type DualProducer } from './kafkajs-facade.js';
import { invalidRecord, unknownPartition } from './kafka-errors.js';
import type { CompactOptions } from './partition-log.js';

export { CRASH } from './crash.js';
export type { FaultHooks } from './fault-hooks.js';

export interface CreateTopicOptions {
  /** Default 1. */
  readonly partitions?: number;
  /** Kafka topic configs; `cleanup.policy: 'compact'` enables `compact(topic)`. */
  readonly config?: Readonly<Record<string, string>>;
}

export interface ProduceRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Default: now. */
  readonly timestamp?: number;
  readonly headers?: MessageHeaders;
  /** Explicit partition; default: murmur2 of the key, round-robin for null keys. */
  readonly partition?: number;
}

export interface ReadAllOptions {
  /** Default 'read_uncommitted' (Kafka's default): records of open and aborted transactions are included. */
  readonly isolationLevel?: IsolationLevel;
}

/** A consumer group as the coordinator sees it, for tests and diagnostics. */
export interface GroupDescription {
  readonly groupId: string;
  readonly state: 'Empty' | 'PreparingRebalance' | 'Stable';
  readonly generationId: number;
  readonly leaderId: string | null;
  readonly members: readonly { readonly memberId: string; readonly clientId: string; readonly partitions: readonly { topic: string; partition: number }[] }[];
  /** Committed offsets (key: tpKey). */
  readonly offsets: ReadonlyMap<string, number>;
}

export class EmbeddedKafkaCluster implements KafkaClient {
  private readonly broker = new Broker();
  private readonly owners = new Map<object, Set<OwnedClient>>();
  private facade: KafkajsFacade | undefined;

  /** Fault injection for tests (see FaultHooks). */
  get faults(): FaultHooks {
    return this.broker.faults;
  }

  /** Creates the topic; an existing topic is left as it is (no error). */
  async createTopic(name: string, options: CreateTopicOptions = {}): Promise<void> {
    this.broker.createTopic(name, options.partitions ?? 1, options.config ?? {});
  }

  /**
   * Appends records outside any transaction (a plain producer that flushes at once) and returns where each went.
   * Unknown topic or partition rejects with a KafkaError (UNKNOWN_TOPIC_OR_PARTITION); nothing is appended then.
   */
  async produce(topic: string, records: readonly ProduceRecord[]): Promise<{ partition: number; offset: number }[]> {
    this.broker.ensureOpen();
    const t = this.broker.requireTopic(topic);
    for (const r of records) {
      if (r.partition !== undefined && !(Number.isInteger(r.partition) && r.partition >= 0 && r.partition < t.partitionCount)) {
        throw unknownPartition(topic, r.partition, t.partitionCount);
      }
      if (r.key === null && t.compacted) throw invalidRecord(topic, 'compacted topics do not accept records with a null key');
    }
    const now = Date.now();
    const out = records.map((r) => {
      const partition = r.partition ?? t.partitionFor(r.key);
      const offset = t.partitions[partition]!.append(r.key, r.value, r.timestamp ?? now, r.headers, -1);
      return { partition, offset };
    });
    if (out.length > 0) this.broker.notify();
    return out;
  }

  /** Every deliverable record of the topic from offset 0, by partition then offset. */
  async readAll(topic: string, options: ReadAllOptions = {}): Promise<ConsumedRecord[]> {
    this.broker.ensureOpen();
    const t = this.broker.requireTopic(topic);
    const out: ConsumedRecord[] = [];
    for (const log of t.partitions) log.read(log.startOffset, Number.MAX_SAFE_INTEGER, options.isolationLevel ?? 'read_uncommitted', out);
    return out;
  }

  /** Topic names, sorted. */
  topics(): string[] {
    return [...this.broker.topicNames()].sort();
  }

  /** Partition count of an existing topic (throws UNKNOWN_TOPIC_OR_PARTITION otherwise). */
  partitionCount(topic: string): number {
    return this.broker.requireTopic(topic).partitionCount;
  }

  /** Log end offset per partition (the next offset to be written; markers of transactions count). */
  endOffsets(topic: string): number[] {
    return this.broker.requireTopic(topic).partitions.map((p) => p.endOffset);
  }

  /**
   * Runs log compaction on a topic created with `cleanup.policy=compact`: below the last stable offset, keeps the
   * latest record per key (a tombstone too, unless `removeTombstones`) and drops the rest; offsets do not change.
   * Returns the number of records removed.
   */
  async compact(topic: string, options?: CompactOptions): Promise<number> {
    this.broker.ensureOpen();
    const t = this.broker.requireTopic(topic);
    if (!t.compacted) {
      throw new KafkaError(`Topic '${topic}' is not compacted; create it with config { 'cleanup.policy': 'compact' }.`, {
        kafkaCode: 'INVALID_CONFIG',
      });
    }
    return t.compact(options);
  }

  /** The coordinator's view of a group; undefined for a group never used. */
  describeGroup(groupId: string): GroupDescription | undefined {
    const g = this.broker.groups.get(groupId);
    if (!g) return undefined;
    return {
      groupId,
      state: g.state,
      generationId: g.generationId,
      leaderId: g.leaderId,
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        partitions: m.assignment && m.generation === g.generationId ? m.assignment.partitions.map((p) => ({ ...p })) : [],
      })),
      offsets: new Map(g.offsets),
    };
  }

  /** A consumer: the runtime's port client, which also takes kafkajs' calls (subscribe({ topics }), run, ...). */
  consumer(options: ConsumerOptions = {}, owner?: object): DualConsumer {
    this.broker.ensureOpen();
    const c: EmbeddedConsumer = new EmbeddedConsumer(this.broker, options, () => this.release(owner, c));
    this.track(owner, c);
    return withKafkajsConsumer(this, c);
  }

  /** A producer: the runtime's port client, which also takes kafkajs' calls (send({ topic, messages }), transaction, ...). */
  producer(options: ProducerOptions = {}, owner?: object): DualProducer {
    this.broker.ensureOpen();
    const p: EmbeddedProducer = new EmbeddedProducer(this.broker, options, () => this.release(owner, p));
    this.track(owner, p);
    return withKafkajsProducer(p);
  }

  /** An admin client: the port's calls, and kafkajs' createTopics({ topics }), fetchTopicOffsets, fetchOffsets. */
  admin(owner?: object): DualAdmin {
    this.broker.ensureOpen();
    const a: EmbeddedAdmin = new EmbeddedAdmin(this.broker, () => this.release(owner, a));
    this.track(owner, a);
    return withKafkajsAdmin(this, a);
  }

  /** kafkajs-shaped clients on this cluster, for code written against kafkajs. */
  kafkajs(): KafkajsFacade {
    this.facade ??= new KafkajsFacade(this);
    return this.facade;
  }

  /**
   * The application instance `owner` dies: every client created with it fails from now on (KafkaError
   * CLIENT_CRASHED), without flushing, committing or leaving its group cleanly. Its buffered records are lost, its
   * consumers are removed from their groups (an expired session, at once), its open transactions are aborted, and
   * pending polls resolve with []. If `owner` has a method under the CRASH symbol, it is called synchronously.
   */
  async crash(owner: object): Promise<void> {
    const clients = this.owners.get(owner);
    this.owners.delete(owner);
    if (clients) for (const c of clients) c.crashNow();
    notifyOwnerCrashed(owner);
  }

  /** Stops the cluster: timers are cleared, pending polls resolve, every later call rejects. */
  async close(): Promise<void> {
    this.owners.clear();
    this.broker.close();
  }

  private track(owner: object | undefined, client: OwnedClient): void {
    if (owner === undefined) return;
    let set = this.owners.get(owner);
    if (!set) this.owners.set(owner, (set = new Set()));
    set.add(client);
  }

  /** A client closed; an owner with no client left is forgotten (the registry must not keep closed instances alive). */
  private release(owner: object | undefined, client: OwnedClient): void {
    if (owner === undefined) return;
    const clients = this.owners.get(owner);
    if (!clients) return;
    clients.delete(client);
    if (clients.size === 0) this.owners.delete(owner);
  }
}
