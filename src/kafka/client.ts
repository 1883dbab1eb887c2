/**
 * The Kafka port: the narrow client interface the runtime depends on. Two adapters implement it:
 * `embedded/` (in-process cluster, the default) and `kafkajs/` (real clusters). The runtime never imports kafkajs.
 *
 * Shape choices, for the hot path: sends are buffered and synchronous (no Promise per record); `flush()` resolves
 * once everything sent so far is acknowledged and reports the last offset written per partition (the runtime
 * checkpoints changelog offsets from it). Consumption is pull-based (`poll`) so the stream thread owns the loop.
 */

/** Record headers. Values are bytes; one value per key (last write wins). */
export type MessageHeaders = Record<string, Buffer>;

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** The next offset to read (Kafka's committed-offset convention). */
  readonly offset: number;
}

/** `topic:partition`, the key used in maps of partitions throughout the runtime. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: MessageHeaders;
}

export interface ProducerRecord {
  readonly topic: string;
  /** Explicit partition; when absent the adapter uses Kafka's default murmur2 partitioner on the key bytes. */
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers?: MessageHeaders;
}

/** Consumer group identity sent with offsets in a transaction (exactly_once_v2 fences zombies by generation). */
export interface GroupMetadata {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
}

export interface GroupMember {
  readonly memberId: string;
  /** Opaque bytes from `Assignor.subscriptionUserData` of that member (Kafka Streams encodes owned tasks). */
  readonly userData: Buffer;
  readonly topics: readonly string[];
}

export interface MemberAssignment {
  readonly partitions: readonly TopicPartition[];
  /** Opaque bytes handed to the member with its assignment (standby tasks, for example). */
  readonly userData: Buffer;
}

/** Pluggable partition assignment, run on the group leader (Kafka's custom partition assignor). */
export interface Assignor {
  readonly name: string;
  subscriptionUserData(): Buffer;
  assign(members: readonly GroupMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, MemberAssignment>;
}

export interface RebalanceListener {
  /** Called before partitions are taken away; the runtime commits and closes the tasks here. */
  onPartitionsRevoked(partitions: readonly TopicPartition[]): Promise<void> | void;
  /** Called with the new assignment (full list of owned partitions after the rebalance) and its userData. */
  onPartitionsAssigned(partitions: readonly TopicPartition[], userData: Buffer): Promise<void> | void;
  /** Called when partitions were lost without a chance to commit (session expired, fenced). */
  onPartitionsLost?(partitions: readonly TopicPartition[]): Promise<void> | void;
}

export type IsolationLevel = 'read_committed' | 'read_uncommitted';
export type OffsetReset = 'earliest' | 'latest';

export interface ConsumerOptions {
  /** Absent for a consumer used only with `assign` (restore and global consumers). */
  readonly groupId?: string;
  readonly clientId?: string;
  readonly isolationLevel?: IsolationLevel;
  readonly autoOffsetReset?: OffsetReset;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly maxPollRecords?: number;
}

export interface Consumer {
  /** Join the group. Rebalance callbacks run inside `poll` calls, as in the Java client. */
  subscribe(topics: readonly string[] | RegExp, listener: RebalanceListener, assignor?: Assignor): Promise<void>;
  /** Manual assignment without a group; replaces the previous manual assignment. */
  assign(partitions: readonly TopicPartitionOffset[]): Promise<void>;
  /** Up to maxPollRecords records from the assigned, unpaused partitions; waits up to maxWaitMs when none. */
  poll(maxWaitMs: number): Promise<ConsumedRecord[]>;
  seek(partition: TopicPartitionOffset): void;
  /** Next offset to fetch for an assigned partition (past markers and aborted records); undefined if unknown. */
  position?(partition: TopicPartition): number | undefined;
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  /** Commit offsets for the group outside a transaction (at_least_once). */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** The group's committed offsets; a partition without one is absent from the map (key: tpKey). */
  committed(partitions: readonly TopicPartition[]): Promise<Map<string, number>>;
  groupMetadata(): GroupMetadata;
  close(): Promise<void>;
}

export interface ProducerOptions {
  readonly clientId?: string;
  /** Makes the producer transactional (implies idempotent). */
  readonly transactionalId?: string;
  readonly idempotent?: boolean;
  readonly transactionTimeoutMs?: number;
}

/** Offsets written by a flush: the last offset per partition (key: tpKey), and per-record failures. */
export interface FlushResult {
  readonly lastOffsets: ReadonlyMap<string, number>;
  readonly failures: readonly { readonly record: ProducerRecord; readonly error: Error }[];
}

export interface Producer {
  connect(): Promise<void>;
  /** Buffer one record. Never throws for broker errors: those come back from `flush`. */
  send(record: ProducerRecord): void;
  /** Wait until every buffered record is acknowledged. Fencing throws ProducerFencedError. */
  flush(): Promise<FlushResult>;
  initTransactions(): Promise<void>;
  beginTransaction(): Promise<void>;
  sendOffsetsToTransaction(offsets: readonly TopicPartitionOffset[], group: GroupMetadata): Promise<void>;
  commitTransaction(): Promise<void>;
  abortTransaction(): Promise<void>;
  close(): Promise<void>;
}

export interface NewTopic {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor?: number;
  /** Kafka topic configs, for example `{ 'cleanup.policy': 'compact' }` for changelogs. */
  readonly config?: Readonly<Record<string, string>>;
}

export interface Admin {
  /** Creates the topics that do not exist yet; existing topics are left as they are (and are not an error). */
  createTopics(topics: readonly NewTopic[]): Promise<void>;
  /** Partition counts of the topics that exist (absent topics are absent from the map). */
  partitionCounts(topics: readonly string[]): Promise<Map<string, number>>;
  listTopics(): Promise<string[]>;
  /** Earliest or latest (end) offset per partition (key: tpKey); the end offset is the next offset to be written. */
  listOffsets(partitions: readonly TopicPartition[], which: 'earliest' | 'latest'): Promise<Map<string, number>>;
  close(): Promise<void>;
}

/**
 * A connection to one Kafka cluster. `owner` tags clients with the application instance that made them, so the
 * embedded cluster can crash one instance's clients at once; adapters to real clusters ignore it.
 */
export interface KafkaClient {
  consumer(options: ConsumerOptions, owner?: object): Consumer;
  producer(options: ProducerOptions, owner?: object): Producer;
  admin(owner?: object): Admin;
}
