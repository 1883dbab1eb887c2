import { describe, expect, it } from 'vitest';
import { EmbeddedKafkaCluster } from '../../../src/kafka/embedded/embedded-kafka-cluster.js';

describe('kafkajs-shaped facade', () => {
  it('admin.createTopics, producer.send and consumer.run({ eachMessage }) work like kafkajs', async () => {
    const cluster = new EmbeddedKafkaCluster();
    const kafka = cluster.kafkajs();
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 3 }] })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 3 }] })).toBe(false);
    expect(await admin.listTopics()).toEqual(['events']);

    const producer = kafka.producer();
    await producer.connect();
    const meta = await producer.send({
      topic: 'events',
      messages: [
        { key: 'a', value: 'one' },
        { key: 'b', value: 'two', headers: { h: 'x' } },
        { key: 'a', value: 'three' },
      ],
    });
    expect(meta.every((m) => m.topicName === 'events' && m.errorCode === 0)).toBe(true);

    const consumer = kafka.consumer({ groupId: 'readers' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['events'], fromBeginning: true });
    const seen: string[] = [];
    let headerSeen = '';
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(`${message.key!.toString()}=${message.value!.toString()}`);
        if (message.headers['h']) headerSeen = message.headers['h'].toString();
      },
    });
    const deadline = Date.now() + 2000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await consumer.disconnect();
    // Same key, same partition, in order.
    expect(seen.filter((s) => s.startsWith('a='))).toEqual(['a=one', 'a=three']);
    expect(seen).toHaveLength(3);
    expect(headerSeen).toBe('x');
    const offsets = await admin.fetchOffsets({ groupId: 'readers', topics: ['events'] });
    const committed = offsets[0]!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    expect(committed).toBe(3);
    const topicOffsets = await admin.fetchTopicOffsets('events');
    expect(topicOffsets.reduce((s, p) => s + Number(p.high), 0)).toBe(3);
    await producer.disconnect();
    await admin.disconnect();
    await cluster.close();
  });

  it('transactions: commit is visible to read_committed, abort is not', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('out');
    const producer = cluster.kafkajs().producer({ transactionalId: 'kjs', idempotent: true });
    let txn = await producer.transaction();
    await txn.send({ topic: 'out', messages: [{ value: 'kept' }] });
    await txn.sendOffsets({ consumerGroupId: 'g', topics: [{ topic: 'out', partitions: [{ partition: 0, offset: '1' }] }] });
    await txn.commit();
    txn = await producer.transaction();
    await txn.send({ topic: 'out', messages: [{ value: 'dropped' }] });
    await txn.abort();
    const committed = await cluster.readAll('out', { isolationLevel: 'read_committed' });
    expect(committed.map((r) => r.value!.toString())).toEqual(['kept']);
    expect(cluster.describeGroup('g')!.offsets.get('out:0')).toBe(1);
    await cluster.close();
  });
});

describe('cluster.producer() / consumer() / admin() take kafkajs calls directly (the public contract)', () => {
  it('code written against kafkajs runs on the embedded cluster', async () => {
    const cluster = new EmbeddedKafkaCluster();
    const admin = cluster.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2 }] })).toBe(true);
    const producer = cluster.producer();
    await producer.connect();
    const meta = await producer.send({ topic: 'orders', messages: [{ key: 'k1', value: 'v1' }, { key: 'k2', value: 'v2' }] });
    expect(meta.reduce((n, m) => n + Number(m.baseOffset) + 1, 0)).toBe(2);
    await producer.sendBatch({ topicMessages: [{ topic: 'orders', messages: [{ key: 'k3', value: 'v3' }] }] });

    const consumer = cluster.consumer({ groupId: 'kafkajs-app' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['orders'], fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    const deadline = Date.now() + 2000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await consumer.disconnect();
    expect(seen.sort()).toEqual(['v1', 'v2', 'v3']);
    await producer.disconnect();
    await admin.disconnect();
    await cluster.close();
  });

  it('a kafkajs-style consumer defaults to read_committed and to the latest offset unless fromBeginning', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('t');
    await cluster.produce('t', [{ key: null, value: Buffer.from('old') }]);
    const tx = cluster.producer({ transactionalId: 'tx' });
    const txn = await tx.transaction();
    await txn.send({ topic: 't', messages: [{ value: 'open' }] });
    const consumer = cluster.consumer({ groupId: 'late' });
    await consumer.subscribe({ topics: ['t'] });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await new Promise((r) => setTimeout(r, 150));
    await txn.abort();
    await cluster.produce('t', [{ key: null, value: Buffer.from('new') }]);
    const deadline = Date.now() + 2000;
    while (seen.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await consumer.disconnect();
    // 'old' predates the subscription (latest), 'open' was aborted (read_committed)
    expect(seen).toEqual(['new']);
    await cluster.close();
  });
});
