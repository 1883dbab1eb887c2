import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmbeddedKafkaCluster } from '../../../src/kafka/embedded/embedded-kafka-cluster.js';
import { KafkaError, ProducerFencedError } from '../../../src/errors.js';
import { buf, recordingListener, str } from './helpers.js';

const rec = (value: string, topic = 'out') => ({ topic, key: null, value: buf(value), timestamp: 0 });

describe('fault hooks', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('failNextSends fails the next N records to a topic with a retriable error, then recovers', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('out');
    await cluster.createTopic('other');
    const p = cluster.producer({});
    cluster.faults.failNextSends('out', 2);
    for (const v of ['1', '2', '3']) p.send(rec(v));
    p.send(rec('o', 'other'));
    const result = await p.flush();
    expect(result.failures.map((f) => str(f.record.value))).toEqual(['1', '2']);
    expect(result.failures[0]!.error).toMatchObject({ retriable: true });
    expect(result.failures[0]!.error).toBeInstanceOf(KafkaError);
    expect((await cluster.readAll('out')).map((r) => str(r.value))).toEqual(['3']);
    p.send(rec('4'));
    expect((await p.flush()).failures).toEqual([]);
    await cluster.close();
  });

  it('failNextCommit fails a consumer commit once', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('in');
    const c = cluster.consumer({ groupId: 'g' });
    await c.subscribe(['in'], recordingListener());
    await c.poll(0);
    const boom = new KafkaError('boom', { retriable: true, kafkaCode: 'COORDINATOR_NOT_AVAILABLE' });
    cluster.faults.failNextCommit(boom);
    await expect(c.commit([{ topic: 'in', partition: 0, offset: 3 }])).rejects.toBe(boom);
    expect(cluster.describeGroup('g')!.offsets.size).toBe(0);
    await c.commit([{ topic: 'in', partition: 0, offset: 3 }]);
    expect(cluster.describeGroup('g')!.offsets.get('in:0')).toBe(3);
    await cluster.close();
  });

  it('failNextCommit on commitTransaction leaves the transaction open (retriable) or fences (ProducerFencedError)', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('out');
    const p = cluster.producer({ transactionalId: 'tx' });
    await p.initTransactions();
    await p.beginTransaction();
    p.send(rec('a'));
    cluster.faults.failNextCommit();
    await expect(p.commitTransaction()).rejects.toMatchObject({ retriable: true });
    expect(await cluster.readAll('out', { isolationLevel: 'read_committed' })).toEqual([]);
    await p.commitTransaction(); // retry succeeds
    expect((await cluster.readAll('out', { isolationLevel: 'read_committed' })).map((r) => str(r.value))).toEqual(['a']);

    await p.beginTransaction();
    p.send(rec('b'));
    cluster.faults.failNextCommit(new ProducerFencedError('injected fencing'));
    await expect(p.commitTransaction()).rejects.toBeInstanceOf(ProducerFencedError);
    expect(p.transactionState).toBe('FENCED');
    expect((await cluster.readAll('out', { isolationLevel: 'read_committed' })).map((r) => str(r.value))).toEqual(['a']);
    await cluster.close();
  });

  it('failNextPoll fails the next poll only', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('in');
    await cluster.produce('in', [{ key: null, value: buf('x') }]);
    const c = cluster.consumer({});
    await c.assign([{ topic: 'in', partition: 0, offset: 0 }]);
    cluster.faults.failNextPoll();
    await expect(c.poll(0)).rejects.toMatchObject({ retriable: true });
    expect((await c.poll(0)).map((r) => str(r.value))).toEqual(['x']);
    await cluster.close();
  });

  it('delayFlush and delayPoll add latency; reset() disarms everything', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('out');
    const p = cluster.producer({});
    const c = cluster.consumer({});
    await c.assign([{ topic: 'out', partition: 0, offset: 0 }]);
    cluster.faults.delayFlush(60);
    cluster.faults.delayPoll(60);
    p.send(rec('x'));
    let t0 = Date.now();
    await p.flush();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
    t0 = Date.now();
    expect(await c.poll(0)).toHaveLength(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
    cluster.faults.failNextSends('out', 5);
    cluster.faults.reset();
    p.send(rec('y'));
    t0 = Date.now();
    expect((await p.flush()).failures).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(50);
    await cluster.close();
  });

  it('a crash during a delayed flush loses the records', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('out');
    const app = {};
    const p = cluster.producer({}, app);
    cluster.faults.delayFlush(50);
    p.send(rec('lost'));
    const flushing = p.flush();
    await cluster.crash(app);
    await expect(flushing).rejects.toMatchObject({ kafkaCode: 'CLIENT_CRASHED' });
    expect(await cluster.readAll('out')).toEqual([]);
    await cluster.close();
  });

  it('delayRestore slows manually assigned (restore) consumers only: each poll waits and returns at most maxRecords', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('changelog');
    await cluster.produce('changelog', Array.from({ length: 12 }, (_, i) => ({ key: buf(`k${i}`), value: buf(`${i}`) })));
    const restore = cluster.consumer({});
    await restore.assign([{ topic: 'changelog', partition: 0, offset: 0 }]);
    cluster.faults.delayRestore(50, 5);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    let polled: string[] | undefined;
    const first = restore.poll(0).then((rs) => void (polled = rs.map((r) => str(r.value)!)));
    await vi.advanceTimersByTimeAsync(49);
    expect(polled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await first;
    expect(polled).toEqual(['0', '1', '2', '3', '4']);
    vi.useRealTimers();
    expect((await restore.poll(0)).map((r) => str(r.value))).toEqual(['5', '6', '7', '8', '9']);
    expect((await restore.poll(0)).map((r) => str(r.value))).toEqual(['10', '11']);

    // a group member is not slowed: it gets the whole log in one poll
    const member = cluster.consumer({ groupId: 'g', autoOffsetReset: 'earliest' });
    await member.subscribe(['changelog'], recordingListener());
    expect(await member.poll(0)).toHaveLength(12);

    // reset() disarms it
    await restore.assign([{ topic: 'changelog', partition: 0, offset: 0 }]);
    cluster.faults.reset();
    expect(await restore.poll(0)).toHaveLength(12);
    await cluster.close();
  });

  it('observePolls sees every poll of a group consumer, not those of a manually assigned one, until removed', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('in');
    const member = cluster.consumer({ groupId: 'g' });
    await member.subscribe(['in'], recordingListener());
    const restore = cluster.consumer({});
    await restore.assign([{ topic: 'in', partition: 0, offset: 0 }]);
    let seen = 0;
    cluster.faults.observePolls(() => void seen++);
    await member.poll(0);
    await restore.poll(0);
    await member.poll(0);
    cluster.faults.reset();
    await member.poll(0);
    expect(seen).toBe(3);
    cluster.faults.observePolls(undefined);
    await member.poll(0);
    expect(seen).toBe(3);
    await cluster.close();
  });
});
