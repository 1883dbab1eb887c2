/**
 * Windowed aggregates after a crash under at_least_once (issue 8, finding 8). Window [0, 10 s), retention size +
 * grace (no grace): 5 records are committed, 4 more and one at 25 s are processed (output and changelog written),
 * then the instance crashes before committing. The instance that takes over restores the changelog, whose window
 * at 20 s moves the store's observed time to 20 s: the window at 0 is past its retention. The 4 replayed records
 * belong to a window that has closed (on the time the state has seen), so they are dropped and counted as late,
 * never re-aggregated from an empty window (which forwarded a@0=1 although the store skipped the write).
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
      it(`${storeType} store, takeover on a ${dir} state dir: the window at 0 ends at 9 or more, replayed late records are dropped and counted`, async () => {
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
        expect((await app2.metrics()).droppedLateRecords).toBe(4);
      });
    }
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
    it(`${kind}: every update forwarded after the takeover is what the store holds (late replayed records dropped and counted)`, async () => {
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
      const outputsBefore = (await cluster.readAll('out')).length;

      const app2 = h.app(windowedAggregate(kind), { applicationId: 'win', cluster, stateDir: tempStateDir('win-b'), commitIntervalMs: 50 });
      await app2.start();
      await waitFor(() => committed() === 10, 10_000, 'the replayed records committed');
      const after = await lastOutputs(cluster, outputsBefore);
      expect(after.size).toBeGreaterThan(0);
      for (const [key, value] of after) expect(await stored(app2, kind, key), `store content of ${key}`).toBe(value);
      expect((await app2.metrics()).droppedLateRecords).toBeGreaterThan(0);
    });
  }
});
