import { describe, expect, it } from 'vitest';
import { EmbeddedKafkaCluster } from '../../../src/kafka/embedded/embedded-kafka-cluster.js';
import { tpKey } from '../../../src/kafka/client.js';
import { buf, str } from './helpers.js';

describe('topics, offsets and logs', () => {
  it('assigns consecutive offsets per partition and reads everything back ordered by partition then offset', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('t', { partitions: 2 });
    await cluster.produce('t', [
      { key: buf('a'), value: buf('1'), partition: 1, timestamp: 10, headers: { h: buf('x') } },
      { key: buf('b'), value: buf('2'), partition: 0, timestamp: 20 },
      { key: buf('c'), value: buf('3'), partition: 1, timestamp: 30 },
    ]);
    const all = await cluster.readAll('t');
    expect(all.map((r) => [r.partition, r.offset, str(r.value), r.timestamp])).toEqual([
      [0, 0, '2', 20],
      [1, 0, '1', 10],
      [1, 1, '3', 30],
    ]);
    expect(all[1]).toEqual({ topic: 't', partition: 1, offset: 0, key: buf('a'), value: buf('1'), timestamp: 10, headers: { h: buf('x') } });
    expect(cluster.endOffsets('t')).toEqual([1, 2]);
    await cluster.close();
  });

  it('createTopic is idempotent, lists topics and partition counts, and rejects bad names', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('x', { partitions: 3 });
    await cluster.createTopic('x', { partitions: 9 });
    expect(cluster.partitionCount('x')).toBe(3);
    await cluster.createTopic('a');
    expect(cluster.topics()).toEqual(['a', 'x']);
    expect(cluster.partitionCount('a')).toBe(1);
    await expect(cluster.createTopic('bad name!')).rejects.toMatchObject({ kafkaCode: 'INVALID_TOPIC_EXCEPTION' });
    await expect(cluster.createTopic('zero', { partitions: 0 })).rejects.toMatchObject({ kafkaCode: 'INVALID_PARTITIONS' });
    expect(() => cluster.partitionCount('nope')).toThrow(/does not exist/);
    await cluster.close();
  });

  it('admin creates topics, reports partition counts and earliest/latest offsets', async () => {
    const cluster = new EmbeddedKafkaCluster();
    const admin = cluster.admin();
    await admin.createTopics([{ topic: 'in', partitions: 2 }, { topic: 'log', partitions: 1, config: { 'cleanup.policy': 'compact' } }]);
    await admin.createTopics([{ topic: 'in', partitions: 5 }]);
    expect(await admin.partitionCounts(['in', 'log', 'missing'])).toEqual(new Map([['in', 2], ['log', 1]]));
    expect(await admin.listTopics()).toEqual(['in', 'log']);
    await cluster.produce('in', [{ key: null, value: null, partition: 1 }, { key: null, value: null, partition: 1 }]);
    const tps = [{ topic: 'in', partition: 0 }, { topic: 'in', partition: 1 }];
    expect(await admin.listOffsets(tps, 'latest')).toEqual(new Map([[tpKey('in', 0), 0], [tpKey('in', 1), 2]]));
    expect(await admin.listOffsets(tps, 'earliest')).toEqual(new Map([[tpKey('in', 0), 0], [tpKey('in', 1), 0]]));
    await expect(admin.listOffsets([{ topic: 'in', partition: 7 }], 'latest')).rejects.toMatchObject({ kafkaCode: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await admin.close();
    await expect(admin.listTopics()).rejects.toMatchObject({ kafkaCode: 'CLIENT_CLOSED' });
    await cluster.close();
  });

  it('does not auto-create topics: a send to an unknown topic fails that record in the flush result', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('known');
    const p = cluster.producer({});
    p.send({ topic: 'unknown', key: null, value: buf('1'), timestamp: 0 });
    p.send({ topic: 'known', key: null, value: buf('2'), timestamp: 0 });
    p.send({ topic: 'known', key: null, value: buf('3'), timestamp: 0 });
    const result = await p.flush();
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.record.topic).toBe('unknown');
    expect(result.failures[0]!.error).toMatchObject({ kafkaCode: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: false });
    expect(result.lastOffsets).toEqual(new Map([[tpKey('known', 0), 1]]));
    expect(cluster.topics()).toEqual(['known']);
    await expect(cluster.produce('unknown', [{ key: null, value: null }])).rejects.toMatchObject({ kafkaCode: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await expect(cluster.readAll('unknown')).rejects.toMatchObject({ kafkaCode: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await cluster.close();
  });

  it('flushes 10k records quickly and reports the last offset per partition', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('big', { partitions: 4 });
    const p = cluster.producer({ idempotent: true });
    const value = Buffer.alloc(100);
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) p.send({ topic: 'big', key: buf(`key-${i}`), value, timestamp: i });
    const result = await p.flush();
    const elapsed = performance.now() - t0;
    const total = cluster.endOffsets('big').reduce((a, b) => a + b, 0);
    expect(total).toBe(10_000);
    cluster.endOffsets('big').forEach((end, partition) => expect(result.lastOffsets.get(tpKey('big', partition))).toBe(end - 1));
    expect(elapsed).toBeLessThan(200); // a few ms in practice; generous for loaded CI machines
    await cluster.close();
  });

  describe('compaction', () => {
    it('cleans compacted topics in the background once the dirty part reaches min.cleanable.dirty.ratio', async () => {
      const cluster = new EmbeddedKafkaCluster();
      await cluster.createTopic('cl', { config: { 'cleanup.policy': 'compact', 'sluice.min.cleanable.records': '100' } });
      // 10 keys rewritten 100 times each: 1000 records, of which only the last per key must stay
      for (let round = 0; round < 100; round++) {
        await cluster.produce('cl', Array.from({ length: 10 }, (_, k) => ({ key: buf(`k${k}`), value: buf(`${round}`), partition: 0 })));
      }
      const log = await cluster.readAll('cl');
      expect(log.length).toBeLessThan(250); // far fewer than the 1000 written, without calling compact()
      const latest = new Map(log.map((r) => [str(r.key!), str(r.value!)]));
      expect(latest.size).toBe(10);
      for (const v of latest.values()) expect(v).toBe('99');
      expect(cluster.endOffsets('cl')).toEqual([1000]); // offsets are kept, gaps allowed
      await cluster.close();
    });

    it('keeps the latest record per key, keeps a latest tombstone, and leaves offsets (with gaps) unchanged', async () => {
      const cluster = new EmbeddedKafkaCluster();
      await cluster.createTopic('c', { config: { 'cleanup.policy': 'compact' } });
      await cluster.produce('c', [
        { key: buf('a'), value: buf('a1') }, // 0
        { key: buf('b'), value: buf('b1') }, // 1
        { key: buf('a'), value: buf('a2') }, // 2
        { key: buf('c'), value: buf('c1') }, // 3
        { key: buf('b'), value: null }, // 4 tombstone, latest for b
        { key: buf('c'), value: null }, // 5 tombstone, older than 6
        { key: buf('c'), value: buf('c2') }, // 6
      ]);
      expect(await cluster.compact('c')).toBe(4);
      const after = await cluster.readAll('c');
      expect(after.map((r) => [r.offset, str(r.key), str(r.value)])).toEqual([
        [2, 'a', 'a2'],
        [4, 'b', null],
        [6, 'c', 'c2'],
      ]);
      expect(cluster.endOffsets('c')).toEqual([7]);
      expect(await cluster.compact('c', { removeTombstones: true })).toBe(1);
      expect((await cluster.readAll('c')).map((r) => r.offset)).toEqual([2, 6]);
      await cluster.close();
    });

    it('consumers read across compaction gaps and resume from an offset inside a gap', async () => {
      const cluster = new EmbeddedKafkaCluster();
      await cluster.createTopic('c', { config: { 'cleanup.policy': 'compact' } });
      await cluster.produce('c', Array.from({ length: 10 }, (_, i) => ({ key: buf(`k${i % 3}`), value: buf(`${i}`) })));
      await cluster.compact('c');
      const consumer = cluster.consumer({});
      await consumer.assign([{ topic: 'c', partition: 0, offset: 1 }]);
      const got = await consumer.poll(0);
      expect(got.map((r) => r.offset)).toEqual([7, 8, 9]);
      expect(consumer.position({ topic: 'c', partition: 0 })).toBe(10);
      await cluster.close();
    });

    it('rejects null keys on compacted topics and compaction on non-compacted topics', async () => {
      const cluster = new EmbeddedKafkaCluster();
      await cluster.createTopic('c', { config: { 'cleanup.policy': 'compact' } });
      await cluster.createTopic('d');
      await expect(cluster.produce('c', [{ key: null, value: buf('x') }])).rejects.toMatchObject({ kafkaCode: 'INVALID_RECORD' });
      const p = cluster.producer({});
      p.send({ topic: 'c', key: null, value: buf('x'), timestamp: 0 });
      expect((await p.flush()).failures[0]!.error).toMatchObject({ kafkaCode: 'INVALID_RECORD' });
      await expect(cluster.compact('d')).rejects.toMatchObject({ kafkaCode: 'INVALID_CONFIG' });
      await cluster.close();
    });

    it('does not compact records of open transactions and drops aborted ones', async () => {
      const cluster = new EmbeddedKafkaCluster();
      await cluster.createTopic('c', { config: { 'cleanup.policy': 'compact' } });
      const p = cluster.producer({ transactionalId: 'tx' });
      await p.initTransactions();
      await p.beginTransaction();
      p.send({ topic: 'c', key: buf('a'), value: buf('aborted'), timestamp: 0 });
      await p.flush();
      await p.abortTransaction();
      await cluster.produce('c', [{ key: buf('a'), value: buf('a1') }]);
      await p.beginTransaction();
      p.send({ topic: 'c', key: buf('a'), value: buf('open'), timestamp: 0 });
      await p.flush();
      await cluster.compact('c');
      expect((await cluster.readAll('c')).map((r) => str(r.value))).toEqual(['a1', 'open']);
      await p.commitTransaction();
      await cluster.compact('c');
      expect((await cluster.readAll('c')).map((r) => str(r.value))).toEqual(['open']);
      expect((await cluster.readAll('c', { isolationLevel: 'read_committed' })).map((r) => str(r.value))).toEqual(['open']);
      await cluster.close();
    });
  });
});
