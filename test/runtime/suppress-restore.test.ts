/**
 * The suppression buffer is a logged store: what it holds survives a clean restart on the same state directory, a
 * restart on a wiped one (restored from its changelog) and a task moving to another instance, so every window's
 * final result is emitted once. Bounded buffers restore their size, so their bounds hold after a restart too.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BufferConfig,
  Consumed,
  KeyValue,
  Materialized,
  Produced,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  type EmbeddedKafkaCluster,
  type KafkaStreams,
  type ProcessingGuarantee,
  type Topology,
} from '../../src/index.js';
import { Harness, L, S, tempStateDir, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.closeAll());

const WINDOW = 10_000;
const base = 1_700_000_000_000; // a multiple of WINDOW: every card's records fall in window [base, base + WINDOW)
const CARDS = 20;

interface Counter {
  processed: number;
}

/** Per card, the count of each 10 s window, emitted only once the window closed (no grace). */
function alertsTopology(counter: Counter, buffer = BufferConfig.unbounded()): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream('in', Consumed.with(S, S))
    .peek(() => void counter.processed++)
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW))
    .count(Materialized.with(S, L))
    .suppress(Suppressed.untilWindowCloses(buffer))
    .toStream()
    .map((k, v) => KeyValue.pair(`${k.key}@${k.window.start - base}`, v))
    .to('alerts', Produced.with(S, L));
  return builder.build();
}

async function setup(partitions = 2): Promise<EmbeddedKafkaCluster> {
  const cluster = h.cluster();
  await cluster.createTopic('in', { partitions });
  await cluster.createTopic('alerts', { partitions });
  return cluster;
}

/** Two records per card, all in the first window. */
const cardRecords = Array.from({ length: 2 * CARDS }, (_, i) => ({ key: Buffer.from(`card-${i % CARDS}`), value: Buffer.from('x'), timestamp: base + i }));

/** One record per partition in the next window: stream time of every task reaches the first window's close. */
const closers = (partitions: number) => Array.from({ length: partitions }, (_, p) => ({ key: Buffer.from('closer'), value: Buffer.from('x'), timestamp: base + WINDOW, partition: p }));

/** Alerts by key, every occurrence (read_committed). */
async function alerts(cluster: EmbeddedKafkaCluster): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const r of await cluster.readAll('alerts', { isolationLevel: 'read_committed' })) {
    const k = r.key!.toString();
    out.set(k, [...(out.get(k) ?? []), L.deserialize('alerts', r.value) as number]);
  }
  return out;
}

/** Waits for a final per card, then checks each arrived exactly once with the full count. */
async function expectAllFinalsOnce(cluster: EmbeddedKafkaCluster, perCard = 2): Promise<void> {
  await waitFor(async () => (await alerts(cluster)).size >= CARDS, 10_000, `${CARDS} finals`);
  const got = await alerts(cluster);
  expect(new Map([...got].sort())).toEqual(new Map(Array.from({ length: CARDS }, (_, i) => [`card-${i}@0`, [perCard]] as [string, number[]]).sort()));
}

const guarantees: ProcessingGuarantee[] = ['exactly_once_v2', 'at_least_once'];

describe.each(guarantees)('suppress(untilWindowCloses) keeps every final across restarts and moves (%s)', (guarantee) => {
  const options = (cluster: EmbeddedKafkaCluster, stateDir: string) => ({ applicationId: 'cards', cluster, stateDir, processingGuarantee: guarantee, commitIntervalMs: 50 });

  async function restart(wipe: boolean): Promise<void> {
    const cluster = await setup();
    const dir = tempStateDir('sup');
    const counter = { processed: 0 };
    const first = h.app(alertsTopology(counter), options(cluster, dir));
    await first.start();
    await cluster.produce('in', cardRecords);
    await waitFor(() => counter.processed >= cardRecords.length, 10_000, 'first instance processed the cards');
    await first.close(); // mid-window: nothing is final yet
    expect((await alerts(cluster)).size).toBe(0);
    if (wipe) rmSync(dir, { recursive: true, force: true });
    const second = h.app(alertsTopology(counter), options(cluster, dir));
    await second.start();
    await cluster.produce('in', closers(2));
    await expectAllFinalsOnce(cluster);
    expect(second.state).toBe('RUNNING');
  }

  it('close() mid-window, then start() on the same state dir: all 20 finals, once each', () => restart(false));

  it('close() mid-window, then start() on a wiped state dir (buffer restored from its changelog): all 20 finals, once each', () => restart(true));

  it('a second instance joins mid-window and takes over a task: all 20 finals, once each', async () => {
    const cluster = await setup();
    const counter = { processed: 0 };
    const a: KafkaStreams = h.app(alertsTopology(counter), options(cluster, tempStateDir('sup-a')));
    await a.start();
    await cluster.produce('in', cardRecords);
    await waitFor(() => counter.processed >= cardRecords.length, 10_000, 'a processed the cards');
    const b = h.app(alertsTopology(counter), options(cluster, tempStateDir('sup-b')));
    await b.start();
    const tasks = async (app: KafkaStreams) => (await app.metrics()).activeTasks.length;
    await waitFor(async () => a.state === 'RUNNING' && b.state === 'RUNNING' && (await tasks(a)) === 1 && (await tasks(b)) === 1, 10_000, 'one task each');
    await cluster.produce('in', closers(2));
    await expectAllFinalsOnce(cluster);
  });
});

describe('suppress(untilWindowCloses) after a crash', () => {
  it('exactly_once_v2: a crash mid-window with uncommitted buffer updates, restart on the same dir: every final once, exact', async () => {
    const cluster = await setup();
    const dir = tempStateDir('sup-crash');
    const counter = { processed: 0 };
    const options = { applicationId: 'cards', cluster, stateDir: dir, processingGuarantee: 'exactly_once_v2' as const, commitIntervalMs: 50 };
    const first = h.app(alertsTopology(counter), options);
    await first.start();
    await cluster.produce('in', cardRecords);
    await waitFor(() => counter.processed >= cardRecords.length, 10_000, 'cards processed');
    // a third record per card, then the process dies, perhaps before the commit that carries them
    await cluster.produce('in', cardRecords.slice(0, CARDS).map((r, i) => ({ ...r, timestamp: base + 100 + i })));
    await waitFor(() => counter.processed >= cardRecords.length + 5, 10_000, 'some of the third records processed');
    await h.crash(cluster, first);
    const second = h.app(alertsTopology(counter), options);
    await second.start();
    await cluster.produce('in', closers(2));
    await expectAllFinalsOnce(cluster, 3);
  });
});

describe('suppression buffer store and bounds', () => {
  it('the buffer is logged to <applicationId>-KTABLE-SUPPRESS-STATE-STORE-<n>-changelog, created at start; withLoggingDisabled() has none', async () => {
    const cluster = await setup();
    const topology = alertsTopology({ processed: 0 });
    const store = /KTABLE-SUPPRESS-STATE-STORE-\d{10}/.exec(topology.describe().toString())![0];
    await h.app(topology, { applicationId: 'logged', cluster, stateDir: tempStateDir('logged'), commitIntervalMs: 50 }).start();
    await h.app(alertsTopology({ processed: 0 }, BufferConfig.unbounded().withLoggingDisabled()), { applicationId: 'unlogged', cluster, stateDir: tempStateDir('unlogged'), commitIntervalMs: 50 }).start();
    expect(cluster.topics()).toContain(`logged-${store}-changelog`);
    expect(cluster.topics().filter((t) => t.startsWith('unlogged-') && t.includes('SUPPRESS'))).toEqual([]);
  });

  /** untilTimeLimit count per key with a bounded buffer; three keys buffered, restart, a fourth key arrives. */
  async function boundedRestart(buffer: BufferConfig): Promise<{ app: KafkaStreams; cluster: EmbeddedKafkaCluster }> {
    const cluster = await setup(1);
    const dir = tempStateDir('bounded');
    const counter = { processed: 0 };
    const topology = (): Topology => {
      const builder = new StreamsBuilder();
      builder
        .stream('in', Consumed.with(S, S))
        .peek(() => void counter.processed++)
        .groupByKey()
        .count(Materialized.with(S, L))
        .suppress(Suppressed.untilTimeLimit(60_000, buffer))
        .toStream()
        .to('alerts', Produced.with(S, L));
      return builder.build();
    };
    const options = { applicationId: 'bounded', cluster, stateDir: dir, processingGuarantee: 'exactly_once_v2' as const, commitIntervalMs: 50 };
    const first = h.app(topology(), options);
    await first.start();
    const keys = buffer.maxRecords === 3 ? ['a', 'b', 'c'] : ['a', 'b'];
    await cluster.produce('in', keys.map((k, i) => ({ key: Buffer.from(k), value: Buffer.from('x'), timestamp: base + i })));
    await waitFor(() => counter.processed >= keys.length, 10_000, 'first instance processed the keys');
    await first.close();
    expect((await alerts(cluster)).size).toBe(0);
    const second = h.app(topology(), options);
    await second.start();
    await cluster.produce('in', [{ key: Buffer.from('d'), value: Buffer.from('x'), timestamp: base + 10 }]);
    return { app: second, cluster };
  }

  it('emitEarlyWhenFull after a restart: the restored entries count, so the oldest leaves early when a new key overflows', async () => {
    const { cluster } = await boundedRestart(BufferConfig.maxRecords(3));
    await waitFor(async () => (await alerts(cluster)).size > 0, 10_000, 'an early emit');
    expect(await alerts(cluster)).toEqual(new Map([['a', [1]]]));
  });

  it('shutDownWhenFull after a restart: the restored entries count, so a new key overflows and fails the instance', async () => {
    const { app } = await boundedRestart(BufferConfig.maxRecords(2).shutDownWhenFull());
    await waitFor(() => app.state === 'ERROR', 10_000, 'ERROR');
    expect(h.logs.join('\n')).toMatch(/exceeded its max capacity: 3\/2 records/);
  });
});
