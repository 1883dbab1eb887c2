import { describe, expect, it } from 'vitest';
import { JoinWatch } from '../../../src/kafka/kafkajs/join-watch.js';

describe('JoinWatch', () => {
  it('counts joins; a rejoin is in progress from rejoinStarted until the join', () => {
    const w = new JoinWatch();
    expect([w.joins, w.isRejoining]).toEqual([0, false]);
    w.rejoinStarted();
    expect(w.isRejoining).toBe(true);
    w.joined();
    expect([w.joins, w.isRejoining]).toEqual([1, false]);
  });

  it('next() resolves at the next join, or when the consumer stops (ended), or after the timeout', async () => {
    const w = new JoinWatch();
    w.rejoinStarted();
    const atJoin = w.next(60_000);
    w.joined();
    await expect(atJoin).resolves.toBeUndefined();

    w.rejoinStarted();
    const atEnd = w.next(60_000);
    w.ended();
    await expect(atEnd).resolves.toBeUndefined();
    expect(w.isRejoining).toBe(false);
    expect(w.joins).toBe(1);

    await expect(w.next(5)).resolves.toBeUndefined();
  });
});
