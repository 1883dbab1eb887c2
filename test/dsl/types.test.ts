import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  Consumed,
  KeyValue,
  Produced,
  Serdes,
  StreamsBuilder,
  type BranchedKStream,
  type KStream,
  type ProcessorContext,
  type Record,
  type Serde,
} from '../../src/index.js';

/**
 * Type-level tests: `tsc --noEmit` checks them (test/ is in tsconfig's include), including every
 * `@ts-expect-error` below, which fails the type check if the line compiles. The runtime part only builds.
 */
describe('KStream types', () => {
  it('operators compute the resulting key and value types', () => {
    const builder = new StreamsBuilder();
    const stream = builder.stream<string, number>('t', Consumed.with(Serdes.String(), Serdes.Long()));
    expectTypeOf(stream).toEqualTypeOf<KStream<string, number>>();

    expectTypeOf(stream.mapValues((v) => String(v))).toEqualTypeOf<KStream<string, string>>();
    expectTypeOf(stream.mapValues((v, k) => ({ k, v }))).toEqualTypeOf<KStream<string, { k: string; v: number }>>();
    expectTypeOf(stream.map((k, v) => KeyValue.pair(v, k))).toEqualTypeOf<KStream<number, string>>();
    expectTypeOf(stream.map((k, v) => KeyValue.pair(k.length > 0, [v]))).toEqualTypeOf<KStream<boolean, number[]>>();
    expectTypeOf(stream.selectKey((_k, v) => v * 2)).toEqualTypeOf<KStream<number, number>>();
    expectTypeOf(stream.flatMap((k, v) => [KeyValue.pair(v, k)])).toEqualTypeOf<KStream<number, string>>();
    expectTypeOf(stream.flatMapValues((v) => [v > 0])).toEqualTypeOf<KStream<string, boolean>>();
    expectTypeOf(stream.filter((_k, v) => v > 0)).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(stream.filterNot((k) => k === '')).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(stream.peek(() => undefined)).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(stream.merge(stream)).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(stream.repartition()).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(stream.split()).toEqualTypeOf<BranchedKStream<string, number>>();
    expectTypeOf(stream.split().defaultBranch()).toEqualTypeOf<Map<string, KStream<string, number>>>();
    expectTypeOf(stream.foreach(() => undefined)).toEqualTypeOf<void>();

    // predicates and mappers see the stream's types
    stream.filter((k, v) => {
      expectTypeOf(k).toEqualTypeOf<string>();
      expectTypeOf(v).toEqualTypeOf<number>();
      return true;
    });

    // Processor API inside the DSL
    const processed = stream.process<number, string>(() => {
      let ctx!: ProcessorContext<number, string>;
      return {
        init(c) {
          ctx = c;
        },
        process(r) {
          expectTypeOf(r).toEqualTypeOf<Record<string, number>>();
          ctx.forward({ ...r, key: r.value, value: r.key });
        },
      };
    });
    expectTypeOf(processed).toEqualTypeOf<KStream<number, string>>();
    const fixed = stream.processValues<boolean>(() => ({ process() {} }));
    expectTypeOf(fixed).toEqualTypeOf<KStream<string, boolean>>();

    // repartition() above splits the topology in two
    expect(builder.build().describe().subtopologies).toHaveLength(2);
  });

  it('serdes must match the stream types', () => {
    const builder = new StreamsBuilder();
    // @ts-expect-error a String value serde cannot read a KStream<string, number>
    builder.stream<string, number>('t', Consumed.with(Serdes.String(), Serdes.String()));
    // @ts-expect-error nor a Long key serde a string key
    builder.stream<string, number>('t2', Consumed.with(Serdes.Long(), Serdes.Long()));

    const stream: KStream<string, number> = builder.stream('t3', Consumed.with(Serdes.String(), Serdes.Long()));
    // @ts-expect-error a String value serde cannot write numbers
    stream.to('t', Produced.with(Serdes.String(), Serdes.String()));
    stream.to('ok', Produced.with(Serdes.String(), Serdes.Long()));
    stream.mapValues((v) => String(v)).to('ok-too', Produced.with(Serdes.String(), Serdes.String()));

    // the stream's types are inferred from Consumed
    expectTypeOf(builder.stream('t4', Consumed.with(Serdes.Integer(), Serdes.Json<{ id: string }>()))).toEqualTypeOf<
      KStream<number, { id: string }>
    >();
    expectTypeOf(Serdes.Long()).toEqualTypeOf<Serde<number>>();

    // @ts-expect-error merge needs the same types
    stream.merge(stream.mapValues((v) => String(v)));
    // @ts-expect-error a mapper must return a KeyValue
    stream.map((k, v) => [k, v]);
    // @ts-expect-error a predicate must return a boolean
    stream.filter(() => 'yes');
    expect(stream).toBeDefined();
  });
});
