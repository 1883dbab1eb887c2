/**
 * kafkajs-shaped clients on the embedded cluster (`cluster.kafkajs()`), so code written against kafkajs' main
 * calls (connect, send, transaction, subscribe, run with eachMessage, createTopics, disconnect) runs in-process.
 * A thin layer over the port clients; it covers the common surface, not all of kafkajs.
 */
import type { ConsumedRecord, MessageHeaders, RebalanceListener, TopicPartitionOffset } from '../client.js';
import type { EmbeddedKafkaCluster } from './embedded-kafka-cluster.js';
import type { EmbeddedConsumer } from './embedded-consumer.js';
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

const toBuffer = (v: Buffer | string | null | undefined): Buffer | null =>
  v === null || v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v);

function toHeaders(h: Record<string, Buffer | string> | undefined): MessageHeaders | undefined {
  if (!h) return undefined;
  const out: MessageHeaders = {};
  for (const [k, v] of Object.entries(h)) out[k] = Buffer.isBuffer(v) ? v : Buffer.from(v);
  return out;
}

async function sendVia(producer: EmbeddedProducer, topic: string, messages: readonly KafkajsMessage[], flush: boolean): Promise<KafkajsRecordMetadata[]> {
  const now = Date.now();
  for (const m of messages) {
    producer.send({
      topic,
      ...(m.partition === undefined ? {} : { partition: m.partition }),
      key: toBuffer(m.key),
      value: toBuffer(m.value),
      timestamp: m.timestamp === undefined ? now : Number(m.timestamp),
      ...(m.headers ? { headers: toHeaders(m.headers)! } : {}),
    });
  }
  if (!flush) return [];
  const result = await producer.flush();
  if (result.failures.length > 0) throw result.failures[0]!.error;
  return [...result.lastOffsets].map(([key, offset]) => {
    const i = key.lastIndexOf(':');
    return { topicName: key.slice(0, i), partition: Number(key.slice(i + 1)), errorCode: 0, baseOffset: String(offset) };
  });
}

type KafkajsOffsets = { consumerGroupId: string; topics: { topic: string; partitions: { partition: number; offset: string }[] }[] };

function flatOffsets(topics: KafkajsOffsets['topics']): TopicPartitionOffset[] {
  return topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })));
}

export class KafkajsFacade {
  constructor(private readonly cluster: EmbeddedKafkaCluster) {}

  producer(config: { transactionalId?: string; idempotent?: boolean; transactionTimeout?: number } = {}) {
    const p = this.cluster.producer({
      ...(config.transactionalId === undefined ? {} : { transactionalId: config.transactionalId }),
      ...(config.transactionTimeout === undefined ? {} : { transactionTimeoutMs: config.transactionTimeout }),
      idempotent: config.idempotent ?? false,
    });
    let initialized = false;
    return {
      connect: () => p.connect(),
      disconnect: () => p.close(),
      send: ({ topic, messages }: { topic: string; messages: KafkajsMessage[] }) => sendVia(p, topic, messages, true),
      /** kafkajs: a transaction object; the first call initializes the transactional id. */
      transaction: async () => {
        if (!initialized) await p.initTransactions();
        initialized = true;
        await p.beginTransaction();
        return {
          send: ({ topic, messages }: { topic: string; messages: KafkajsMessage[] }) => sendVia(p, topic, messages, true),
          sendOffsets: (o: KafkajsOffsets) =>
            p.sendOffsetsToTransaction(flatOffsets(o.topics), { groupId: o.consumerGroupId, generationId: -1, memberId: '' }),
          commit: () => p.commitTransaction(),
          abort: () => p.abortTransaction(),
        };
      },
    };
  }

  consumer(config: { groupId: string; sessionTimeout?: number; readUncommitted?: boolean; maxPollRecords?: number }) {
    let fromBeginning = true;
    const topics: (string | RegExp)[] = [];
    let consumer: EmbeddedConsumer | null = null;
    let running = false;
    let stopped: Promise<void> = Promise.resolve();
    const make = (): EmbeddedConsumer =>
      (consumer ??= this.cluster.consumer({
        groupId: config.groupId,
        isolationLevel: config.readUncommitted ? 'read_uncommitted' : 'read_committed',
        autoOffsetReset: fromBeginning ? 'earliest' : 'latest',
        ...(config.sessionTimeout === undefined ? {} : { sessionTimeoutMs: config.sessionTimeout }),
        ...(config.maxPollRecords === undefined ? {} : { maxPollRecords: config.maxPollRecords }),
      }));
    const listener: RebalanceListener = { onPartitionsRevoked: () => {}, onPartitionsAssigned: () => {} };
    return {
      connect: async () => {},
      subscribe: async (s: { topics?: (string | RegExp)[]; topic?: string | RegExp; fromBeginning?: boolean }) => {
        topics.push(...(s.topics ?? []), ...(s.topic === undefined ? [] : [s.topic]));
        fromBeginning = s.fromBeginning ?? false;
      },
      run: async ({ eachMessage, autoCommit = true }: { eachMessage: (p: KafkajsEachMessagePayload) => Promise<void>; autoCommit?: boolean }) => {
        const c = make();
        const regexes = topics.filter((t): t is RegExp => t instanceof RegExp);
        const names = topics.filter((t): t is string => typeof t === 'string');
        // kafkajs resolves patterns against existing topics at subscribe time.
        const all = new Set([...names, ...this.cluster.topics().filter((t) => regexes.some((r) => r.test(t)))]);
        await c.subscribe([...all], listener);
        running = true;
        stopped = (async () => {
          while (running) {
            let records: ConsumedRecord[];
            try {
              records = await c.poll(100);
            } catch (err) {
              // kafkajs retries retriable errors and stops the consumer on the others.
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
                  c.pause([{ topic: r.topic, partition: r.partition }]);
                  return () => c.resume([{ topic: r.topic, partition: r.partition }]);
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
        make().commit(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: Number(o.offset) }))),
      seek: ({ topic, partition, offset }: { topic: string; partition: number; offset: string }) =>
        make().seek({ topic, partition, offset: Number(offset) }),
      pause: (tps: { topic: string; partitions?: number[] }[]) =>
        make().pause(tps.flatMap((t) => (t.partitions ?? []).map((partition) => ({ topic: t.topic, partition })))),
      resume: (tps: { topic: string; partitions?: number[] }[]) =>
        make().resume(tps.flatMap((t) => (t.partitions ?? []).map((partition) => ({ topic: t.topic, partition })))),
      stop: async () => {
        running = false;
        await stopped;
      },
      disconnect: async () => {
        running = false;
        await stopped.catch(() => {});
        await consumer?.close();
      },
    };
  }

  admin() {
    const a = this.cluster.admin();
    return {
      connect: async () => {},
      disconnect: () => a.close(),
      /** Resolves true when at least one topic was created, like kafkajs. */
      createTopics: async ({ topics }: { topics: { topic: string; numPartitions?: number; configEntries?: { name: string; value: string }[] }[] }) => {
        const before = new Set(await a.listTopics());
        await a.createTopics(
          topics.map((t) => ({
            topic: t.topic,
            partitions: t.numPartitions ?? 1,
            config: Object.fromEntries((t.configEntries ?? []).map((e) => [e.name, e.value])),
          })),
        );
        return topics.some((t) => !before.has(t.topic));
      },
      listTopics: () => a.listTopics(),
      fetchTopicOffsets: async (topic: string) => {
        const n = this.cluster.partitionCount(topic);
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
        const offsets = this.cluster.describeGroup(groupId)?.offsets ?? new Map<string, number>();
        return topics.map((topic) => ({
          topic,
          partitions: Array.from({ length: this.cluster.partitionCount(topic) }, (_, partition) => ({
            partition,
            offset: String(offsets.get(`${topic}:${partition}`) ?? -1),
          })),
        }));
      },
    };
  }
}
