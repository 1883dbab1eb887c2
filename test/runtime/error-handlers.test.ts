/**
 * Error handlers under the runtime on the embedded cluster. Nothing is lost: every input record is processed, in
 * the dead-letter topic, or the app stops with its offset uncommitted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, Materialized, Produced, StreamsBuilder, type DeserializationExceptionHandler, type KafkaStreams, type Topology } from '../../src/index.js';
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
