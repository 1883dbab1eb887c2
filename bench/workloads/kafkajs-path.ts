/**
 * The kafkajs path end to end, on one librdkafka mock cluster (test/wire/mock-cluster.ts, 3 brokers), in one run:
 *   baseline: a raw kafkajs consume -> produce loop: consumer.run({ eachBatch }) over N pre-produced records of 'in',
 *             one transformed record per input to 'out' with producer.sendBatch (acks -1), offsets auto-committed;
 *   sluice:   a KafkaStreams app (at_least_once, bootstrapServers -> KafkajsClient) doing the same:
 *             stream('in') -> mapValues(toUpperCase) -> to('out').
 * Both use the same producer settings (idempotent, acks -1, no compression, murmur2 partitioning) and start from a
 * joined consumer group: the timed region runs from the first input record handed to user code to the moment all N
 * output records are acknowledged (baseline: the last sendBatch resolves; Sluice: the end offsets of 'out' sum to N,
 * polled every 10 ms). Group joins (~3 s each on the mock) are not timed.
 *
 * Input: N records (default 100k) of 100 bytes (16-byte key + 84-byte value) over 4 partitions, produced before the
 * timed passes on a fresh mock cluster per pass (stopped at the end of the pass). Target (bench/RESULTS.md): Sluice >= 70% of
 * the baseline's records/s.
 */
import kafkajs from 'kafkajs';
import { Consumed, KafkaStreams, Produced, Serdes, StreamsBuilder } from '../../src/index.js';
import { KafkajsClient } from '../../src/kafka/kafkajs/kafkajs-client.js';
import { startMockCluster, type MockCluster } from '../../test/wire/mock-cluster.js';
import { assertSameWork, measurement, settle, timer } from '../lib/measure.js';
import type { Measurement, Result, RunOptions, Workload } from '../types.js';

const { Kafka, logLevel, CompressionTypes } = kafkajs;

const DEFAULT_RECORDS = 100_000;
const PARTITIONS = 4;
const KEY_BYTES = 16;
const VALUE_BYTES = 84;
const COMMIT_INTERVAL_MS = 100;

const transform = (v: string): string => v.toUpperCase();

interface Env {
  readonly cluster: MockCluster;
  readonly input: string;
  readonly records: number;
}

let pass = 0;

/** A fresh mock cluster per pass (stopped at its end, so no child process outlives the run) with the input seeded. */
async function setup(records: number): Promise<Env> {
  const cluster = await startMockCluster({ brokers: 3 });
  const input = `in-${records}`;
  await cluster.createTopic(input, PARTITIONS);
  const client = new KafkajsClient({ brokers: cluster.bootstrapServers, clientId: 'bench-seed' });
  const producer = client.producer({});
  await producer.connect();
  const value = 'x'.repeat(VALUE_BYTES);
  const t0 = Date.now();
  for (let i = 0; i < records; i++) {
    producer.send({ topic: input, key: Buffer.from(`key-${String(i).padStart(KEY_BYTES - 4, '0')}`), value: Buffer.from(value), timestamp: t0 + i });
    if (i % 10_000 === 9_999) {
      const r = await producer.flush();
      if (r.failures.length) throw new Error(`seeding '${input}' failed: ${r.failures[0]!.error.message}`);
    }
  }
  const r = await producer.flush();
  if (r.failures.length) throw new Error(`seeding '${input}' failed: ${r.failures[0]!.error.message}`);
  await producer.close();
  return { cluster, input, records };
}

/** Sum of the end offsets of `topic`, read with a kafkajs admin client. */
async function endOffsetSum(admin: kafkajs.Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((s, p) => s + Number(p.high), 0);
}

// ------------------------------------------------------------------ the raw kafkajs loop

async function runBaseline(e: Env): Promise<Measurement> {
  const out = `out-raw-${++pass}`;
  await e.cluster.createTopic(out, PARTITIONS);
  const kafka = new Kafka({ brokers: e.cluster.bootstrapServers, clientId: 'bench-raw', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `raw-${pass}`, sessionTimeout: 6000, heartbeatInterval: 500 });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topics: [e.input], fromBeginning: true });
  let produced = 0;
  let bytes = 0;
  let t: ReturnType<typeof timer> | undefined;
  let done!: (r: { start: number; end: number; cpuMs: number }) => void;
  const finished = new Promise<{ start: number; end: number; cpuMs: number }>((r) => (done = r));
  settle();
  await consumer.run({
    eachBatch: async ({ batch }) => {
      t ??= timer();
      const messages = batch.messages.map((m) => {
        const value = Buffer.from(transform(m.value!.toString()));
        bytes += value.length;
        return { key: m.key, value, timestamp: m.timestamp };
      });
      await producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: [{ topic: out, messages }] });
      produced += messages.length;
      if (produced >= e.records) done(t.stop());
    },
  });
  const { start, end, cpuMs } = await finished;
  const admin = kafka.admin();
  await admin.connect();
  const written = await endOffsetSum(admin, out);
  await admin.disconnect();
  await Promise.all([consumer.disconnect(), producer.disconnect()]);
  return measurement(e.records, end - start, written, bytes, undefined, cpuMs);
}

// ------------------------------------------------------------------ Sluice

async function runSluice(e: Env): Promise<Measurement> {
  const out = `out-sluice-${++pass}`;
  await e.cluster.createTopic(out, PARTITIONS);
  const S = Serdes.String();
  let t: ReturnType<typeof timer> | undefined;
  let bytes = 0;
  const builder = new StreamsBuilder();
  builder
    .stream<string, string>(e.input, Consumed.with(S, S))
    .mapValues((v) => {
      t ??= timer();
      const r = transform(v);
      bytes += r.length;
      return r;
    })
    .to(out, Produced.with(S, S));
  const app = new KafkaStreams(builder.build(), {
    applicationId: `sluice-bench-${pass}`,
    bootstrapServers: e.cluster.bootstrapServers,
    processingGuarantee: 'at_least_once',
    commitIntervalMs: COMMIT_INTERVAL_MS,
    sessionTimeoutMs: 6000,
    heartbeatIntervalMs: 500,
    stateDir: `/tmp/sluice-bench-kafkajs-${process.pid}-${pass}`,
  });
  const kafka = new Kafka({ brokers: e.cluster.bootstrapServers, clientId: 'bench-watch', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  settle();
  await app.start();
  let written = 0;
  const deadline = Date.now() + 120_000;
  while (written < e.records) {
    if (Date.now() > deadline) throw new Error(`Sluice wrote ${written} of ${e.records} records in 120 s`);
    await new Promise((r) => setTimeout(r, 10));
    if (t) written = await endOffsetSum(admin, out);
  }
  const { start, end, cpuMs } = t!.stop();
  await app.close();
  await admin.disconnect();
  return measurement(e.records, end - start, written, bytes, undefined, cpuMs);
}

// ------------------------------------------------------------------ the workload

export const workload: Workload = {
  name: 'kafkajs-path',
  description: 'raw kafkajs eachBatch->sendBatch loop vs KafkaStreams (at_least_once, mapValues) over kafkajs, on the librdkafka mock cluster',
  target: 'Sluice >= 70% of the raw kafkajs loop (ratio <= 1.43)',
  meetsTarget(r: Result): boolean {
    return r.baseline !== undefined && r.sluice.recordsPerSec >= 0.7 * r.baseline.recordsPerSec;
  },
  async run(options: RunOptions = {}): Promise<Result> {
    const e = await setup(options.records ?? DEFAULT_RECORDS);
    let baseline: Measurement;
    let sluice: Measurement;
    try {
      baseline = await runBaseline(e);
      sluice = await runSluice(e);
    } finally {
      await e.cluster.stop();
    }
    assertSameWork('kafkajs-path', sluice, baseline);
    const notes = [
      `${e.records} records of ${KEY_BYTES + VALUE_BYTES} B over ${PARTITIONS} partitions; Sluice/raw in the median pass = ${((100 * sluice.recordsPerSec) / baseline.recordsPerSec).toFixed(0)}%`,
      `Sluice commitIntervalMs ${COMMIT_INTERVAL_MS}; both producers idempotent, acks -1, no compression`,
    ];
    return { records: e.records, sluice, baseline, notes };
  },
};
