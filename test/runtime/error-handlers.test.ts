/**
 * Error handlers under the runtime on the embedded cluster. Nothing is lost: every input record is processed, in
 * the dead-letter topic, or the app stops with its offset uncommitted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  Consumed,
  Grouped,
  KafkaError,
  Materialized,
  Produced,
  ProductionError,
  SerdeError,
  StreamsBuilder,
  StreamsError,
  type DeserializationExceptionHandler,
  type EmbeddedKafkaCluster,
  type KafkaStreams,
  type ProductionExceptionHandler,
  type Serde,
  type Topology,
} from '../../src/index.js';
import { Harness, L, S, countSequences, finalCounts, reachedTotals, tempStateDir, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.closeAll());

const BAD = Math.floor(5_000 / 47);
const DLQ_TOPIC = '__streams.errors.topic';
const DLQ_OFFSET = '__streams.errors.offset';
const DLQ_PARTITION = '__streams.errors.partition';

/** in (String, Long) -> groupByKey -> count (no cache) -> out: a value that is not 8 bytes fails to deserialize. */
function longCountTopology(onRecord?: () => void): Topology {
  const builder = new StreamsBuilder();
  let s = builder.stream<string, number>('in', Consumed.with(S, L));
  if (onRecord) s = s.peek(() => onRecord());
  s.groupByKey()
    .count(Materialized.as<string, number>('counts').withCachingDisabled())
    .toStream()
    .to('out', Produced.with(S, L));
  return builder.build();
}

/** 5000 records over 25 keys; every 47th (over all keys and partitions) has a 3-byte value. */
function input(): { key: Buffer; value: Buffer; timestamp: number }[] {
  return Array.from({ length: 5_000 }, (_, i) => ({
    key: Buffer.from(`k${i % 25}`),
    value: i % 47 === 46 ? Buffer.from([1, 2, 3]) : L.serialize('in', i)!,
    timestamp: 1_700_000_000_000 + i,
  }));
}

function goodTotals(records: readonly { key: Buffer; value: Buffer }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of records) if (r.value.length === 8) m.set(r.key.toString(), (m.get(r.key.toString()) ?? 0) + 1);
  return m;
}

async function setup() {
  const cluster = h.cluster();
  await cluster.createTopic('in', { partitions: 4 });
  await cluster.createTopic('out', { partitions: 4 });
  await cluster.createTopic('dlq', { partitions: 1 });
  return cluster;
}

describe('deserialization errors under the runtime', () => {
  it('dead-letter topic, exactly_once_v2, one of two instances crashed: each bad record in the DLQ exactly once, good ones counted exactly once', async () => {
    const cluster = await setup();
    const records = input();
    const totals = goodTotals(records);
    const handler: DeserializationExceptionHandler = { deadLetterTopic: 'dlq' };
    let processed = 0;
    let victim: KafkaStreams | undefined;
    const opts = (label: string) => ({ applicationId: 'dlq-eos', cluster, stateDir: tempStateDir(label), processingGuarantee: 'exactly_once_v2' as const, commitIntervalMs: 50, deserializationExceptionHandler: handler });
    victim = h.app(longCountTopology(() => void (++processed === 1_200 && h.crash(cluster, victim!))), opts('dlq-a'));
    const survivor = h.app(longCountTopology(), opts('dlq-b'));
    await Promise.all([victim.start(), survivor.start()]);
    for (let i = 0; i < records.length; i += 500) {
      await cluster.produce('in', records.slice(i, i + 500));
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitFor(async () => h.crashed.size === 1 && (await reachedTotals(cluster, totals, 'read_committed')), 20_000, 'counts');
    await waitFor(async () => (await cluster.readAll('dlq', { isolationLevel: 'read_committed' })).length >= BAD, 10_000, 'dead letters');

    const dead = await cluster.readAll('dlq', { isolationLevel: 'read_committed' });
    const deadIds = dead.map((r) => `${r.headers[DLQ_TOPIC]!.toString()}:${r.headers[DLQ_PARTITION]!.toString()}:${r.headers[DLQ_OFFSET]!.toString()}`);
    expect(new Set(deadIds).size).toBe(deadIds.length); // no duplicate dead letter
    expect(dead.every((r) => r.value!.equals(Buffer.from([1, 2, 3])))).toBe(true);
    expect(dead[0]!.headers['__streams.errors.exception']).toBeDefined();
    expect(dead[0]!.headers['__streams.errors.message']!.toString()).toMatch(/deserialize/);
    // every input record is either counted or a dead letter
    const inputs = await cluster.readAll('in');
    const bad = inputs.filter((r) => r.value!.length !== 8).map((r) => `in:${r.partition}:${r.offset}`);
    expect(deadIds.sort()).toEqual(bad.sort());
    const seqs = await countSequences(cluster, 'out', 'read_committed');
    for (const [k, n] of totals) expect(seqs.get(k)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });

  it("logAndFail: the app stops in ERROR with the bad record's offset uncommitted; a fixed app resumes and loses nothing", async () => {
    const cluster = await setup();
    const records = input();
    const totals = goodTotals(records);
    const failing = h.app(longCountTopology(), { applicationId: 'dlq-fail', cluster, stateDir: tempStateDir('fail'), processingGuarantee: 'exactly_once_v2', commitIntervalMs: 50 });
    await failing.start();
    await cluster.produce('in', records);
    await failing.waitForState('ERROR', 10_000);
    const inputs = await cluster.readAll('in');
    const committed = cluster.describeGroup('dlq-fail')!.offsets;
    for (let p = 0; p < 4; p++) {
      const firstBad = inputs.find((r) => r.partition === p && r.value!.length !== 8);
      if (!firstBad) continue;
      expect(committed.get(`in:${p}`) ?? 0).toBeLessThanOrEqual(firstBad.offset);
    }
    await failing.close();
    // the same application, now skipping bad records to the DLQ, resumes from the committed offsets
    const fixed = h.app(longCountTopology(), {
      applicationId: 'dlq-fail',
      cluster,
      stateDir: tempStateDir('fixed'),
      processingGuarantee: 'exactly_once_v2',
      commitIntervalMs: 50,
      deserializationExceptionHandler: { deadLetterTopic: 'dlq' },
    });
    await fixed.start();
    await waitFor(() => reachedTotals(cluster, totals, 'read_committed'), 10_000, 'counts');
    await waitFor(async () => (await cluster.readAll('dlq', { isolationLevel: 'read_committed' })).length === BAD, 10_000, 'dead letters');
    expect(await finalCounts(cluster, 'out', 'read_committed')).toEqual(totals);
    const seqs = await countSequences(cluster, 'out', 'read_committed');
    for (const [k, n] of totals) expect(seqs.get(k)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });

  it("logAndContinue: bad records are skipped and counted in metrics().skippedRecords", async () => {
    const cluster = await setup();
    const records = input();
    const app = h.app(longCountTopology(), { applicationId: 'dlq-skip', cluster, stateDir: tempStateDir('skip'), deserializationExceptionHandler: 'logAndContinue', commitIntervalMs: 50 });
    await app.start();
    await cluster.produce('in', records);
    await waitFor(() => reachedTotals(cluster, goodTotals(records), 'read_uncommitted'), 10_000, 'counts');
    await waitFor(async () => (await app.metrics()).skippedRecords === BAD, 10_000, 'skipped');
    expect((await app.metrics()).processedRecords).toBe(5_000 - BAD);
  });
});

/** A Long serde whose serializer rejects values ending in 3 (and keys 'bad' for the key side): a sink's bad serde. */
const picky: Serde<number> = {
  serialize(topic, v) {
    if (v !== null && v % 10 === 3) throw new RangeError(`cannot write ${v}`);
    return L.serialize(topic, v);
  },
  deserialize: (topic, b) => L.deserialize(topic, b),
};
const pickyKey: Serde<string> = {
  serialize(topic, k) {
    if (k === 'bad') throw new TypeError('no bad keys');
    return S.serialize(topic, k);
  },
  deserialize: (topic, b) => S.deserialize(topic, b),
};

/** in (String, Long) -> to('out') with the picky value serde. */
function pickySinkTopology(): Topology {
  const builder = new StreamsBuilder();
  builder.stream<string, number>('in', Consumed.with(S, L)).to('out', Produced.with(S, picky));
  return builder.build();
}

/** 100 records, values 0..99 over keys k0..k4: the 10 values ending in 3 cannot be serialized at the sink. */
function numbered(): { key: Buffer; value: Buffer; timestamp: number }[] {
  return Array.from({ length: 100 }, (_, i) => ({ key: Buffer.from(`k${i % 5}`), value: L.serialize('in', i)!, timestamp: 1_000 + i }));
}

async function outValues(cluster: EmbeddedKafkaCluster, topic = 'out'): Promise<number[]> {
  return (await cluster.readAll(topic)).map((r) => L.deserialize(topic, r.value)!).sort((a, b) => a - b);
}

describe('serialization errors at a sink go to the production exception handler (KIP-399)', () => {
  const good = Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 10 !== 3);

  it("'logAndContinue': the app stays RUNNING, each bad record is dropped and counted, the rest are written", async () => {
    const cluster = await setup();
    const app = h.app(pickySinkTopology(), { applicationId: 'ser-skip', cluster, stateDir: tempStateDir('ser-skip'), commitIntervalMs: 50, productionExceptionHandler: 'logAndContinue' });
    await app.start();
    await cluster.produce('in', numbered());
    await waitFor(async () => (await cluster.readAll('out')).length >= good.length || app.state === 'ERROR', 10_000, 'outputs');
    expect(app.state).toBe('RUNNING');
    expect(await outValues(cluster)).toEqual(good);
    await waitFor(async () => (await app.metrics()).processedRecords === 100, 10_000, 'processed');
    expect((await app.metrics()).skippedRecords).toBe(10);
    expect(h.logs.filter((l) => l.startsWith('warn') && /serialize/.test(l))).toHaveLength(10);
  });

  it("'logAndFail' (the default): ERROR with a SerdeError naming the sink, topic and value side, recommending productionExceptionHandler", async () => {
    const cluster = await setup();
    const app = h.app(pickySinkTopology(), { applicationId: 'ser-fail', cluster, stateDir: tempStateDir('ser-fail'), commitIntervalMs: 50 });
    const errors: unknown[] = [];
    app.setUncaughtExceptionHandler((e) => {
      errors.push(e);
      return 'SHUTDOWN_CLIENT';
    });
    await app.start();
    await cluster.produce('in', numbered());
    await app.waitForState('ERROR', 10_000);
    expect(errors).toHaveLength(1);
    const e = errors[0] as SerdeError;
    expect(e).toBeInstanceOf(SerdeError);
    expect(e.retriable).toBe(false);
    expect(e.origin).toBe('VALUE');
    expect(e.node).toBe('KSTREAM-SINK-0000000001');
    expect(e.location).toMatchObject({ topic: 'out' });
    expect(e.message).toMatch(/^Sink 'KSTREAM-SINK-0000000001' failed to serialize the record value for topic 'out' /);
    expect(e.message).toContain('RangeError: cannot write 3');
    expect(e.message).toMatch(/productionExceptionHandler/);
    expect(e.message).not.toMatch(/deserializationExceptionHandler/);
  });

  it('a handler function gets the SerdeError (origin, topic, the unserialized record) and decides per record', async () => {
    const cluster = await setup();
    const seen: { origin: string; topic: string | undefined; key: unknown; value: unknown }[] = [];
    const handler: ProductionExceptionHandler = (error, record) => {
      expect(error).toBeInstanceOf(SerdeError);
      const e = error as SerdeError;
      seen.push({ origin: e.origin, topic: e.location.topic, key: record.key, value: record.value });
      return 'continue';
    };
    const app = h.app(pickySinkTopology(), { applicationId: 'ser-fn', cluster, stateDir: tempStateDir('ser-fn'), commitIntervalMs: 50, productionExceptionHandler: handler });
    await app.start();
    await cluster.produce('in', numbered());
    await waitFor(async () => (await cluster.readAll('out')).length >= good.length || app.state === 'ERROR', 10_000, 'outputs');
    expect(app.state).toBe('RUNNING');
    expect(await outValues(cluster)).toEqual(good);
    expect(seen.map((s) => s.value).sort((a, b) => (a as number) - (b as number))).toEqual([3, 13, 23, 33, 43, 53, 63, 73, 83, 93]);
    expect(seen.every((s) => s.origin === 'VALUE' && s.topic === 'out' && typeof s.key === 'string')).toBe(true);
  });

  it('a repartition-topic sink goes through the same handler, key side included', async () => {
    const cluster = await setup();
    const builder = new StreamsBuilder();
    builder
      .stream<string, number>('in', Consumed.with(S, L))
      .groupBy((_k, v) => (v % 10 === 7 ? 'bad' : `g${v % 2}`), Grouped.with(pickyKey, picky).withName('regroup'))
      .count(Materialized.as<string, number>('regrouped').withCachingDisabled())
      .toStream()
      .to('out', Produced.with(S, L));
    const origins: string[] = [];
    const app = h.app(builder.build(), {
      applicationId: 'ser-rep',
      cluster,
      stateDir: tempStateDir('ser-rep'),
      commitIntervalMs: 50,
      productionExceptionHandler: (error) => {
        origins.push((error as SerdeError).origin);
        return 'continue';
      },
    });
    await app.start();
    await cluster.produce('in', numbered());
    // written to the repartition topic: values not ending in 3 (value side) with a key other than 'bad' (key side)
    const expected = new Map<string, number>();
    for (let v = 0; v < 100; v++) {
      if (v % 10 === 3 || v % 10 === 7) continue;
      const g = `g${v % 2}`;
      expected.set(g, (expected.get(g) ?? 0) + 1);
    }
    await waitFor(async () => app.state === 'ERROR' || (await reachedTotals(cluster, expected, 'read_uncommitted')), 10_000, 'counts');
    expect(app.state).toBe('RUNNING');
    expect(await finalCounts(cluster, 'out', 'read_uncommitted')).toEqual(expected);
    expect(origins.filter((o) => o === 'VALUE')).toHaveLength(10);
    expect(origins.filter((o) => o === 'KEY')).toHaveLength(10);
  });
});

describe('dead-letter topic', () => {
  it("logs 'sent' only once the dead letter is acknowledged: a failed send logs 'failed' and never 'sent'", async () => {
    const cluster = await setup();
    const records = input().slice(0, 100); // two bad records (offsets 46 and 93 overall)
    cluster.faults.failNextSends('dlq', 5, new KafkaError('The record is larger than the broker accepts.', { kafkaCode: 'MESSAGE_TOO_LARGE', retriable: false }));
    const app = h.app(longCountTopology(), { applicationId: 'dlq-log', cluster, stateDir: tempStateDir('dlq-log'), commitIntervalMs: 50, deserializationExceptionHandler: { deadLetterTopic: 'dlq' } });
    const errors: unknown[] = [];
    app.setUncaughtExceptionHandler((e) => {
      errors.push(e);
      return 'SHUTDOWN_CLIENT';
    });
    await app.start();
    await cluster.produce('in', records);
    await app.waitForState('ERROR', 10_000);
    expect(await cluster.readAll('dlq')).toHaveLength(0);
    const dlqLines = h.logs.filter((l) => l.includes("dead-letter topic 'dlq'"));
    expect(dlqLines.some((l) => /\bsent\b/i.test(l))).toBe(false);
    expect(dlqLines.some((l) => l.startsWith('error') && /failed/i.test(l) && /MESSAGE_TOO_LARGE|larger than the broker/.test(l))).toBe(true);
    expect(errors[0]).toBeInstanceOf(ProductionError);
    expect((errors[0] as Error).message).toContain("'dlq'");
  });

  it("logs 'sent' after the dead letter is in the topic", async () => {
    const cluster = await setup();
    const inTopicAtSent: number[] = [];
    const spy = (m: string): void => {
      // what the topic holds at the moment the line is written
      if (/sent .*dead-letter topic 'dlq'/i.test(m)) inTopicAtSent.push(cluster.endOffsets('dlq').reduce((a, b) => a + b, 0));
    };
    const logger = { info: spy, warn: spy, error: spy };
    const app = h.app(longCountTopology(), { applicationId: 'dlq-ok', cluster, stateDir: tempStateDir('dlq-ok'), commitIntervalMs: 50, deserializationExceptionHandler: { deadLetterTopic: 'dlq' }, logger });
    await app.start();
    await cluster.produce('in', input().slice(0, 100)); // two bad records
    await waitFor(() => inTopicAtSent.length === 2, 10_000, "'sent' lines");
    expect(inTopicAtSent[0]).toBeGreaterThanOrEqual(1);
    expect(inTopicAtSent[1]).toBe(2);
    expect(app.state).toBe('RUNNING');
  });

  it('a missing dead-letter topic fails start() with a typed error naming it, before any record is processed', async () => {
    const cluster = h.cluster();
    await cluster.createTopic('in', { partitions: 4 });
    await cluster.createTopic('out', { partitions: 4 });
    await cluster.produce('in', input().slice(0, 100));
    for (const handlers of [{ deserializationExceptionHandler: { deadLetterTopic: 'no-such-dlq' } }, { processingExceptionHandler: { deadLetterTopic: 'no-such-dlq' } }]) {
      const app = h.app(longCountTopology(), { applicationId: 'dlq-missing', cluster, stateDir: tempStateDir('dlq-missing'), commitIntervalMs: 50, ...handlers });
      const err = await app.start().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StreamsError);
      expect((err as StreamsError).code).toBe('MISSING_DEAD_LETTER_TOPIC');
      expect((err as StreamsError).message).toMatch(/'no-such-dlq'/);
      expect((err as StreamsError).message).toMatch(/createTopic|kafka-topics/);
      expect(app.state).toBe('ERROR');
      await app.close();
    }
    expect(await cluster.readAll('out')).toHaveLength(0);
    expect(cluster.describeGroup('dlq-missing')?.offsets.size ?? 0).toBe(0);
    expect(cluster.topics()).not.toContain('no-such-dlq');
  });
});

describe('send failures', () => {
  it('the production exception handler is never asked about a retriable send error (those are retried)', async () => {
    const cluster = await setup();
    const asked: unknown[] = [];
    const app = h.app(pickySinkTopology(), {
      applicationId: 'send-retriable',
      cluster,
      stateDir: tempStateDir('send-retriable'),
      commitIntervalMs: 50,
      productionExceptionHandler: (error) => {
        asked.push(error);
        return 'continue';
      },
    });
    const errors: unknown[] = [];
    app.setUncaughtExceptionHandler((e) => {
      errors.push(e);
      return 'SHUTDOWN_CLIENT';
    });
    cluster.faults.failNextSends('out', 3); // NOT_LEADER_OR_FOLLOWER, retriable
    await app.start();
    const records = numbered().filter((_, i) => i % 10 !== 3); // nothing the serde rejects
    await cluster.produce('in', records);
    await waitFor(async () => app.state === 'ERROR' || (await cluster.readAll('out')).length >= records.length, 10_000, 'outputs or ERROR');
    expect(asked).toEqual([]);
    // until the thread retries (task.timeout.ms), a lost send must at least not pass for a fatal, skippable one
    for (const e of errors) expect((e as StreamsError).retriable).toBe(true);
  });
});
