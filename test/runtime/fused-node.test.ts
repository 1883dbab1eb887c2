import { describe, expect, it } from 'vitest';
import {
  Consumed,
  KeyValue,
  Named,
  ProcessingError,
  Produced,
  Serdes,
  StreamsBuilder,
  TopologyTestDriver,
  type ProcessorContext,
  type Record,
} from '../../src/index.js';

const S = Serdes.String();
const L = Serdes.Long();

describe('fused chains of one-record operators', () => {
  it('a function failing inside a fused chain is reported with its own node name and the record origin', async () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, L))
      .filter((_k, v) => v > 0)
      .mapValues((v) => {
        if (v === 13) throw new Error('unlucky');
        return v * 2;
      })
      .selectKey((k) => k.toUpperCase())
      .flatMapValues((v) => [v, v + 1])
      .to('out', Produced.with(S, L));
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('in', S, L);
    await input.pipeInput('a', 1);
    const error = await (async () => input.pipeInput('b', 13))().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProcessingError);
    expect((error as ProcessingError).node).toBe('KSTREAM-MAPVALUES-0000000002');
    expect((error as Error).message).toMatch(/topic 'in', partition 0, offset 1/);
    expect(d.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([KeyValue.pair('A', 2), KeyValue.pair('A', 3)]);
    await d.close();
  });

  it('a processor forwarding to a named child that starts a fused chain reaches that chain only', async () => {
    const b = new StreamsBuilder();
    const routed = b.stream('in', Consumed.with(S, L)).process<string, number>(() => {
      let ctx!: ProcessorContext<string, number>;
      return {
        init(c) {
          ctx = c;
        },
        process(r: Record<string, number>) {
          return ctx.forward(r, r.value % 2 === 0 ? 'evens' : 'odds');
        },
      };
    });
    routed.filter((_k, v) => v > 0, Named.as('evens')).mapValues((v) => v * 10).to('even-out', Produced.with(S, L));
    routed.filter((_k, v) => v > 0, Named.as('odds')).mapValues((v) => -v).to('odd-out', Produced.with(S, L));
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('in', S, L);
    for (const v of [1, 2, 3, 4]) await input.pipeInput('k', v);
    expect(d.createOutputTopic('even-out', S, L).readValuesToList()).toEqual([20, 40]);
    expect(d.createOutputTopic('odd-out', S, L).readValuesToList()).toEqual([-1, -3]);
    await d.close();
  });

  it('peek inside a chain sees every record the chain passes, with the values of that point', async () => {
    const seen: string[] = [];
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, L))
      .mapValues((v) => v + 1)
      .peek((k, v) => void seen.push(`${k}=${v}`))
      .filter((_k, v) => v % 2 === 0)
      .to('out', Produced.with(S, L));
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('in', S, L);
    for (const v of [1, 2, 3]) await input.pipeInput('x', v);
    expect(seen).toEqual(['x=2', 'x=3', 'x=4']);
    expect(d.createOutputTopic('out', S, L).readValuesToList()).toEqual([2, 4]);
    await d.close();
  });
});

describe('fused chains through flatMapValues', () => {
  it('runs the rest of the chain once per item, depth first, in the same order as unfused nodes', async () => {
    const seen: string[] = [];
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S))
      .flatMapValues((v) => v.split(' '))
      .peek((_k, w) => void seen.push(`peek:${w}`))
      .filter((_k, w) => w.length > 1)
      .selectKey((_k, w) => w)
      .flatMapValues((w) => [w.toUpperCase(), w.length])
      .to('out', Produced.with(S, Serdes.Json<string | number>()));
    const d = new TopologyTestDriver(b.build());
    await d.createInputTopic('in', S, S).pipeInput('line', 'to a be');
    expect(seen).toEqual(['peek:to', 'peek:a', 'peek:be']);
    expect(d.createOutputTopic('out', S, Serdes.Json<string | number>()).readKeyValuesToList()).toEqual([
      KeyValue.pair('to', 'TO'),
      KeyValue.pair('to', 2),
      KeyValue.pair('be', 'BE'),
      KeyValue.pair('be', 2),
    ]);
    await d.close();
  });

  it('a failure after a flatMapValues names the failing node', async () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S))
      .flatMapValues((v) => v.split(','))
      .mapValues((w) => {
        if (w === 'bad') throw new Error('bad word');
        return w;
      })
      .to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build());
    const error = await (async () => d.createInputTopic('in', S, S).pipeInput('k', 'ok,bad'))().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as ProcessingError).node).toBe('KSTREAM-MAPVALUES-0000000002');
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['ok']);
    await d.close();
  });
});
