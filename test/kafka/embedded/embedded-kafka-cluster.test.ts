/**
 * The cluster's registry of owners (issue 8, finding 9): an application instance that closed its clients is not
 * kept alive by the cluster that it ran on (crashed ones already were not).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Consumed, KafkaStreams, Produced, Serdes, StreamsBuilder } from '../../../src/index.js';
import { EmbeddedKafkaCluster } from '../../../src/kafka/embedded/embedded-kafka-cluster.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects garbage until `ref` is cleared, or gives up after a few rounds (false). */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 20 && ref.deref() !== undefined; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  return ref.deref() === undefined;
}

describe('owners', () => {
  it('a closed owner is not retained by the cluster', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('t');
    const ref = await (async () => {
      const owner = {};
      const producer = cluster.producer({}, owner);
      const consumer = cluster.consumer({ groupId: 'g' }, owner);
      const admin = cluster.admin(owner);
      await producer.close();
      await consumer.close();
      await admin.close();
      return new WeakRef(owner);
    })();
    expect(await collected(ref)).toBe(true);
    await cluster.close();
  });

  it('a closed KafkaStreams instance can be garbage-collected while its cluster lives on', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('in');
    await cluster.createTopic('out');
    const ref = await (async () => {
      const builder = new StreamsBuilder();
      builder.stream('in', Consumed.with(Serdes.String(), Serdes.String())).to('out', Produced.with(Serdes.String(), Serdes.String()));
      const app = new KafkaStreams(builder.build(), { applicationId: 'gc', cluster, commitIntervalMs: 50 });
      await app.start();
      await app.waitForState('RUNNING');
      await app.close();
      return new WeakRef(app);
    })();
    expect(await collected(ref)).toBe(true);
    await cluster.close();
  });
});
