/**
 * suppress behind a cached aggregation: the cache forwards its updates at commit, when the task's stream time may
 * already be past them. The buffer must judge them by the time it has seen (Kafka Streams' observed stream time),
 * or updates of a window still in the cache are preceded by an early, wrong "final" of the same window.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BufferConfig, Consumed, KeyValue, Materialized, Produced, StreamsBuilder, Suppressed, TimeWindows } from '../../src/index.js';
import { Harness, L, S, tempStateDir, waitFor } from '../runtime/helpers.js';

const h = new Harness();
afterEach(() => h.closeAll());

const base = 1_700_000_000_000;
const CARDS = 20;
const rec = (key: string, timestamp: number) => ({ key: Buffer.from(key), value: Buffer.from('x'), timestamp });

describe('suppress(untilWindowCloses) behind a cached windowed count', () => {
  it('updates and the record closing their window in one commit interval: each window final once, with all updates', async () => {
    const cluster = h.cluster();
    await cluster.createTopic('in', { partitions: 1 });
    await cluster.createTopic('alerts', { partitions: 1 });
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10_000))
      .count(Materialized.with(S, L)) // cached (the default)
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .map((k, v) => KeyValue.pair(`${k.key}@${k.window.start - base}`, v))
      .to('alerts', Produced.with(S, L));
    const app = h.app(builder.build(), { applicationId: 'cached', cluster, stateDir: tempStateDir('sup-cached'), commitIntervalMs: 1_000 });
    await app.start();
    const cards = Array.from({ length: CARDS }, (_, i) => `card-${i}`);
    await cluster.produce('in', cards.map((c, i) => rec(c, base + i)));
    // the first updates reach the buffer (and its changelog) at a commit
    const changelog = 'cached-KTABLE-SUPPRESS-STATE-STORE-0000000004-changelog';
    await waitFor(async () => cluster.topics().includes(changelog) && (await cluster.readAll(changelog)).length >= CARDS, 10_000, 'first updates buffered');
    // second updates and the record that closes the window, processed before the next commit
    await cluster.produce('in', [...cards.map((c, i) => rec(c, base + 100 + i)), rec('closer', base + 10_000)]);
    const alerts = async () => (await cluster.readAll('alerts')).map((r) => `${r.key!.toString()}=${L.deserialize('alerts', r.value)}`);
    await waitFor(async () => (await alerts()).length >= CARDS, 10_000, 'finals');
    expect((await alerts()).sort()).toEqual(cards.map((c) => `${c}@0=2`).sort());
  });
});
