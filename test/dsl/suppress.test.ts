import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BufferConfig,
  Consumed,
  KeyValue,
  Materialized,
  Produced,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  StreamsError,
  Suppressed,
  TimeWindows,
  TopologyError,
  TopologyTestDriver,
  WindowedSerdes,
  type Windowed,
} from '../../src/index.js';
import { timeWindowModel, windowedRecords } from '../property/window-models.js';

const S = Serdes.String();
const L = Serdes.Long();
const win = (key: string, start: number, end: number): Windowed<string> => ({ key, window: { start, end } });

describe('KTable.suppress', () => {
  it('untilWindowCloses emits each closed window once with its final value, never an intermediate one (property)', async () => {
    const shapes = fc.record({ size: fc.constantFrom(50, 100), advanceDiv: fc.constantFrom(1, 2), grace: fc.constantFrom(0, 40, 150) });
    await fc.assert(
      fc.asyncProperty(shapes, windowedRecords({ maxStep: 60, maxJitter: 80, lateBy: { min: 200, max: 600 } }), async ({ size, advanceDiv, grace }, records) => {
        const advance = size / advanceDiv;
        const builder = new StreamsBuilder();
        builder
          .stream('in', Consumed.with(S, L))
          .groupByKey()
          .windowedBy(TimeWindows.ofSizeAndGrace(size, grace).advanceBy(advance))
          .aggregate(() => 0, (_k, v, agg: number) => agg + v, Materialized.with(S, L))
          .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
          .toStream()
          .to('out', Produced.with(WindowedSerdes.timeWindowedSerdeFrom(S, size), L));
        const driver = new TopologyTestDriver(builder.build(), { applicationId: 'sup' });
        const input = driver.createInputTopic('in', S, L);
        for (const r of records) await input.pipeInput(r.key, r.value, r.timestamp);
        const out = (await driver.createOutputTopic('out', WindowedSerdes.timeWindowedSerdeFrom(S, size), L).readKeyValuesToList()).map((kv) => ({
          key: kv.key!.key,
          start: kv.key!.window.start,
          value: kv.value,
        }));
        const streamTime = Math.max(-1, ...records.map((r) => r.timestamp));
        const model = timeWindowModel(records, size, advance, grace);
        const expected = [...model.table.values()]
          .filter((w) => w.end + grace <= streamTime)
          .map((w) => ({ key: w.key, start: w.start, value: w.value }));
        const order = (a: { key: string; start: number }, b: { key: string; start: number }) => a.start - b.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
        expect([...out].sort(order)).toEqual(expected.sort(order));
        // emitted in window-end order
        expect(out.map((o) => o.start)).toEqual([...out.map((o) => o.start)].sort((a, b) => a - b));
        await driver.close();
      }),
      { numRuns: 60, seed: 11 },
    );
  });

  it('untilWindowCloses on session windows waits for end + gap + grace and drops deleted (merged) sessions', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 2))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .to('out', Produced.with(WindowedSerdes.sessionWindowedSerdeFrom(S), L));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'ssup' });
    const input = driver.createInputTopic('in', S, S);
    const out = driver.createOutputTopic('out', WindowedSerdes.sessionWindowedSerdeFrom(S), L);
    await input.pipeInput('a', 'x', 1);
    await input.pipeInput('a', 'x', 4); // [1,1] merged into [1,4]
    await input.pipeInput('b', 'x', 10);
    expect(await out.readKeyValuesToList()).toEqual([]); // [1,4] final once stream time >= 4 + 5 + 2
    await input.pipeInput('b', 'x', 11);
    expect(await out.readKeyValuesToList()).toEqual([KeyValue.pair(win('a', 1, 4), 2)]);
    await driver.close();
  });

  it('untilTimeLimit emits the latest value of a key once the limit of stream time passed since its first buffered update', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .count()
      .suppress(Suppressed.untilTimeLimit(10, BufferConfig.maxRecords(100)))
      .toStream()
      .to('out', Produced.with(S, L));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'tl' });
    const input = driver.createInputTopic('in', S, S);
    const out = driver.createOutputTopic('out', S, L);
    await input.pipeInput('a', 'x', 0);
    await input.pipeInput('a', 'x', 5);
    await input.pipeInput('b', 'x', 9);
    expect(await out.readKeyValuesToList()).toEqual([]);
    await input.pipeInput('b', 'x', 10); // a's first buffered update was at 0: 0 + 10 <= 10
    expect(await out.readRecordsToList()).toEqual([{ key: 'a', value: 2, timestamp: 5, headers: {} }]);
    await input.pipeInput('c', 'x', 19);
    expect(await out.readKeyValuesToList()).toEqual([KeyValue.pair('b', 2)]);
    await driver.close();
  });

  it('a bounded buffer emits its oldest entries early when full (emitEarlyWhenFull, the default)', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .count()
      .suppress(Suppressed.untilTimeLimit(1000, BufferConfig.maxRecords(2)))
      .toStream()
      .to('out', Produced.with(S, L));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'early' });
    const input = driver.createInputTopic('in', S, S);
    await input.pipeInput('a', 'x', 1);
    await input.pipeInput('b', 'x', 2);
    await input.pipeInput('a', 'x', 3); // still two keys
    expect(await driver.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([]);
    await input.pipeInput('c', 'x', 4); // three keys: the oldest (a) leaves early with its latest value
    expect(await driver.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([KeyValue.pair('a', 2)]);
    await driver.close();
  });

  it('shutDownWhenFull fails processing instead of emitting early', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .count()
      .suppress(Suppressed.untilTimeLimit(1000, BufferConfig.maxRecords(1).shutDownWhenFull()))
      .toStream()
      .to('out', Produced.with(S, L));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'full' });
    const input = driver.createInputTopic('in', S, S);
    await input.pipeInput('a', 'x', 1);
    let failure: unknown;
    try {
      await input.pipeInput('b', 'x', 2);
    } catch (e) {
      failure = e;
    }
    expect(failure).toBeInstanceOf(StreamsError);
    expect((failure as StreamsError).message).toMatch(/exceeded its max capacity: 2\/1 records/);
  });

  it('rejects untilWindowCloses on a table that is not windowed, and with a buffer that would emit early', () => {
    const table = new StreamsBuilder().stream('in', Consumed.with(S, S)).groupByKey().count();
    expect(() => table.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))).toThrow(TopologyError);
    expect(() => table.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))).toThrow(/only defined for windowed tables/);
    expect(() => Suppressed.untilWindowCloses(BufferConfig.maxRecords(5))).toThrow(/strict buffer config/);
    expect(() => Suppressed.untilWindowCloses(BufferConfig.maxRecords(5).shutDownWhenFull())).not.toThrow();
    expect(() => Suppressed.untilTimeLimit(-1, BufferConfig.unbounded())).toThrow(TopologyError);
    // the name is part of the buffer's changelog topic name
    expect(() => Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('final counts')).toThrow(/Name 'final counts' is illegal/);
  });

  it('records that become final at once leave by buffer time, then by serialized key (Kafka order), not by arrival', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 20))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .to('out', Produced.with(WindowedSerdes.timeWindowedSerdeFrom(S, 10), L));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'order' });
    const input = driver.createInputTopic('in', S, S);
    for (const [key, ts] of [['c', 1], ['a', 12], ['b', 2], ['c', 13], ['a', 3], ['b', 14], ['a', 4]] as const) await input.pipeInput(key, 'x', ts);
    await input.pipeInput('z', 'x', 40); // closes [0,10) (at 30) and [10,20) (at 40) at once
    const out = await driver.createOutputTopic('out', WindowedSerdes.timeWindowedSerdeFrom(S, 10), L).readKeyValuesToList();
    expect(out.map((kv) => `${kv.key!.key}@${kv.key!.window.start}=${kv.value}`)).toEqual(['a@0=2', 'b@0=1', 'c@0=1', 'a@10=1', 'b@10=1', 'c@10=1']);
    await driver.close();
  });

  it('untilTimeLimit: keys buffered at the same time leave by serialized key', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .count()
      .suppress(Suppressed.untilTimeLimit(5, BufferConfig.unbounded()))
      .toStream()
      .to('out', Produced.with(S, L));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'order-tl' });
    const input = driver.createInputTopic('in', S, S);
    for (const key of ['q', 'b', 'x', 'a']) await input.pipeInput(key, 'x', 7);
    await input.pipeInput('z', 'x', 12);
    expect((await driver.createOutputTopic('out', S, L).readKeyValuesToList()).map((kv) => kv.key)).toEqual(['a', 'b', 'q', 'x']);
    await driver.close();
  });

  it('a windowed table without serdes: the buffer wraps the default key serde in the windowed serde (time and session windows)', async () => {
    const builder = new StreamsBuilder();
    const grouped = builder.stream<string, string>('in').groupByKey();
    grouped
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .map((k, v) => KeyValue.pair(`time ${k.key}@${k.window.start}-${k.window.end}`, v))
      .to('out', Produced.with(S, L));
    grouped
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .map((k, v) => KeyValue.pair(`session ${k.key}@${k.window.start}-${k.window.end}`, v))
      .to('out', Produced.with(S, L));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'defaults', defaultKeySerde: S, defaultValueSerde: S });
    const input = driver.createInputTopic('in', S, S);
    await input.pipeInput('a', 'x', 1);
    await input.pipeInput('a', 'x', 3);
    await input.pipeInput('b', 'x', 30);
    expect(await driver.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([KeyValue.pair('time a@0-10', 2), KeyValue.pair('session a@1-3', 2)]);
    await driver.close();
  });

  it('describe(): the suppress node is KTABLE-SUPPRESS-<index> (or its withName name) after the windowed aggregation', () => {
    const builder = new StreamsBuilder();
    const windowed = builder.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10)).count();
    windowed.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())).toStream().to('out');
    windowed.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('final-counts'));
    const text = builder.build().describe().toString();
    expect(text).toContain('Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])');
    expect(text).toContain('--> KTABLE-SUPPRESS-0000000003, final-counts');
    // the buffer is a store, as in Kafka Streams: KTABLE-SUPPRESS-STATE-STORE-<index>, or <name>-store when named
    expect(text).toContain('Processor: KTABLE-SUPPRESS-0000000003 (stores: [KTABLE-SUPPRESS-STATE-STORE-0000000004])');
    expect(text).toContain('Processor: final-counts (stores: [final-counts-store])');
    expect(text).toContain('Processor: KTABLE-TOSTREAM-0000000005');
  });
});
