import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/index.js';
import type { KeyValueBytesStore } from '../../src/state/bytes/bytes-store.js';
import { MeteredKeyValueStore } from '../../src/state/metered/metered-key-value-store.js';
import type { StateStoreContext } from '../../src/state/state-store.js';

/** A bytes store whose multi-gets stay pending until the test releases them (a slow RocksDB read). */
class SlowStore implements KeyValueBytesStore {
  readonly name = 's';
  readonly data = new Map<string, Buffer>();
  readonly pending: (() => void)[] = [];
  multiGets = 0;
  async init(): Promise<void> {}
  get(key: Buffer): Promise<Buffer | undefined> {
    return Promise.resolve(this.data.get(key.toString('latin1')));
  }
  multiGet(keys: readonly Buffer[]): Promise<(Buffer | undefined)[]> {
    this.multiGets++;
    const snapshot = keys.map((k) => this.data.get(k.toString('latin1'))); // read now, answer later
    return new Promise((resolve) => this.pending.push(() => resolve(snapshot)));
  }
  put(key: Buffer, value: Buffer | null): void {
    if (value === null) this.data.delete(key.toString('latin1'));
    else this.data.set(key.toString('latin1'), value);
  }
  async *range(): AsyncIterable<[Buffer, Buffer]> {}
  approximateNumEntries(): number {
    return this.data.size;
  }
  commit(): void {}
  checkpointedOffset(): number | undefined {
    return undefined;
  }
  abortUncommitted(): void {}
  async close(): Promise<void> {}
  isOpen(): boolean {
    return true;
  }
}

function context(cacheMaxBytes: number): StateStoreContext {
  return {
    applicationId: 'a',
    taskId: '0_0',
    partition: 0,
    stateDir: undefined,
    cacheMaxBytes,
    changelogTopic: () => 'a-s-changelog',
    logChange: () => undefined,
    register: () => undefined,
    currentTimestamp: () => 0,
    exactlyOnce: false,
    onCorruptStateDir: 'fail',
    defaultKeySerde: undefined,
    defaultValueSerde: undefined,
  };
}

describe('prefetch read-ahead', () => {
  it('a value written down while its prefetch was in flight is not replaced by the older value read', async () => {
    const inner = new SlowStore();
    inner.put(Buffer.from('a'), Serdes.Long().serialize('', 1));
    const store = new MeteredKeyValueStore('s', inner, Serdes.String(), Serdes.Long(), true, true);
    await store.init(context(4096));
    store.prefetch(['a']); // reads a = 1, answer held back
    store.put('a', 5); // newer value, in the cache
    for (let i = 0; i < 500; i++) store.put(`filler-${i}`, i); // evicts 'a': 5 goes down to the store below
    expect(inner.data.get('a')!.readBigInt64BE(0)).toBe(5n);
    const got = store.get('a'); // waits for the read in flight, then must not take its older value
    for (const release of inner.pending.splice(0)) release();
    expect(await got).toBe(5);
  });

  it('a key already being read is not read twice, and a get waits for that read', async () => {
    const inner = new SlowStore();
    inner.put(Buffer.from('x'), Serdes.Long().serialize('', 7));
    const store = new MeteredKeyValueStore('s', inner, Serdes.String(), Serdes.Long(), true, true);
    await store.init(context(1 << 20));
    store.prefetch(['x']);
    store.prefetch(['x']);
    expect(inner.multiGets).toBe(1);
    const got = store.get('x');
    let done = false;
    void Promise.resolve(got).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(done).toBe(false); // still waiting for the read in flight
    for (const release of inner.pending.splice(0)) release();
    expect(await got).toBe(7);
    expect(store.get('x')).toBe(7); // now answered from the cache, synchronously
    expect(store.metrics.cacheHits).toBe(2); // the waiting get was answered by the prefetched entry too
  });

  it('a failed read ahead surfaces as the error of the get that needs the key, never unhandled', async () => {
    const inner = new SlowStore();
    inner.multiGet = () => Promise.reject(new Error('disk on fire'));
    const store = new MeteredKeyValueStore('s', inner, Serdes.String(), Serdes.Long(), true, true);
    await store.init(context(1 << 20));
    store.prefetch(['y', 'z']);
    await expect(Promise.resolve(store.get('y'))).rejects.toThrow('disk on fire');
    // the failed read is forgotten: a later get reads the key itself
    expect(await store.get('z')).toBeNull();
  });
});
