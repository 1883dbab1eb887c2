/**
 * Test helper for the kafkajs wire tests: a word count app on the librdkafka mock cluster, the true count of every
 * word produced, and a reader of the output, repartition and input topics (latest value per key and the number of
 * records per topic), so a test can tell counts that are exact, lost or counted twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consumed, Grouped, KafkaStreams, Materialized, Produced, Serdes, StreamsBuilder } from '../../src/index.js';
import type { Producer } from '../../src/kafka/client.js';
import { tpKey } from '../../src/kafka/client.js';
import { KafkajsClient } from '../../src/kafka/kafkajs/kafkajs-client.js';
import type { ProcessingGuarantee } from '../../src/config.js';
import type { MockCluster } from './mock-cluster.js';

export const S = Serdes.String();
export const L = Serdes.Long();
export const PARTITIONS = 4;
export const STORE = 'word-counts';
/** Retries that outlast the outages (kafkajs' default gives up after ~10 s of backoff in total). */
export const PATIENT_RETRY = { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 };
/** WIRE_DEBUG=1 prints kafkajs warnings and the runtime's log. */
export const DEBUG = process.env.WIRE_DEBUG === '1';
const VOCABULARY = Array.from({ length: 40 }, (_, i) => `w${i.toString(36)}`);

export function wordCountTopology(input: string, output: string) {
  const builder = new StreamsBuilder();
  builder
    .stream<string, string>(input, Consumed.with(S, S))
    .flatMapValues((line) => line.split(' '))
    .groupBy((_key, word) => word, Grouped.with(S, S))
    .count(Materialized.as<string, number>(STORE))
    .toStream()
    .to(output, Produced.with(S, L));
  return builder.build();
}

/** Deterministic lines of 5 words (LCG). */
export function lineMaker(seed = 7): () => string {
  const rand = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return () => Array.from({ length: 5 }, () => VOCABULARY[(rand() * VOCABULARY.length) | 0]!).join(' ');
}

export interface WordCountTopics {
  readonly applicationId: string;
  readonly input: string;
  readonly output: string;
  readonly repartition: string;
  readonly changelog: string;
}

/**
 * Creates the app's topics (the mock has no CreateTopics: the internal ones too; the runtime's topic manager accepts
 * topics that exist) with partition p of every topic led by `leaderOf(p)`.
 */
export async function createWordCountTopics(cluster: MockCluster, name: string, leaderOf: (partition: number) => number): Promise<WordCountTopics> {
  const run = `${name}-${Date.now().toString(36)}`;
  const applicationId = `wc-${run}`;
  const topics = {
    applicationId,
    input: `lines-${run}`,
    output: `word-counts-${run}`,
    repartition: `${applicationId}-${STORE}-repartition`,
    changelog: `${applicationId}-${STORE}-changelog`,
  };
  for (const topic of [topics.input, topics.output, topics.repartition, topics.changelog]) {
    await cluster.createTopic(topic, PARTITIONS);
    for (let p = 0; p < PARTITIONS; p++) await cluster.setLeader(topic, p, leaderOf(p));
  }
  return topics;
}

export interface AppOptions {
  readonly cluster: MockCluster;
  readonly topics: WordCountTopics;
  readonly name: string;
  readonly guarantee: ProcessingGuarantee;
  /** State directories to delete after the tests. */
  readonly dirs: string[];
}

export function wordCountApp(o: AppOptions): KafkaStreams {
  const stateDir = mkdtempSync(join(tmpdir(), `sluice-wire-${o.name}-`));
  o.dirs.push(stateDir);
  const log = (m: string): void => console.log(`[${o.name} ${new Date().toISOString().slice(17, 23)}] ${m}`);
  return new KafkaStreams(wordCountTopology(o.topics.input, o.topics.output), {
    applicationId: o.topics.applicationId,
    clientId: `${o.topics.applicationId}-${o.name}`,
    bootstrapServers: o.cluster.bootstrapServers,
    kafkajs: { retry: PATIENT_RETRY, ...(DEBUG ? { logLevel: 'warn' } : {}) },
    ...(DEBUG ? { logger: { info: log, warn: (m: string) => log(`WARN ${m}`), error: (m: string) => log(`ERROR ${m}`) } } : {}),
    stateDir,
    processingGuarantee: o.guarantee,
    commitIntervalMs: 500,
    sessionTimeoutMs: 6000,
    heartbeatIntervalMs: 500,
  });
}

export function removeDirs(dirs: readonly string[]): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

/** Produces lines to the input topic and keeps the true count of every word written. */
export function lineProducer(client: KafkajsClient, input: string) {
  const producer: Producer = client.producer({ clientId: 'lines-producer' });
  const truth = new Map<string, number>();
  const nextLine = lineMaker();
  let lines = 0;
  let sendFailures = 0;
  return {
    truth,
    get lines(): number {
      return lines;
    },
    get sendFailures(): number {
      return sendFailures;
    },
    get words(): number {
      return [...truth.values()].reduce((s, n) => s + n, 0);
    },
    connect: () => producer.connect(),
    close: () => producer.close(),
    async round(n: number): Promise<void> {
      const batch: string[] = [];
      for (let i = 0; i < n; i++) {
        const line = nextLine();
        batch.push(line);
        producer.send({ topic: input, key: S.serialize(input, `line-${lines++}`), value: S.serialize(input, line), timestamp: Date.now() });
      }
      const res = await producer.flush();
      sendFailures += res.failures.length;
      // A failed send may or may not have been written: it counts neither as input nor as loss.
      const failed = new Set(res.failures.map((f) => f.record.value!.toString()));
      for (const line of batch) if (!failed.has(line)) for (const w of line.split(' ')) truth.set(w, (truth.get(w) ?? 0) + 1);
    },
  };
}

/**
 * Reads topics continuously with the adapter's consumer (manual assignment: one private group join, ~3 s on the
 * mock, so it is started early and kept open): keeps the latest value per key and the number of records per topic.
 */
export async function startReader(client: KafkajsClient, topics: readonly string[], isolationLevel: 'read_committed' | 'read_uncommitted' = 'read_uncommitted') {
  const tps = topics.flatMap((topic) => Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
  // A short session: when kafkajs restarts this consumer (all brokers down), its private group waits for the dead
  // member's session to expire before the new one joins (30 s by default).
  const consumer = client.consumer({ clientId: 'wire-reader', isolationLevel, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 });
  await consumer.assign(tps.map((tp) => ({ ...tp, offset: 0 })));
  const next = new Map(tps.map((tp) => [tpKey(tp.topic, tp.partition), 0]));
  const latest = new Map<string, Map<string, Buffer>>(topics.map((t) => [t, new Map()]));
  const records = new Map<string, number>(topics.map((t) => [t, 0]));
  const pollOnce = async (ms: number): Promise<void> => {
    for (const r of await consumer.poll(ms)) {
      next.set(tpKey(r.topic, r.partition), r.offset + 1);
      latest.get(r.topic)!.set(r.key!.toString(), r.value!);
      records.set(r.topic, records.get(r.topic)! + 1);
    }
  };
  return {
    latest,
    records,
    pollOnce,
    /** Poll until every partition is read up to the end offsets of now. */
    async drain(ms = 20_000): Promise<void> {
      const admin = client.admin();
      const ends = await admin.listOffsets(tps, 'latest');
      await admin.close();
      const done = (): boolean => tps.every((tp) => next.get(tpKey(tp.topic, tp.partition))! >= ends.get(tpKey(tp.topic, tp.partition))!);
      const deadline = Date.now() + ms;
      while (!done() && Date.now() < deadline) await pollOnce(200);
      if (!done()) throw new Error(`could not read up to the end offsets ${JSON.stringify([...ends])}`);
    },
    close: () => consumer.close(),
  };
}

export type Reader = Awaited<ReturnType<typeof startReader>>;

/** Per word: the latest count on the output topic against the truth. */
export function compareCounts(reader: Reader, topics: WordCountTopics, truth: ReadonlyMap<string, number>) {
  const counts = reader.latest.get(topics.output)!;
  const counted = (w: string): number => {
    const v = counts.get(w);
    return v === undefined ? 0 : L.deserialize(topics.output, v)!;
  };
  return {
    counted,
    lost: [...truth].filter(([w, n]) => counted(w) < n).map(([w, n]) => `${w}: ${counted(w)} < ${n}`),
    overCounted: [...truth].filter(([w, n]) => counted(w) > n).map(([w, n]) => `${w}: ${counted(w)} > ${n}`),
    unknown: [...counts.keys()].filter((w) => !truth.has(w)),
  };
}

/** Polls the reader until `done` or the deadline (or an app error); says whether `done` held. */
export async function pollUntil(reader: Reader, done: () => boolean | Promise<boolean>, ms: number, errors: readonly unknown[] = []): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && errors.length === 0) {
    if (await done()) return true;
    await reader.pollOnce(100);
  }
  return done();
}
