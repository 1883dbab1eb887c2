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
  type KeyValueStore,
} from '../../src/index.js';

const S = Serdes.String();
const L = Serdes.Long();
const kv = (key: string, value: unknown) => KeyValue.pair(key, value);

describe('KGroupedStream count / reduce / aggregate', () => {
  it('count emits every update with caching off and drops null keys and values', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).groupByKey().count(Materialized.as('c')).toStream().to('out', Produced.with(S, L));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'g' });
    const input = driver.createInputTopic('in', S, S);
    await input.pipeInput('a', 'x');
    await input.pipeInput('b', 'x');
    await input.pipeInput(null as unknown as string, 'x');
    await input.pipeInput('a', null as unknown as string);
    await input.pipeInput('a', 'y');
    expect(await driver.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([kv('a', 1), kv('b', 1), kv('a', 2)]);
    expect(await toArray(driver.getKeyValueStore<KeyValueStore<string, number>>('c').all())).toEqual([kv('a', 2), kv('b', 1)]);
    await driver.close();
  });

  it('groupBy repartitions through <applicationId>-<store>-repartition (or the Grouped name) and aggregates by the new key', async () => {
    const builder = new StreamsBuilder();
    const words = builder.stream('in', Consumed.with(S, S)).flatMapValues((v) => v.split(' '));
    words.groupBy((_k, w) => w, Grouped.with(S, S)).count(Materialized.as('wc')).toStream().to('out', Produced.with(S, L));
    words
      .groupBy((_k, w) => w.slice(0, 1), Grouped.with<string, string>(S, S).withName('by-initial'))
      .reduce((a, b) => `${a},${b}`, Materialized.as('initials'));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'wc-app' });
    const input = driver.createInputTopic('in', S, S);
    await input.pipeInput('l1', 'the cat the hat');
    await input.pipeInput('l2', 'cat');
    expect(await driver.createOutputTopic('out', S, L).readKeyValuesToMap()).toEqual(
      new Map([
        ['the', 2],
        ['cat', 2],
        ['hat', 1],
      ]),
    );
    expect(driver.producedTopicNames()).toEqual(expect.arrayContaining(['wc-app-wc-repartition', 'wc-app-by-initial-repartition']));
    const initials = driver.getKeyValueStore<KeyValueStore<string, string>>('initials');
    expect(await initials.get('t')).toBe('the,the');
    expect(await initials.get('c')).toBe('cat,cat');
    expect(await initials.get('h')).toBe('hat');
    await driver.close();
  });

  it('aggregate with caching on emits only the last update per key between commits and ends in the same table', async () => {
    const build = () => {
      const builder = new StreamsBuilder();
      builder
        .stream('in', Consumed.with(S, L))
        .groupByKey()
        .aggregate(() => 0, (_k, v, a) => a + v, Materialized.as<string, number>('sum').withValueSerde(L))
        .toStream()
        .to('out', Produced.with(S, L));
      return builder.build();
    };
    const records = [kv('a', 1), kv('b', 10), kv('a', 2), kv('a', 3), kv('b', 20)] as KeyValue<string, number>[];
    const off = new TopologyTestDriver(build(), { applicationId: 'agg' });
    await off.createInputTopic('in', S, L).pipeKeyValueList(records);
    const allUpdates = await off.createOutputTopic('out', S, L).readKeyValuesToList();
    expect(allUpdates).toEqual([kv('a', 1), kv('b', 10), kv('a', 3), kv('a', 6), kv('b', 30)]);
    await off.close();

    const on = new TopologyTestDriver(build(), { applicationId: 'agg', cacheMaxBytesBuffering: 1 << 20 });
    await on.createInputTopic('in', S, L).pipeKeyValueList(records);
    const cached = await on.createOutputTopic('out', S, L).readKeyValuesToList();
    expect(await toArray(on.getKeyValueStore<KeyValueStore<string, number>>('sum').all())).toEqual([kv('a', 6), kv('b', 30)]);
    for (const key of ['a', 'b']) {
      const sub = cached.filter((r) => r.key === key).map((r) => r.value);
      const full = allUpdates.filter((r) => r.key === key).map((r) => r.value);
      let i = 0;
      for (const v of full) if (sub[i] === v) i++;
      expect(i).toBe(sub.length);
      expect(sub.at(-1)).toBe(full.at(-1));
    }
    await on.close();
  });
});

describe('cogroup', () => {
  it('aggregates two grouped streams into one table with one store', async () => {
    const builder = new StreamsBuilder();
    const clicks = builder.stream('clicks', Consumed.with(S, L)).groupByKey();
    const views = builder.stream('views', Consumed.with(S, S)).groupByKey();
    interface Stats {
      clicks: number;
      views: string[];
    }
    clicks
      .cogroup<Stats>((_k, v, agg) => ({ ...agg, clicks: agg.clicks + v }))
      .cogroup(views, (_k, v, agg) => ({ ...agg, views: [...agg.views, v] }))
      .aggregate(() => ({ clicks: 0, views: [] }), Materialized.as<string, Stats>('stats').withValueSerde(Serdes.Json<Stats>()))
      .toStream()
      .to('out', Produced.with(S, Serdes.Json<Stats>()));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'co' });
    const c = driver.createInputTopic('clicks', S, L);
    const v = driver.createInputTopic('views', S, S);
    await c.pipeInput('u1', 2);
    await v.pipeInput('u1', 'home');
    await v.pipeInput('u2', 'cart');
    await c.pipeInput('u1', 3);
    const out = await driver.createOutputTopic('out', S, Serdes.Json<Stats>()).readKeyValuesToList();
    expect(out).toEqual([
      kv('u1', { clicks: 2, views: [] }),
      kv('u1', { clicks: 2, views: ['home'] }),
      kv('u2', { clicks: 0, views: ['cart'] }),
      kv('u1', { clicks: 5, views: ['home'] }),
    ]);
    const store = driver.getKeyValueStore<KeyValueStore<string, Stats>>('stats');
    expect(await store.get('u1')).toEqual({ clicks: 5, views: ['home'] });
    expect(await store.get('u2')).toEqual({ clicks: 0, views: ['cart'] });
    await driver.close();
  });

  it('cogroup with a key-changing input repartitions that input', async () => {
    const builder = new StreamsBuilder();
    const a = builder.stream('a', Consumed.with(S, L)).groupByKey();
    const b = builder.stream('b', Consumed.with(S, L)).groupBy((k) => k.toUpperCase(), Grouped.with(S, L));
    a.cogroup<number>((_k, v, agg) => agg + v)
      .cogroup(b, (_k, v, agg) => agg + 100 * v)
      .aggregate(() => 0, Materialized.as<string, number>('co-sum').withValueSerde(L));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'co2' });
    await driver.createInputTopic('a', S, L).pipeInput('K', 1);
    await driver.createInputTopic('b', S, L).pipeInput('k', 2);
    expect(await driver.getKeyValueStore<KeyValueStore<string, number>>('co-sum').get('K')).toBe(201);
    expect(await driver.getKeyValueStore<KeyValueStore<string, number>>('co-sum').get('k')).toBeNull();
    await driver.close();
  });
});
