import { describe, expect, it } from 'vitest';
import type { StateStore, StateStoreContext, StoreRestorer } from '../../../src/state/state-store.js';
import { RetentionClock } from '../../../src/state/window/retention-clock.js';

/** Registers through the clock's wrapped context and returns the restorer the state manager would get. */
function registered(clock: RetentionClock): { restorer: StoreRestorer; wipes: () => number } {
  let wipes = 0;
  let got: StoreRestorer | undefined;
  const context = { register: (_s: StateStore, r: StoreRestorer) => void (got = r) } as Pick<StateStoreContext, 'register'>;
  const inner: StoreRestorer = {
    restore: () => undefined,
    checkpointedOffset: () => undefined,
    wipe: async () => void wipes++,
    commit: () => undefined,
    abortUncommitted: () => undefined,
  };
  const wrapped = clock.wrapContext(context as StateStoreContext, (k) => k.readUInt32BE(0));
  wrapped.register({} as StateStore, inner);
  return { restorer: got!, wipes: () => wipes };
}

const key = (t: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(t);
  return b;
};

describe('RetentionClock around restoration', () => {
  it('restored records advance observed time; a wipe forgets it (the wiped records no longer expire anything)', async () => {
    const clock = new RetentionClock(100, 50);
    const { restorer, wipes } = registered(clock);
    await restorer.restore([{ key: key(1_000), value: Buffer.from('x') }, { key: key(400), value: null }], 1);
    expect(clock.observed).toBe(1_000);
    expect(clock.isExpired(900)).toBe(true);
    await restorer.wipe();
    expect(wipes()).toBe(1);
    expect(clock.observed).toBe(-1);
    expect(clock.isExpired(900)).toBe(false);
  });
});
