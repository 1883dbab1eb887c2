/**
 * Admin port over kafkajs' admin client. Topic creation is tolerant: existing topics are fine, and when the
 * cluster cannot create topics (no CreateTopics support, no controller, not authorized) the adapter checks the
 * metadata instead and only fails, with instructions, if some topics are really missing.
 */
import type { Admin as KafkajsAdminClient, Kafka } from 'kafkajs';
import type { Admin, NewTopic, TopicPartition } from '../client.js';
import { tpKey } from '../client.js';
import { KafkaError } from '../../errors.js';
import { causeChain, mapKafkaError, wrapKafka } from './error-mapping.js';

export class KafkajsAdmin implements Admin {
  private readonly admin: KafkajsAdminClient;
  private connected: Promise<void> | undefined;
  /**
   * Calls run one at a time: kafkajs' admin keeps one metadata cache per client, and concurrent calls for
   * different topics (a metrics lag query while the changelog reader lists offsets) can leave a topic out of it,
   * so fetchTopicOffsets fails with "Cannot destructure property 'partitions' of 'high.pop(...)'".
   */
  private queue: Promise<unknown> = Promise.resolve();

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  constructor(kafka: Kafka) {
    this.admin = kafka.admin();
  }

  private async connect(): Promise<KafkajsAdminClient> {
    this.connected ??= this.admin.connect().catch((e: unknown) => {
      this.connected = undefined;
      throw mapKafkaError(e, 'Connecting the admin client');
    });
    await this.connected;
    return this.admin;
  }

  createTopics(topics: readonly NewTopic[]): Promise<void> {
    return this.exclusive(() => this.createTopicsNow(topics));
  }

  private async createTopicsNow(topics: readonly NewTopic[]): Promise<void> {
    if (topics.length === 0) return;
    const admin = await this.connect();
    const existing = new Set(await wrapKafka('Listing topics', () => admin.listTopics()));
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor ?? -1,
          configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    } catch (error) {
      // TOPIC_ALREADY_EXISTS (a concurrent creator) is fine; other failures may just mean the cluster cannot
      // create topics through this API (librdkafka's mock cluster, locked-down clusters): look before failing.
      const stillMissing = await this.missingTopics(missing.map((t) => t.topic));
      if (stillMissing.length === 0) return;
      const alreadyExists = causeChain(error).some((e) => e.type === 'TOPIC_ALREADY_EXISTS');
      if (alreadyExists) return;
      const cause = mapKafkaError(error, 'Creating topics');
      throw new KafkaError(
        `Could not create the topics ${stillMissing.map((t) => `'${t}'`).join(', ')} (${cause.message}). ` +
          `Create them on the cluster before starting (partition counts: ` +
          `${missing.filter((t) => stillMissing.includes(t.topic)).map((t) => `${t.topic}=${t.partitions}`).join(', ')}).`,
        { cause: error, retriable: cause.retriable, ...(cause instanceof KafkaError && cause.kafkaCode ? { kafkaCode: cause.kafkaCode } : {}) },
      );
    }
  }

  private async missingTopics(names: readonly string[]): Promise<string[]> {
    const admin = await this.connect();
    const existing = new Set(await wrapKafka('Listing topics', () => admin.listTopics()));
    return names.filter((n) => !existing.has(n));
  }

  partitionCounts(topics: readonly string[]): Promise<Map<string, number>> {
    return this.exclusive(() => this.partitionCountsNow(topics));
  }

  private async partitionCountsNow(topics: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (topics.length === 0) return out;
    const admin = await this.connect();
    // List first: fetching metadata of an absent topic fails (and must never auto-create it).
    const existing = new Set(await wrapKafka('Listing topics', () => admin.listTopics()));
    const present = [...new Set(topics)].filter((t) => existing.has(t));
    if (present.length === 0) return out;
    const meta = await wrapKafka('Fetching topic metadata', () => admin.fetchTopicMetadata({ topics: present }));
    for (const t of meta.topics) out.set(t.name, t.partitions.length);
    return out;
  }

  listTopics(): Promise<string[]> {
    return this.exclusive(async () => {
      const admin = await this.connect();
      return wrapKafka('Listing topics', () => admin.listTopics());
    });
  }

  listOffsets(partitions: readonly TopicPartition[], which: 'earliest' | 'latest'): Promise<Map<string, number>> {
    return this.exclusive(() => this.listOffsetsNow(partitions, which));
  }

  private async listOffsetsNow(partitions: readonly TopicPartition[], which: 'earliest' | 'latest'): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (partitions.length === 0) return out;
    const admin = await this.connect();
    const topics = [...new Set(partitions.map((p) => p.topic))];
    const wanted = new Set(partitions.map((p) => tpKey(p.topic, p.partition)));
    // Metadata of every topic first, in one refresh: the per-topic calls below then find it in the cache.
    await wrapKafka('Fetching topic metadata', () => admin.fetchTopicMetadata({ topics }));
    // One request pair per topic, in parallel (kafkajs fetches high and low watermarks together).
    const results = await Promise.all(
      topics.map((topic) => wrapKafka(`Listing offsets of '${topic}'`, () => admin.fetchTopicOffsets(topic)).then((r) => ({ topic, r }))),
    );
    for (const { topic, r } of results) {
      for (const p of r) {
        const key = tpKey(topic, p.partition);
        if (wanted.has(key)) out.set(key, Number(which === 'earliest' ? p.low : p.high));
      }
    }
    return out;
  }

  async close(): Promise<void> {
    const connected = this.connected;
    this.connected = undefined;
    if (connected) await wrapKafka('Closing the admin client', () => this.admin.disconnect());
  }
}
