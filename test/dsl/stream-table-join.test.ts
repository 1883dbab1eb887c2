import { describe, expect, it } from 'vitest';
import { Consumed, Materialized, Produced, Serdes, StreamsBuilder, TopologyTestDriver } from '../../src/index.js';

const S = Serdes.String();

/** clicks (user -> page) joined with users (user -> name) and a global regions table (name -> region). */
function build(left: boolean) {
  const b = new StreamsBuilder();
  const users = b.table('users', Consumed.with(S, S), Materialized.as('users'));
  const clicks = b.stream('clicks', Consumed.with(S, S));
  const joined = left
    ? clicks.leftJoin(users, (page, name) => `${page}:${name ?? '-'}`)
    : clicks.join(users, (page, name) => `${page}:${name}`);
  joined.to('out', Produced.with(S, S));
  return b.build();
}

describe('KStream-KTable join', () => {
  it('inner join emits only records whose key is in the table, with the value current at that time', async () => {
    const d = new TopologyTestDriver(build(false));
    const users = d.createInputTopic('users', S, S);
    const clicks = d.createInputTopic('clicks', S, S);
    const out = d.createOutputTopic('out', S, S);
    await clicks.pipeInput('u1', 'home', 1); // no user yet: dropped
    await users.pipeInput('u1', 'ann', 2);
    await clicks.pipeInput('u1', 'cart', 3);
    await users.pipeInput('u1', 'anne', 4);
    await clicks.pipeInput('u1', 'pay', 5);
    await users.pipeInput('u1', null as unknown as string, 6); // tombstone
    await clicks.pipeInput('u1', 'gone', 7);
    expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['u1', 'cart:ann', 3],
      ['u1', 'pay:anne', 5],
    ]);
    await d.close();
  });

  it('left join emits every stream record, with null for keys not in the table', async () => {
    const d = new TopologyTestDriver(build(true));
    await d.createInputTopic('users', S, S).pipeInput('u2', 'bob', 1);
    const clicks = d.createInputTopic('clicks', S, S);
    await clicks.pipeInput('u1', 'home', 2);
    await clicks.pipeInput('u2', 'home', 3);
    expect(d.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([
      { key: 'u1', value: 'home:-' },
      { key: 'u2', value: 'home:bob' },
    ]);
    await d.close();
  });

  it('joins against an unmaterialized filtered/mapped table through its value getter', async () => {
    const b = new StreamsBuilder();
    const vip = b
      .table('users', Consumed.with(S, S))
      .filter((_k, name) => name.startsWith('v'))
      .mapValues((name) => name.toUpperCase());
    b.stream('clicks', Consumed.with(S, S))
      .join(vip, (page, name) => `${page}:${name}`)
      .to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build());
    const users = d.createInputTopic('users', S, S);
    await users.pipeInput('u1', 'vera');
    await users.pipeInput('u2', 'bob');
    const clicks = d.createInputTopic('clicks', S, S);
    await clicks.pipeInput('u1', 'a');
    await clicks.pipeInput('u2', 'b');
    expect(d.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'u1', value: 'a:VERA' }]);
    await d.close();
  });

  it('repartitions a re-keyed stream before joining, so keys meet the table partition', async () => {
    const b = new StreamsBuilder();
    const users = b.table('users', Consumed.with(S, S));
    b.stream('events', Consumed.with(S, S))
      .selectKey((_k, v) => v.split(',')[0]!)
      .join(users, (v, name) => `${v}/${name}`)
      .to('out', Produced.with(S, S));
    const topology = b.build();
    expect(topology.subtopologies().length).toBe(2);
    expect([...topology.internalTopics.keys()].some((t) => t.endsWith('-repartition'))).toBe(true);
    const d = new TopologyTestDriver(topology, { defaultKeySerde: S, defaultValueSerde: S });
    await d.createInputTopic('users', S, S).pipeInput('u9', 'zed');
    await d.createInputTopic('events', S, S).pipeInput('x', 'u9,buy');
    expect(d.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'u9', value: 'u9,buy/zed' }]);
    await d.close();
  });
});

describe('KStream-GlobalKTable join', () => {
  function globalTopology(left: boolean) {
    const b = new StreamsBuilder();
    const regions = b.globalTable('regions', Consumed.with(S, S), Materialized.as('regions'));
    const orders = b.stream('orders', Consumed.with(S, S));
    const select = (_k: string, v: string): string => v.split('@')[1]!;
    (left
      ? orders.leftJoin(regions, select, (v, region) => `${v}->${region ?? 'unknown'}`)
      : orders.join(regions, select, (v, region) => `${v}->${region}`)
    ).to('out', Produced.with(S, S));
    return b.build();
  }

  it('looks up the global table by the selected key; describe() shows the global store sub-topology', async () => {
    const topology = globalTopology(false);
    expect(topology.describe().toString()).toContain('for global store (will not generate tasks)');
    const d = new TopologyTestDriver(topology);
    await d.createInputTopic('regions', S, S).pipeInput('paris', 'EU');
    const orders = d.createInputTopic('orders', S, S);
    await orders.pipeInput('o1', 'book@paris');
    await orders.pipeInput('o2', 'pen@tokyo');
    expect(d.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'o1', value: 'book@paris->EU' }]);
    expect(await d.getKeyValueStore('regions').get('paris')).toBe('EU');
    await d.close();
  });

  it('left join keeps records without a match', async () => {
    const d = new TopologyTestDriver(globalTopology(true));
    await d.createInputTopic('orders', S, S).pipeInput('o2', 'pen@tokyo');
    expect(d.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'o2', value: 'pen@tokyo->unknown' }]);
    await d.close();
  });
});
