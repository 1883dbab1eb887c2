import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Consumed,
  EmbeddedKafkaCluster,
  KafkaStreams,
  Materialized,
  Produced,
  QueryableStoreTypes,
  Serdes,
  StreamsBuilder,
} from '../../src/index.js';

const S = Serdes.String();
const b = (s: string): Buffer => Buffer.from(s);

async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('GlobalKTable on the runtime', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('bootstraps from every partition before processing and follows later updates', async () => {
    const cluster = new EmbeddedKafkaCluster();
    const dir = await mkdtemp(join(tmpdir(), 'sluice-global-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }), () => cluster.close());
    await cluster.createTopic('regions', { partitions: 3 });
    await cluster.createTopic('orders', { partitions: 2 });
    await cluster.createTopic('out', { partitions: 2 });
    await cluster.produce('regions', ['paris', 'tokyo', 'lima', 'oslo'].map((city, i) => ({ key: b(city), value: b(['EU', 'AS', 'SA', 'EU'][i]!) })));

    const builder = new StreamsBuilder();
    const regions = builder.globalTable('regions', Consumed.with(S, S), Materialized.as('regions'));
    builder
      .stream('orders', Consumed.with(S, S))
      .join(regions, (_k, v) => v.split('@')[1]!, (v, region) => `${v}->${region}`)
      .to('out', Produced.with(S, S));
    const app = new KafkaStreams(builder.build(), { applicationId: 'global-app', cluster, stateDir: dir, commitIntervalMs: 50 });
    cleanup.unshift(() => app.close());
    await app.start();
    await app.waitForState('RUNNING');
    // every partition of the global topic is in every instance's store
    const store = app.store({ storeName: 'regions', type: QueryableStoreTypes.keyValueStore<string, string>() });
    for (const city of ['paris', 'tokyo', 'lima', 'oslo']) expect(await store.get(city)).not.toBeNull();

    await cluster.produce('orders', [{ key: b('o1'), value: b('book@lima') }, { key: b('o2'), value: b('pen@rome') }]);
    await waitFor(async () => (await cluster.readAll('out')).length >= 1);
    await cluster.produce('regions', [{ key: b('rome'), value: b('EU') }]);
    await waitFor(async () => (await store.get('rome')) === 'EU');
    await cluster.produce('orders', [{ key: b('o3'), value: b('cup@rome') }]);
    await waitFor(async () => (await cluster.readAll('out')).length >= 2);
    const out = (await cluster.readAll('out')).map((r) => r.value!.toString()).sort();
    expect(out).toEqual(['book@lima->SA', 'cup@rome->EU']);
  });
});
