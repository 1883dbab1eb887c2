import { describe, expect, it } from 'vitest';
import { EmbeddedKafkaCluster } from '../../../src/kafka/embedded/embedded-kafka-cluster.js';
import { tpKey } from '../../../src/kafka/client.js';
import { IllegalStateError, KafkaError, ProducerFencedError } from '../../../src/errors.js';
import { buf, recordingListener, settle, str } from './helpers.js';

const rec = (value: string, partition = 0) => ({ topic: 'out', partition, key: buf('k'), value: buf(value), timestamp: 0 });
const values = async (cluster: EmbeddedKafkaCluster, isolationLevel: 'read_committed' | 'read_uncommitted') =>
  (await cluster.readAll('out', { isolationLevel })).map((r) => str(r.value));

async function setup(partitions = 1) {
  const cluster = new EmbeddedKafkaCluster();
  await cluster.createTopic('out', { partitions });
  await cluster.createTopic('in', { partitions: 2 });
  return cluster;
}

describe('transactions', () => {
  it('records are in the log at once but visible to read_committed only after commit', async () => {
    const cluster = await setup();
    const p = cluster.producer({ transactionalId: 'tx' });
    await p.initTransactions();
    await p.beginTransaction();
    p.send(rec('a'));
    const flushed = await p.flush();
    expect(flushed.lastOffsets.get(tpKey('out', 0))).toBe(0);
    expect(await values(cluster, 'read_uncommitted')).toEqual(['a']);
    expect(await values(cluster, 'read_committed')).toEqual([]);
    await p.commitTransaction();
    expect(await values(cluster, 'read_committed')).toEqual(['a']);
    // The commit marker takes an offset, as in Kafka.
    expect(cluster.endOffsets('out')).toEqual([2]);
    await cluster.close();
  });

  it('aborted records stay invisible to read_committed; read_uncommitted sees them', async () => {
    const cluster = await setup();
    const p = cluster.producer({ transactionalId: 'tx' });
    await p.initTransactions();
    await p.beginTransaction();
    p.send(rec('aborted'));
    await p.flush();
    await p.abortTransaction();
    await p.beginTransaction();
    p.send(rec('committed'));
    await p.commitTransaction(); // commit flushes
    await cluster.produce('out', [{ key: null, value: buf('plain'), partition: 0 }]);
    expect(await values(cluster, 'read_committed')).toEqual(['committed', 'plain']);
    expect(await values(cluster, 'read_uncommitted')).toEqual(['aborted', 'committed', 'plain']);
    await cluster.close();
  });

  it('an open transaction blocks read_committed consumers at its first offset (last stable offset)', async () => {
    const cluster = await setup();
    const p = cluster.producer({ transactionalId: 'tx' });
    await p.initTransactions();
    await p.beginTransaction();
    await cluster.produce('out', [{ key: null, value: buf('before'), partition: 0 }]);
    p.send(rec('txn'));
    await p.flush();
    await cluster.produce('out', [{ key: null, value: buf('after'), partition: 0 }]);
    const c = cluster.consumer({ isolationLevel: 'read_committed' });
    await c.assign([{ topic: 'out', partition: 0, offset: 0 }]);
    expect((await c.poll(0)).map((r) => str(r.value))).toEqual(['before']);
    expect(await c.poll(0)).toEqual([]);
    const waiting = c.poll(2000);
    await p.commitTransaction();
    expect((await waiting).map((r) => str(r.value))).toEqual(['txn', 'after']);
    const u = cluster.consumer({});
    await u.assign([{ topic: 'out', partition: 0, offset: 0 }]);
    expect((await u.poll(0)).map((r) => str(r.value))).toEqual(['before', 'txn', 'after']);
    await cluster.close();
  });

  it('a second initTransactions with the same id fences the first producer and aborts its transaction', async () => {
    const cluster = await setup();
    const old = cluster.producer({ transactionalId: 'tx' });
    await old.initTransactions();
    await old.beginTransaction();
    old.send(rec('zombie'));
    await old.flush();
    const fresh = cluster.producer({ transactionalId: 'tx' });
    await fresh.initTransactions();
    expect(await values(cluster, 'read_committed')).toEqual([]);
    expect(await values(cluster, 'read_uncommitted')).toEqual(['zombie']);
    await expect(old.commitTransaction()).rejects.toBeInstanceOf(ProducerFencedError);
    expect(old.transactionState).toBe('FENCED');
    old.send(rec('more')); // send never throws for broker errors...
    await expect(old.flush()).rejects.toBeInstanceOf(ProducerFencedError); // ...flush reports the fencing
    await expect(old.beginTransaction()).rejects.toBeInstanceOf(ProducerFencedError);
    await fresh.beginTransaction();
    fresh.send(rec('fresh'));
    await fresh.commitTransaction();
    expect(await values(cluster, 'read_committed')).toEqual(['fresh']);
    await cluster.close();
  });

  it('sendOffsetsToTransaction commits offsets only when the transaction commits', async () => {
    const cluster = await setup();
    const c = cluster.consumer({ groupId: 'app' });
    await c.subscribe(['in'], recordingListener());
    await c.poll(0);
    const p = cluster.producer({ transactionalId: 'tx' });
    await p.initTransactions();

    await p.beginTransaction();
    p.send(rec('x'));
    await p.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 5 }], c.groupMetadata());
    expect(cluster.describeGroup('app')!.offsets.has('in:0')).toBe(false);
    await p.abortTransaction();
    expect(cluster.describeGroup('app')!.offsets.has('in:0')).toBe(false);
    expect(await c.committed([{ topic: 'in', partition: 0 }])).toEqual(new Map());

    await p.beginTransaction();
    await p.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 9 }], c.groupMetadata());
    // While the transaction is open the offset is unstable: committed() waits for the outcome (KIP-447).
    const committed = c.committed([{ topic: 'in', partition: 0 }]);
    await p.commitTransaction();
    expect(await committed).toEqual(new Map([['in:0', 9]]));
    await cluster.close();
  });

  it('a newly assigned partition waits for a pending transactional offset before fetching', async () => {
    const cluster = await setup();
    await cluster.produce('in', Array.from({ length: 6 }, (_, i) => ({ key: null, value: buf(`${i}`), partition: 0 })));
    const p = cluster.producer({ transactionalId: 'tx' });
    await p.initTransactions();
    await p.beginTransaction();
    await p.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 4 }], { groupId: 'app', generationId: -1, memberId: '' });
    const c = cluster.consumer({ groupId: 'app' });
    await c.subscribe(['in'], recordingListener());
    expect(await c.poll(0)).toEqual([]);
    const waiting = c.poll(2000);
    await p.commitTransaction();
    expect((await waiting).filter((r) => r.partition === 0).map((r) => r.offset)).toEqual([4, 5]);
    await cluster.close();
  });

  it('fences sendOffsetsToTransaction from a stale generation or a member that left', async () => {
    const cluster = await setup();
    const a = cluster.consumer({ groupId: 'app', clientId: 'a', sessionTimeoutMs: 50 });
    await a.subscribe(['in'], recordingListener());
    await a.poll(0);
    const staleMeta = a.groupMetadata();
    const b = cluster.consumer({ groupId: 'app', clientId: 'b', sessionTimeoutMs: 50 });
    await b.subscribe(['in'], recordingListener());
    await settle([a, b]);
    expect(a.groupMetadata().generationId).toBe(staleMeta.generationId + 1);

    const p = cluster.producer({ transactionalId: 'tx-a' });
    await p.initTransactions();
    await p.beginTransaction();
    p.send(rec('by-a'));
    const err = await p.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 1 }], staleMeta).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProducerFencedError);
    expect((err as Error).message).toMatch(/generation 1.*generation 2/);
    // The transaction can only be aborted now.
    expect(p.transactionState).toBe('ABORTABLE_ERROR');
    await expect(p.commitTransaction()).rejects.toMatchObject({ kafkaCode: 'TRANSACTION_ABORTABLE' });
    await p.abortTransaction();
    expect(await values(cluster, 'read_committed')).toEqual([]);

    // b stops polling and expires; offsets sent with its metadata are fenced.
    const bMeta = b.groupMetadata();
    const deadline = Date.now() + 2000;
    while (cluster.describeGroup('app')!.members.length > 1 && Date.now() < deadline) await a.poll(10);
    const q = cluster.producer({ transactionalId: 'tx-b' });
    await q.initTransactions();
    await q.beginTransaction();
    await expect(q.sendOffsetsToTransaction([{ topic: 'in', partition: 1, offset: 1 }], bMeta)).rejects.toThrow(/no longer in the group/);
    // The current member's offsets go through.
    await p.beginTransaction();
    await settle([a]);
    await p.sendOffsetsToTransaction([{ topic: 'in', partition: 1, offset: 3 }], a.groupMetadata());
    await p.commitTransaction();
    expect(cluster.describeGroup('app')!.offsets.get('in:1')).toBe(3);
    await cluster.close();
  });

  it('aborts a transaction open longer than transactionTimeoutMs and fences its producer', async () => {
    const cluster = await setup();
    const p = cluster.producer({ transactionalId: 'tx', transactionTimeoutMs: 40 });
    await p.initTransactions();
    await p.beginTransaction();
    p.send(rec('slow'));
    await p.flush();
    await new Promise((r) => setTimeout(r, 100));
    expect(await values(cluster, 'read_uncommitted')).toEqual(['slow']);
    expect(cluster.endOffsets('out')).toEqual([2]); // abort marker written
    const err = await p.commitTransaction().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProducerFencedError);
    expect((err as Error).message).toMatch(/transactionTimeoutMs/);
    const c = cluster.consumer({ isolationLevel: 'read_committed' });
    await c.assign([{ topic: 'out', partition: 0, offset: 0 }]);
    expect(await c.poll(0)).toEqual([]);
    await cluster.close();
  });

  it('guards the transaction state machine', async () => {
    const cluster = await setup();
    const p = cluster.producer({ transactionalId: 'tx' });
    await expect(p.beginTransaction()).rejects.toBeInstanceOf(IllegalStateError);
    expect(() => p.send(rec('x'))).toThrow(IllegalStateError);
    await p.initTransactions();
    await expect(p.initTransactions()).rejects.toBeInstanceOf(IllegalStateError);
    await expect(p.commitTransaction()).rejects.toThrow(/beginTransaction/);
    await p.beginTransaction();
    await expect(p.beginTransaction()).rejects.toBeInstanceOf(IllegalStateError);
    await p.commitTransaction(); // an empty transaction commits
    const plain = cluster.producer({});
    await expect(plain.initTransactions()).rejects.toThrow(/no transactionalId/);
    await cluster.close();
  });

  it('a failed send makes the transaction abortable only', async () => {
    const cluster = await setup();
    const p = cluster.producer({ transactionalId: 'tx' });
    await p.initTransactions();
    await p.beginTransaction();
    p.send(rec('ok'));
    p.send({ ...rec('bad'), topic: 'missing' });
    const result = await p.flush();
    expect(result.failures).toHaveLength(1);
    await expect(p.commitTransaction()).rejects.toBeInstanceOf(KafkaError);
    await p.abortTransaction();
    await p.beginTransaction();
    p.send(rec('next'));
    await p.commitTransaction();
    expect(await values(cluster, 'read_committed')).toEqual(['next']);
    await cluster.close();
  });

  it('closing a transactional producer aborts its open transaction', async () => {
    const cluster = await setup();
    const p = cluster.producer({ transactionalId: 'tx' });
    await p.initTransactions();
    await p.beginTransaction();
    p.send(rec('x'));
    await p.flush();
    await p.close();
    const c = cluster.consumer({ isolationLevel: 'read_committed' });
    await c.assign([{ topic: 'out', partition: 0, offset: 0 }]);
    expect(await c.poll(0)).toEqual([]);
    expect(c.position({ topic: 'out', partition: 0 })).toBe(2); // moved past the aborted record and its marker
    await expect(p.flush()).rejects.toMatchObject({ kafkaCode: 'CLIENT_CLOSED' });
    await cluster.close();
  });
});
