import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Consumed,
  Produced,
  Serdes,
  StreamsBuilder,
  Stores,
  Topology,
  TopologyTestDriver,
  toArray,
  type KeyValueStore,
  type ProcessorContext,
  type ProcessorSupplier,
} from '../../src/index.js';
import type { MeteredKeyValueStore } from '../../src/state/metered/metered-key-value-store.js';

const S = Serdes.String();
const L = Serdes.Long();

/** A command a processor runs against its store; the result is forwarded as JSON. */
type Cmd =
  | { op: 'put'; key: string; value: number | null }
  | { op: 'putIfAbsent'; key: string; value: number }
  | { op: 'putAll'; entries: { key: string; value: number }[] }
  | { op: 'delete'; key: string }
  | { op: 'get'; key: string }
  | { op: 'range' | 'reverseRange'; from: string | null; to: string | null }
  | { op: 'all' | 'reverseAll' | 'count' }
  | { op: 'prefixScan'; prefix: string }
  | { op: 'writeThenCount'; puts: { key: string; value: number }[]; deletes: string[] };

const storeRunner: ProcessorSupplier<string, Cmd, string, unknown> = () => {
  let ctx!: ProcessorContext<string, unknown>;
  let store!: KeyValueStore<string, number>;
  const pairs = async (it: AsyncIterable<{ key: string; value: number }>) => (await toArray(it)).map((kv) => [kv.key, kv.value]);
  return {
    init(c) {
      ctx = c;
      store = c.getStateStore<KeyValueStore<string, number>>('s');
    },
    async process(r) {
      const c = r.value;
      let result: unknown;
      switch (c.op) {
        case 'put':
          result = await store.put(c.key, c.value);
          break;
        case 'putIfAbsent':
          result = await store.putIfAbsent(c.key, c.value);
          break;
        case 'putAll':
          result = await store.putAll(c.entries);
          break;
        case 'delete':
          result = await store.delete(c.key);
          break;
        case 'get':
          result = await store.get(c.key);
          break;
        case 'range':
          result = await pairs(store.range(c.from, c.to));
          break;
        case 'reverseRange':
          result = await pairs(store.reverseRange(c.from, c.to));
          break;
        case 'all':
          result = await pairs(store.all());
          break;
        case 'reverseAll':
          result = await pairs(store.reverseAll());
          break;
        case 'prefixScan':
          result = await pairs(store.prefixScan(c.prefix, S));
          break;
        case 'count':
          result = await store.approximateNumEntries();
          break;
        case 'writeThenCount':
          // uncommitted writes (overwrites, new keys, deletes) within one record must be counted once
          await store.putAll(c.puts);
          for (const k of c.deletes) await store.delete(k);
          result = await store.approximateNumEntries();
          break;
      }
      await ctx.forward({ ...r, value: result === undefined ? 'ok' : result });
    },
  };
};

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-kv-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
let seq = 0;

const variants = [
  { label: 'in-memory', persistent: false, caching: false },
  { label: 'in-memory, cached', persistent: false, caching: true },
  { label: 'RocksDB', persistent: true, caching: false },
  { label: 'RocksDB, cached', persistent: true, caching: true },
];

describe.each(variants)('key-value store through the Processor API: $label', ({ persistent, caching }) => {
  function setup(viaTopology: boolean) {
    const supplier = persistent ? Stores.persistentKeyValueStore('s') : Stores.inMemoryKeyValueStore('s');
    let storeBuilder = Stores.keyValueStoreBuilder(supplier, S, L);
    if (caching) storeBuilder = storeBuilder.withCachingEnabled();
    let topology: Topology;
    if (viaTopology) {
      topology = new Topology()
        .addSource('src', 'cmd', { keySerde: S, valueSerde: Serdes.Json<Cmd>() })
        .addProcessor('run', storeRunner, 'src')
        .addStateStore(storeBuilder, 'run')
        .addSink('sink', 'res', { keySerde: S, valueSerde: Serdes.Json<unknown>() }, 'run');
    } else {
      const builder = new StreamsBuilder();
      builder.addStateStore(storeBuilder);
      builder
        .stream('cmd', Consumed.with(S, Serdes.Json<Cmd>()))
        .process(storeRunner, 's')
        .to('res', Produced.with(S, Serdes.Json<unknown>()));
      topology = builder.build();
    }
    const stateDir = persistent ? join(root, `kv-${seq++}`) : undefined;
    const driver = new TopologyTestDriver(topology, {
      applicationId: 'kv',
      cacheMaxBytesBuffering: caching ? 1024 * 1024 : 0,
      ...(stateDir ? { stateDir } : {}),
    });
    const input = driver.createInputTopic('cmd', S, Serdes.Json<Cmd>());
    const output = driver.createOutputTopic('res', S, Serdes.Json<unknown>());
    const run = async (c: Cmd): Promise<unknown> => {
      await input.pipeInput('x', c);
      const out = await output.readValuesToList();
      expect(out).toHaveLength(1);
      return out[0];
    };
    /** Exact for the in-memory engine; RocksDB's estimate-num-keys is only an estimate (deletes and overwrites). */
    const expectCount = (n: unknown, exact: number): void => {
      if (!persistent) expect(n).toBe(exact);
      else {
        expect(n).toBeGreaterThanOrEqual(Math.max(0, exact - 3));
        expect(n).toBeLessThanOrEqual(2 * exact + 3);
      }
    };
    return { driver, run, expectCount };
  }

  for (const viaTopology of [false, true]) {
    it(`get/put/putIfAbsent/putAll/delete/ranges/prefixScan/approximateNumEntries (${viaTopology ? 'Topology.addStateStore' : 'builder.addStateStore + process'})`, async () => {
      const { driver, run, expectCount } = setup(viaTopology);
      try {
        expect(await run({ op: 'get', key: 'a' })).toBeNull();
        expectCount(await run({ op: 'count' }), 0);
        await run({ op: 'put', key: 'b', value: 2 });
        expect(await run({ op: 'get', key: 'b' })).toBe(2);
        expect(await run({ op: 'putIfAbsent', key: 'b', value: 99 })).toBe(2);
        expect(await run({ op: 'get', key: 'b' })).toBe(2);
        expect(await run({ op: 'putIfAbsent', key: 'a', value: 1 })).toBeNull();
        expect(await run({ op: 'get', key: 'a' })).toBe(1);
        await run({
          op: 'putAll',
          entries: [
            { key: 'ab', value: 12 },
            { key: 'ba', value: 21 },
            { key: 'c', value: 3 },
            { key: 'abc', value: 123 },
            { key: 'b', value: 22 },
          ],
        });
        expect(await run({ op: 'get', key: 'b' })).toBe(22);
        expectCount(await run({ op: 'count' }), 6);
        const sorted = [['a', 1], ['ab', 12], ['abc', 123], ['b', 22], ['ba', 21], ['c', 3]];
        expect(await run({ op: 'all' })).toEqual(sorted);
        expect(await run({ op: 'reverseAll' })).toEqual([...sorted].reverse());
        // bounds are inclusive; a null bound is open
        expect(await run({ op: 'range', from: 'ab', to: 'b' })).toEqual([['ab', 12], ['abc', 123], ['b', 22]]);
        expect(await run({ op: 'range', from: null, to: 'ab' })).toEqual([['a', 1], ['ab', 12]]);
        expect(await run({ op: 'range', from: 'ba', to: null })).toEqual([['ba', 21], ['c', 3]]);
        expect(await run({ op: 'reverseRange', from: 'ab', to: 'b' })).toEqual([['b', 22], ['abc', 123], ['ab', 12]]);
        expect(await run({ op: 'prefixScan', prefix: 'ab' })).toEqual([['ab', 12], ['abc', 123]]);
        expect(await run({ op: 'prefixScan', prefix: 'b' })).toEqual([['b', 22], ['ba', 21]]);
        expect(await run({ op: 'prefixScan', prefix: 'z' })).toEqual([]);
        // delete returns the old value; deleting an absent key returns null
        expect(await run({ op: 'delete', key: 'ab' })).toBe(12);
        expect(await run({ op: 'delete', key: 'ab' })).toBeNull();
        expect(await run({ op: 'get', key: 'ab' })).toBeNull();
        // put(key, null) deletes too
        await run({ op: 'put', key: 'c', value: null });
        expect(await run({ op: 'get', key: 'c' })).toBeNull();
        expect(await run({ op: 'all' })).toEqual([['a', 1], ['abc', 123], ['b', 22], ['ba', 21]]);
        expectCount(await run({ op: 'count' }), 4);
        // a write and a scan inside one process() call (dirty cache entries must be visible to the scan)
        await run({ op: 'put', key: 'aa', value: 11 });
        expect(await run({ op: 'range', from: 'a', to: 'ab' })).toEqual([['a', 1], ['aa', 11]]);

        expectCount(await run({ op: 'writeThenCount', puts: [{ key: 'a', value: 1 }, { key: 'zz', value: 26 }], deletes: ['zz', 'ba'] }), 4);
        await run({ op: 'put', key: 'ba', value: 21 });

        // the driver's view of the same store
        const view = driver.getKeyValueStore<KeyValueStore<string, number>>('s');
        expect(await view.get('abc')).toBe(123);
        expect(await view.get('ab')).toBeNull();
        expect((await toArray(view.all())).map((kv) => kv.key)).toEqual(['a', 'aa', 'abc', 'b', 'ba']);
        expect((await toArray(view.prefixScan('a', S))).map((kv) => kv.value)).toEqual([1, 11, 123]);
        expectCount(await view.approximateNumEntries(), 5);
        expect(view.persistent).toBe(persistent);
      } finally {
        await driver.close();
      }
    });
  }

  it('the driver view works before the first record (stores still opening)', async () => {
    const { driver } = setup(false);
    try {
      const view = driver.getKeyValueStore<KeyValueStore<string, number>>('s');
      expect(await view.get('nothing')).toBeNull();
      expect(await toArray(view.all())).toEqual([]);
      expect(await view.approximateNumEntries()).toBe(0);
      expect(driver.getKeyValueStore('no-such-store')).toBeUndefined();
    } finally {
      await driver.close();
    }
  });
});

describe('persistent state survives a driver restart on the same state directory', () => {
  it('RocksDB store contents written through the Processor API are there after reopening', async () => {
    const stateDir = join(root, `restart-${seq++}`);
    const build = () => {
      const builder = new StreamsBuilder();
      builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('s'), S, L).withLoggingDisabled());
      builder.stream('cmd', Consumed.with(S, Serdes.Json<Cmd>())).process(storeRunner, 's').to('res', Produced.with(S, Serdes.Json<unknown>()));
      return builder.build();
    };
    const d1 = new TopologyTestDriver(build(), { applicationId: 'kv', stateDir });
    const in1 = d1.createInputTopic('cmd', S, Serdes.Json<Cmd>());
    for (let i = 0; i < 50; i++) await in1.pipeInput('x', { op: 'put', key: `k${String(i).padStart(2, '0')}`, value: i });
    await in1.pipeInput('x', { op: 'delete', key: 'k07' });
    await d1.close();

    const d2 = new TopologyTestDriver(build(), { applicationId: 'kv', stateDir });
    try {
      const view = d2.getKeyValueStore<KeyValueStore<string, number>>('s');
      const all = await toArray(view.all());
      expect(all).toHaveLength(49);
      expect(await view.get('k49')).toBe(49);
      expect(await view.get('k07')).toBeNull();
    } finally {
      await d2.close();
    }
  });
});

describe('cached store memory bound in a running topology', () => {
  it('the record cache stays within its share of cacheMaxBytesBuffering over many distinct keys, and the store has every key', async () => {
    const cacheBytes = 16 * 1024;
    const builder = new StreamsBuilder();
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), S, L).withCachingEnabled());
    let peak = 0;
    const writer: ProcessorSupplier<string, number, string, number> = () => {
      let store!: MeteredKeyValueStore<string, number>;
      return {
        init(c) {
          store = c.getStateStore<MeteredKeyValueStore<string, number>>('s');
        },
        process(r) {
          // several writes per record, so the cache fills between commits
          for (let i = 0; i < 20; i++) store.put(`${r.key}-${i}`, r.value * 100 + i);
          peak = Math.max(peak, store.cacheBytes());
        },
      };
    };
    builder.stream('in', Consumed.with(S, L)).process(writer, 's');
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'mem', cacheMaxBytesBuffering: cacheBytes });
    try {
      const input = driver.createInputTopic('in', S, L);
      for (let n = 0; n < 500; n++) await input.pipeInput(`key${n}`, n);
      expect(peak).toBeGreaterThan(cacheBytes / 2);
      expect(peak).toBeLessThanOrEqual(cacheBytes);
      const view = driver.getKeyValueStore<KeyValueStore<string, number>>('s');
      expect(await view.approximateNumEntries()).toBe(500 * 20);
      expect(await view.get('key123-7')).toBe(12307);
      expect(await view.get('key499-19')).toBe(49919);
    } finally {
      await driver.close();
    }
  });
});

describe('caching store: forwarding of old values around scans', () => {
  it('a scan before the flush does not make the flush forward the new value as the old one', async () => {
    const { MeteredKeyValueStore } = await import('../../src/state/metered/metered-key-value-store.js');
    const { TransactionalBytesStore } = await import('../../src/state/bytes/transactional-bytes-store.js');
    const context = {
      applicationId: 'app',
      taskId: '0_0',
      partition: 0,
      stateDir: undefined,
      cacheMaxBytes: 1 << 20,
      changelogTopic: (s: string) => `app-${s}-changelog`,
      logChange: () => undefined,
      register: () => undefined,
      currentTimestamp: () => 0,
      exactlyOnce: false,
      defaultKeySerde: undefined,
      defaultValueSerde: undefined,
      onCorruptStateDir: 'fail' as const,
    };
    const store = new MeteredKeyValueStore<string, number>('m', new TransactionalBytesStore('m', 'in_memory'), S, L, true, false);
    await store.init(context);
    const forwarded: [string, number | null, number | null][] = [];
    expect(store.setFlushListener((k, n, o) => void forwarded.push([k, n, o]))).toBe(true);
    store.put('a', 1);
    await store.flush();
    store.discardUncommitted(); // forget the cached value: the next write does not know the old one
    store.put('a', 2); // written without reading first
    expect((await toArray(store.all())).map((kv) => kv.value)).toEqual([2]); // the scan writes it through
    await store.flush();
    expect(forwarded).toEqual([
      ['a', 1, null],
      ['a', 2, 1],
    ]);
    await store.close();
  });
});
