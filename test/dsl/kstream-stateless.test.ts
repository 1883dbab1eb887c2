import { describe, expect, it } from 'vitest';
import {
  Branched,
  Consumed,
  KeyValue,
  Named,
  ProcessingError,
  Produced,
  Serdes,
  StreamsBuilder,
  TopologyError,
  TopologyTestDriver,
  type KStream,
} from '../../src/index.js';

const S = Serdes.String();
const L = Serdes.Long();

/** Builds `in` (String, Long), lets `build` wire it to outputs, pipes `records` and returns each output topic's key-values. */
async function run(
  build: (s: KStream<string, number>, builder: StreamsBuilder) => void,
  records: [string, number, number?][],
  outputs: string[] = ['out'],
): Promise<Record<string, { key: string | null; value: number | null }[]>> {
  const builder = new StreamsBuilder();
  build(builder.stream('in', Consumed.with(S, L)), builder);
  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'dsl' });
  const input = driver.createInputTopic('in', S, L);
  for (const [k, v, ts] of records) await input.pipeInput(k, v, ts ?? 0);
  const result: Record<string, { key: string | null; value: number | null }[]> = {};
  for (const o of outputs) result[o] = driver.createOutputTopic(o, S, L).readKeyValuesToList();
  await driver.close();
  return result;
}

const out = Produced.with(S, L);

describe('KStream stateless operations', () => {
  it('filter keeps matching records, filterNot the others', async () => {
    const r = await run(
      (s) => {
        s.filter((k, v) => v > 1 && k !== 'x').to('kept', out);
        s.filterNot((k, v) => v > 1 && k !== 'x').to('dropped', out);
      },
      [
        ['a', 1],
        ['b', 2],
        ['x', 3],
        ['c', 4],
      ],
      ['kept', 'dropped'],
    );
    expect(r['kept']).toEqual([KeyValue.pair('b', 2), KeyValue.pair('c', 4)]);
    expect(r['dropped']).toEqual([KeyValue.pair('a', 1), KeyValue.pair('x', 3)]);
  });

  it('map changes key and value; mapValues the value only (and gets the key)', async () => {
    const r = await run(
      (s) => {
        s.map((k, v) => KeyValue.pair(`${k}${v}`, -v)).to('mapped', out);
        s.mapValues((v, k) => v + k.length).to('values', out);
      },
      [
        ['a', 1],
        ['bb', 2],
      ],
      ['mapped', 'values'],
    );
    expect(r['mapped']).toEqual([KeyValue.pair('a1', -1), KeyValue.pair('bb2', -2)]);
    expect(r['values']).toEqual([KeyValue.pair('a', 2), KeyValue.pair('bb', 4)]);
  });

  it('flatMap and flatMapValues emit zero or more records in order, from any iterable', async () => {
    const r = await run(
      (s) => {
        s.flatMap(function* (k, v) {
          for (let i = 0; i < v; i++) yield KeyValue.pair(`${k}-${i}`, i);
        }).to('fm', out);
        s.flatMapValues((v) => new Set([v, v * 2])).to('fmv', out);
      },
      [
        ['a', 2],
        ['b', 0],
        ['c', 1],
      ],
      ['fm', 'fmv'],
    );
    expect(r['fm']).toEqual([KeyValue.pair('a-0', 0), KeyValue.pair('a-1', 1), KeyValue.pair('c-0', 0)]);
    // a Set collapses 0 and 0 for b
    expect(r['fmv']).toEqual([KeyValue.pair('a', 2), KeyValue.pair('a', 4), KeyValue.pair('b', 0), KeyValue.pair('c', 1), KeyValue.pair('c', 2)]);
  });

  it('flatMapValues returning a non-iterable is a ProcessingError naming the node', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, L))
      .flatMapValues(() => 5 as unknown as number[])
      .to('out', out);
    const driver = new TopologyTestDriver(builder.build());
    let caught: unknown;
    try {
      await driver.createInputTopic('in', S, L).pipeInput('k', 1, 1);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ProcessingError);
    expect((caught as ProcessingError).node).toBe('KSTREAM-FLATMAPVALUES-0000000001');
    expect((caught as Error).message).toMatch(/must return an iterable/);
  });

  it('selectKey sets a new key; peek observes without changing', async () => {
    const peeked: string[] = [];
    const r = await run(
      (s) =>
        s
          .selectKey((k, v) => `${k}:${v % 2}`)
          .peek((k, v) => peeked.push(`${k}/${v}`))
          .to('out', out),
      [
        ['a', 1],
        ['b', 2],
      ],
    );
    expect(r['out']).toEqual([KeyValue.pair('a:1', 1), KeyValue.pair('b:0', 2)]);
    expect(peeked).toEqual(['a:1/1', 'b:0/2']);
  });

  it('merge interleaves both inputs in processing order; a stream can feed several operators', async () => {
    const r = await run(
      (s) => {
        const small = s.filter((_k, v) => v < 10).mapValues((v) => v + 100);
        const big = s.filter((_k, v) => v >= 5).mapValues((v) => v + 200);
        small.merge(big, Named.as('both')).to('out', out);
      },
      [
        ['a', 1],
        ['b', 7],
        ['c', 20],
      ],
    );
    expect(r['out']).toEqual([KeyValue.pair('a', 101), KeyValue.pair('b', 107), KeyValue.pair('b', 207), KeyValue.pair('c', 220)]);
  });

  it('merge of streams from two builders is a TopologyError', () => {
    const a = new StreamsBuilder().stream('a', Consumed.with(S, L));
    const b = new StreamsBuilder().stream('b', Consumed.with(S, L));
    expect(() => a.merge(b)).toThrow(TopologyError);
    expect(() => a.merge(b)).toThrow('merge() needs a stream from the same StreamsBuilder.');
  });

  it('merge of two streams from different topics', async () => {
    const builder = new StreamsBuilder();
    const a = builder.stream('a', Consumed.with(S, L));
    const b = builder.stream('b', Consumed.with(S, L));
    a.merge(b).to('out', out);
    const driver = new TopologyTestDriver(builder.build());
    await driver.createInputTopic('b', S, L).pipeInput('from-b', 2, 1);
    await driver.createInputTopic('a', S, L).pipeInput('from-a', 1, 2);
    expect(driver.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([KeyValue.pair('from-b', 2), KeyValue.pair('from-a', 1)]);
  });
});

describe('split()', () => {
  it('the first matching branch wins; defaultBranch takes the rest', async () => {
    const r = await run(
      (s) => {
        const b = s
          .split()
          .branch((_k, v) => v % 2 === 0)
          .branch((_k, v) => v % 3 === 0)
          .defaultBranch();
        b.get('KSTREAM-BRANCH-00000000011')!.to('even', out);
        b.get('KSTREAM-BRANCH-00000000012')!.to('three', out);
        b.get('KSTREAM-BRANCH-00000000010')!.to('other', out);
      },
      [
        ['a', 6],
        ['b', 9],
        ['c', 5],
        ['d', 4],
      ],
      ['even', 'three', 'other'],
    );
    expect(r['even']).toEqual([KeyValue.pair('a', 6), KeyValue.pair('d', 4)]);
    expect(r['three']).toEqual([KeyValue.pair('b', 9)]);
    expect(r['other']).toEqual([KeyValue.pair('c', 5)]);
  });

  it('noDefaultBranch drops records matching no predicate', async () => {
    const r = await run(
      (s) => {
        const b = s
          .split(Named.as('s-'))
          .branch((_k, v) => v > 0, Branched.as('pos'))
          .noDefaultBranch();
        expect([...b.keys()]).toEqual(['s-pos']);
        b.get('s-pos')!.to('out', out);
      },
      [
        ['a', 1],
        ['b', -1],
        ['c', 2],
      ],
    );
    expect(r['out']).toEqual([KeyValue.pair('a', 1), KeyValue.pair('c', 2)]);
  });

  it('Branched.withFunction puts the transformed stream in the map; withConsumer leaves no entry', async () => {
    let keys: string[] = [];
    const r = await run(
      (s) => {
        const b = s
          .split(Named.as('s-'))
          .branch((_k, v) => v > 0, Branched.withFunction((p) => p.mapValues((v) => v * 10), 'pos'))
          .branch((_k, v) => v < 0, Branched.withConsumer((n) => n.to('negative', out), 'neg'))
          .defaultBranch(Branched.as('zero'));
        keys = [...b.keys()];
        b.get('s-pos')!.to('out', out);
        b.get('s-zero')!.to('zero', out);
      },
      [
        ['a', 1],
        ['b', -2],
        ['c', 0],
      ],
      ['out', 'negative', 'zero'],
    );
    expect(keys).toEqual(['s-pos', 's-zero']);
    expect(r['out']).toEqual([KeyValue.pair('a', 10)]);
    expect(r['negative']).toEqual([KeyValue.pair('b', -2)]);
    expect(r['zero']).toEqual([KeyValue.pair('c', 0)]);
  });

  it('adding a branch after defaultBranch() is a TopologyError', () => {
    const split = new StreamsBuilder().stream('in', Consumed.with(S, L)).split();
    split.defaultBranch();
    expect(() => split.branch(() => true)).toThrow(TopologyError);
    expect(() => split.branch(() => true)).toThrow(/split\(\) is already finished/);
  });
});
