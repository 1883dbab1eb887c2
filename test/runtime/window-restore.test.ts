/**
 * Windowed aggregates after a crash or a failed send under at_least_once (issue 8, finding 8, and the soak's lost
 * window count). Window [0, 10 s), retention size + grace (no grace): 5 records are committed, 4 more and one at
 * 25 s are processed (changelog written), then the task dies before committing. The changelog now holds the window
 * at 20 s, whose start is past the retention of the window at 0; but it was written after the last commit, so it
 * must not move the clock the replayed records are judged by: if it did, the 4 replayed records would be dropped as
 * late, and an update of the window at 0 whose send failed would never be made again. A restored store starts from
 * the committed clock (src/state/window/retention-clock.ts): the replayed records are counted again (at least once:
 * counts may exceed the truth, never fall short of it), and every update forwarded is stored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tpKey } from '../../src/kafka/client.js';
import {
  Consumed,
  KeyValue,
  Materialized,
  Produced,
  QueryableStoreTypes,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  TimeWindows,
  type EmbeddedKafkaCluster,
  type KafkaStreams,
  type Topology,
} from '../../src/index.js';
import { Harness, L, S, countSequences, tempStateDir, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.closeAll());

type StoreType = 'rocksdb' | 'in_memory';

/** in -> groupByKey -> 10 s tumbling count (no cache) -> out as `key@windowStart` = count. */
function windowedCount(storeType: StoreType, onRecord: () => void = () => {}): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream<string, string>('in', Consumed.with(S, S))
    .peek(() => onRecord())
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(10_000))
    .count(Materialized.as<string, number>('wcounts').withCachingDisabled().withStoreType(storeType))
    .toStream()
    .map((k, v) => KeyValue.pair(`${k.key}@${k.window.start}`, v))
    .to('out', Produced.with(S, L));
  return builder.build();
}

const rec = (timestamp: number) => ({ key: Buffer.from('a'), value: Buffer.from('v'), timestamp });

describe('windowed count: crash under at_least_once, then restore', () => {
  for (const storeType of ['rocksdb', 'in_memory'] as const) {
    for (const dir of ['same', 'fresh'] as const) {
      it(`${storeType} store, takeover on a ${dir} state dir: the window at 0 ends at 9 or more, the replayed records are counted again, none dropped`, async () => {
        const cluster = h.cluster();
        await cluster.createTopic('in', { partitions: 1 });
        await cluster.createTopic('out', { partitions: 1 });
        const stateDir = tempStateDir('win-a');
        const committed = () => cluster.describeGroup('win')?.offsets.get(tpKey('in', 0)) ?? 0;
        let processed = 0;
        let crashed = false;
        const app1: KafkaStreams = h.app(
          windowedCount(storeType, () => processed++),
          {
            applicationId: 'win',
            cluster,
            stateDir,
            commitIntervalMs: 50,
            // crash once the 10 records are processed and their output and changelog records flushed, before the offsets commit
            commitStepHook: async (step) => {
              if (step === 'commit-offsets' && processed === 10 && !crashed) {
                crashed = true;
                await h.crash(cluster, app1);
              }
            },
          },
        );
        await app1.start();
        await cluster.produce('in', [0, 1_000, 2_000, 3_000, 4_000].map(rec));
        await waitFor(() => committed() === 5, 10_000, 'the first 5 records committed');
        await cluster.produce('in', [5_000, 6_000, 7_000, 8_000, 25_000].map(rec));
        await waitFor(() => crashed, 10_000, 'the crash');
        const before = (await countSequences(cluster, 'out', 'read_uncommitted')).get('a@0')!;
        expect(before[before.length - 1]).toBe(9);

        const app2 = h.app(windowedCount(storeType), { applicationId: 'win', cluster, stateDir: dir === 'same' ? stateDir : tempStateDir('win-b'), commitIntervalMs: 50 });
        await app2.start();
        await waitFor(() => committed() === 10, 10_000, 'the replayed records committed');
        const seqs = await countSequences(cluster, 'out', 'read_uncommitted');
        const window0 = seqs.get('a@0')!;
        expect(window0[window0.length - 1]).toBeGreaterThanOrEqual(9);
        // the window at 20 s: its record was processed twice (at-least-once), never lost
        expect(seqs.get('a@20000')![seqs.get('a@20000')!.length - 1]).toBeGreaterThanOrEqual(1);
        expect((await app2.metrics()).droppedLateRecords).toBe(0);
      });
    }
  }
});

describe('windowed count: a failed output send under at_least_once, then the task is revived', () => {
  for (const storeType of ['rocksdb', 'in_memory'] as const) {
    it(`${storeType} store: no window loses its count, although the changelog already holds a later window`, async () => {
      const cluster = h.cluster();
      await cluster.createTopic('in', { partitions: 1 });
      await cluster.createTopic('out', { partitions: 1 });
      const committed = () => cluster.describeGroup('win')?.offsets.get(tpKey('in', 0)) ?? 0;
      let processed = 0;
      const app = h.app(
        windowedCount(storeType, () => processed++),
        { applicationId: 'win', cluster, stateDir: tempStateDir('win-send'), commitIntervalMs: 50 },
      );
      await app.start();
      await cluster.produce('in', [0, 1_000, 2_000, 3_000, 4_000].map(rec));
      await waitFor(() => committed() === 5, 10_000, 'the first 5 records committed');
      await cluster.produce('in', [5_000, 6_000, 7_000].map(rec));
      await waitFor(async () => (await cluster.readAll('out')).length === 8, 10_000, 'a@0=8 written');
      // the send of a@0=9 (the window's last update) fails; the record at 25 s is processed in the same round, so its
      // changelog write (window 20 s) is acknowledged before the failure is seen
      cluster.faults.failNextSends('out', 1);
      await cluster.produce('in', [8_000, 25_000].map(rec));
      await waitFor(() => committed() === 10, 10_000, 'the replayed records committed');
      expect(processed).toBeGreaterThan(10); // the task was revived and reprocessed from the committed offsets
      const out = await lastOutputs(cluster, 0);
      // at_least_once: duplicates are allowed, losses are not
      expect(out.get('a@0')).toBeGreaterThanOrEqual(9);
      expect(out.get('a@20000')).toBeGreaterThanOrEqual(1);
    });
  }
});

describe('windowed count: a window purged at a commit stays closed after a crash under at_least_once', () => {
  for (const storeType of ['rocksdb', 'in_memory'] as const) {
    it(`${storeType} store: a replayed late record does not re-create the purged window from empty`, async () => {
      const cluster = h.cluster();
      await cluster.createTopic('in', { partitions: 1 });
      await cluster.createTopic('out', { partitions: 1 });
      const committed = () => cluster.describeGroup('win')?.offsets.get(tpKey('in', 0)) ?? 0;
      let processed = 0;
      let crashed = false;
      const app1: KafkaStreams = h.app(
        windowedCount(storeType, () => processed++),
        {
          applicationId: 'win',
          cluster,
          stateDir: tempStateDir('win-a'),
          commitIntervalMs: 50,
          // the flush of this commit purges the window at 0 (expired on the clock committed with the record at 25 s)
          commitStepHook: async (step) => {
            if (step === 'commit-offsets' && processed === 7 && !crashed) {
              crashed = true;
              await h.crash(cluster, app1);
            }
          },
        },
      );
      await app1.start();
      await cluster.produce('in', [0, 1_000, 2_000, 3_000, 4_000].map(rec));
      await waitFor(() => committed() === 5, 10_000, 'the first 5 records committed');
      await cluster.produce('in', [rec(25_000)]);
      await waitFor(() => committed() === 6, 10_000, 'the record at 25 s committed');
      await cluster.produce('in', [rec(5_000)]); // late: the window at 0 closed at 10 s
      await waitFor(() => crashed, 10_000, 'the crash');

      const app2 = h.app(windowedCount(storeType), { applicationId: 'win', cluster, stateDir: tempStateDir('win-b'), commitIntervalMs: 50 });
      await app2.start();
      await waitFor(() => committed() === 7, 10_000, 'the replayed record committed');
      expect((await lastOutputs(cluster, 0)).get('a@0')).toBe(5);
      expect((await app2.metrics()).droppedLateRecords).toBe(1);
    });
  }
});

type Kind = 'session' | 'sliding';

/** A session (gap 5 s) or sliding (10 s) count without grace or cache; out as `key@start-end` = count (null = removed). */
function windowedAggregate(kind: Kind, onRecord: () => void = () => {}): Topology {
  const builder = new StreamsBuilder();
  const grouped = builder
    .stream<string, string>('in', Consumed.with(S, S))
    .peek(() => onRecord())
    .groupByKey();
  const m = Materialized.as<string, number>('wcounts').withCachingDisabled();
  const table = kind === 'session' ? grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5_000)).count(m) : grouped.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10_000)).count(m);
  table
    .toStream()
    .map((k, v) => KeyValue.pair(`${k.key}@${k.window.start}-${k.window.end}`, v))
    .to('out', Produced.with(S, L));
  return builder.build();
}

/** What the store holds for the window or session named by an output key `a@start-end` (null: nothing). */
async function stored(app: KafkaStreams, kind: Kind, outKey: string): Promise<number | null> {
  const [key, range] = outKey.split('@') as [string, string];
  const [start, end] = range.split('-').map(Number) as [number, number];
  if (kind === 'session') return app.store({ storeName: 'wcounts', type: QueryableStoreTypes.sessionStore<string, number>() }).fetchSession(key, start, end);
  return app.store({ storeName: 'wcounts', type: QueryableStoreTypes.windowStore<string, number>() }).fetch(key, start);
}

/** Last output value per key among the output records from index `from` on (one partition: offset order). */
async function lastOutputs(cluster: EmbeddedKafkaCluster, from: number): Promise<Map<string, number | null>> {
  const out = new Map<string, number | null>();
  for (const r of (await cluster.readAll('out')).slice(from)) out.set(r.key!.toString(), r.value === null ? null : (L.deserialize('out', r.value) as number));
  return out;
}

describe('session and sliding counts: crash under at_least_once, then restore', () => {
  for (const kind of ['session', 'sliding'] as const) {
    it(`${kind}: no window or session count falls after the takeover, the replayed records are counted again`, async () => {
      const cluster = h.cluster();
      await cluster.createTopic('in', { partitions: 1 });
      await cluster.createTopic('out', { partitions: 1 });
      const committed = () => cluster.describeGroup('win')?.offsets.get(tpKey('in', 0)) ?? 0;
      let processed = 0;
      let crashed = false;
      const app1: KafkaStreams = h.app(windowedAggregate(kind, () => processed++), {
        applicationId: 'win',
        cluster,
        stateDir: tempStateDir('win-a'),
        commitIntervalMs: 50,
        commitStepHook: async (step) => {
          if (step === 'commit-offsets' && processed === 10 && !crashed) {
            crashed = true;
            await h.crash(cluster, app1);
          }
        },
      });
      await app1.start();
      const base = 100_000;
      await cluster.produce('in', [0, 1_000, 2_000, 3_000, 4_000].map((t) => rec(base + t)));
      await waitFor(() => committed() === 5, 10_000, 'the first 5 records committed');
      // the record at +30 s moves the restored store's clock past the windows / session of the other records
      await cluster.produce('in', [5_000, 6_000, 7_000, 8_000, 30_000].map((t) => rec(base + t)));
      await waitFor(() => crashed, 10_000, 'the crash');
      const before = await lastOutputs(cluster, 0);

      const app2 = h.app(windowedAggregate(kind), { applicationId: 'win', cluster, stateDir: tempStateDir('win-b'), commitIntervalMs: 50 });
      await app2.start();
      await waitFor(() => committed() === 10, 10_000, 'the replayed records committed');
      const after = await lastOutputs(cluster, 0);
      // at_least_once: each window or session ends at its count before the crash or more (duplicates), never less
      for (const [key, value] of before) if (value !== null) expect(after.get(key), `final count of ${key}`).toBeGreaterThanOrEqual(value);
      expect((await app2.metrics()).droppedLateRecords).toBe(0);
      // an update is forwarded only if stored: the newest windows (the store has not expired them) hold what was forwarded
      const newest = [...after].filter(([key]) => Number(key.split('-')[1]) >= base + 30_000);
      expect(newest.length).toBeGreaterThan(0);
      for (const [key, value] of newest) expect(await stored(app2, kind, key), `store content of ${key}`).toBe(value);
    });
  }
});
