/**
 * kafkajs-shaped calls on the embedded cluster's clients (the public contract: `cluster.producer()`, `cluster.consumer()`,
 * `cluster.admin()` hand out kafkajs-shaped clients), so code written against kafkajs' main calls (connect, send,
 * transaction, subscribe, run with eachMessage, createTopics, disconnect) runs in-process. The same objects are
 * also the runtime's port clients: calls are told apart by their arguments (kafkajs passes option objects where
 * the port passes records, topic lists and partition lists). It covers the common surface, not all of kafkajs.
 */
import type { ConsumedRecord, MessageHeaders, NewTopic, RebalanceListener, TopicPartition, TopicPartitionOffset } from '../client.js';
import type { EmbeddedAdmin } from './embedded-admin.js';
import type { EmbeddedConsumer } from './embedded-consumer.js';
import type { EmbeddedKafkaCluster } from './embedded-kafka-cluster.js';
import type { EmbeddedProducer } from './embedded-producer.js';

export interface KafkajsMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  headers?: Record<string, Buffer | string>;
  /** Epoch millis as a string, as in kafkajs. */
  timestamp?: string;
}

export interface KafkajsRecordMetadata {
  topicName: string;
  partition: number;
  errorCode: number;
  baseOffset: string;
}

export interface KafkajsEachMessagePayload {
  topic: string;
  partition: number;
  message: { key: Buffer | null; value: Buffer | null; timestamp: string; offset: string; headers: MessageHeaders };
  heartbeat(): Promise<void>;
  pause(): () => void;
}

export interface KafkajsProducerRecord {
  topic: string;
  messages: KafkajsMessage[];
}

type KafkajsOffsets = { consumerGroupId: string; topics: { topic: string; partitions: { partition: number; offset: string }[] }[] };

export interface KafkajsTransaction {
  send(record: KafkajsProducerRecord): Promise<KafkajsRecordMetadata[]>;
  sendOffsets(offsets: KafkajsOffsets): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** kafkajs calls on an embedded producer (the port's `send(record)` stays as it is). */
export interface KafkajsProducerCalls {
  send(record: KafkajsProducerRecord): Promise<KafkajsRecordMetadata[]>;
  sendBatch(batch: { topicMessages: KafkajsProducerRecord[] }): Promise<KafkajsRecordMetadata[]>;
  transaction(): Promise<KafkajsTransaction>;
  disconnect(): Promise<void>;
}

/** kafkajs calls on an embedded consumer. */
export interface KafkajsConsumerCalls {
  connect(): Promise<void>;
  subscribe(subscription: { topics?: (string | RegExp)[]; topic?: string | RegExp; fromBeginning?: boolean }): Promise<void>;
  run(config: { eachMessage: (payload: KafkajsEachMessagePayload) => Promise<void>; autoCommit?: boolean }): Promise<void>;
  commitOffsets(offsets: { topic: string; partition: number; offset: string }[]): Promise<void>;
  seek(target: { topic: string; partition: number; offset: string }): void;
  pause(topics: { topic: string; partitions?: number[] }[]): void;
  resume(topics: { topic: string; partitions?: number[] }[]): void;
  stop(): Promise<void>;
  disconnect(): Promise<void>;
}

/** kafkajs calls on an embedded admin. */
export interface KafkajsAdminCalls {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Resolves true when at least one topic was created, like kafkajs. */
  createTopics(options: { topics: { topic: string; numPartitions?: number; configEntries?: { name: string; value: string }[] }[] }): Promise<boolean>;
  fetchTopicOffsets(topic: string): Promise<{ partition: number; offset: string; high: string; low: string }[]>;
  fetchOffsets(options: { groupId: string; topics: string[] }): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}

export type DualProducer = EmbeddedProducer & KafkajsProducerCalls;
export type DualConsumer = EmbeddedConsumer & KafkajsConsumerCalls;
export type DualAdmin = EmbeddedAdmin & KafkajsAdminCalls;

const toBuffer = (v: Buffer | string | null | undefined): Buffer | null =>
  v === null || v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v);

function toHeaders(h: Record<string, Buffer | string> | undefined): MessageHeaders | undefined {
  if (!h) return undefined;
  const out: MessageHeaders = {};
  for (const [k, v] of Object.entries(h)) out[k] = Buffer.isBuffer(v) ? v : Buffer.from(v);
  return out;
}

const isKafkajsRecord = (x: unknown): x is KafkajsProducerRecord =>
  typeof x === 'object' && x !== null && Array.isArray((x as { messages?: unknown }).messages);

async function sendVia(producer: EmbeddedProducer, portSend: EmbeddedProducer['send'], records: readonly KafkajsProducerRecord[]): Promise<KafkajsRecordMetadata[]> {
  const now = Date.now();
  for (const { topic, messages } of records) {
    for (const m of messages) {
      portSend({
        topic,
        ...(m.partition === undefined ? {} : { partition: m.partition }),
        key: toBuffer(m.key),
        value: toBuffer(m.value),
        timestamp: m.timestamp === undefined ? now : Number(m.timestamp),
        ...(m.headers ? { headers: toHeaders(m.headers)! } : {}),
      });
    }
  }
  const result = await producer.flush();
  if (result.failures.length > 0) throw result.failures[0]!.error;
  return [...result.lastOffsets].map(([key, offset]) => {
    const i = key.lastIndexOf(':');
    return { topicName: key.slice(0, i), partition: Number(key.slice(i + 1)), errorCode: 0, baseOffset: String(offset) };
  });
}

function flatOffsets(topics: KafkajsOffsets['topics']): TopicPartitionOffset[] {
  return topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })));
}

export function withKafkajsProducer(p: EmbeddedProducer): DualProducer {
  const portSend = p.send.bind(p);
  let initialized = false;
  const calls = {
    send(record: unknown): any {
      return isKafkajsRecord(record) ? sendVia(p, portSend, [record]) : portSend(record as Parameters<EmbeddedProducer['send']>[0]);
    },
    sendBatch: ({ topicMessages }: { topicMessages: KafkajsProducerRecord[] }) => sendVia(p, portSend, topicMessages),
    /** kafkajs: a transaction object; the first call initializes the transactional id. */
    transaction: async (): Promise<KafkajsTransaction> => {
      if (!initialized) await p.initTransactions();
      initialized = true;
      await p.beginTransaction();
      return {
        send: (record) => sendVia(p, portSend, [record]),
        sendOffsets: (o) => p.sendOffsetsToTransaction(flatOffsets(o.topics), { groupId: o.consumerGroupId, generationId: -1, memberId: '' }),
        commit: () => p.commitTransaction(),
        abort: () => p.abortTransaction(),
      };
    },
    disconnect: () => p.close(),
  };
  return Object.assign(p, calls) as DualProducer;
}

const isPortPartitionList = (x: unknown): x is TopicPartition[] =>
  Array.isArray(x) && x.every((e) => typeof (e as { partition?: unknown }).partition === 'number');

export function withKafkajsConsumer(cluster: EmbeddedKafkaCluster, c: EmbeddedConsumer): DualConsumer {
  const port = { subscribe: c.subscribe.bind(c), pause: c.pause.bind(c), resume: c.resume.bind(c), seek: c.seek.bind(c) };
  const topics: (string | RegExp)[] = [];
  let running = false;
  let stopped: Promise<void> = Promise.resolve();
  const listener: RebalanceListener = { onPartitionsRevoked: () => {}, onPartitionsAssigned: () => {} };
  const expand = (tps: { topic: string; partitions?: number[] }[]): TopicPartition[] =>
    tps.flatMap((t) =>
      (t.partitions ?? Array.from({ length: cluster.partitionCount(t.topic) }, (_, i) => i)).map((partition) => ({ topic: t.topic, partition })),
    );
  const calls = {
    connect: async () => {},
    subscribe(arg: any, portListener?: RebalanceListener, assignor?: any): Promise<void> {
      if (Array.isArray(arg) || arg instanceof RegExp) return port.subscribe(arg, portListener!, assignor);
      topics.push(...(arg.topics ?? []), ...(arg.topic === undefined ? [] : [arg.topic]));
      c.adoptKafkajsDefaults(arg.fromBeginning ?? false);
      return Promise.resolve();
    },
    run: async ({ eachMessage, autoCommit = true }: { eachMessage: (p: KafkajsEachMessagePayload) => Promise<void>; autoCommit?: boolean }) => {
      const regexes = topics.filter((t): t is RegExp => t instanceof RegExp);
      const names = topics.filter((t): t is string => typeof t === 'string');
      // kafkajs resolves patterns against existing topics at subscribe time
      const all = new Set([...names, ...cluster.topics().filter((t) => regexes.some((r) => r.test(t)))]);
      await port.subscribe([...all], listener);
      running = true;
      stopped = (async () => {
        while (running) {
          let records: ConsumedRecord[];
          try {
            records = await c.poll(100);
          } catch (err) {
            // kafkajs retries retriable errors and stops the consumer on the others
            if (running && (err as { retriable?: boolean }).retriable) continue;
            running = false;
            break;
          }
          const next = new Map<string, TopicPartitionOffset>();
          for (const r of records) {
            if (!running) break;
            await eachMessage({
              topic: r.topic,
              partition: r.partition,
              message: { key: r.key, value: r.value, timestamp: String(r.timestamp), offset: String(r.offset), headers: r.headers },
              heartbeat: async () => {},
              pause: () => {
                port.pause([{ topic: r.topic, partition: r.partition }]);
                return () => port.resume([{ topic: r.topic, partition: r.partition }]);
              },
            });
            next.set(`${r.topic}:${r.partition}`, { topic: r.topic, partition: r.partition, offset: r.offset + 1 });
          }
          if (autoCommit && next.size > 0 && running) await c.commit([...next.values()]).catch(() => {});
        }
      })();
      stopped.catch(() => {});
    },
    commitOffsets: (offsets: { topic: string; partition: number; offset: string }[]) =>
      c.commit(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: Number(o.offset) }))),
    seek: (target: { topic: string; partition: number; offset: string | number }) =>
      port.seek({ topic: target.topic, partition: target.partition, offset: Number(target.offset) }),
    pause: (arg: any) => port.pause(isPortPartitionList(arg) ? arg : expand(arg)),
    resume: (arg: any) => port.resume(isPortPartitionList(arg) ? arg : expand(arg)),
    stop: async () => {
      running = false;
      await stopped;
    },
    disconnect: async () => {
      running = false;
      await stopped.catch(() => {});
      await c.close();
    },
  };
  return Object.assign(c, calls) as unknown as DualConsumer;
}

export function withKafkajsAdmin(cluster: EmbeddedKafkaCluster, a: EmbeddedAdmin): DualAdmin {
  const portCreate = a.createTopics.bind(a);
  const calls = {
    connect: async () => {},
    disconnect: () => a.close(),
    createTopics(arg: any): Promise<any> {
      if (Array.isArray(arg)) return portCreate(arg as NewTopic[]);
      const topics = (arg as Parameters<KafkajsAdminCalls['createTopics']>[0]).topics;
      return (async () => {
        const before = new Set(await a.listTopics());
        await portCreate(
          topics.map((t) => ({
            topic: t.topic,
            partitions: t.numPartitions ?? 1,
            config: Object.fromEntries((t.configEntries ?? []).map((e) => [e.name, e.value])),
          })),
        );
        return topics.some((t) => !before.has(t.topic));
      })();
    },
    fetchTopicOffsets: async (topic: string) => {
      const n = cluster.partitionCount(topic);
      const tps = Array.from({ length: n }, (_, partition) => ({ topic, partition }));
      const [low, high] = await Promise.all([a.listOffsets(tps, 'earliest'), a.listOffsets(tps, 'latest')]);
      return tps.map(({ partition }) => ({
        partition,
        offset: String(high.get(`${topic}:${partition}`)),
        high: String(high.get(`${topic}:${partition}`)),
        low: String(low.get(`${topic}:${partition}`)),
      }));
    },
    fetchOffsets: async ({ groupId, topics }: { groupId: string; topics: string[] }) => {
      const offsets = cluster.describeGroup(groupId)?.offsets ?? new Map<string, number>();
      return topics.map((topic) => ({
        topic,
        partitions: Array.from({ length: cluster.partitionCount(topic) }, (_, partition) => ({
          partition,
          offset: String(offsets.get(`${topic}:${partition}`) ?? -1),
        })),
      }));
    },
  };
  return Object.assign(a, calls) as unknown as DualAdmin;
}

/** `cluster.kafkajs()`: kafkajs' config names mapped onto the dual clients. */
export class KafkajsFacade {
  constructor(private readonly cluster: EmbeddedKafkaCluster) {}

  producer(config: { transactionalId?: string; idempotent?: boolean; transactionTimeout?: number } = {}): DualProducer {
    return this.cluster.producer({
      ...(config.transactionalId === undefined ? {} : { transactionalId: config.transactionalId }),
      ...(config.transactionTimeout === undefined ? {} : { transactionTimeoutMs: config.transactionTimeout }),
      idempotent: config.idempotent ?? false,
    });
  }

  consumer(config: { groupId: string; sessionTimeout?: number; readUncommitted?: boolean; maxPollRecords?: number }): DualConsumer {
    return this.cluster.consumer({
      groupId: config.groupId,
      ...(config.readUncommitted === undefined ? {} : { isolationLevel: config.readUncommitted ? 'read_uncommitted' : 'read_committed' }),
      ...(config.sessionTimeout === undefined ? {} : { sessionTimeoutMs: config.sessionTimeout }),
      ...(config.maxPollRecords === undefined ? {} : { maxPollRecords: config.maxPollRecords }),
    });
  }

  admin(): DualAdmin {
    return this.cluster.admin();
  }
}
