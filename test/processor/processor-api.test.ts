import { describe, expect, it } from 'vitest';
import {
  Consumed,
  IllegalStateError,
  Produced,
  PunctuationType,
  Repartitioned,
  Serdes,
  Stores,
  StreamsBuilder,
  Topology,
  TopologyError,
  TopologyTestDriver,
  type Cancellable,
  type FixedKeyProcessorSupplier,
  type KeyValueStore,
  type ProcessorContext,
  type ProcessorSupplier,
  type Record,
  type RecordMetadata,
} from '../../src/index.js';

const S = Serdes.String();
const L = Serdes.Long();
const io = { keySerde: S, valueSerde: L };

/** A processor supplier from a process function that gets the context. */
function proc<KIn, VIn, KOut = KIn, VOut = VIn>(
  process: (ctx: ProcessorContext<KOut, VOut>, r: Record<KIn, VIn>) => void | Promise<void>,
  init?: (ctx: ProcessorContext<KOut, VOut>) => void,
): ProcessorSupplier<KIn, VIn, KOut, VOut> {
  return () => {
    let ctx!: ProcessorContext<KOut, VOut>;
    return {
      init(c) {
        ctx = c;
        init?.(c);
      },
      process: (r) => process(ctx, r),
    };
  };
}

describe('Topology (Processor API builder) on the test driver', () => {
  it('addSource -> addProcessor -> addSink chains and runs', async () => {
    const topology = new Topology()
      .addSource('src', 'in', io)
      .addProcessor('double', proc<string, number>((ctx, r) => ctx.forward({ ...r, value: r.value * 2 })), 'src')
      .addSink('sink', 'out', io, 'double');
    expect(topology.describe().subtopologies[0]!.nodes.map((n) => n.name)).toEqual(['src', 'double', 'sink']);
    const driver = new TopologyTestDriver(topology, { applicationId: 'papi' });
    const input = driver.createInputTopic('in', S, L);
    await input.pipeInput('a', 1, 10);
    await input.pipeInput('b', 21, 20);
    expect(driver.createOutputTopic('out', S, L).readRecordsToList()).toEqual([
      { key: 'a', value: 2, timestamp: 10, headers: {} },
      { key: 'b', value: 42, timestamp: 20, headers: {} },
    ]);
    await driver.close();
  });

  it('forward() goes to all children in order, or only to the named child', async () => {
    const router = proc<string, number>((ctx, r) => {
      if (r.key === 'all') ctx.forward(r);
      else ctx.forward(r, r.key === 'even' ? 'to-even' : 'to-odd');
    });
    const topology = new Topology()
      .addSource('src', 'in', io)
      .addProcessor('router', router, 'src')
      .addSink('to-even', 'even', io, 'router')
      .addSink('to-odd', 'odd', io, 'router');
    const driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('in', S, L);
    await input.pipeInput('even', 2, 1);
    await input.pipeInput('odd', 3, 2);
    await input.pipeInput('all', 4, 3);
    expect(driver.createOutputTopic('even', S, L).readKeyValuesToList()).toEqual([
      { key: 'even', value: 2 },
      { key: 'all', value: 4 },
    ]);
    expect(driver.createOutputTopic('odd', S, L).readKeyValuesToList()).toEqual([
      { key: 'odd', value: 3 },
      { key: 'all', value: 4 },
    ]);
  });

  it('forward() to a node that is not a child is a TopologyError listing the children', async () => {
    const topology = new Topology()
      .addSource('src', 'in', io)
      .addProcessor('p', proc<string, number>((ctx, r) => ctx.forward(r, 'nope')), 'src')
      .addSink('sink', 'out', io, 'p');
    const driver = new TopologyTestDriver(topology);
    let caught: unknown;
    try {
      await driver.createInputTopic('in', S, L).pipeInput('k', 1, 1);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TopologyError);
    expect((caught as Error).message).toBe("Processor 'p' forwarded to 'nope', which is not one of its children (sink).");
  });

  it('ProcessorContext: applicationId, taskId, recordMetadata(), currentStreamTimeMs(), currentSystemTimeMs()', async () => {
    const seen: { meta: RecordMetadata | undefined; streamTime: number; system: number; app: string; task: string }[] = [];
    const topology = new Topology()
      .addSource('src', ['in-a', 'in-b'], io)
      .addProcessor(
        'p',
        proc<string, number>((ctx, r) => {
          seen.push({ meta: ctx.recordMetadata(), streamTime: ctx.currentStreamTimeMs(), system: ctx.currentSystemTimeMs(), app: ctx.applicationId, task: ctx.taskId });
          ctx.forward(r);
        }),
        'src',
      )
      .addSink('sink', 'out', io, 'p');
    const driver = new TopologyTestDriver(topology, { applicationId: 'ctx-app' }, 5_000);
    const a = driver.createInputTopic('in-a', S, L);
    const b = driver.createInputTopic('in-b', S, L);
    await a.pipeInput('k', 1, 100);
    await a.pipeInput('k', 2, 50); // out of order: stream time stays at 100
    await b.pipeInput('k', 3, 300);
    await driver.advanceWallClockTime(25);
    await a.pipeInput('k', 4, 200);
    expect(seen).toEqual([
      { meta: { topic: 'in-a', partition: 0, offset: 0 }, streamTime: 100, system: 5_000, app: 'ctx-app', task: '0_0' },
      { meta: { topic: 'in-a', partition: 0, offset: 1 }, streamTime: 100, system: 5_000, app: 'ctx-app', task: '0_0' },
      { meta: { topic: 'in-b', partition: 0, offset: 0 }, streamTime: 300, system: 5_000, app: 'ctx-app', task: '0_0' },
      { meta: { topic: 'in-a', partition: 0, offset: 2 }, streamTime: 300, system: 5_025, app: 'ctx-app', task: '0_0' },
    ]);
  });

  it('init() runs once per task before records, close() when the driver closes', async () => {
    const events: string[] = [];
    const topology = new Topology()
      .addSource('src', 'in', io)
      .addProcessor(
        'p',
        () => ({
          init: () => void events.push('init'),
          process: (r: Record<string, number>) => void events.push(`process ${r.value}`),
          close: () => void events.push('close'),
        }),
        'src',
      );
    const driver = new TopologyTestDriver(topology);
    await driver.createInputTopic('in', S, L).pipeInput('k', 1, 1);
    expect(events).toEqual(['init', 'process 1']);
    await driver.close();
    expect(events).toEqual(['init', 'process 1', 'close']);
  });

  it('an async process() finishes (and its forwards arrive) before pipeInput resolves', async () => {
    const topology = new Topology()
      .addSource('src', 'in', io)
      .addProcessor(
        'async',
        proc<string, number>(async (ctx, r) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          await ctx.forward({ ...r, value: r.value + 1 });
          await ctx.forward({ ...r, value: r.value + 2 });
        }),
        'src',
      )
      .addSink('sink', 'out', io, 'async');
    const driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('in', S, L);
    const output = driver.createOutputTopic('out', S, L);
    await input.pipeInput('k', 10, 1);
    expect(output.readValuesToList()).toEqual([11, 12]);
    await input.pipeInput('k', 20, 2);
    expect(output.readValuesToList()).toEqual([21, 22]);
  });

  it('getStateStore() of a store the processor is not connected to is a TopologyError', async () => {
    const topology = new Topology()
      .addSource('src', 'in', io)
      .addProcessor('p', proc<string, number>((ctx) => void ctx.getStateStore('counts')), 'src');
    const driver = new TopologyTestDriver(topology);
    let caught: unknown;
    try {
      await driver.createInputTopic('in', S, L).pipeInput('k', 1, 1);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TopologyError);
    expect((caught as Error).message).toMatch(/^Processor 'p' has no access to state store 'counts': connect it/);
  });
});

describe('punctuation', () => {
  function punctuating(type: PunctuationType, interval: number, fired: number[], handle?: { c?: Cancellable }) {
    return new Topology()
      .addSource('src', 'in', io)
      .addProcessor(
        'p',
        proc<string, number>(
          (ctx, r) => {
            if (r.key === 'cancel') handle!.c!.cancel();
            else ctx.forward(r);
          },
          (ctx) => {
            const c = ctx.schedule(interval, type, (ts) => {
              fired.push(ts);
              // punctuators run outside any record: no metadata, and may forward their own records
              expect(ctx.recordMetadata()).toBeUndefined();
              ctx.forward({ key: 'tick', value: ts, timestamp: ts, headers: {} });
            });
            if (handle) handle.c = c;
          },
        ),
        'src',
      )
      .addSink('sink', 'out', io, 'p');
  }

  it('STREAM_TIME fires with the first record, then aligned to the interval (records at 1, 5, 12, 35 -> 1, 12, 35)', async () => {
    const fired: number[] = [];
    const driver = new TopologyTestDriver(punctuating(PunctuationType.STREAM_TIME, 10, fired));
    const input = driver.createInputTopic('in', S, L);
    const output = driver.createOutputTopic('out', S, L);
    for (const t of [1, 5, 12, 35]) await input.pipeInput('k', t, t);
    expect(fired).toEqual([1, 12, 35]);
    // the punctuation runs after the record that advanced stream time
    expect(output.readRecordsToList().map((r) => `${r.key}@${r.timestamp}`)).toEqual(['k@1', 'tick@1', 'k@5', 'k@12', 'tick@12', 'k@35', 'tick@35']);
    // a late record does not move stream time, wall-clock time does not fire stream-time punctuators
    await input.pipeInput('k', 3, 3);
    await driver.advanceWallClockTime(1_000_000);
    await input.pipeInput('k', 39, 39);
    expect(fired).toEqual([1, 12, 35]);
    await input.pipeInput('k', 40, 40);
    expect(fired).toEqual([1, 12, 35, 40]);
  });

  it('WALL_CLOCK_TIME fires as the driver advances wall-clock time, skipping missed intervals', async () => {
    const fired: number[] = [];
    const driver = new TopologyTestDriver(punctuating(PunctuationType.WALL_CLOCK_TIME, 100, fired), {}, 1_000);
    const input = driver.createInputTopic('in', S, L);
    const output = driver.createOutputTopic('out', S, L);
    await input.pipeInput('k', 1, 5_000); // stream time does not fire wall-clock punctuators
    await driver.advanceWallClockTime(50);
    expect(fired).toEqual([]);
    await driver.advanceWallClockTime(50);
    expect(fired).toEqual([1_100]);
    await driver.advanceWallClockTime(250);
    expect(fired).toEqual([1_100, 1_350]);
    await driver.advanceWallClockTime(50);
    expect(fired).toEqual([1_100, 1_350, 1_400]);
    expect(output.readKeyValuesToList()).toEqual([
      { key: 'k', value: 1 },
      { key: 'tick', value: 1_100 },
      { key: 'tick', value: 1_350 },
      { key: 'tick', value: 1_400 },
    ]);
  });

  it('cancel() stops a schedule', async () => {
    const fired: number[] = [];
    const handle: { c?: Cancellable } = {};
    const driver = new TopologyTestDriver(punctuating(PunctuationType.STREAM_TIME, 10, fired, handle));
    const input = driver.createInputTopic('in', S, L);
    await input.pipeInput('k', 0, 0);
    await input.pipeInput('k', 0, 10);
    expect(fired).toEqual([0, 10]);
    await input.pipeInput('cancel', 0, 15);
    await input.pipeInput('k', 0, 20);
    await input.pipeInput('k', 0, 30);
    expect(fired).toEqual([0, 10]);
  });

  it('cancel() of a wall-clock schedule', async () => {
    const fired: number[] = [];
    const handle: { c?: Cancellable } = {};
    const driver = new TopologyTestDriver(punctuating(PunctuationType.WALL_CLOCK_TIME, 10, fired, handle), {}, 0);
    await driver.advanceWallClockTime(10);
    expect(fired).toEqual([10]);
    await driver.createInputTopic('in', S, L).pipeInput('cancel', 0, 0);
    await driver.advanceWallClockTime(100);
    expect(fired).toEqual([10]);
  });

  it('an interval below 1 ms is rejected', async () => {
    let caught: unknown;
    const topology = new Topology().addSource('src', 'in', io).addProcessor(
      'p',
      proc<string, number>(
        () => undefined,
        (ctx) => {
          try {
            ctx.schedule(0, PunctuationType.STREAM_TIME, () => undefined);
          } catch (e) {
            caught = e;
          }
        },
      ),
      'src',
    );
    const driver = new TopologyTestDriver(topology);
    await driver.createInputTopic('in', S, L).pipeInput('k', 1, 1);
    expect(caught).toBeInstanceOf(IllegalStateError);
    expect((caught as Error).message).toBe('Punctuation interval must be at least 1 ms, got 0.');
  });
});

describe('records through the DSL: timestamps, headers, sources and sinks', () => {
  it('outputs inherit input timestamps and headers through stateless operators', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, L))
      .mapValues((v) => v + 1)
      .flatMapValues((v) => [v, v])
      .selectKey((k) => k.toUpperCase())
      .to('out', Produced.with(S, L));
    const driver = new TopologyTestDriver(builder.build());
    await driver.createInputTopic('in', S, L).pipeInput({ key: 'k', value: 1, timestamp: 777, headers: { h: Buffer.from('v') } });
    const out = driver.createOutputTopic('out', S, L).readRecordsToList();
    expect(out).toEqual([
      { key: 'K', value: 2, timestamp: 777, headers: { h: Buffer.from('v') } },
      { key: 'K', value: 2, timestamp: 777, headers: { h: Buffer.from('v') } },
    ]);
  });

  it('a processor can set headers and timestamps on what it forwards', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, L))
      .process(proc<string, number>((ctx, r) => ctx.forward({ ...r, timestamp: r.timestamp + 1, headers: { ...r.headers, added: Buffer.from('yes') } })))
      .to('out', Produced.with(S, L));
    const driver = new TopologyTestDriver(builder.build());
    await driver.createInputTopic('in', S, L).pipeInput({ key: 'k', value: 1, timestamp: 10, headers: { orig: Buffer.from('o') } });
    const r = driver.createOutputTopic('out', S, L).readRecord();
    expect(r.timestamp).toBe(11);
    expect(Object.keys(r.headers).sort()).toEqual(['added', 'orig']);
    expect(r.headers['added']!.toString()).toBe('yes');
  });

  it('Consumed.withTimestampExtractor sets the record timestamps (and gets the partition time)', async () => {
    const partitionTimes: number[] = [];
    const builder = new StreamsBuilder();
    builder
      .stream(
        'in',
        Consumed.with(S, L).withTimestampExtractor((record, partitionTime) => {
          partitionTimes.push(partitionTime);
          return record.value as number;
        }),
      )
      .to('out', Produced.with(S, L));
    const driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, L);
    await input.pipeInput('a', 500, 1);
    await input.pipeInput('b', 300, 2);
    await input.pipeInput('c', 900, 3);
    expect(driver.createOutputTopic('out', S, L).readRecordsToList().map((r) => [r.key, r.timestamp])).toEqual([
      ['a', 500],
      ['b', 300],
      ['c', 900],
    ]);
    expect(partitionTimes).toEqual([-1, 500, 500]);
  });

  it('a record whose extracted timestamp is negative is skipped and counted', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, L).withTimestampExtractor((r) => r.value as number)).to('out', Produced.with(S, L));
    const driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, L);
    await input.pipeInput('a', -1, 1);
    await input.pipeInput('b', 5, 1);
    expect(driver.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([{ key: 'b', value: 5 }]);
    expect(driver.metrics().skippedRecords).toBe(1);
  });

  it('stream([list]) reads every listed topic; stream(RegExp) reads every matching topic', async () => {
    const builder = new StreamsBuilder();
    builder.stream(['l1', 'l2'], Consumed.with(S, L)).to('from-list', Produced.with(S, L));
    builder.stream(/events-.*/, Consumed.with(S, L)).to('from-pattern', Produced.with(S, L));
    const driver = new TopologyTestDriver(builder.build());
    await driver.createInputTopic('l1', S, L).pipeInput('x', 1, 1);
    await driver.createInputTopic('l2', S, L).pipeInput('y', 2, 2);
    await driver.createInputTopic('events-eu', S, L).pipeInput('p', 3, 3);
    await driver.createInputTopic('events-us', S, L).pipeInput('q', 4, 4);
    expect(driver.createOutputTopic('from-list', S, L).readKeyValuesToList()).toEqual([
      { key: 'x', value: 1 },
      { key: 'y', value: 2 },
    ]);
    expect(driver.createOutputTopic('from-pattern', S, L).readKeyValuesToList()).toEqual([
      { key: 'p', value: 3 },
      { key: 'q', value: 4 },
    ]);
    // the pattern must match the whole topic name, as in Kafka Streams
    expect(() => driver.createInputTopic('my-events-eu', S, L).pipeInput('z', 5, 5)).toThrow(/Unknown topic: 'my-events-eu'/);
  });

  it('to() with a topic-name extractor picks the topic per record', async () => {
    const contexts: { topic: string; offset: number }[] = [];
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, L)).to((key, value, ctx) => {
      contexts.push({ topic: ctx.topic, offset: ctx.offset });
      return value % 2 === 0 ? `even-${key}` : 'odd';
    }, Produced.with(S, L));
    const driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, L);
    await input.pipeInput('a', 2, 1);
    await input.pipeInput('b', 3, 2);
    await input.pipeInput('a', 4, 3);
    expect(driver.createOutputTopic('even-a', S, L).readValuesToList()).toEqual([2, 4]);
    expect(driver.createOutputTopic('odd', S, L).readKeyValuesToList()).toEqual([{ key: 'b', value: 3 }]);
    expect(driver.producedTopicNames().sort()).toEqual(['even-a', 'odd']);
    expect(contexts).toEqual([
      { topic: 'in', offset: 0 },
      { topic: 'in', offset: 1 },
      { topic: 'in', offset: 2 },
    ]);
  });

  it('repartition() round trip: records go through <applicationId>-...-repartition and come out unchanged', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, L))
      .selectKey((_k, v) => `user-${v % 2}`)
      // selectKey forgets the key serde (as in Kafka Streams): give the repartition topic its serdes
      .repartition(Repartitioned.with(S, L))
      .mapValues((v) => v * 100)
      .to('out', Produced.with(S, L));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'rt' });
    const input = driver.createInputTopic('in', S, L);
    await input.pipeInput({ key: 'a', value: 1, timestamp: 10, headers: { h: Buffer.from('1') } });
    await input.pipeInput('b', 2, 20);
    const internal = 'rt-KSTREAM-REPARTITION-0000000002-repartition';
    expect(driver.producedTopicNames()).toEqual([internal, 'out']);
    expect(driver.createOutputTopic(internal, S, L).readRecordsToList()).toEqual([
      { key: 'user-1', value: 1, timestamp: 10, headers: { h: Buffer.from('1') } },
      { key: 'user-0', value: 2, timestamp: 20, headers: {} },
    ]);
    expect(driver.createOutputTopic('out', S, L).readRecordsToList()).toEqual([
      { key: 'user-1', value: 100, timestamp: 10, headers: { h: Buffer.from('1') } },
      { key: 'user-0', value: 200, timestamp: 20, headers: {} },
    ]);
  });

  it('repartition(Repartitioned.as(name).withKeySerde/ValueSerde) uses the name and the serdes', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, L))
      .mapValues((v) => String(v))
      .repartition(Repartitioned.with(S, S).withName('texts'))
      .to('out', Produced.with(S, S));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'app' });
    await driver.createInputTopic('in', S, L).pipeInput('k', 42, 1);
    expect(driver.createOutputTopic('app-texts-repartition', S, S).readKeyValue()).toEqual({ key: 'k', value: '42' });
    expect(driver.createOutputTopic('out', S, S).readKeyValue()).toEqual({ key: 'k', value: '42' });
  });

  it('processValues keeps the key even if the processor changes it; process() may change it', async () => {
    const changeKey: FixedKeyProcessorSupplier<string, number, string> = () => {
      let ctx!: ProcessorContext<string, string>;
      return {
        init(c) {
          ctx = c;
        },
        process(r) {
          ctx.forward({ ...r, key: 'CHANGED', value: `v${r.value}` });
        },
      };
    };
    const builder = new StreamsBuilder();
    const s = builder.stream('in', Consumed.with(S, L));
    s.processValues(changeKey).to('fixed', Produced.with(S, S));
    s.process(proc<string, number, string, string>((ctx, r) => ctx.forward({ ...r, key: 'CHANGED', value: `v${r.value}` }))).to(
      'free',
      Produced.with(S, S),
    );
    const driver = new TopologyTestDriver(builder.build());
    await driver.createInputTopic('in', S, L).pipeInput('orig', 1, 1);
    expect(driver.createOutputTopic('fixed', S, S).readKeyValuesToList()).toEqual([{ key: 'orig', value: 'v1' }]);
    expect(driver.createOutputTopic('free', S, S).readKeyValuesToList()).toEqual([{ key: 'CHANGED', value: 'v1' }]);
  });

  it('peek and foreach see every record; foreach is terminal', async () => {
    const peeked: string[] = [];
    const each: string[] = [];
    const builder = new StreamsBuilder();
    const s = builder.stream('in', Consumed.with(S, L)).peek((k, v) => peeked.push(`${k}=${v}`));
    s.foreach((k, v) => each.push(`${k}:${v}`));
    s.to('out', Produced.with(S, L));
    const driver = new TopologyTestDriver(builder.build());
    await driver.createInputTopic('in', S, L).pipeKeyValueList([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
    ]);
    expect(peeked).toEqual(['a=1', 'b=2']);
    expect(each).toEqual(['a:1', 'b:2']);
    expect(driver.createOutputTopic('out', S, L).readValuesToList()).toEqual([1, 2]);
  });
});

describe('Processor API with a state store', () => {
  it('addStateStore connects a store: the processor reads and writes it, describe() lists it, the driver exposes it', async () => {
    const counter: ProcessorSupplier<string, number, string, number> = () => {
      let ctx!: ProcessorContext<string, number>;
      let store!: KeyValueStore<string, number>;
      return {
        init(c) {
          ctx = c;
          store = c.getStateStore<KeyValueStore<string, number>>('counts');
        },
        async process(r) {
          const next = ((await store.get(r.key)) ?? 0) + r.value;
          await store.put(r.key, next);
          await ctx.forward({ ...r, value: next });
        },
      };
    };
    const topology = new Topology()
      .addSource('src', 'in', io)
      .addProcessor('sum', counter, 'src')
      .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), S, L), 'sum')
      .addSink('sink', 'out', io, 'sum');
    expect(topology.describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: src (topics: [in])\n' +
        '      --> sum\n' +
        '    Processor: sum (stores: [counts])\n' +
        '      --> sink\n' +
        '      <-- src\n' +
        '    Sink: sink (topic: out)\n' +
        '      <-- sum\n' +
        '\n',
    );
    const driver = new TopologyTestDriver(topology, { applicationId: 'store-app' });
    const input = driver.createInputTopic('in', S, L);
    await input.pipeKeyValueList([
      { key: 'a', value: 1 },
      { key: 'b', value: 5 },
      { key: 'a', value: 2 },
    ]);
    expect(driver.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 5 },
      { key: 'a', value: 3 },
    ]);
    const store = driver.getKeyValueStore<KeyValueStore<string, number>>('counts');
    expect(await store.get('a')).toBe(3);
    expect(await store.get('b')).toBe(5);
    expect(await store.get('zzz')).toBeNull();
    await driver.close();
  });

  it('a second store with the same name is a TopologyError', () => {
    const t = new Topology().addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), S, L));
    expect(() => t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), S, L))).toThrow(
      /State store 's' is added twice; store names must be unique/,
    );
  });
});
