import { describe, expect, it } from 'vitest';
import { EmbeddedKafkaCluster } from '../../../src/kafka/embedded/embedded-kafka-cluster.js';
import { defaultPartition, murmur2 } from '../../../src/kafka/partitioner.js';
import { buf } from './helpers.js';

describe('partitioning', () => {
  it('murmur2 matches the Java client for known keys', () => {
    // Values from Kafka's own UtilsTest / the Java client's Utils.murmur2.
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
  });

  it('places keyed records with the default partitioner', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('t', { partitions: 7 });
    const keys = ['alpha', 'beta', 'gamma', 'delta', 'k1', 'k2', 'k3', '', 'ünïcode'];
    const placed = await cluster.produce('t', keys.map((k) => ({ key: buf(k), value: buf('v') })));
    placed.forEach((p, i) => expect(p.partition).toBe(defaultPartition(buf(keys[i]!), 7)));
    const read = await cluster.readAll('t');
    for (const r of read) expect(r.partition).toBe(defaultPartition(r.key!, 7));
    await cluster.close();
  });

  it('co-locates equal keys across co-partitioned topics, producers and the cluster helper', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('a', { partitions: 5 });
    await cluster.createTopic('b', { partitions: 5 });
    const keys = Array.from({ length: 50 }, (_, i) => `user-${i}`);
    await cluster.produce('a', keys.map((k) => ({ key: buf(k), value: null })));
    const producer = cluster.producer({});
    for (const k of keys) producer.send({ topic: 'b', key: buf(k), value: buf('x'), timestamp: 1 });
    await producer.flush();
    const where = (recs: { key: Buffer | null; partition: number }[]) => new Map(recs.map((r) => [r.key!.toString(), r.partition]));
    expect(where(await cluster.readAll('b'))).toEqual(where(await cluster.readAll('a')));
    await cluster.close();
  });

  it('spreads null keys round-robin and honours an explicit partition', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('t', { partitions: 3 });
    const placed = await cluster.produce('t', [
      { key: null, value: buf('1') },
      { key: null, value: buf('2') },
      { key: null, value: buf('3') },
      { key: buf('x'), value: buf('4'), partition: 2 },
    ]);
    expect(placed.slice(0, 3).map((p) => p.partition).sort()).toEqual([0, 1, 2]);
    expect(placed[3]!.partition).toBe(2);
    await expect(cluster.produce('t', [{ key: null, value: null, partition: 3 }])).rejects.toMatchObject({
      kafkaCode: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
    await cluster.close();
  });
});
