import { describe, expect, it } from 'vitest';
import { readLong } from '../../../src/serdes/long-bytes.js';
import type { StateStore, StateStoreContext, StoreRestorer } from '../../../src/state/state-store.js';
import { CLOCK_KEY, RetentionClock } from '../../../src/state/window/retention-clock.js';

/** Registers through the clock's wrapped context and returns the restorer the state manager would get. */
function registered(clock: RetentionClock, exactlyOnce = false): { restorer: StoreRestorer; wipes: () => number } {
  let wipes = 0;
  let got: StoreRestorer | undefined;
  const context = { exactlyOnce, register: (_s: StateStore, r: StoreRestorer) => void (got = r) } as Pick<StateStoreContext, 'register' | 'exactlyOnce'>;
  const inner: StoreRestorer = {
    restore: () => undefined,
    checkpointedOffset: () => undefined,
    wipe: async () => void wipes++,
    commit: () => undefined,
    abortUncommitted: () => undefined,
  };
  const wrapped = clock.wrapContext(context as StateStoreContext);
  wrapped.register({} as StateStore, inner);
  return { restorer: got!, wipes: () => wipes };
}

/** A window key (12 bytes or more: never the clock key) and a clock record. */
const windowRecord = (start: number) => ({ key: Buffer.alloc(13, start % 256), value: Buffer.from('x') });
const clockRecord = (time: number) => {
  const value = Buffer.alloc(8);
  value.writeBigInt64BE(BigInt(time));
  return { key: CLOCK_KEY, value };
};

/** What flush writes: the clock records put through the store below. */
function writes(): { put: (key: Buffer, value: Buffer | null) => void; clocks: number[] } {
  const clocks: number[] = [];
  return { clocks, put: (key, value) => void (key.equals(CLOCK_KEY) && clocks.push(readLong(value!, 0, 'test'))) };
}

describe('RetentionClock around restoration', () => {
  it('restored window records leave the clock alone (under at_least_once they may postdate the last commit); a restored clock record sets it; a wipe forgets it', async () => {
    const clock = new RetentionClock(100, 50);
    const { restorer, wipes } = registered(clock);
    await restorer.restore([windowRecord(1_000)], 1);
    expect(clock.observed).toBe(-1);
    await restorer.restore([clockRecord(1_000), windowRecord(400)], 3);
    expect(clock.observed).toBe(1_000);
    expect(clock.isExpired(900)).toBe(true);
    await restorer.wipe();
    expect(wipes()).toBe(1);
    expect(clock.observed).toBe(-1);
    expect(clock.isExpired(900)).toBe(false);
  });

  it('the clock record of the local state is loaded', async () => {
    const clock = new RetentionClock(100, 50);
    registered(clock);
    await clock.load({ get: (k: Buffer) => (k.equals(CLOCK_KEY) ? clockRecord(700).value : undefined) });
    expect(clock.observed).toBe(700);
  });
});

describe('RetentionClock at flush and commit', () => {
  it('at_least_once: a flush writes and purges on the clock of the last successful commit, not on what was processed since', async () => {
    const clock = new RetentionClock(100, 50);
    const { restorer } = registered(clock);
    const inner = writes();
    clock.observe(1_000);
    expect(clock.flush(inner, 0)).toBeUndefined(); // nothing committed yet
    expect(inner.clocks).toEqual([]);
    await restorer.commit(5);
    clock.observe(2_000);
    expect(clock.flush(inner, 0)).toBe(900); // the clock committed with the first flush
    expect(inner.clocks).toEqual([1_000]);
    // this commit fails (no commit call): the next flush still writes and purges on 1000
    clock.observe(3_000);
    expect(clock.flush(inner, 0)).toBeUndefined();
    expect(inner.clocks).toEqual([1_000]);
    await restorer.commit(9);
    expect(clock.flush(inner, 0)).toBe(2_900);
    expect(inner.clocks).toEqual([1_000, 3_000]);
  });

  it('exactly_once: a flush writes and purges on the clock at that flush (its writes are visible only if the commit succeeds)', () => {
    const clock = new RetentionClock(100, 50);
    registered(clock, true);
    const inner = writes();
    clock.observe(1_000);
    expect(clock.flush(inner, 0)).toBe(900);
    expect(inner.clocks).toEqual([1_000]);
    clock.observe(1_020);
    expect(clock.flush(inner, 0)).toBeUndefined(); // moved less than a segment interval since the last purge
    expect(inner.clocks).toEqual([1_000, 1_020]);
  });
});
