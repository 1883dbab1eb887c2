import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Consumed,
  Serdes,
  StreamsBuilder,
  Stores,
  TopologyError,
  TopologyTestDriver,
  toArray,
  type ProcessorContext,
  type SessionStore,
  type WindowStore,
} from '../../src/index.js';

const S = Serdes.String();
const L = Serdes.Long();
const B = Serdes.Buffer();

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-window-store-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

type Engine = 'in_memory' | 'rocksdb';

/** A driver over one window store 'ws' that a processor fills: record (key, value, ts) puts value at window start ts. */
function windowStoreDriver(engine: Engine, retentionMs = 100_000, windowSizeMs = 10, duplicates = false, stateDir?: string) {
  const builder = new StreamsBuilder();
  const supplier = engine === 'rocksdb' ? Stores.persistentWindowStore('ws', retentionMs, windowSizeMs, duplicates) : Stores.inMemoryWindowStore('ws', retentionMs, windowSizeMs, duplicates);
  builder.addStateStore(Stores.windowStoreBuilder(supplier, S, L));
  builder.stream('in', Consumed.with(S, L)).process(() => {
    let store!: WindowStore<string, number>;
    return {
      init(ctx: ProcessorContext) {
        store = ctx.getStateStore<WindowStore<string, number>>('ws');
      },
      process(r: { key: string; value: number | null; timestamp: number }) {
        store.put(r.key, r.value, r.timestamp);
      },
    };
  }, 'ws');
  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'wsapp', ...(stateDir ? { stateDir } : {}) });
  return { driver, input: driver.createInputTopic('in', S, L), store: driver.getWindowStore<WindowStore<string, number>>('ws') };
}

let dirSeq = 0;

describe.each<Engine>(['in_memory', 'rocksdb'])('window store (%s)', (engine) => {
  const dir = () => (engine === 'rocksdb' ? join(root, `w-${dirSeq++}`) : undefined);

  it('fetch(key, time), fetch(key, from, to), backwardFetch, key-range fetch, fetchAll and all()', async () => {
    const { driver, input, store } = windowStoreDriver(engine, 100_000, 10, false, dir());
    await input.pipeInput('a', 1, 0);
    await input.pipeInput('a', 2, 10);
    await input.pipeInput('a', 3, 20);
    await input.pipeInput('ab', 4, 10); // a longer key sharing the prefix 'a': must never show up under 'a'
    await input.pipeInput('b', 5, 10);
    await input.pipeInput('a', 22, 10); // overwrites the window at 10
    expect(await store.fetch('a', 10)).toBe(22);
    expect(await store.fetch('a', 5)).toBeNull();
    expect(await store.fetch('zz', 10)).toBeNull();
    expect(await toArray(store.fetch('a', 5, 20))).toEqual([
      { key: 10, value: 22 },
      { key: 20, value: 3 },
    ]);
    expect(await toArray(store.backwardFetch('a', 0, 20))).toEqual([
      { key: 20, value: 3 },
      { key: 10, value: 22 },
      { key: 0, value: 1 },
    ]);
    const w = (key: string, start: number, value: number) => ({ key: { key, window: { start, end: start + 10 } }, value });
    expect(await toArray(store.fetch('a', 'ab', 10, 10))).toEqual([w('a', 10, 22), w('ab', 10, 4)]);
    expect(await toArray(store.fetchAll(10, 10))).toEqual([w('a', 10, 22), w('ab', 10, 4), w('b', 10, 5)]);
    expect(await toArray(store.all())).toEqual([w('a', 0, 1), w('a', 10, 22), w('a', 20, 3), w('ab', 10, 4), w('b', 10, 5)]);
    expect(await toArray(store.backwardAll())).toEqual([w('b', 10, 5), w('ab', 10, 4), w('a', 20, 3), w('a', 10, 22), w('a', 0, 1)]);
    expect(await toArray(store.backwardFetchAll(0, 10))).toEqual([w('b', 10, 5), w('ab', 10, 4), w('a', 10, 22), w('a', 0, 1)]);
    await input.pipeInput('a', null as unknown as number, 20); // a null value deletes the window
    expect(await store.fetch('a', 20)).toBeNull();
    await driver.close();
  });

  it('writes Kafka Streams WindowKeySchema keys ([key][8-byte start][4-byte seqnum]) to <app>-<store>-changelog', async () => {
    const { driver, input } = windowStoreDriver(engine, 100_000, 10, false, dir());
    await input.pipeInput('k', 7, 1234);
    await input.pipeInput('k', null as unknown as number, 1234);
    const all = await driver.createOutputTopic('wsapp-ws-changelog', B, B).readRecordsToList();
    // besides the windows, the store logs its committed retention clock under a key shorter than any window key
    const log = all.filter((r) => r.key!.length >= 12);
    expect(log.map((r) => r.key!.toString('hex'))).toEqual(['6b' + '00000000000004d2' + '00000000', '6b' + '00000000000004d2' + '00000000']);
    expect(L.deserialize('t', log[0]!.value)).toBe(7);
    expect(log[1]!.value).toBeNull();
    const clocks = all.filter((r) => r.key!.toString('latin1') === '~clock');
    expect(clocks.map((r) => L.deserialize('t', r.value))).toEqual([1234]); // committed with the first record
    await driver.close();
  });

  it('retention: windows at or below observed time - retention are hidden, skipped on put, and purged through the changelog', async () => {
    const { driver, input, store } = windowStoreDriver(engine, 100_000, 10, false, dir());
    await input.pipeInput('a', 1, 0);
    await input.pipeInput('a', 2, 50_000);
    await input.pipeInput('a', 3, 200_000); // observed stream time 200000: windows starting <= 100000 expire
    expect(await store.fetch('a', 0)).toBeNull();
    expect(await toArray(store.fetch('a', 0, 300_000))).toEqual([{ key: 200_000, value: 3 }]);
    await input.pipeInput('a', 4, 90_000); // expired on arrival: not stored
    expect(await store.fetch('a', 90_000)).toBeNull();
    const log = await driver.createOutputTopic('wsapp-ws-changelog', B, B).readRecordsToList();
    const tombstones = log.filter((r) => r.value === null).map((r) => r.key!.readUInt32BE(1) * 2 ** 32 + r.key!.readUInt32BE(5));
    expect(tombstones.sort((x, y) => x - y)).toEqual([0, 50_000]);
    expect(log.some((r) => r.value !== null && L.deserialize('t', r.value) === 4)).toBe(false);
    await driver.close();
  });

  it('retainDuplicates keeps every put of a window (ascending seqnum) and ignores null puts', async () => {
    const { driver, input, store } = windowStoreDriver(engine, 100_000, 10, true, dir());
    await input.pipeInput('a', 1, 10);
    await input.pipeInput('a', 2, 10);
    await input.pipeInput('a', null as unknown as number, 10);
    expect(await toArray(store.fetch('a', 0, 20))).toEqual([
      { key: 10, value: 1 },
      { key: 10, value: 2 },
    ]);
    expect(await store.fetch('a', 10)).toBe(1);
    await driver.close();
  });
});

describe.each<Engine>(['in_memory', 'rocksdb'])('session store (%s)', (engine) => {
  it('put, findSessions, backwardFindSessions, fetchSession, fetch, remove, and SessionKeySchema changelog keys', async () => {
    const builder = new StreamsBuilder();
    const supplier = engine === 'rocksdb' ? Stores.persistentSessionStore('ss', 1_000_000) : Stores.inMemorySessionStore('ss', 1_000_000);
    builder.addStateStore(Stores.sessionStoreBuilder(supplier, S, L));
    // record value v at time t: put session [t, t + v] with aggregate v; a negative v removes [t, t - v]
    builder.stream('in', Consumed.with(S, L)).process(() => {
      let store!: SessionStore<string, number>;
      return {
        init(ctx: ProcessorContext) {
          store = ctx.getStateStore<SessionStore<string, number>>('ss');
        },
        process(r: { key: string; value: number; timestamp: number }) {
          if (r.value < 0) store.remove({ key: r.key, window: { start: r.timestamp, end: r.timestamp - r.value } });
          else store.put({ key: r.key, window: { start: r.timestamp, end: r.timestamp + r.value } }, r.value);
        },
      };
    }, 'ss');
    const stateDir = engine === 'rocksdb' ? join(root, `s-${dirSeq++}`) : undefined;
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'ssapp', ...(stateDir ? { stateDir } : {}) });
    const input = driver.createInputTopic('in', S, L);
    await input.pipeInput('a', 5, 0); // [0, 5]
    await input.pipeInput('a', 10, 20); // [20, 30]
    await input.pipeInput('a', 1, 40); // [40, 41]
    await input.pipeInput('ab', 3, 20); // another key with the same prefix
    const store = driver.getSessionStore<SessionStore<string, number>>('ss');
    const s = (start: number, end: number, value: number, key = 'a') => ({ key: { key, window: { start, end } }, value });
    expect(await toArray(store.findSessions('a', 5, 20))).toEqual([s(0, 5, 5), s(20, 30, 10)]);
    expect(await toArray(store.findSessions('a', 6, 39))).toEqual([s(20, 30, 10)]);
    expect(await toArray(store.backwardFindSessions('a', 0, 100))).toEqual([s(40, 41, 1), s(20, 30, 10), s(0, 5, 5)]);
    expect(await store.fetchSession('a', 20, 30)).toBe(10);
    expect(await store.fetchSession('a', 20, 31)).toBeNull();
    expect(await toArray(store.fetch('ab'))).toEqual([s(20, 23, 3, 'ab')]);
    await input.pipeInput('a', -10, 20); // remove [20, 30]
    expect(await toArray(store.fetch('a'))).toEqual([s(0, 5, 5), s(40, 41, 1)]);
    expect(await toArray(store.backwardFetch('a'))).toEqual([s(40, 41, 1), s(0, 5, 5)]);
    const log = await driver.createOutputTopic('ssapp-ss-changelog', B, B).readRecordsToList();
    // [key][8-byte end][8-byte start]
    expect(log[1]!.key!.toString('hex')).toBe('61' + '000000000000001e' + '0000000000000014');
    expect(log[log.length - 1]!.value).toBeNull();
    await driver.close();
  });
});

describe('window and session store suppliers', () => {
  it('validate names, retention and window size as Kafka Streams does', () => {
    expect(() => Stores.persistentWindowStore('w', 10, 20)).toThrow(
      /The retention period of the window store w must be no smaller than its window size. Got size=\[20\], retention=\[10\]/,
    );
    expect(() => Stores.inMemoryWindowStore('w', -1, 0)).toThrow(/retentionPeriod cannot be negative/);
    expect(() => Stores.inMemoryWindowStore('w', 10, -1)).toThrow(/windowSize cannot be negative/);
    expect(() => Stores.persistentSessionStore('bad name', 10)).toThrow(TopologyError);
    expect(Stores.persistentWindowStore('w', 1_000_000, 10).segmentIntervalMs).toBe(500_000);
    expect(Stores.inMemorySessionStore('s', 1000).segmentIntervalMs).toBe(60_000);
  });

  it('disable caching when duplicates are retained, and keep logging/caching switches immutable', () => {
    const b = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 100, 10, true), S, L);
    const cached = b.withCachingEnabled();
    expect(cached.cachingEnabled).toBe(true);
    expect(b.cachingEnabled).toBe(false);
    expect(cached.build().options.cachingEnabled).toBe(false);
    expect(b.withLoggingDisabled().loggingEnabled).toBe(false);
    const sb = Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 100), S, L).withCachingEnabled();
    expect(sb.build().options.cachingEnabled).toBe(true);
  });
});
