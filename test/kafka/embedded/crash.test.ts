import { describe, expect, it } from 'vitest';
import { EmbeddedKafkaCluster } from '../../../src/kafka/embedded/embedded-kafka-cluster.js';
import { CRASH } from '../../../src/kafka/embedded/crash.js';
import { buf, recordingListener, settle, str } from './helpers.js';

describe('crash(owner)', () => {
  it("kills the owner's clients: buffered records lost, open transaction aborted, later calls fail", async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('out');
    const app = {};
    const p = cluster.producer({ transactionalId: 'tx' }, app);
    await p.initTransactions();
    await p.beginTransaction();
    p.send({ topic: 'out', key: null, value: buf('flushed'), timestamp: 0 });
    await p.flush();
    p.send({ topic: 'out', key: null, value: buf('buffered'), timestamp: 0 });
    const bystander = cluster.producer({});
    await cluster.crash(app);
    expect((await cluster.readAll('out')).map((r) => str(r.value))).toEqual(['flushed']);
    expect(await cluster.readAll('out', { isolationLevel: 'read_committed' })).toEqual([]);
    expect(cluster.endOffsets('out')).toEqual([2]); // abort marker
    await expect(p.commitTransaction()).rejects.toMatchObject({ kafkaCode: 'CLIENT_CRASHED' });
    await expect(p.flush()).rejects.toMatchObject({ kafkaCode: 'CLIENT_CRASHED' });
    // Clients of other owners are unaffected.
    bystander.send({ topic: 'out', key: null, value: buf('other'), timestamp: 0 });
    expect((await bystander.flush()).failures).toEqual([]);
    await cluster.close();
  });

  it('removes crashed consumers from their group at once and the survivors take over', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('in', { partitions: 4 });
    const app1 = {};
    const app2 = {};
    const c1 = cluster.consumer({ groupId: 'g' }, app1);
    const c2 = cluster.consumer({ groupId: 'g' }, app2);
    const l1 = recordingListener();
    const l2 = recordingListener();
    await c1.subscribe(['in'], l1);
    await c2.subscribe(['in'], l2);
    await settle([c1, c2]);
    expect(l2.owned()).toHaveLength(2);
    const revokedBefore = l1.events.filter((e) => e.kind === 'revoked').length;
    await cluster.crash(app1);
    expect(cluster.describeGroup('g')!.members).toHaveLength(1);
    await settle([c2]);
    expect(l2.owned()).toEqual(['in:0', 'in:1', 'in:2', 'in:3']);
    // The crashed member got no callback: it is dead.
    expect(l1.events.filter((e) => e.kind === 'revoked').length).toBe(revokedBefore);
    await expect(c1.poll(0)).rejects.toMatchObject({ kafkaCode: 'CLIENT_CRASHED' });
    await expect(c1.commit([])).rejects.toMatchObject({ kafkaCode: 'CLIENT_CRASHED' });
    await cluster.close();
  });

  it('resolves a pending poll with [] and calls the owner CRASH hook synchronously', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('in');
    let crashed = 0;
    const app = { [CRASH]: () => void crashed++ };
    const c = cluster.consumer({ groupId: 'g' }, app);
    await c.subscribe(['in'], recordingListener());
    await c.poll(0);
    const pending = c.poll(5000);
    const t0 = Date.now();
    const crash = cluster.crash(app);
    expect(crashed).toBe(1);
    await crash;
    expect(await pending).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(1000);
    await cluster.close();
  });

  it('a consumer that resumes after a crashed one starts from the committed offsets only', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('in');
    await cluster.produce('in', Array.from({ length: 10 }, (_, i) => ({ key: null, value: buf(`${i}`) })));
    const app = {};
    const c1 = cluster.consumer({ groupId: 'g', maxPollRecords: 4 }, app);
    await c1.subscribe(['in'], recordingListener());
    expect(await c1.poll(0)).toHaveLength(4);
    await c1.commit([{ topic: 'in', partition: 0, offset: 4 }]);
    expect(await c1.poll(0)).toHaveLength(4); // processed but never committed
    await cluster.crash(app);
    const c2 = cluster.consumer({ groupId: 'g' });
    await c2.subscribe(['in'], recordingListener());
    expect((await c2.poll(0)).map((r) => r.offset)).toEqual([4, 5, 6, 7, 8, 9]);
    await cluster.close();
  });

  it('close() ends pending polls and makes every call fail', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('in');
    const c = cluster.consumer({});
    await c.assign([{ topic: 'in', partition: 0, offset: 0 }]);
    const pending = c.poll(5000);
    await cluster.close();
    expect(await pending).toEqual([]);
    await expect(c.poll(0)).rejects.toMatchObject({ kafkaCode: 'CLUSTER_CLOSED' });
    await expect(cluster.createTopic('x')).rejects.toMatchObject({ kafkaCode: 'CLUSTER_CLOSED' });
  });
});
