import { describe, expect, it } from 'vitest';
import { ConfigError, Serdes, StateStoreError } from '../../../src/index.js';
import type { Change } from '../../../src/processor/operators/change.js';
import type { StateStoreContext, StoreRestorer } from '../../../src/state/state-store.js';
import { deserializeBufferValue, serializeBufferValue } from '../../../src/state/suppress/buffer-value.js';
import { TimeOrderedBufferStore, type BufferSerdes } from '../../../src/state/suppress/time-ordered-buffer-store.js';

const S = Serdes.String();
const L = Serdes.Long();
const serdes: BufferSerdes<string, number> = { key: S, value: L };

interface Logged {
  key: Buffer;
  value: Buffer | null;
}

/** A task's store context that records the changelog writes and the registered restorer. */
function open(store: TimeOrderedBufferStore<string, number>, defaults: { key?: typeof S; value?: typeof L } = { key: S, value: L }) {
  const logged: Logged[] = [];
  const registered: { restorer?: StoreRestorer } = {};
  const context: StateStoreContext = {
    applicationId: 'app',
    taskId: '0_0',
    partition: 0,
    stateDir: undefined,
    cacheMaxBytes: 0,
    changelogTopic: (s) => `app-${s}-changelog`,
    logChange: (_s, key, value) => void logged.push({ key, value }),
    register: (_store, restorer) => {
      registered.restorer = restorer;
    },
    currentTimestamp: () => 0,
    exactlyOnce: true,
    defaultKeySerde: defaults.key,
    defaultValueSerde: defaults.value,
    onCorruptStateDir: 'fail',
  };
  store.init(context);
  return { logged, restorer: registered.restorer! };
}

const update = (key: string, newValue: number | null, oldValue: number | null, timestamp: number, headers: Record<string, Buffer> = {}) => ({
  key,
  value: { newValue, oldValue } as Change<number>,
  timestamp,
  headers,
});

describe('TimeOrderedBufferStore', () => {
  it('restores exactly what was buffered: buffer time, prior and latest values, record context, size', async () => {
    const store = new TimeOrderedBufferStore<string, number>('buf', true, serdes);
    const { logged } = open(store);
    store.put(20, update('b', 1, null, 15, { trace: Buffer.from('t1') }), { topic: 'in', partition: 0, offset: 7 });
    store.put(10, update('a', 5, 4, 5), { topic: 'in', partition: 0, offset: 8 });
    store.put(10, update('a', 6, 5, 9, { h: Buffer.from([1, 2]) }), { topic: 'in', partition: 0, offset: 9 }); // keeps time 10 and prior 4
    store.put(10, update('c', null, 3, 11), undefined); // a deletion, from a punctuator
    store.flush();
    expect(logged.map((l) => l.key.toString())).toEqual(['b', 'a', 'c']);

    const restored = new TimeOrderedBufferStore<string, number>('buf', true, serdes);
    const { restorer } = open(restored);
    await restorer.restore(logged, 41);
    expect(restorer.checkpointedOffset()).toBe(41);
    for (const s of [store, restored]) {
      expect(s.numRecords()).toBe(3);
      expect(s.minTimestamp()).toBe(10);
    }
    expect(restored.bufferSize()).toBe(store.bufferSize());
    const expected = [
      { key: 'a', value: { newValue: 6, oldValue: 4 }, timestamp: 9, headers: { h: Buffer.from([1, 2]) } },
      { key: 'c', value: { newValue: null, oldValue: 3 }, timestamp: 11, headers: {} },
      { key: 'b', value: { newValue: 1, oldValue: null }, timestamp: 15, headers: { trace: Buffer.from('t1') } },
    ];
    expect(restored.evictWhile(() => true)).toEqual(expected);
    expect(store.evictWhile(() => true)).toEqual(expected);
  });

  it('an evicted key is logged as a tombstone at the next flush; replaying the whole log leaves the buffer empty', async () => {
    const store = new TimeOrderedBufferStore<string, number>('buf', true, serdes);
    const { logged } = open(store);
    store.put(1, update('x', 1, null, 1), undefined);
    store.put(2, update('y', 1, null, 2), undefined);
    store.flush();
    expect(store.evictWhile(() => store.minTimestamp() <= 1).map((e) => e.key)).toEqual(['x']);
    store.flush();
    expect(logged.slice(2)).toEqual([{ key: Buffer.from('x'), value: null }]);
    store.flush(); // nothing changed since
    expect(logged).toHaveLength(3);

    const restored = new TimeOrderedBufferStore<string, number>('buf', true, serdes);
    const { restorer } = open(restored);
    await restorer.restore(logged, 2);
    expect(restored.evictWhile(() => true).map((e) => e.key)).toEqual(['y']);
  });

  it('entries leave by buffer time, then by serialized key bytes (unsigned), whatever the arrival order', () => {
    const store = new TimeOrderedBufferStore<string, number>('buf', false, serdes);
    open(store);
    for (const [k, t] of [['b', 5], ['é', 5], ['a', 7], ['c', 5], ['a', 9]] as const) store.put(t, update(k, 1, null, t), undefined);
    // 'é' is 0xc3 0xa9 in UTF-8: after every ASCII key
    expect(store.evictWhile(() => true).map((e) => e.key)).toEqual(['b', 'c', 'é', 'a']);
  });

  it('withLoggingDisabled logs nothing', () => {
    const store = new TimeOrderedBufferStore<string, number>('buf', false, serdes);
    const { logged } = open(store);
    store.put(1, update('x', 1, null, 1), undefined);
    store.evictWhile(() => true);
    store.flush();
    expect(logged).toEqual([]);
  });

  it('writes Kafka Streams suppression changelog format v3: [context][prior][old: -2 when equal to prior][new][buffer time]', () => {
    const v = Buffer.from([9]);
    const bytes = serializeBufferValue({ prior: v, old: Buffer.from([9]), new: null, context: { timestamp: 5, offset: 7, topic: 't', partition: 1, headers: { h: Buffer.from([1]) } } }, 3);
    const expected = Buffer.concat([
      i64(5), i64(7), i32(1), Buffer.from('t'), i32(1), // timestamp, offset, topic, partition
      i32(1), i32(1), Buffer.from('h'), i32(1), Buffer.from([1]), // one header
      i32(1), v, i32(-2), i32(-1), // prior, old (= prior), new (null)
      i64(3), // buffer time
    ]);
    expect(bytes).toEqual(expected);
    const back = deserializeBufferValue(bytes);
    expect(back.bufferTime).toBe(3);
    expect(back.value.old).toBe(back.value.prior);
  });

  it('a record of another layout fails the restore with a StateStoreError; a missing serde is a ConfigError at init', async () => {
    const store = new TimeOrderedBufferStore<string, number>('buf', true, serdes);
    const { restorer } = open(store);
    await expect(async () => restorer.restore([{ key: Buffer.from('k'), value: Buffer.from('not a buffer entry') }], 0)).rejects.toThrow(StateStoreError);
    expect(() => open(new TimeOrderedBufferStore<string, number>('buf', true, { key: S, value: undefined }), { key: S })).toThrow(ConfigError);
    // a windowed table's buffer wraps the default key serde
    let wrapped = false;
    open(new TimeOrderedBufferStore<string, number>('buf', true, { key: undefined, value: L, keyFromDefault: (inner) => ((wrapped = true), inner as typeof S) }));
    expect(wrapped).toBe(true);
  });

  it('a dirty close forgets the buffer and its checkpoint, so the next owner restores from scratch', async () => {
    const store = new TimeOrderedBufferStore<string, number>('buf', true, serdes);
    const { restorer } = open(store);
    store.put(1, update('x', 1, null, 1), undefined);
    restorer.commit(4);
    expect(restorer.checkpointedOffset()).toBe(4);
    restorer.abortUncommitted();
    expect(restorer.checkpointedOffset()).toBeUndefined();
    expect(store.numRecords()).toBe(0);
  });
});

function i64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
}

function i32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}
