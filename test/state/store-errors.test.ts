import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Consumed,
  Materialized,
  Serdes,
  StateStoreError,
  StreamsBuilder,
  Stores,
  TopologyError,
  TopologyTestDriver,
  toArray,
  type KeyValueStore,
  type ProcessorSupplier,
  type Serde,
  type StateStore,
} from '../../src/index.js';
import { TransactionalBytesStore } from '../../src/state/bytes/transactional-bytes-store.js';
import type { StateStoreContext, StoreRestorer } from '../../src/state/state-store.js';

const S = Serdes.String();
const L = Serdes.Long();

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-store-errors-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
let seq = 0;

/** Rejection of a call that may throw synchronously or return a rejected Promise. */
async function failure(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

describe('two stores with one name', () => {
  it('builder.addStateStore twice with one name is a TopologyError at build()', () => {
    const builder = new StreamsBuilder();
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('dup'), S, L));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('dup'), S, L));
    builder.stream('in', Consumed.with(S, L)).process(() => ({ process() {} }), 'dup');
    const err = (() => {
      try {
        builder.build();
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(TopologyError);
    expect((err as Error).message).toMatch(/'dup' is added twice/);
  });

  it('two DSL aggregations materialized under one name are a TopologyError at build()', () => {
    const builder = new StreamsBuilder();
    const s = builder.stream('in', Consumed.with(S, L)).groupByKey();
    s.count(Materialized.as('same'));
    s.reduce((a, b) => a + b, Materialized.as('same'));
    expect(() => builder.build()).toThrow(TopologyError);
  });

  it('an illegal store name is refused with a TopologyError', () => {
    expect(() => Stores.inMemoryKeyValueStore('bad name/with slash')).toThrow(TopologyError);
  });
});

describe('a serde that fails on a stored value', () => {
  /** Long serde whose deserializer refuses negative values: written fine, unreadable afterwards. */
  const pickyLong: Serde<number> = {
    serialize: (t, v) => L.serialize(t, v),
    deserialize: (t, b) => {
      const v = L.deserialize(t, b);
      if (v !== null && v < 0) throw new Error(`negative value ${v}`);
      return v;
    },
  };

  function topology(reader: Serde<number>) {
    const builder = new StreamsBuilder();
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('picky'), S, reader));
    const proc: ProcessorSupplier<string, number, string, number> = () => {
      let store!: KeyValueStore<string, number>;
      return {
        init(c) {
          store = c.getStateStore<KeyValueStore<string, number>>('picky');
        },
        async process(r) {
          if (r.value === 0) await store.get(r.key); // read back
          else await store.put(r.key, r.value);
        },
      };
    };
    builder.stream('in', Consumed.with(S, L)).process(proc, 'picky');
    return builder.build();
  }

  it('raises a StateStoreError naming the store and the key, from the processor and from the driver view', async () => {
    const driver = new TopologyTestDriver(topology(pickyLong), { applicationId: 'picky' });
    try {
      const input = driver.createInputTopic('in', S, L);
      await input.pipeInput('good', 5);
      await input.pipeInput('broken-key', -7); // stored as bytes without complaint
      const view = driver.getKeyValueStore<KeyValueStore<string, number>>('picky');
      expect(await view.get('good')).toBe(5);
      const e1 = await failure(() => view.get('broken-key'));
      expect(e1).toBeInstanceOf(StateStoreError);
      expect((e1 as StateStoreError).store).toBe('picky');
      expect((e1 as Error).message).toContain("'picky'");
      expect((e1 as Error).message).toContain("'broken-key'");
      expect((e1 as Error).message).toMatch(/negative value -7/);
      const e2 = await failure(() => toArray(view.all()));
      expect(e2).toBeInstanceOf(StateStoreError);
      expect((e2 as Error).message).toContain("'broken-key'");
      // reading it inside processing fails the record with the same error (not swallowed, not a wrong value)
      const e3 = await failure(() => input.pipeInput('broken-key', 0));
      const chain: unknown[] = [];
      for (let e: unknown = e3; e; e = (e as { cause?: unknown }).cause) chain.push(e);
      expect(chain.some((e) => e instanceof StateStoreError && (e as Error).message.includes("'broken-key'"))).toBe(true);
    } finally {
      await driver.close().catch(() => undefined);
    }
  });

  it('a value the serde cannot serialize is a StateStoreError naming the store and key', async () => {
    const refusing: Serde<number> = { serialize: () => { throw new Error('cannot encode'); }, deserialize: (t, b) => L.deserialize(t, b) };
    const driver = new TopologyTestDriver(topology(refusing), { applicationId: 'refusing' });
    try {
      const view = driver.getKeyValueStore<KeyValueStore<string, number>>('picky');
      const e = await failure(() => view.put('k1', 1));
      expect(e).toBeInstanceOf(StateStoreError);
      expect((e as Error).message).toMatch(/'picky'.*'k1'.*cannot encode/);
    } finally {
      await driver.close().catch(() => undefined);
    }
  });
});

/** The parts of a task's StateStoreContext a TransactionalBytesStore uses; captures the restorer. */
function stubContext(stateDir: string, onCorruptStateDir: 'rebuild' | 'fail') {
  const registered: { restorer?: StoreRestorer } = {};
  const context: StateStoreContext = {
    applicationId: 'app',
    taskId: '0_0',
    partition: 0,
    stateDir,
    cacheMaxBytes: 0,
    changelogTopic: (s) => `app-${s}-changelog`,
    logChange: () => undefined,
    register: (_store, restorer) => {
      registered.restorer = restorer;
    },
    currentTimestamp: () => 0,
    exactlyOnce: false,
    defaultKeySerde: undefined,
    defaultValueSerde: undefined,
    onCorruptStateDir,
  };
  return { context, registered };
}

const root0 = {} as StateStore;
const b = (s: string): Buffer => Buffer.from(s);
const changelog = [
  { key: b('a'), value: b('1') },
  { key: b('b'), value: b('2') },
  { key: b('a'), value: b('3') },
  { key: b('c'), value: null },
];

async function writeStore(stateDir: string): Promise<void> {
  const store = new TransactionalBytesStore('st', 'rocksdb');
  await store.init(stubContext(stateDir, 'fail').context, root0);
  store.put(b('a'), b('stale'));
  store.put(b('z'), b('26'));
  await store.commit(41);
  await store.close();
}

describe('corrupt or foreign RocksDB store directories', () => {
  it('a healthy directory is reused with its checkpointed changelog offset (only the tail is replayed)', async () => {
    const dir = join(root, `ok-${seq++}`);
    await writeStore(dir);
    const store = new TransactionalBytesStore('st', 'rocksdb');
    const { context, registered } = stubContext(dir, 'fail');
    await store.init(context, root0);
    expect(registered.restorer!.checkpointedOffset()).toBe(41);
    expect((await store.get(b('z')))?.toString()).toBe('26');
    await store.close();
  });

  const corruptions: { label: string; corrupt: (storeDir: string) => Promise<void>; reason: RegExp }[] = [
    {
      label: 'a directory of another store format',
      corrupt: (d) => writeFile(join(d, 'sluice-store.json'), JSON.stringify({ format: 99, store: 'st' })),
      reason: /format 99/,
    },
    {
      label: 'a directory of another store',
      corrupt: (d) => writeFile(join(d, 'sluice-store.json'), JSON.stringify({ format: 1, store: 'other' })),
      reason: /belongs to store 'other'/,
    },
    { label: 'an unreadable format marker', corrupt: (d) => writeFile(join(d, 'sluice-store.json'), '{not json'), reason: /unreadable format marker/ },
    {
      label: 'corrupt RocksDB files',
      corrupt: async (d) => {
        const dbDir = join(d, 'rocksdb');
        for (const f of await readdir(dbDir)) if (f === 'CURRENT' || f.startsWith('MANIFEST')) await writeFile(join(dbDir, f), 'garbage garbage garbage');
      },
      reason: /cannot be opened as a RocksDB database/,
    },
    {
      label: 'a directory not written by Sluice',
      corrupt: async (d) => {
        await rm(d, { recursive: true, force: true });
        await mkdir(d, { recursive: true });
        await writeFile(join(d, 'random.txt'), 'hello');
      },
      reason: /no format marker/,
    },
  ];

  for (const c of corruptions) {
    it(`${c.label}: refused with a clear StateStoreError under 'fail'`, async () => {
      const dir = join(root, `fail-${seq++}`);
      await writeStore(dir);
      await c.corrupt(join(dir, 'st'));
      const store = new TransactionalBytesStore('st', 'rocksdb');
      const err = await failure(() => store.init(stubContext(dir, 'fail').context, root0));
      expect(err).toBeInstanceOf(StateStoreError);
      expect((err as StateStoreError).store).toBe('st');
      expect((err as Error).message).toMatch(c.reason);
      expect((err as Error).message).toContain(join(dir, 'st'));
      expect((err as Error).message).toMatch(/Delete the directory|rebuild/);
      expect(store.isOpen()).toBe(false);
    });

    it(`${c.label}: rebuilt empty under 'rebuild' and restored from the changelog`, async () => {
      const dir = join(root, `rebuild-${seq++}`);
      await writeStore(dir);
      await c.corrupt(join(dir, 'st'));
      const store = new TransactionalBytesStore('st', 'rocksdb');
      const { context, registered } = stubContext(dir, 'rebuild');
      await store.init(context, root0);
      try {
        // nothing of the old state survives, and no checkpoint: the restore starts from the beginning
        expect(registered.restorer!.checkpointedOffset()).toBeUndefined();
        expect(await store.get(b('z'))).toBeUndefined();
        expect(await store.get(b('a'))).toBeUndefined();
        await registered.restorer!.restore(changelog, 3);
        expect(registered.restorer!.checkpointedOffset()).toBe(3);
        const all: string[] = [];
        for await (const [k, v] of store.range({})) all.push(`${k}=${v}`);
        expect(all).toEqual(['a=3', 'b=2']);
      } finally {
        await store.close();
      }
      // the rebuilt directory is healthy afterwards
      const again = new TransactionalBytesStore('st', 'rocksdb');
      const ctx2 = stubContext(dir, 'fail');
      await again.init(ctx2.context, root0);
      expect(ctx2.registered.restorer!.checkpointedOffset()).toBe(3);
      expect((await again.get(b('a')))?.toString()).toBe('3');
      await again.close();
    });
  }

  it("through the driver: onCorruptStateDir 'fail' refuses a foreign store directory, 'rebuild' starts it empty", async () => {
    const stateDir = join(root, `driver-${seq++}`);
    const build = () => {
      const builder = new StreamsBuilder();
      builder.stream('in', Consumed.with(S, L)).groupByKey().count(Materialized.as('counts'));
      return builder.build();
    };
    const d1 = new TopologyTestDriver(build(), { applicationId: 'c', stateDir });
    await d1.createInputTopic('in', S, L).pipeInput('k', 1);
    expect(await d1.getKeyValueStore<KeyValueStore<string, number>>('counts').get('k')).toBe(1);
    await d1.close();
    const storeDir = join(stateDir, '0_0', 'counts');
    await writeFile(join(storeDir, 'sluice-store.json'), JSON.stringify({ format: 7, store: 'counts' }));

    const d2 = new TopologyTestDriver(build(), { applicationId: 'c', stateDir, onCorruptStateDir: 'fail' });
    const err = await failure(() => d2.createInputTopic('in', S, L).pipeInput('k', 1));
    expect(err).toBeInstanceOf(StateStoreError);
    expect((err as Error).message).toMatch(/'counts'.*format 7/);
    await d2.close().catch(() => undefined);

    const d3 = new TopologyTestDriver(build(), { applicationId: 'c', stateDir, onCorruptStateDir: 'rebuild' });
    try {
      await d3.createInputTopic('in', S, L).pipeInput('k', 1);
      expect(await d3.getKeyValueStore<KeyValueStore<string, number>>('counts').get('k')).toBe(1);
    } finally {
      await d3.close();
    }
  });
});
