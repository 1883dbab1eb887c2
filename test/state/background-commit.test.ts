import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TransactionalBytesStore } from '../../src/state/bytes/transactional-bytes-store.js';
import type { StateStore, StateStoreContext, StoreRestorer } from '../../src/state/state-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function context(stateDir: string, onRegister: (r: StoreRestorer) => void): StateStoreContext {
  return {
    applicationId: 'a',
    taskId: '0_0',
    partition: 0,
    stateDir,
    cacheMaxBytes: 0,
    changelogTopic: () => 'a-s-changelog',
    logChange: () => undefined,
    register: (_s, r) => onRegister(r),
    currentTimestamp: () => 0,
    exactlyOnce: true,
    onCorruptStateDir: 'fail',
    defaultKeySerde: undefined,
    defaultValueSerde: undefined,
  };
}

const root = { name: 's' } as StateStore;
const b = (s: string): Buffer => Buffer.from(s);

async function open(dir: string): Promise<{ store: TransactionalBytesStore; restorer: StoreRestorer }> {
  const store = new TransactionalBytesStore('s', 'rocksdb');
  let restorer!: StoreRestorer;
  await store.init(context(dir, (r) => (restorer = r)), root);
  return { store, restorer };
}

describe('RocksDB commits written in the background', () => {
  it('reads see committed batches while they are being written; batches land in order; close persists them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-bg-'));
    dirs.push(dir);
    const { store } = await open(dir);
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 500; i++) store.put(b(`k${i}`), b(`r${round}`));
      store.put(b(`only-${round}`), b('x'));
      if (round % 3 === 0) store.put(b(`only-${round - 3}`), null); // deletes travel through the layers too
      expect(store.commit(round)).toBeUndefined(); // the commit does not wait for the engine
      // right after the commit, before the batch can have landed, reads answer from it
      expect((await store.get(b('k7')))?.toString()).toBe(`r${round}`);
      const many = await store.multiGet([b('k0'), b(`only-${round}`)]);
      expect(many.map((v) => v?.toString())).toEqual([`r${round}`, 'x']);
    }
    const keys = [];
    for await (const [k] of store.range({ from: b('only-'), to: b('only-~') })) keys.push(k.toString());
    expect(keys.length).toBe(20 - 6); // rounds 3,6,...,18 deleted the key of three rounds before (round 0's delete hit nothing)
    store.put(b('late'), b('x'));
    const closing = store.close();
    // a task closed (or abandoned after a crash) refuses a late commit at once, while committed batches still land
    expect(() => store.commit(99)).toThrow(/not open/);
    await closing;

    const { store: reopened, restorer } = await open(dir);
    expect(restorer.checkpointedOffset()).toBe(19); // the last batch and its offset landed together
    expect((await reopened.get(b('k499')))?.toString()).toBe('r19');
    expect(await reopened.get(b('only-15'))).toBeUndefined();
    expect((await reopened.get(b('only-19')))?.toString()).toBe('x');
    expect(await reopened.get(b('late'))).toBeUndefined();
    await reopened.close();
  });
});
