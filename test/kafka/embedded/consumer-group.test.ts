import { describe, expect, it } from 'vitest';
import { EmbeddedKafkaCluster } from '../../../src/kafka/embedded/embedded-kafka-cluster.js';
import { tpKey, type Assignor } from '../../../src/kafka/client.js';
import { buf, pollAll, recordingListener, settle, str } from './helpers.js';

async function withTopic(partitions: number, records = 0): Promise<EmbeddedKafkaCluster> {
  const cluster = new EmbeddedKafkaCluster();
  await cluster.createTopic('in', { partitions });
  if (records > 0) {
    await cluster.produce('in', Array.from({ length: records }, (_, i) => ({ key: buf(`k${i}`), value: buf(`${i}`) })));
  }
  return cluster;
}

describe('consumer groups', () => {
  it('a single member gets every partition, generation 1, and reads all records', async () => {
    const cluster = await withTopic(3, 30);
    const c = cluster.consumer({ groupId: 'g' });
    const l = recordingListener();
    await c.subscribe(['in'], l);
    const [got] = await pollAll([c], (g) => g[0]!.length >= 30);
    expect(got!.map((r) => str(r.value)).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `${i}`).sort());
    expect(l.owned()).toEqual(['in:0', 'in:1', 'in:2']);
    expect(c.groupMetadata()).toMatchObject({ groupId: 'g', generationId: 1 });
    expect(cluster.describeGroup('g')).toMatchObject({ state: 'Stable', generationId: 1 });
    await cluster.close();
  });

  it('splits partitions across 3 members without overlap, each record delivered once', async () => {
    const cluster = await withTopic(6);
    const consumers = [0, 1, 2].map((i) => cluster.consumer({ groupId: 'g', clientId: `c${i}` }));
    const listeners = consumers.map(() => recordingListener());
    for (let i = 0; i < 3; i++) await consumers[i]!.subscribe(['in'], listeners[i]!);
    await settle(consumers);
    const owned = listeners.map((l) => l.owned());
    expect(owned.map((o) => o.length)).toEqual([2, 2, 2]);
    expect(new Set(owned.flat()).size).toBe(6);
    await cluster.produce('in', Array.from({ length: 60 }, (_, i) => ({ key: buf(`k${i}`), value: buf(`${i}`) })));
    const all = await pollAll(consumers, (g) => g.flat().length >= 60);
    expect(all.map((g) => g.length).every((n) => n > 0)).toBe(true);
    const offsets = all!.flat().map((r) => `${r.partition}:${r.offset}`);
    expect(new Set(offsets).size).toBe(offsets.length);
    for (let i = 0; i < 3; i++) {
      for (const r of all![i]!) expect(listeners[i]!.owned()).toContain(tpKey(r.topic, r.partition));
    }
    await cluster.close();
  });

  it('rebalances on join and on leave, revoking before assigning (eager)', async () => {
    const cluster = await withTopic(4);
    const a = cluster.consumer({ groupId: 'g', clientId: 'a' });
    const la = recordingListener();
    await a.subscribe(['in'], la);
    await a.poll(0);
    expect(la.owned()).toHaveLength(4);

    const b = cluster.consumer({ groupId: 'g', clientId: 'b' });
    const lb = recordingListener();
    await b.subscribe(['in'], lb);
    expect(cluster.describeGroup('g')!.state).toBe('PreparingRebalance');
    await settle([a, b]);
    expect(la.events.map((e) => e.kind)).toEqual(['assigned', 'revoked', 'assigned']);
    expect(la.events[1]!.partitions).toHaveLength(4);
    expect(la.owned()).toEqual(['in:0', 'in:1']);
    expect(lb.owned()).toEqual(['in:2', 'in:3']);
    expect(a.groupMetadata().generationId).toBe(2);
    expect(b.groupMetadata().generationId).toBe(2);

    await b.close();
    expect(lb.events.at(-1)!.kind).toBe('revoked');
    await settle([a]);
    expect(la.owned()).toHaveLength(4);
    expect(a.groupMetadata().generationId).toBe(3);
    await cluster.close();
  });

  it('a waiting poll wakes up when data arrives', async () => {
    const cluster = await withTopic(1);
    const c = cluster.consumer({ groupId: 'g' });
    await c.subscribe(['in'], recordingListener());
    await c.poll(0);
    const started = Date.now();
    const pending = c.poll(5000);
    setTimeout(() => void cluster.produce('in', [{ key: null, value: buf('late') }]), 20);
    const got = await pending;
    expect(got.map((r) => str(r.value))).toEqual(['late']);
    expect(Date.now() - started).toBeLessThan(1000);
    // And an empty poll waits about maxWaitMs.
    const t0 = Date.now();
    expect(await c.poll(50)).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    await cluster.close();
  });

  it('resumes from committed offsets after a member leaves', async () => {
    const cluster = await withTopic(2, 20);
    const a = cluster.consumer({ groupId: 'g', maxPollRecords: 5 });
    await a.subscribe(['in'], recordingListener());
    const [first] = await pollAll([a], (g) => g[0]!.length >= 5);
    const next = new Map<string, { topic: string; partition: number; offset: number }>();
    for (const r of first!) next.set(tpKey(r.topic, r.partition), { topic: r.topic, partition: r.partition, offset: r.offset + 1 });
    await a.commit([...next.values()]);
    expect(await a.committed([{ topic: 'in', partition: 0 }, { topic: 'in', partition: 1 }])).toEqual(
      new Map([...next.values()].map((o) => [tpKey(o.topic, o.partition), o.offset])),
    );
    await a.close();

    const b = cluster.consumer({ groupId: 'g' });
    await b.subscribe(['in'], recordingListener());
    const [rest] = await pollAll([b], (g) => g[0]!.length >= 20 - first!.length);
    const seen = [...first!, ...rest!].map((r) => `${r.partition}:${r.offset}`).sort();
    expect(seen).toEqual([...new Set(seen)]); // no record twice
    expect(seen).toHaveLength(20);
    await cluster.close();
  });

  it('autoOffsetReset latest skips existing records', async () => {
    const cluster = await withTopic(1, 5);
    const c = cluster.consumer({ groupId: 'g', autoOffsetReset: 'latest' });
    await c.subscribe(['in'], recordingListener());
    expect(await c.poll(0)).toEqual([]);
    await cluster.produce('in', [{ key: null, value: buf('new') }]);
    expect((await c.poll(100)).map((r) => str(r.value))).toEqual(['new']);
    await cluster.close();
  });

  it('expires a member that stops polling and gives its partitions to the others', async () => {
    const cluster = await withTopic(2);
    const a = cluster.consumer({ groupId: 'g', sessionTimeoutMs: 60 });
    const b = cluster.consumer({ groupId: 'g', sessionTimeoutMs: 60 });
    const la = recordingListener();
    const lb = recordingListener();
    await a.subscribe(['in'], la);
    await b.subscribe(['in'], lb);
    await settle([a, b]);
    expect(lb.owned()).toHaveLength(1);
    const staleGeneration = b.groupMetadata();
    // b goes silent; a keeps polling and takes over once b's session expires.
    const deadline = Date.now() + 2000;
    while (la.owned().length < 2 && Date.now() < deadline) await a.poll(10);
    expect(la.owned()).toEqual(['in:0', 'in:1']);
    expect(cluster.describeGroup('g')!.members).toHaveLength(1);
    // The zombie learns on its next poll: partitions lost (not revoked), then it rejoins.
    await expect(b.commit([{ topic: 'in', partition: 1, offset: 0 }])).rejects.toMatchObject({ kafkaCode: 'UNKNOWN_MEMBER_ID' });
    await b.poll(0);
    expect(lb.events.find((e) => e.kind === 'lost')?.partitions).toHaveLength(1);
    expect(b.groupMetadata().memberId).not.toBe(staleGeneration.memberId);
    await cluster.close();
  });

  it('expires silent members by timer even when nobody polls', async () => {
    const cluster = await withTopic(1);
    const a = cluster.consumer({ groupId: 'g', sessionTimeoutMs: 30 });
    await a.subscribe(['in'], recordingListener());
    await a.poll(0);
    await new Promise((r) => setTimeout(r, 120));
    expect(cluster.describeGroup('g')).toMatchObject({ state: 'Empty', members: [] });
    await cluster.close();
  });

  it('a RegExp subscription matches existing topics at join and picks up topics created later', async () => {
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('metrics-a');
    await cluster.createTopic('other');
    const c = cluster.consumer({ groupId: 'g' });
    const l = recordingListener();
    await c.subscribe(/^metrics-/, l);
    await c.poll(0);
    expect(l.owned()).toEqual(['metrics-a:0']);
    await cluster.createTopic('metrics-b', { partitions: 2 });
    await cluster.createTopic('unrelated');
    await settle([c]);
    expect(l.owned()).toEqual(['metrics-a:0', 'metrics-b:0', 'metrics-b:1']);
    await cluster.produce('metrics-b', [{ key: null, value: buf('x'), partition: 1 }]);
    expect((await c.poll(100)).map((r) => r.topic)).toEqual(['metrics-b']);
    await cluster.close();
  });

  it('a topic subscribed by name before it exists is assigned once created', async () => {
    const cluster = new EmbeddedKafkaCluster();
    const c = cluster.consumer({ groupId: 'g' });
    const l = recordingListener();
    await c.subscribe(['later'], l);
    await c.poll(0);
    expect(l.owned()).toEqual([]);
    await cluster.createTopic('later');
    await settle([c]);
    expect(l.owned()).toEqual(['later:0']);
    await cluster.close();
  });

  it("runs the leader's custom assignor and hands each member its userData", async () => {
    const cluster = await withTopic(3);
    const seenUserData: string[] = [];
    const assignor: Assignor = {
      name: 'all-to-last',
      subscriptionUserData: () => buf('hello'),
      assign(members, counts) {
        for (const m of members) seenUserData.push(m.userData.toString());
        const sorted = [...members].sort((x, y) => x.memberId.localeCompare(y.memberId));
        const last = sorted.at(-1)!.memberId;
        return new Map(
          members.map((m) => [
            m.memberId,
            {
              partitions: m.memberId === last ? Array.from({ length: counts.get('in')! }, (_, p) => ({ topic: 'in', partition: p })) : [],
              userData: buf(`for-${m.memberId === last ? 'last' : 'other'}`),
            },
          ]),
        );
      },
    };
    const a = cluster.consumer({ groupId: 'g' });
    const b = cluster.consumer({ groupId: 'g' });
    const la = recordingListener();
    const lb = recordingListener();
    await a.subscribe(['in'], la, assignor);
    await b.subscribe(['in'], lb, assignor);
    await settle([a, b]);
    expect(la.owned()).toEqual([]);
    expect(lb.owned()).toEqual(['in:0', 'in:1', 'in:2']);
    expect(la.events.at(-1)!.userData!.toString()).toBe('for-other');
    expect(lb.events.at(-1)!.userData!.toString()).toBe('for-last');
    expect(seenUserData).toContain('hello');
    await cluster.close();
  });

  it('pause, resume and seek', async () => {
    const cluster = await withTopic(2);
    await cluster.produce('in', [0, 1, 2].map((i) => ({ key: null, value: buf(`p0-${i}`), partition: 0 })));
    await cluster.produce('in', [0, 1, 2].map((i) => ({ key: null, value: buf(`p1-${i}`), partition: 1 })));
    const c = cluster.consumer({});
    await c.assign([{ topic: 'in', partition: 0, offset: 0 }, { topic: 'in', partition: 1, offset: 0 }]);
    c.pause([{ topic: 'in', partition: 0 }]);
    expect((await c.poll(0)).map((r) => str(r.value))).toEqual(['p1-0', 'p1-1', 'p1-2']);
    expect(await c.poll(0)).toEqual([]);
    c.resume([{ topic: 'in', partition: 0 }]);
    c.seek({ topic: 'in', partition: 1, offset: 2 });
    const got = (await c.poll(0)).map((r) => str(r.value)).sort();
    expect(got).toEqual(['p0-0', 'p0-1', 'p0-2', 'p1-2']);
    expect(() => c.pause([{ topic: 'other', partition: 0 }])).toThrow(/not assigned/);
    await cluster.close();
  });

  it('maxPollRecords bounds a poll and rotates fairly across partitions', async () => {
    const cluster = await withTopic(2);
    await cluster.produce('in', Array.from({ length: 10 }, () => ({ key: null, value: buf('a'), partition: 0 })));
    await cluster.produce('in', Array.from({ length: 10 }, () => ({ key: null, value: buf('b'), partition: 1 })));
    const c = cluster.consumer({ maxPollRecords: 4 });
    await c.assign([{ topic: 'in', partition: 0, offset: 0 }, { topic: 'in', partition: 1, offset: 0 }]);
    const first = await c.poll(0);
    const second = await c.poll(0);
    expect(first).toHaveLength(4);
    expect(second).toHaveLength(4);
    expect(new Set([...first, ...second].map((r) => r.partition))).toEqual(new Set([0, 1]));
    await cluster.close();
  });

  it('accepts commits in onPartitionsRevoked (current generation) and rejects stale generations and group-less commits', async () => {
    const cluster = await withTopic(2);
    const a = cluster.consumer({ groupId: 'g' });
    let commitInRevoke: Promise<void> | undefined;
    await a.subscribe(['in'], {
      onPartitionsAssigned: () => {},
      onPartitionsRevoked: () => {
        commitInRevoke = a.commit([{ topic: 'in', partition: 0, offset: 7 }]);
        return commitInRevoke;
      },
    });
    await a.poll(0);
    const b = cluster.consumer({ groupId: 'g' });
    await b.subscribe(['in'], recordingListener());
    await settle([a, b]);
    await expect(commitInRevoke).resolves.toBeUndefined();
    expect(cluster.describeGroup('g')!.offsets.get('in:0')).toBe(7);
    expect(a.groupMetadata().generationId).toBe(2);

    const c = cluster.consumer({ groupId: 'g' });
    await c.subscribe(['in'], recordingListener());
    await a.poll(0); // a revokes and rejoins; the group still waits for b
    await b.poll(0); // b rejoins last and completes generation 3; a has not taken it yet
    expect(cluster.describeGroup('g')!.generationId).toBe(3);
    expect(a.groupMetadata().generationId).toBe(2);
    await expect(a.commit([{ topic: 'in', partition: 0, offset: 1 }])).rejects.toMatchObject({ kafkaCode: 'ILLEGAL_GENERATION' });
    const loner = cluster.consumer({});
    await expect(loner.commit([])).rejects.toMatchObject({ kafkaCode: 'INVALID_GROUP_ID' });
    await expect(loner.subscribe(['in'], recordingListener())).rejects.toMatchObject({ kafkaCode: 'INVALID_GROUP_ID' });
    await cluster.close();
  });
});
