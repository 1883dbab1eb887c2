import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Consumed,
  EmitStrategy,
  Grouped,
  KeyValue,
  Materialized,
  Produced,
  Serdes,
  SessionWindows,
  SlidingWindows,
  Stores,
  StreamsBuilder,
  TimeWindows,
  TopologyError,
  TopologyTestDriver,
  WindowedSerdes,
  toArray,
  type WindowStore,
  type Windowed,
} from '../../src/index.js';

const S = Serdes.String();
const L = Serdes.Long();
const B = Serdes.Buffer();
const TW = (size: number) => WindowedSerdes.timeWindowedSerdeFrom(S, size);
const win = (key: string, start: number, end: number): Windowed<string> => ({ key, window: { start, end } });

describe('windowed aggregations (DSL)', () => {
  it('describe(): a windowed count is KSTREAM-AGGREGATE with KSTREAM-AGGREGATE-STATE-STORE, repartitioned after groupBy', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupBy((_k, v) => v, Grouped.with(S, S))
      .windowedBy(TimeWindows.ofSizeWithNoGrace(1000))
      .count()
      .toStream()
      .to('out', Produced.with(TW(1000), L));
    const text = builder.build().describe().toString();
    expect(text).toContain('Processor: KSTREAM-KEY-SELECT-0000000001');
    expect(text).toContain('Processor: KSTREAM-FILTER-0000000005');
    expect(text).toContain('Sink: KSTREAM-SINK-0000000004 (topic: KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition)');
    expect(text).toContain('Source: KSTREAM-SOURCE-0000000006 (topics: [KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition])');
    expect(text).toContain('Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])');
    expect(text).toContain('Processor: KTABLE-TOSTREAM-0000000007');
    expect(text).toContain('Sink: KSTREAM-SINK-0000000008 (topic: out)');
  });

  it('describe(): reduce on windows is KSTREAM-REDUCE, sessions and sliding windows as well', () => {
    const builder = new StreamsBuilder();
    const g = builder.stream('in', Consumed.with(S, L)).groupByKey();
    g.windowedBy(TimeWindows.ofSizeWithNoGrace(10)).reduce((a, b) => a + b);
    g.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10)).count();
    g.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10)).count();
    const text = builder.build().describe().toString();
    expect(text).toContain('Processor: KSTREAM-REDUCE-0000000002 (stores: [KSTREAM-REDUCE-STATE-STORE-0000000001])');
    expect(text).toContain('Processor: KSTREAM-AGGREGATE-0000000004 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000003])');
    expect(text).toContain('Processor: KSTREAM-AGGREGATE-0000000006 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000005])');
  });

  it('windowed keys reach the output topic in Kafka Streams TimeWindowedSerializer bytes ([key][8-byte start])', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(100)).count().toStream().to('out');
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'wk' });
    await driver.createInputTopic('in', S, S).pipeInput('k', 'x', 250);
    const [raw] = await driver.createOutputTopic('out', B, B).readRecordsToList();
    expect(raw!.key!.toString('hex')).toBe('6b' + '00000000000000c8');
    expect(L.deserialize('t', raw!.value)).toBe(1);
    expect(raw!.timestamp).toBe(250);
    await driver.close();
  });

  it('session windowed keys use SessionWindowedSerializer bytes ([key][8-byte end][8-byte start]); merged sessions are deleted', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10)).count().toStream().to('out');
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'sk' });
    const input = driver.createInputTopic('in', S, S);
    await input.pipeInput('k', 'x', 5);
    await input.pipeInput('k', 'x', 12);
    const out = driver.createOutputTopic('out', WindowedSerdes.sessionWindowedSerdeFrom(S), L);
    expect(await out.readRecordsToList()).toEqual([
      { key: win('k', 5, 5), value: 1, timestamp: 5, headers: {} },
      { key: win('k', 5, 5), value: null, timestamp: 5, headers: {} },
      { key: win('k', 5, 12), value: 2, timestamp: 12, headers: {} },
    ]);
    await driver.close();
  });

  it('grace: out-of-order records within grace count; later ones are dropped and counted in droppedLateRecords', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .count(Materialized.as('c'))
      .toStream()
      .to('out', Produced.with(TW(10), L));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'g' });
    const input = driver.createInputTopic('in', S, S);
    await input.pipeInput('a', 'x', 3);
    await input.pipeInput('a', 'x', 14); // stream time 14: [0,10) closes at 15
    await input.pipeInput('a', 'x', 8); // still within grace
    await input.pipeInput('a', 'x', 15); // stream time 15: [0,10) closed
    await input.pipeInput('a', 'x', 9); // late: dropped
    const out = await driver.createOutputTopic('out', TW(10), L).readKeyValuesToList();
    expect(out).toEqual([KeyValue.pair(win('a', 0, 10), 1), KeyValue.pair(win('a', 10, 20), 1), KeyValue.pair(win('a', 0, 10), 2), KeyValue.pair(win('a', 10, 20), 2)]);
    expect(driver.metrics().droppedLateRecords).toBe(1);
    expect(await driver.getWindowStore<WindowStore<string, number>>('c').fetch('a', 0)).toBe(2);
    await driver.close();
  });

  it('emitStrategy(onWindowClose) emits each time window once, with its final value, when it closes', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 2).advanceBy(5))
      .emitStrategy(EmitStrategy.onWindowClose())
      .count()
      .toStream()
      .to('out', Produced.with(TW(10), L));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'eowc' });
    const input = driver.createInputTopic('in', S, S);
    const out = driver.createOutputTopic('out', TW(10), L);
    await input.pipeInput('a', 'x', 1);
    await input.pipeInput('b', 'x', 7);
    await input.pipeInput('a', 'x', 11);
    expect(await out.readKeyValuesToList()).toEqual([]); // [0,10) closes at stream time 12
    await input.pipeInput('a', 'x', 12);
    expect(await out.readKeyValuesToList()).toEqual([KeyValue.pair(win('a', 0, 10), 1), KeyValue.pair(win('b', 0, 10), 1)]);
    await input.pipeInput('c', 'x', 30);
    // closed by stream time 30 - 2 (one jump): all remaining windows of a and b, in store (key, start) order
    expect(await out.readKeyValuesToList()).toEqual([
      KeyValue.pair(win('a', 5, 15), 2),
      KeyValue.pair(win('a', 10, 20), 2),
      KeyValue.pair(win('b', 5, 15), 1),
    ]);
    expect(await driver.getWindowStore<WindowStore<string, number>>('KSTREAM-AGGREGATE-STATE-STORE-0000000001').fetch('c', 30)).toBe(1);
    await driver.close();
  });

  it('emitStrategy(onWindowClose) on sessions emits a session once stream time passes its end + gap + grace', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5))
      .emitStrategy(EmitStrategy.onWindowClose())
      .count()
      .toStream()
      .to('out', Produced.with(WindowedSerdes.sessionWindowedSerdeFrom(S), L));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'seowc' });
    const input = driver.createInputTopic('in', S, S);
    const out = driver.createOutputTopic('out', WindowedSerdes.sessionWindowedSerdeFrom(S), L);
    await input.pipeInput('a', 'x', 1);
    await input.pipeInput('a', 'x', 4);
    await input.pipeInput('b', 'x', 9); // session [1,4] closes when stream time > 4 + 5
    expect(await out.readKeyValuesToList()).toEqual([]);
    await input.pipeInput('b', 'x', 10);
    expect(await out.readKeyValuesToList()).toEqual([KeyValue.pair(win('a', 1, 4), 2)]);
    await driver.close();
  });

  it('emitStrategy(onWindowClose) on sliding windows emits each window once after its (inclusive) end + grace', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10))
      .emitStrategy(EmitStrategy.onWindowClose())
      .count()
      .toStream()
      .to('out', Produced.with(TW(10), L));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'sleowc' });
    const input = driver.createInputTopic('in', S, S);
    const out = driver.createOutputTopic('out', TW(10), L);
    await input.pipeInput('a', 'x', 20); // left window [10,20]
    await input.pipeInput('a', 'x', 25); // [15,25], and a's right window [21,31]
    await input.pipeInput('a', 'x', 21); // stream time 25: [10,20] closed (stream time > 20)
    expect(await out.readKeyValuesToList()).toEqual([KeyValue.pair(win('a', 10, 20), 1)]);
    await input.pipeInput('b', 'x', 100);
    // a@21's own left window [11,21] was already closed at stream time 25: counted as a late drop
    expect(driver.metrics().droppedLateRecords).toBe(1);
    expect(await out.readKeyValuesToList()).toEqual([
      KeyValue.pair(win('a', 15, 25), 3),
      KeyValue.pair(win('a', 21, 31), 2),
      KeyValue.pair(win('a', 22, 32), 1),
    ]);
    await driver.close();
  });

  it('rejects a retention shorter than the windows need, and key-value store suppliers', () => {
    const g = new StreamsBuilder().stream('in', Consumed.with(S, S)).groupByKey();
    expect(() => g.windowedBy(TimeWindows.ofSizeAndGrace(100, 50)).count(Materialized.as<string, number>('w').withRetention(120))).toThrow(
      /The retention period of the window store w must be no smaller than its window size plus the grace period \(size=\[100\], grace=\[50\]\)/,
    );
    expect(() => g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5)).count(Materialized.as<string, number>('s').withRetention(20))).toThrow(TopologyError);
    expect(() => g.windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 5)).count(Materialized.as<string, number>('ss').withRetention(14))).toThrow(
      /session store ss must be no smaller than the session inactivity gap plus the grace period/,
    );
    expect(() => g.windowedBy(TimeWindows.ofSizeWithNoGrace(10)).count(Materialized.as(Stores.inMemoryKeyValueStore('kv')))).toThrow(/cannot hold a windowed aggregation/);
  });

  it('runs on a real RocksDB window store (asynchronous reads), and the store keeps the windows', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'sluice-windowed-'));
    try {
      const builder = new StreamsBuilder();
      const g = builder.stream('in', Consumed.with(S, L)).groupByKey();
      g.windowedBy(TimeWindows.ofSizeAndGrace(10, 20).advanceBy(5)).reduce((a, b) => a + b, Materialized.as('hop')).toStream().to('hop-out', Produced.with(TW(10), L));
      g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 100)).count(Materialized.as('sl'));
      g.windowedBy(SessionWindows.ofInactivityGapAndGrace(3, 100)).reduce((a, b) => a + b, Materialized.as('se'));
      const driver = new TopologyTestDriver(builder.build(), { applicationId: 'rocks', stateDir, cacheMaxBytesBuffering: 1024 * 1024 });
      const input = driver.createInputTopic('in', S, L);
      for (const [t, v] of [[1, 1], [6, 2], [4, 4], [12, 8]] as const) await input.pipeInput('k', v, t);
      const hop = driver.getWindowStore<WindowStore<string, number>>('hop');
      expect(await toArray(hop.fetch('k', 0, 20))).toEqual([
        { key: 0, value: 7 },
        { key: 5, value: 10 },
        { key: 10, value: 8 },
      ]);
      expect(await toArray(driver.getSessionStore('se').fetch('k'))).toEqual([
        { key: win('k', 1, 6), value: 7 },
        { key: win('k', 12, 12), value: 8 },
      ]);
      const sliding = new Map((await toArray(driver.getWindowStore<WindowStore<string, number>>('sl').fetchAll(0, 100))).map((e) => [e.key.window.start, e.value]));
      // left windows [0,10] (early records 1, 4, 6), [2,12]; right windows of 1, 4, 6: [2,12], [5,15], [7,17]
      expect(sliding).toEqual(new Map([[0, 3], [2, 3], [5, 2], [7, 1]]));
      const updates = await driver.createOutputTopic('hop-out', TW(10), L).readKeyValuesToList();
      expect(updates.filter((u) => u.key!.window.start === 0).map((u) => u.value)).toEqual([1, 3, 7]);
      await driver.close();
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
