import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, EmbeddedKafkaCluster, JoinWindows, KafkaStreams, Materialized, Produced, Serdes, StreamsBuilder } from '../../src/index.js';

/** The joins on the real runtime (embedded cluster, 3 partitions, RocksDB stores): partitioning of internal topics. */

const S = Serdes.String();
const b = (s: string): Buffer => Buffer.from(s);

async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('joins on the runtime', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  async function start(builder: StreamsBuilder, topics: string[], appId: string) {
    const cluster = new EmbeddedKafkaCluster();
    const dir = await mkdtemp(join(tmpdir(), 'sluice-joins-'));
    for (const t of topics) await cluster.createTopic(t, { partitions: 3 });
    const app = new KafkaStreams(builder.build(), { applicationId: appId, cluster, stateDir: dir, commitIntervalMs: 50 });
    cleanup.push(
      () => app.close(),
      () => cluster.close(),
      () => rm(dir, { recursive: true, force: true }),
    );
    await app.start();
    await app.waitForState('RUNNING');
    return cluster;
  }

  it('foreign-key join across partitions: subscriptions reach the foreign row, responses the primary row', async () => {
    const builder = new StreamsBuilder();
    const orders = builder.table('orders', Consumed.with(S, S));
    const customers = builder.table('customers', Consumed.with(S, S));
    orders
      .join(customers, (v: string) => v.split(':')[0]!, (o: string, c: string) => `${o}@${c}`, Materialized.with(S, S))
      .toStream()
      .to('out', Produced.with(S, S));
    const cluster = await start(builder, ['orders', 'customers', 'out'], 'fk-app');
    const customersIn = Array.from({ length: 12 }, (_, i) => ({ key: b(`c${i}`), value: b(`name${i}`) }));
    await cluster.produce('customers', customersIn);
    await cluster.produce('orders', Array.from({ length: 12 }, (_, i) => ({ key: b(`o${i}`), value: b(`c${(i * 5) % 12}:item${i}`) })));
    await waitFor(async () => new Set((await cluster.readAll('out')).map((r) => r.key!.toString())).size === 12);
    const last = new Map<string, string>();
    for (const r of await cluster.readAll('out')) last.set(r.key!.toString(), r.value!.toString());
    for (let i = 0; i < 12; i++) expect(last.get(`o${i}`)).toBe(`c${(i * 5) % 12}:item${i}@name${(i * 5) % 12}`);
  }, 30_000);

  it('stream-stream left join across partitions with RocksDB buffers', async () => {
    const builder = new StreamsBuilder();
    const clicks = builder.stream('clicks', Consumed.with(S, S));
    const views = builder.stream('views', Consumed.with(S, S));
    clicks.leftJoin(views, (c, v) => `${c}/${v ?? 'none'}`, JoinWindows.ofTimeDifferenceWithNoGrace(100)).to('out', Produced.with(S, S));
    const cluster = await start(builder, ['clicks', 'views', 'out'], 'ss-app');
    const keys = Array.from({ length: 9 }, (_, i) => `u${i}`);
    await cluster.produce('views', keys.filter((_, i) => i % 3 !== 0).map((k) => ({ key: b(k), value: b(`v-${k}`), timestamp: 1000 })));
    await cluster.produce('clicks', keys.map((k) => ({ key: b(k), value: b(`c-${k}`), timestamp: 1050 })));
    // a later record on every partition closes the windows of the unmatched clicks
    await cluster.produce('clicks', Array.from({ length: 9 }, (_, i) => ({ key: b(`z${i}`), value: b('late-marker'), timestamp: 5000 })));
    await waitFor(async () => (await cluster.readAll('out')).length >= 9);
    const got = new Map((await cluster.readAll('out')).map((r) => [r.key!.toString(), r.value!.toString()]));
    keys.forEach((k, i) => expect(got.get(k)).toBe(i % 3 === 0 ? `c-${k}/none` : `c-${k}/v-${k}`));
  }, 30_000);
});
