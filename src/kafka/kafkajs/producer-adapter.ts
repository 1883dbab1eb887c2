/**
 * Producer port over kafkajs. `send` only buffers (no Promise per record); `flush` ships the buffer with
 * `sendBatch` (acks -1) in chunks and reports the last offset per partition.
 *
 * Partitioning: records without an explicit partition go through Kafka's murmur2 (src/kafka/partitioner.ts) via a
 * kafkajs `createPartitioner` hook, so keys land where Java clients put them. The chosen partition is remembered
 * per message object: kafkajs re-runs the partitioner on every retry, and null keys (round-robin) must not move
 * between attempts; it also tells us how many records each partition got, for last = baseOffset + count - 1.
 *
 * Transactions map onto kafkajs' `producer.transaction()` object. kafkajs initialises the transactional producer
 * id on the first `transaction()` call, so `initTransactions` opens that first transaction eagerly (fencing older
 * instances right away, as Java's initTransactions does) and `beginTransaction` hands it out.
 */
import kafkajs from 'kafkajs';
import type { Kafka, Message, ProducerBatch, RecordMetadata, RetryOptions, Transaction, Producer as KafkajsProducerClient } from 'kafkajs';
import type { FlushResult, GroupMetadata, Producer, ProducerOptions, ProducerRecord, TopicPartitionOffset } from '../client.js';
import { tpKey } from '../client.js';
import { defaultPartition } from '../partitioner.js';
import { IllegalStateError, KafkaError, ProducerFencedError, TaskMigratedError } from '../../errors.js';
import { mapKafkaError, wrapKafka } from './error-mapping.js';

const { CompressionTypes } = kafkajs;

/** What a producer needs from the group consumers of its owner (see OwnerLinks). */
export interface ProducerLinks {
  /** Throws TaskMigratedError if a partition of `offsets` is no longer owned by the consumer of `group`. */
  assertCommittable(offsets: readonly TopicPartitionOffset[], group: GroupMetadata): Promise<void>;
  /** The transaction is being aborted. */
  aborting(): void;
}

const NO_LINKS: ProducerLinks = { assertCommittable: async () => undefined, aborting: () => undefined };

/**
 * kafkajs groups messages per partition with an O(n^2) array spread, and brokers reject record batches over
 * message.max.bytes (1 MiB by default): keep each sendBatch call small.
 */
const MAX_CHUNK_RECORDS = 2000;
const MAX_CHUNK_BYTES = 900 * 1024;

interface Chunk {
  readonly records: ProducerRecord[];
  readonly messages: Message[];
}

export class KafkajsProducer implements Producer {
  private readonly producer: KafkajsProducerClient;
  private readonly transactional: boolean;
  private buffer: ProducerRecord[] = [];
  /** Partition chosen for each kafkajs message by our partitioner (stable across kafkajs retries). */
  private readonly chosen = new WeakMap<object, number>();
  private roundRobin = 0;
  private connected: Promise<void> | undefined;
  private txn: Transaction | undefined;
  /** A transaction opened by initTransactions and not yet handed out by beginTransaction. */
  private preparedTxn: Transaction | undefined;
  private inTransaction = false;
  private fenced: ProducerFencedError | undefined;

  private readonly links: ProducerLinks;

  constructor(kafka: Kafka, options: ProducerOptions, retry?: RetryOptions, links: ProducerLinks = NO_LINKS) {
    this.links = links;
    this.transactional = options.transactionalId !== undefined;
    this.producer = kafka.producer({
      createPartitioner: () => (args) => this.partition(args.partitionMetadata.length, args.message),
      allowAutoTopicCreation: false,
      // A transactional kafkajs producer does not need the idempotent flag for its transactions (those always
      // run idempotent); setting it would make connect() fetch a second, unused producer id.
      idempotent: !this.transactional && options.idempotent === true,
      maxInFlightRequests: this.transactional || options.idempotent ? 1 : undefined,
      ...(options.transactionalId !== undefined ? { transactionalId: options.transactionalId } : {}),
      ...(options.transactionTimeoutMs !== undefined ? { transactionTimeout: options.transactionTimeoutMs } : {}),
      // The idempotent producer insists on unlimited retries (kafkajs merges the client's retry options into every
      // producer's, so they are overridden here, keeping the client's backoff); the client's options apply otherwise.
      ...(this.transactional || options.idempotent ? { retry: { ...retry, retries: Number.MAX_SAFE_INTEGER } } : retry !== undefined ? { retry } : {}),
    });
  }

  private partition(count: number, message: Message): number {
    if (typeof message.partition === 'number') return message.partition;
    const known = this.chosen.get(message);
    if (known !== undefined) return known;
    let p: number;
    if (message.key === null || message.key === undefined) {
      p = this.roundRobin++ % count;
    } else {
      const key = typeof message.key === 'string' ? Buffer.from(message.key) : message.key;
      p = defaultPartition(key, count);
    }
    this.chosen.set(message, p);
    return p;
  }

  async connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((e: unknown) => {
      this.connected = undefined;
      throw mapKafkaError(e, 'Connecting the producer');
    });
    await this.connected;
  }

  send(record: ProducerRecord): void {
    this.buffer.push(record);
  }

  async flush(): Promise<FlushResult> {
    if (this.fenced) throw this.fenced;
    const lastOffsets = new Map<string, number>();
    const failures: { record: ProducerRecord; error: Error }[] = [];
    if (this.buffer.length === 0) return { lastOffsets, failures };
    if (this.transactional && (!this.inTransaction || !this.txn)) {
      throw new IllegalStateError('flush() on a transactional producer outside a transaction: call beginTransaction() first.');
    }
    const records = this.buffer;
    this.buffer = [];
    await this.connect();
    for (const chunk of chunks(records)) {
      try {
        const batch: ProducerBatch = {
          acks: -1,
          compression: CompressionTypes.None,
          topicMessages: groupByTopic(chunk),
        };
        const result = this.txn ? await this.txn.sendBatch(batch) : await this.producer.sendBatch(batch);
        this.recordOffsets(chunk, result, lastOffsets);
      } catch (e) {
        const mapped = mapKafkaError(e, 'Producing records');
        if (mapped instanceof ProducerFencedError) {
          this.fenced = mapped;
          throw mapped;
        }
        if (mapped instanceof TaskMigratedError) throw mapped;
        // kafkajs fails a whole sendBatch at once: every record of the chunk is reported failed with the same
        // error, although the part that went to healthy brokers may have been written (re-sending it is at-least-once).
        for (const record of chunk.records) failures.push({ record, error: mapped });
      }
    }
    return { lastOffsets, failures };
  }

  private recordOffsets(chunk: Chunk, result: RecordMetadata[], lastOffsets: Map<string, number>): void {
    const counts = new Map<string, number>();
    for (let i = 0; i < chunk.records.length; i++) {
      const r = chunk.records[i]!;
      const p = r.partition ?? this.chosen.get(chunk.messages[i]!);
      if (p === undefined) continue;
      const key = tpKey(r.topic, p);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const m of result) {
      const key = tpKey(m.topicName, m.partition);
      const n = counts.get(key);
      if (n === undefined || m.baseOffset === undefined) continue;
      const last = Number(m.baseOffset) + n - 1;
      if (last > (lastOffsets.get(key) ?? -1)) lastOffsets.set(key, last);
    }
  }

  async initTransactions(): Promise<void> {
    this.requireTransactional('initTransactions');
    await this.connect();
    if (this.preparedTxn || this.txn) return;
    this.preparedTxn = await this.guard('Initialising transactions', () => this.producer.transaction());
  }

  async beginTransaction(): Promise<void> {
    this.requireTransactional('beginTransaction');
    if (this.fenced) throw this.fenced;
    if (this.inTransaction) throw new IllegalStateError('beginTransaction() while a transaction is already open.');
    await this.connect();
    this.txn = this.preparedTxn ?? (await this.guard('Beginning a transaction', () => this.producer.transaction()));
    this.preparedTxn = undefined;
    this.inTransaction = true;
  }

  async sendOffsetsToTransaction(offsets: readonly TopicPartitionOffset[], group: GroupMetadata): Promise<void> {
    const txn = this.requireTxn('sendOffsetsToTransaction');
    if (offsets.length === 0) return;
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const o of offsets) {
      let list = byTopic.get(o.topic);
      if (!list) byTopic.set(o.topic, (list = []));
      list.push({ partition: o.partition, offset: String(o.offset) });
    }
    // kafkajs sends TxnOffsetCommit without the group's generation/member id, so the broker cannot refuse offsets
    // of partitions a rebalance gave to another member: the group's consumer checks that they are still ours.
    await this.links.assertCommittable(offsets, group);
    await this.guard('Sending offsets to the transaction', () =>
      txn.sendOffsets({
        consumerGroupId: group.groupId,
        topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      }),
    );
  }

  async commitTransaction(): Promise<void> {
    const txn = this.requireTxn('commitTransaction');
    if (this.buffer.length > 0) {
      const { failures } = await this.flush();
      if (failures.length > 0) {
        throw new KafkaError(
          `commitTransaction(): ${failures.length} records of the transaction could not be written ` +
            `(${failures[0]!.error.message}); abort the transaction.`,
          { cause: failures[0]!.error },
        );
      }
    }
    await this.guard('Committing the transaction', () => txn.commit());
    this.endTxn();
  }

  async abortTransaction(): Promise<void> {
    const txn = this.requireTxn('abortTransaction');
    this.links.aborting();
    this.buffer = [];
    try {
      await this.guard('Aborting the transaction', () => txn.abort());
    } finally {
      this.endTxn();
    }
  }

  async close(): Promise<void> {
    this.buffer = [];
    const connected = this.connected;
    this.connected = undefined;
    if (connected) await wrapKafka('Closing the producer', () => this.producer.disconnect());
  }

  private endTxn(): void {
    this.txn = undefined;
    this.inTransaction = false;
  }

  private requireTransactional(what: string): void {
    if (!this.transactional) throw new IllegalStateError(`${what}() needs a producer created with a transactionalId.`);
  }

  private requireTxn(what: string): Transaction {
    this.requireTransactional(what);
    if (this.fenced) throw this.fenced;
    if (!this.inTransaction || !this.txn) throw new IllegalStateError(`${what}() without an open transaction.`);
    return this.txn;
  }

  /** Run a kafkajs call, map its errors, and remember fencing (a fenced producer stays unusable). */
  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const mapped = mapKafkaError(e, what);
      if (mapped instanceof ProducerFencedError) this.fenced = mapped;
      throw mapped;
    }
  }
}

function toMessage(r: ProducerRecord): Message {
  const m: Message = { key: r.key, value: r.value, timestamp: String(r.timestamp) };
  if (r.partition !== undefined) m.partition = r.partition;
  if (r.headers !== undefined) m.headers = r.headers;
  return m;
}

function* chunks(records: readonly ProducerRecord[]): Generator<Chunk> {
  let cur: Chunk = { records: [], messages: [] };
  let bytes = 0;
  for (const r of records) {
    let size = (r.key?.length ?? 0) + (r.value?.length ?? 0) + 64;
    if (r.headers) for (const k in r.headers) size += k.length + r.headers[k]!.length;
    if (cur.records.length > 0 && (cur.records.length >= MAX_CHUNK_RECORDS || bytes + size > MAX_CHUNK_BYTES)) {
      yield cur;
      cur = { records: [], messages: [] };
      bytes = 0;
    }
    cur.records.push(r);
    cur.messages.push(toMessage(r));
    bytes += size;
  }
  if (cur.records.length > 0) yield cur;
}

function groupByTopic(chunk: Chunk): { topic: string; messages: Message[] }[] {
  const byTopic = new Map<string, Message[]>();
  for (let i = 0; i < chunk.records.length; i++) {
    const topic = chunk.records[i]!.topic;
    let list = byTopic.get(topic);
    if (!list) byTopic.set(topic, (list = []));
    list.push(chunk.messages[i]!);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
