import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Consumed,
  Grouped,
  Materialized,
  Produced,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  TimeWindows,
  TopologyTestDriver,
  WindowedSerdes,
  toArray,
  type SessionStore,
  type WindowStore,
  type Windowed,
} from '../../src/index.js';
import { sessionClusters, sessionWindowModel, slidingWindowModel, timeWindowModel, windowedRecords, type In } from './window-models.js';

/**
 * Windowed aggregations on the test driver against the plain models of window-models.ts, with out-of-order and
 * late records: emitted updates (in order, with windowed keys read through WindowedSerdes), late-drop counts
 * and the final window/session store contents (only windows still within retention).
 */

const S = Serdes.String();
const L = Serdes.Long();
const sum = (_k: string, v: number, agg: number) => agg + v;

async function run(records: In[], build: (b: StreamsBuilder) => void, outKeySerde: ReturnType<typeof WindowedSerdes.timeWindowedSerdeFrom<string>>, cacheBytes = 0) {
  const builder = new StreamsBuilder();
  build(builder);
  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'wprop', cacheMaxBytesBuffering: cacheBytes });
  const input = driver.createInputTopic('in', S, L);
  for (const r of records) await input.pipeInput(r.key, r.value, r.timestamp);
  const out = await driver.createOutputTopic('out', outKeySerde, L).readRecordsToList();
  return { driver, out };
}

const asOut = (r: { key: Windowed<string> | null; value: number | null; timestamp: number }) => ({
  key: r.key!.key,
  start: r.key!.window.start,
  end: r.key!.window.end,
  value: r.value,
  timestamp: r.timestamp,
});
const sortKey = (a: { key: string; start: number }, b: { key: string; start: number }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.start - b.start);

describe('windowed aggregations against reference models', () => {
  it('tumbling and hopping windows: every update, late drops per closed window, and the window store', async () => {
    const shapes = fc.record({
      size: fc.constantFrom(50, 100, 250),
      advanceDiv: fc.constantFrom(1, 2, 5),
      grace: fc.constantFrom(0, 30, 120),
      storeType: fc.constantFrom('in_memory' as const, 'rocksdb' as const),
      // a record cache (tiny: entries are also written down by eviction) forwards the same updates, deduplicated per commit
      cacheBytes: fc.constantFrom(0, 300, 100_000),
    });
    await fc.assert(
      fc.asyncProperty(shapes, windowedRecords({ maxStep: 60, maxJitter: 80, lateBy: { min: 200, max: 600 } }), async (shape, records) => {
        const { size, grace } = shape;
        const advance = size / shape.advanceDiv;
        const windows = advance === size ? TimeWindows.ofSizeAndGrace(size, grace) : TimeWindows.ofSizeAndGrace(size, grace).advanceBy(advance);
        const { driver, out } = await run(
          records,
          (b) =>
            b
              .stream('in', Consumed.with(S, L))
              .groupByKey(Grouped.with(S, L))
              .windowedBy(windows)
              .aggregate(() => 0, sum, Materialized.as<string, number>('w').withValueSerde(L).withStoreType(shape.storeType))
              .toStream()
              .to('out', Produced.with(WindowedSerdes.timeWindowedSerdeFrom(S, size), L)),
          WindowedSerdes.timeWindowedSerdeFrom(S, size),
          shape.cacheBytes,
        );
        const model = timeWindowModel(records, size, advance, grace);
        expect(out.map(asOut)).toEqual(model.out);
        expect(driver.metrics().droppedLateRecords).toBe(model.dropped);
        const store = driver.getWindowStore<WindowStore<string, number>>('w');
        const stored = (await toArray(store.all())).map((e) => ({ key: e.key.key, start: e.key.window.start, end: e.key.window.end, value: e.value }));
        const maxStart = Math.max(-1, ...[...model.table.values()].map((w) => w.start));
        const retained = [...model.table.values()].filter((w) => w.start > maxStart - (size + grace)).map(({ timestamp: _t, ...w }) => w);
        expect(stored.sort(sortKey)).toEqual(retained.sort(sortKey));
        await driver.close();
      }),
      { numRuns: 60, seed: 4242 },
    );
  });

  it('sliding windows: the windows Kafka Streams creates (left and right windows of each record) with their sums', async () => {
    const shapes = fc.record({ d: fc.constantFrom(0, 40, 100, 300), grace: fc.constantFrom(80, 200) });
    await fc.assert(
      fc.asyncProperty(shapes, windowedRecords({ maxStep: 60, maxJitter: 80, lateBy: { min: 900, max: 1400 } }), async ({ d, grace }, records) => {
        const { driver, out } = await run(
          records,
          (b) =>
            b
              .stream('in', Consumed.with(S, L))
              .groupByKey()
              .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(d, grace))
              .aggregate(() => 0, sum, Materialized.as<string, number>('sl').withKeySerde(S).withValueSerde(L))
              .toStream()
              .to('out', Produced.with(WindowedSerdes.timeWindowedSerdeFrom(S, Math.max(1, d)), L)),
          WindowedSerdes.timeWindowedSerdeFrom(S, Math.max(1, d)),
        );
        const model = slidingWindowModel(records, d, grace);
        expect(driver.metrics().droppedLateRecords).toBe(model.dropped);
        // the last update of each window is the model's value
        const last = new Map<string, number | null>();
        for (const r of out) last.set(`${r.key!.key}@${r.key!.window.start}`, r.value);
        expect(new Map([...last].sort())).toEqual(new Map([...model.table].map(([k, w]) => [k, w.value] as [string, number]).sort()));
        const store = driver.getWindowStore<WindowStore<string, number>>('sl');
        const stored = (await toArray(store.all())).map((e) => ({ key: e.key.key, start: e.key.window.start, end: e.key.window.end, value: e.value }));
        const maxStart = Math.max(-1, ...[...model.table.values()].map((w) => w.start));
        const retained = [...model.table.values()].filter((w) => w.start > maxStart - (2 * d + grace)).map(({ timestamp: _t, ...w }) => w);
        expect(stored.sort(sortKey)).toEqual(retained.sort(sortKey));
        await driver.close();
      }),
      { numRuns: 80, seed: 7 },
    );
  });

  it('session windows: merges, tombstones of merged sessions, late drops and the session store', async () => {
    const shapes = fc.record({ gap: fc.constantFrom(20, 50, 150), grace: fc.constantFrom(0, 100) });
    await fc.assert(
      fc.asyncProperty(shapes, windowedRecords({ maxStep: 60, maxJitter: 80, lateBy: { min: 300, max: 900 } }), async ({ gap, grace }, records) => {
        const serde = WindowedSerdes.sessionWindowedSerdeFrom(S);
        const { driver, out } = await run(
          records,
          (b) =>
            b
              .stream('in', Consumed.with(S, L))
              .groupByKey()
              .windowedBy(SessionWindows.ofInactivityGapAndGrace(gap, grace))
              .aggregate(() => 0, sum, (_k, a, c) => a + c, Materialized.as<string, number>('ss').withKeySerde(S).withValueSerde(L))
              .toStream()
              .to('out', Produced.with(serde, L)),
          serde,
        );
        const model = sessionWindowModel(records, gap, grace);
        expect(out.map(asOut)).toEqual(model.out);
        expect(driver.metrics().droppedLateRecords).toBe(model.dropped);
        const store = driver.getSessionStore<SessionStore<string, number>>('ss');
        const maxEnd = Math.max(-1, ...[...model.sessions.values()].flat().map((s) => s.end));
        for (const key of ['a', 'b', 'c']) {
          const stored = (await toArray(store.fetch(key))).map((e) => ({ start: e.key.window.start, end: e.key.window.end, value: e.value }));
          const expected = (model.sessions.get(key) ?? []).filter((s) => s.end > maxEnd - (2 * gap + grace + 1)).sort((x, y) => x.end - y.end || x.start - y.start);
          expect(stored).toEqual(expected);
        }
        await driver.close();
      }),
      { numRuns: 80, seed: 99 },
    );
  });

  it('session windows without late records end up as the gap clusters of the records, whatever their order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(20, 50), windowedRecords({ maxStep: 60, maxJitter: 80 }), async (gap, records) => {
        const serde = WindowedSerdes.sessionWindowedSerdeFrom(S);
        const { driver } = await run(
          records,
          (b) =>
            b
              .stream('in', Consumed.with(S, L))
              .groupByKey()
              .windowedBy(SessionWindows.ofInactivityGapAndGrace(gap, 10_000))
              .aggregate(() => 0, sum, (_k, a, c) => a + c, Materialized.as<string, number>('ss').withKeySerde(S).withValueSerde(L).withRetention(1_000_000))
              .toStream()
              .to('out', Produced.with(serde, L)),
          serde,
        );
        const clusters = sessionClusters(records, gap);
        const store = driver.getSessionStore<SessionStore<string, number>>('ss');
        for (const key of ['a', 'b', 'c']) {
          const stored = (await toArray(store.fetch(key))).map((e) => ({ start: e.key.window.start, end: e.key.window.end, value: e.value }));
          expect(stored.sort((x, y) => x.start - y.start)).toEqual(clusters.get(key) ?? []);
        }
        expect(driver.metrics().droppedLateRecords).toBe(0);
        await driver.close();
      }),
      { numRuns: 60, seed: 5 },
    );
  });
});
