import { describe, expect, it } from 'vitest';
import type { RebalanceListener, TopicPartition } from '../../../src/kafka/client.js';
import { RebalanceEvents } from '../../../src/kafka/kafkajs/rebalance-events.js';

const tp = (partition: number): TopicPartition => ({ topic: 't', partition });
const UD = Buffer.from('ud');

function recorder() {
  const calls: string[] = [];
  const listener: RebalanceListener = {
    onPartitionsRevoked: (ps) => void calls.push(`revoked ${ps.map((p) => p.partition).join(',')}`),
    onPartitionsLost: (ps) => void calls.push(`lost ${ps.map((p) => p.partition).join(',')}`),
    onPartitionsAssigned: (ps) => void calls.push(`assigned ${ps.map((p) => p.partition).join(',')}`),
  };
  return { calls, listener };
}

/** Events with partitions 0 and 1 owned (first join delivered). */
async function owning01() {
  const ev = new RebalanceEvents();
  const r = recorder();
  expect(ev.joined([tp(0), tp(1)], UD, true)).toEqual([]);
  await ev.deliver(r.listener);
  expect(r.calls).toEqual(['assigned 0,1']);
  r.calls.length = 0;
  return { ev, r };
}

describe('RebalanceEvents (kafkajs rejoins: kept partitions go on, moved ones are lost)', () => {
  it('a rejoin with the same assignment keeps every owned partition and revokes nothing', async () => {
    const { ev, r } = await owning01();
    ev.rebalancing();
    expect(ev.joined([tp(1), tp(0)], UD, true)).toEqual([tp(0), tp(1)]);
    expect(ev.losing).toBe(false);
    await ev.deliver(r.listener);
    expect(r.calls).toEqual(['assigned 1,0']);
  });

  it('a rejoin that adds partitions keeps the owned ones', async () => {
    const { ev, r } = await owning01();
    ev.rebalancing();
    expect(ev.joined([tp(0), tp(1), tp(2)], UD, true)).toEqual([tp(0), tp(1)]);
    await ev.deliver(r.listener);
    expect(r.calls).toEqual(['assigned 0,1,2']);
  });

  it('a rejoin that takes a partition away reports everything owned as lost (never revoked)', async () => {
    const { ev, r } = await owning01();
    ev.rebalancing();
    expect(ev.joined([tp(0)], UD, true)).toEqual([]);
    expect(ev.losing).toBe(true);
    await ev.deliver(r.listener);
    expect(r.calls).toEqual(['lost 0,1', 'assigned 0']);
    expect(ev.losing).toBe(false);
  });

  it('a join not announced by REBALANCING (session expired) loses the owned partitions even if they come back', async () => {
    const { ev, r } = await owning01();
    expect(ev.joined([tp(0), tp(1)], UD, true)).toEqual([]);
    await ev.deliver(r.listener);
    expect(r.calls).toEqual(['lost 0,1', 'assigned 0,1']);
  });

  it('untrusted positions (a failed commit, an aborted transaction) lose the owned partitions on the rejoin', async () => {
    const { ev, r } = await owning01();
    ev.rebalancing();
    expect(ev.joined([tp(0), tp(1)], UD, false)).toEqual([]);
    await ev.deliver(r.listener);
    expect(r.calls).toEqual(['lost 0,1', 'assigned 0,1']);
  });

  it('a crash and restart loses the owned partitions; the next join does not keep them either', async () => {
    const { ev, r } = await owning01();
    ev.crashed();
    expect(ev.losing).toBe(true);
    expect(ev.joined([tp(0), tp(1)], UD, true)).toEqual([]);
    await ev.deliver(r.listener);
    expect(r.calls).toEqual(['lost 0,1', 'assigned 0,1']);
  });

  it('a join not yet delivered is compared against what the listener was told, not against that join', async () => {
    const { ev, r } = await owning01();
    ev.rebalancing();
    expect(ev.joined([tp(0), tp(1), tp(2)], UD, true)).toEqual([tp(0), tp(1)]);
    ev.rebalancing();
    expect(ev.joined([tp(0), tp(1)], UD, true)).toEqual([tp(0), tp(1)]);
    await ev.deliver(r.listener);
    expect(r.calls).toEqual(['assigned 0,1']);
  });
});
