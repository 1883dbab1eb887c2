import { describe, expect, it } from 'vitest';
import {
  Consumed,
  Grouped,
  KeyValue,
  Materialized,
  Produced,
  Serdes,
  StreamsBuilder,
  TopologyTestDriver,
  toArray,
  type KTable,
  type KeyValueStore,
} from '../../src/index.js';

const S = Serdes.String();
const L = Serdes.Long();

async function tableDriver(build: (t: KTable<string, number>, builder: StreamsBuilder) => void, caching = false) {
  const builder = new StreamsBuilder();
  const t = builder.table('t', Consumed.with(S, L), Materialized.as<string, number>('t-store'));
  build(t, builder);
  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'kt', cacheMaxBytesBuffering: caching ? 1 << 20 : 0 });
  return { driver, input: driver.createInputTopic('t', S, L), out: driver.createOutputTopic('out', S, L) };
}

const kv = (key: string, value: number | null) => KeyValue.pair(key, value);

describe('builder.table', () => {
  it('keeps the latest value per key; a tombstone deletes; deleting an absent key emits nothing', async () => {
    const { driver, input, out } = await tableDriver((t) => t.toStream().to('out', Produced.with(S, L)));
    await input.pipeInput('a', 1);
    await input.pipeInput('b', 2);
    await input.pipeInput('a', 3);
    await input.pipeInput('b', null as unknown as number);
    await input.pipeInput('zz', null as unknown as number);
    expect(await out.readKeyValuesToList()).toEqual([kv('a', 1), kv('b', 2), kv('a', 3), kv('b', null)]);
    const store = driver.getKeyValueStore<KeyValueStore<string, number>>('t-store');
    expect(await toArray(store.all())).toEqual([KeyValue.pair('a', 3)]);
    expect(await store.get('b')).toBeNull();
    await driver.close();
  });

  it('with caching on, the same final table and the last update per key', async () => {
    const { driver, input, out } = await tableDriver((t) => t.toStream().to('out', Produced.with(S, L)), true);
    await input.pipeKeyValueList([KeyValue.pair('a', 1), KeyValue.pair('a', 2), KeyValue.pair('b', 5)]);
    await input.pipeInput('a', null as unknown as number);
    const list = await out.readKeyValuesToList();
    expect(list.filter((r) => r.key === 'a').at(-1)).toEqual(kv('a', null)); // the deletion is emitted
    expect(list.filter((r) => r.key === 'b')).toEqual([kv('b', 5)]);
    expect(await toArray(driver.getKeyValueStore<KeyValueStore<string, number>>('t-store').all())).toEqual([KeyValue.pair('b', 5)]);
    await driver.close();
  });
});

describe('KTable filter / filterNot / mapValues with old and new values', () => {
  it('filter: an update that stops passing emits a tombstone for a key that passed before; nothing for a key that never passed', async () => {
    const { driver, input, out } = await tableDriver((t) => t.filter((_k, v) => v % 2 === 0).toStream().to('out', Produced.with(S, L)));
    await input.pipeInput('a', 2); // passes
    await input.pipeInput('a', 4); // passes: update
    await input.pipeInput('a', 5); // stops passing: tombstone
    await input.pipeInput('b', 1); // never passed: nothing
    await input.pipeInput('b', 3); // still nothing
    await input.pipeInput('b', 6); // passes
    await input.pipeInput('b', null as unknown as number); // deleted: tombstone
    await input.pipeInput('a', null as unknown as number); // deleting a row that did not pass: nothing
    expect(await out.readKeyValuesToList()).toEqual([kv('a', 2), kv('a', 4), kv('a', null), kv('b', 6), kv('b', null)]);
    await driver.close();
  });

  it('filterNot is the complement, and a materialized filter holds exactly the passing rows', async () => {
    const { driver, input, out } = await tableDriver((t) =>
      t
        .filterNot((_k, v) => v > 10, Materialized.as<string, number>('small').withKeySerde(S).withValueSerde(L))
        .toStream()
        .to('out', Produced.with(S, L)),
    );
    await input.pipeKeyValueList([KeyValue.pair('a', 1), KeyValue.pair('b', 20), KeyValue.pair('a', 11), KeyValue.pair('b', 3)]);
    expect(await out.readKeyValuesToList()).toEqual([kv('a', 1), kv('a', null), kv('b', 3)]);
    const small = driver.getKeyValueStore<KeyValueStore<string, number>>('small');
    expect(await toArray(small.all())).toEqual([KeyValue.pair('b', 3)]);
    await driver.close();
  });

  it('mapValues maps new and old values; downstream groupBy subtracts the mapped old value', async () => {
    const { driver, input, out } = await tableDriver((t) =>
      t
        .mapValues((v, k) => v * 10 + k.length)
        .groupBy((_k, v) => KeyValue.pair('all', v), Grouped.with(S, L))
        .reduce((a, v) => a + v, (a, v) => a - v, Materialized.as<string, number>('sum'))
        .toStream()
        .to('out', Produced.with(S, L)),
    );
    await input.pipeInput('a', 1); // 11
    await input.pipeInput('bb', 2); // 22 -> 33
    await input.pipeInput('a', 3); // 11 -> 31: 33 - 11 + 31 = 53
    await input.pipeInput('bb', null as unknown as number); // 53 - 22 = 31
    const outs = await out.readKeyValuesToList();
    expect(outs.at(-1)).toEqual(kv('all', 31));
    expect(outs.map((r) => r.value)).toContain(53);
    expect(await driver.getKeyValueStore<KeyValueStore<string, number>>('sum').get('all')).toBe(31);
    await driver.close();
  });

  it('chained filter after mapValues propagates old values correctly (tombstone only when the old mapped row passed)', async () => {
    const { driver, input, out } = await tableDriver((t) =>
      t
        .mapValues((v) => v * 2)
        .filter((_k, v) => v >= 10)
        .toStream()
        .to('out', Produced.with(S, L)),
    );
    await input.pipeInput('x', 1); // 2: filtered, never passed
    await input.pipeInput('x', 6); // 12
    await input.pipeInput('x', 2); // 4: tombstone
    expect(await out.readKeyValuesToList()).toEqual([kv('x', 12), kv('x', null)]);
    await driver.close();
  });
});

describe('KStream.toTable', () => {
  it('turns a stream of upserts into a table: null deletes, store is queryable', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('s', Consumed.with(S, L))
      .toTable(Materialized.as<string, number>('tt').withKeySerde(S).withValueSerde(L))
      .toStream()
      .to('out', Produced.with(S, L));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'tt' });
    const input = driver.createInputTopic('s', S, L);
    const out = driver.createOutputTopic('out', S, L);
    await input.pipeInput('a', 1);
    await input.pipeInput('a', 2);
    await input.pipeInput('b', 7);
    await input.pipeInput('a', null as unknown as number);
    expect(await out.readKeyValuesToList()).toEqual([kv('a', 1), kv('a', 2), kv('b', 7), kv('a', null)]);
    expect(await toArray(driver.getKeyValueStore<KeyValueStore<string, number>>('tt').all())).toEqual([KeyValue.pair('b', 7)]);
    await driver.close();
  });

  it('after a key change, toTable repartitions and keys the table by the new key', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('s', Consumed.with(S, L))
      .selectKey((k) => k.toUpperCase())
      .toTable(Materialized.as<string, number>('up').withKeySerde(S).withValueSerde(L))
      .toStream()
      .to('out', Produced.with(S, L));
    const topology = builder.build();
    expect(topology.describe().toString()).toContain('up-repartition');
    const driver = new TopologyTestDriver(topology, { applicationId: 'tt' });
    const input = driver.createInputTopic('s', S, L);
    await input.pipeInput('a', 1);
    await input.pipeInput('A', 2);
    expect(await driver.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([kv('A', 1), kv('A', 2)]);
    await driver.close();
  });
});

describe('KTable.groupBy aggregations', () => {
  it('count moves a row between groups when its grouping key changes, and keeps emptied groups at 0', async () => {
    const { driver, input, out } = await tableDriver((t) =>
      t
        .groupBy((_k, v) => KeyValue.pair(v % 2 === 0 ? 'even' : 'odd', v), Grouped.with(S, L))
        .count(Materialized.as<string, number>('parity'))
        .toStream()
        .to('out', Produced.with(S, L)),
    );
    await input.pipeInput('a', 1); // odd 1
    await input.pipeInput('b', 3); // odd 2
    await input.pipeInput('a', 2); // odd 1, even 1
    await input.pipeInput('b', null as unknown as number); // odd 0
    const store = driver.getKeyValueStore<KeyValueStore<string, number>>('parity');
    expect(await toArray(store.all())).toEqual([KeyValue.pair('even', 1), KeyValue.pair('odd', 0)]);
    // the subtraction from the old group is emitted before the addition to the new one
    expect(await out.readKeyValuesToList()).toEqual([kv('odd', 1), kv('odd', 2), kv('odd', 1), kv('even', 1), kv('odd', 0)]);
    await driver.close();
  });

  it('aggregate with adder and subtractor, repartition topic named after the store', async () => {
    const { driver, input } = await tableDriver((t) =>
      t
        .groupBy((k, v) => KeyValue.pair(k.slice(0, 1), v), Grouped.with(S, L))
        .aggregate(
          () => '',
          (_k, v, agg) => `${agg}+${v}`,
          (_k, v, agg) => `${agg}-${v}`,
          Materialized.as<string, string>('trail').withValueSerde(S),
        ),
    );
    expect(driver.producedTopicNames()).toEqual([]);
    await input.pipeInput('x1', 1);
    await input.pipeInput('x2', 2);
    await input.pipeInput('x1', 5);
    await input.pipeInput('y1', 9);
    const store = driver.getKeyValueStore<KeyValueStore<string, string>>('trail');
    expect(await store.get('x')).toBe('+1+2-1+5');
    expect(await store.get('y')).toBe('+9');
    expect(driver.producedTopicNames()).toContain('kt-trail-repartition');
    await driver.close();
  });
});
