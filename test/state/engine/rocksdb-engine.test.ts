import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { StateStoreError } from '../../../src/errors.js';
import { RocksDbEngine } from '../../../src/state/engine/rocksdb-engine.js';
import { kvEngineConformance } from './kv-engine-conformance.js';

const root = mkdtempSync(join(tmpdir(), 'sluice-rocksdb-engine-'));
let n = 0;
const newPath = (): string => join(root, `store-${n++}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

kvEngineConformance('RocksDbEngine', {
  create: async () => new RocksDbEngine('rocks-store', newPath()),
  exactCount: false,
  modelRuns: 30,
});

describe('RocksDbEngine specifics', () => {
  const opened: RocksDbEngine[] = [];
  afterEach(async () => {
    for (const e of opened.splice(0)) await e.close();
  });
  const open = async (path: string): Promise<RocksDbEngine> => {
    const e = new RocksDbEngine('rocks-store', path);
    opened.push(e);
    await e.open();
    return e;
  };

  it('persists data and meta across close and reopen (same and new instance)', async () => {
    const path = newPath();
    const e = await open(path);
    await e.write(
      [
        { type: 'put', key: Buffer.from('a'), value: Buffer.from('1') },
        { type: 'put', key: Buffer.from('b'), value: Buffer.from('2') },
        { type: 'delete', key: Buffer.from('a') },
      ],
      { 'changelog-offset': Buffer.from('123') },
    );
    await e.close();
    await e.open();
    expect((await e.get(Buffer.from('b')))?.toString()).toBe('2');
    await e.close();
    const again = await open(path);
    expect(await again.get(Buffer.from('a'))).toBeUndefined();
    expect((await again.get(Buffer.from('b')))?.toString()).toBe('2');
    expect((await again.readMeta('changelog-offset'))?.toString()).toBe('123');
    const keys: string[] = [];
    for await (const [k] of again.range()) keys.push(k.toString());
    expect(keys).toEqual(['b']);
  });

  it('refuses a second open of the same directory with a retriable StateStoreError', async () => {
    const path = newPath();
    await open(path);
    const second = new RocksDbEngine('rocks-store', path);
    const err = await second.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StateStoreError);
    expect((err as StateStoreError).retriable).toBe(true);
    expect((err as StateStoreError).message).toMatch(/in use by another open store/);
    expect(second.isOpen).toBe(false);
  });

  it('scans see a snapshot: writes made during a scan are not visible to it', async () => {
    const e = await open(newPath());
    await e.write([0, 2, 4].map((i) => ({ type: 'put' as const, key: Buffer.from([i]), value: Buffer.from('v') })));
    const seen: number[] = [];
    for await (const [k] of e.range()) {
      seen.push(k[0]!);
      await e.put(Buffer.from([k[0]! + 1]), Buffer.from('new'));
    }
    expect(seen).toEqual([0, 2, 4]);
  });
});
