import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { StateStoreError } from '../../../src/errors.js';
import type { RocksDbEngine } from '../../../src/state/engine/rocksdb-engine.js';
import { MARKER_FILE, ROCKSDB_DIR, openStoreDirectory } from '../../../src/state/engine/store-directory.js';
import type { OpenStoreDirectoryOptions } from '../../../src/state/engine/store-directory.js';

const root = mkdtempSync(join(tmpdir(), 'sluice-store-dir-'));
let n = 0;
const newPath = (): string => join(root, `store-${n++}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const opened: RocksDbEngine[] = [];
afterEach(async () => {
  for (const e of opened.splice(0)) await e.close();
});

async function openDir(path: string, options: Partial<OpenStoreDirectoryOptions> = {}) {
  const result = await openStoreDirectory(path, { storeName: 'counts', onCorrupt: 'fail', ...options });
  opened.push(result.engine);
  return result;
}

async function failure(path: string, options: Partial<OpenStoreDirectoryOptions> = {}): Promise<StateStoreError> {
  const err = await openDir(path, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StateStoreError);
  return err as StateStoreError;
}

/** A store directory holding data k0..k(count-1) and meta offset = count-1, closed. */
async function populated(count = 5, engineOptions?: OpenStoreDirectoryOptions['engine']): Promise<string> {
  const path = newPath();
  const { engine } = await openDir(path, engineOptions ? { engine: engineOptions } : {});
  for (let i = 0; i < count; i++) {
    await engine.write([{ type: 'put', key: Buffer.from(`k${i}`), value: Buffer.alloc(200, i) }], {
      offset: Buffer.from(String(i)),
    });
  }
  await engine.close();
  return path;
}

const allKeys = async (e: RocksDbEngine): Promise<string[]> => {
  const keys: string[] = [];
  for await (const [k] of e.range()) keys.push(k.toString());
  return keys;
};

const overwrite = (file: string, from = 0): void => {
  const buf = readFileSync(file);
  buf.fill(0x5a, from);
  writeFileSync(file, buf);
};

describe('openStoreDirectory', () => {
  it('creates a missing directory with a format marker, and reopens it with its data', async () => {
    const path = newPath();
    const first = await openDir(path);
    expect(first).toMatchObject({ created: true, rebuilt: false });
    expect(JSON.parse(readFileSync(join(path, MARKER_FILE), 'utf8'))).toEqual({ format: 1, store: 'counts' });
    await first.engine.write([{ type: 'put', key: Buffer.from('a'), value: Buffer.from('1') }], { offset: Buffer.from('5') });
    await first.engine.close();
    const second = await openDir(path);
    expect(second).toMatchObject({ created: false, rebuilt: false });
    expect((await second.engine.get(Buffer.from('a')))?.toString()).toBe('1');
    expect((await second.engine.readMeta('offset'))?.toString()).toBe('5');
  });

  it('treats an empty directory, or one holding only an interrupted marker write, as new', async () => {
    const path = newPath();
    mkdirSync(path);
    writeFileSync(join(path, `${MARKER_FILE}.tmp`), '{"for');
    expect(await openDir(path)).toMatchObject({ created: true, rebuilt: false });
  });

  const badMarkers: [string, (path: string) => void, RegExp][] = [
    ['of an incompatible format', (p) => writeFileSync(join(p, MARKER_FILE), '{"format": 2, "store": "counts"}'), /format 2.*reads format 1/],
    ['of another store', (p) => writeFileSync(join(p, MARKER_FILE), '{"format": 1, "store": "other"}'), /belongs to store 'other'/],
    ['that is not JSON', (p) => writeFileSync(join(p, MARKER_FILE), '\u0000\u0001garbage'), /unreadable format marker/],
    ['that is malformed', (p) => writeFileSync(join(p, MARKER_FILE), '{"format": "1"}'), /malformed format marker/],
    ['that is missing', (p) => rmSync(join(p, MARKER_FILE)), /has no format marker/],
  ];
  for (const [what, damage, message] of badMarkers) {
    it(`refuses a directory with a marker ${what} (fail), or wipes and reports it (rebuild)`, async () => {
      const path = await populated();
      damage(path);
      const err = await failure(path);
      expect(err.message).toMatch(message);
      expect(err.message).toMatch(/Delete the directory/);
      expect(err.message).toMatch(/'rebuild'/);
      expect(err.store).toBe('counts');
      expect(existsSync(join(path, ROCKSDB_DIR))).toBe(true); // 'fail' touches nothing

      const rebuilt = await openDir(path, { onCorrupt: 'rebuild' });
      expect(rebuilt.rebuilt).toBe(true);
      expect(rebuilt.reason).toMatch(message);
      expect(await allKeys(rebuilt.engine)).toEqual([]);
      expect(await rebuilt.engine.readMeta('offset')).toBeUndefined();
      expect(JSON.parse(readFileSync(join(path, MARKER_FILE), 'utf8'))).toEqual({ format: 1, store: 'counts' });
    });
  }

  const corruptions: [string, (dbDir: string) => void][] = [
    ['a garbage CURRENT file', (d) => writeFileSync(join(d, 'CURRENT'), 'garbage\n')],
    ['a garbage MANIFEST', (d) => {
      for (const f of readdirSync(d).filter((f) => f.startsWith('MANIFEST-'))) overwrite(join(d, f));
    }],
    ['every database file overwritten with garbage', (d) => {
      for (const f of readdirSync(d).filter((f) => f !== 'LOCK' && !f.startsWith('LOG'))) overwrite(join(d, f));
    }],
  ];
  for (const [what, damage] of corruptions) {
    it(`flags a database with ${what}: fail throws, rebuild wipes and starts empty`, async () => {
      const path = await populated();
      damage(join(path, ROCKSDB_DIR));
      const err = await failure(path);
      expect(err.message).toMatch(/cannot be opened as a RocksDB database/);
      expect(err.message).toMatch(/Delete the directory/);
      const rebuilt = await openDir(path, { onCorrupt: 'rebuild' });
      expect(rebuilt).toMatchObject({ rebuilt: true, created: false });
      expect(await allKeys(rebuilt.engine)).toEqual([]);
      expect(await rebuilt.engine.readMeta('offset')).toBeUndefined();
      await rebuilt.engine.put(Buffer.from('x'), Buffer.from('1'));
      expect((await rebuilt.engine.get(Buffer.from('x')))?.toString()).toBe('1');
    });
  }

  it('flags garbage table (SST) files', async () => {
    // A tiny write buffer forces the data into table files.
    const path = await populated(2000, { rocksdb: { writeBufferSize: 16 * 1024 } });
    const dbDir = join(path, ROCKSDB_DIR);
    const tables = readdirSync(dbDir).filter((f) => f.endsWith('.sst'));
    expect(tables.length).toBeGreaterThan(0);
    for (const f of tables) overwrite(join(dbDir, f));
    expect((await failure(path)).message).toMatch(/cannot be opened as a RocksDB database/);
    expect(await openDir(path, { onCorrupt: 'rebuild' })).toMatchObject({ rebuilt: true });
  });

  it('reports damaged table blocks found after open as StateStoreError on read, never as data', async () => {
    const path = await populated(2000, { rocksdb: { writeBufferSize: 16 * 1024 } });
    const dbDir = join(path, ROCKSDB_DIR);
    // Damage data blocks only (footers intact), so the database opens and the damage shows on read.
    for (const f of readdirSync(dbDir).filter((f) => f.endsWith('.sst'))) {
      const buf = readFileSync(join(dbDir, f));
      buf.fill(0x5a, 100, 300);
      writeFileSync(join(dbDir, f), buf);
    }
    const { engine } = await openDir(path);
    await expect(allKeys(engine)).rejects.toThrow(/range scan failed.*checksum/);
    await expect(engine.multiGet([Buffer.from('k0')])).rejects.toBeInstanceOf(StateStoreError);
  });

  it('recovers a damaged write-ahead log to a consistent point: data never runs ahead of its offset', async () => {
    for (const from of [0, 700, 1500]) {
      const path = await populated(8);
      const dbDir = join(path, ROCKSDB_DIR);
      for (const f of readdirSync(dbDir).filter((f) => f.endsWith('.log'))) overwrite(join(dbDir, f), from);
      const { engine } = await openDir(path);
      const offset = await engine.readMeta('offset');
      const count = offset === undefined ? 0 : Number(offset.toString()) + 1;
      expect(await allKeys(engine)).toEqual(Array.from({ length: count }, (_, i) => `k${i}`));
      await engine.close();
    }
  });

  it('never wipes a directory that another open instance holds, even with rebuild', async () => {
    const path = newPath();
    const { engine } = await openDir(path);
    await engine.put(Buffer.from('a'), Buffer.from('1'));
    const err = await failure(path, { onCorrupt: 'rebuild' });
    expect(err.retriable).toBe(true);
    expect(err.message).toMatch(/in use by another open store/);
    expect((await engine.get(Buffer.from('a')))?.toString()).toBe('1');
  });
});
