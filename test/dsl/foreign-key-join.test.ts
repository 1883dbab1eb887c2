import { describe, expect, it } from 'vitest';
import { Consumed, Materialized, Produced, Serdes, StreamsBuilder, TopologyTestDriver } from '../../src/index.js';
import { responseResolverSupplier } from '../../src/processor/operators/fk-join/response-resolver.js';
import { valueHash } from '../../src/processor/operators/fk-join/value-hash.js';
import type { ProcessorContext } from '../../src/index.js';

const S = Serdes.String();

function topology(left: boolean) {
  const b = new StreamsBuilder();
  const orders = b.table('orders', Consumed.with(S, S)); // order -> "customer:item"
  const customers = b.table('customers', Consumed.with(S, S));
  const fk = (v: string): string => v.split(':')[0]!;
  const mat = Materialized.with(S, S);
  (left ? orders.leftJoin(customers, fk, (o: string, c: string | null) => `${o}@${c}`, mat) : orders.join(customers, fk, (o: string, c: string) => `${o}@${c}`, mat))
    .toStream()
    .to('out', Produced.with(S, S));
  return b.build();
}

describe('foreign-key KTable join', () => {
  it('follows foreign-key changes and updates and deletes on both sides', async () => {
    const d = new TopologyTestDriver(topology(false), { applicationId: 'fk' });
    const o = d.createInputTopic('orders', S, S);
    const c = d.createInputTopic('customers', S, S);
    await c.pipeInput('c1', 'ann', 1);
    await o.pipeInput('o1', 'c1:book', 2);
    await o.pipeInput('o2', 'c2:pen', 3); // no c2 yet: nothing
    await c.pipeInput('c2', 'bob', 4);
    await c.pipeInput('c1', 'anne', 5);
    await o.pipeInput('o1', 'c2:book', 6); // moves to c2
    await c.pipeInput('c1', 'ann again', 7); // o1 no longer subscribed to c1
    await c.pipeInput('c2', null as unknown as string, 8); // deletes both results
    expect(d.createOutputTopic('out', S, S).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['o1', 'c1:book@ann', 2],
      ['o2', 'c2:pen@bob', 4],
      ['o1', 'c1:book@anne', 5],
      ['o1', 'c2:book@bob', 6],
      ['o1', null, 8],
      ['o2', null, 8],
    ]);
    expect(d.producedTopicNames()).toEqual(
      expect.arrayContaining(['fk-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic', 'fk-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic']),
    );
    await d.close();
  });

  it('left join: rows without a foreign row (or with a null foreign key) join null', async () => {
    const d = new TopologyTestDriver(topology(true));
    const o = d.createInputTopic('orders', S, S);
    await o.pipeInput('o1', 'c9:cup', 1);
    await d.createInputTopic('customers', S, S).pipeInput('c9', 'zoe', 2);
    await o.pipeInput('o1', null as unknown as string, 3);
    expect(d.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([
      { key: 'o1', value: 'c9:cup@null' },
      { key: 'o1', value: 'c9:cup@zoe' },
      { key: 'o1', value: null },
    ]);
    await d.close();
  });

  it('describe(): Kafka Streams names, subscription store on the foreign side, internal topics', () => {
    const t = topology(false);
    const text = t.describe().toString();
    expect(text).toContain('Processor: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007 (stores: [])');
    expect(text).toContain('Sink: KSTREAM-SINK-0000000008 (topic: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic)');
    expect(text).toContain('Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011 (stores: [KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010])');
    expect(text).toContain('Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012 (stores: [customers-STATE-STORE-0000000003])');
    expect(text).toContain('Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013 (stores: [KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010])');
    expect(text).toContain('Processor: KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017 (stores: [orders-STATE-STORE-0000000000])');
    expect(text).toContain('Processor: KTABLE-FK-JOIN-OUTPUT-0000000018 (stores: [KTABLE-FK-JOIN-OUTPUT-STATE-STORE-0000000019])');
    expect(t.subtopologies().length).toBe(2);
  });

  it('the resolver drops a response computed for an older value of the row (stale hash)', async () => {
    const forwarded: unknown[] = [];
    let current = 'c1:new';
    const processor = responseResolverSupplier<string, string, string, string>({
      current: () => current,
      joiner: (l, r) => `${l}@${r}`,
      leftJoin: false,
      valueSerde: S,
      hashTopic: 'h',
    })();
    processor.init?.({ forward: (r: unknown) => void forwarded.push(r) } as unknown as ProcessorContext<string, string | null>);
    const response = (value: string) => ({ key: 'o1', value: { hash: valueHash(value, S, 'h'), foreignValue: 'ann' }, timestamp: 1, headers: {} });
    await processor.process(response('c1:old'));
    expect(forwarded).toEqual([]);
    await processor.process(response('c1:new'));
    expect(forwarded).toEqual([{ key: 'o1', value: 'c1:new@ann', timestamp: 1, headers: {} }]);
    current = null as unknown as string;
    await processor.process(response('c1:new'));
    expect(forwarded.length).toBe(1);
  });
});
