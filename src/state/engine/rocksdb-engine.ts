/**
 * RocksDB engine on rocksdb-native (DESIGN "Decisions": the maintained binding). Everything goes through batches:
 * one write batch per write()/put()/delete(), one read batch (one native call) per multiGet().
 *
 * Key space: one column family, every key prefixed by one byte: 0x01 + user key for data, 0x00 + utf8 name for
 * metadata. Data and the changelog offsets it reflects must land in ONE atomic batch, and rocksdb-native's
 * public batch API binds a batch to a single column family, so a prefix (not a second family) keeps that atomic.
 * The prefix also keeps every iterator bound non-empty (rocksdb-native reads an empty bound as "no bound").
 *
 * Durability: batches go to the write-ahead log without fsync (RocksDB's default). A process crash loses nothing;
 * a machine crash may lose the last batches, never part of one, so data and its offsets stay consistent.
 *
 * Lifecycle: calls on a closed (or closing) engine reject with StateStoreError; close() ends open scans (they
 * reject with StateStoreError) and waits for in-flight batches, so there is no use after close.
 */
import { mkdir, rm } from 'node:fs/promises';
import RocksDB from 'rocksdb-native';
import { StateStoreError, describeCause } from '../../errors.js';
import type { KvEngine, KvEntry, MetaUpdate, RangeOptions, WriteOp } from './kv-engine.js';
import { prefixRange } from './kv-engine.js';
import { closedError, validateBatch, validateMetaName } from './engine-errors.js';

const META = 0x00;
const DATA = 0x01;
const DATA_START = Buffer.from([DATA]);
const DATA_END = Buffer.from([DATA + 1]);
const META_START = Buffer.from([META]);

function dataKey(key: Buffer): Buffer {
  const b = Buffer.allocUnsafe(key.length + 1);
  b[0] = DATA;
  key.copy(b, 1);
  return b;
}

function metaKey(name: string): Buffer {
  const len = Buffer.byteLength(name);
  const b = Buffer.allocUnsafe(len + 1);
  b[0] = META;
  b.write(name, 1);
  return b;
}

/**
 * One-key read batch. Not db.get(): it starts the batch with tryFlush(), whose internal promise nobody handles,
 * so a failure there would surface as an unhandled rejection instead of an error of this call.
 */
async function getOne(db: RocksDB, key: Buffer): Promise<Buffer | undefined> {
  const batch = db.read({ capacity: 1, autoDestroy: true });
  const value = batch.get(key);
  const [, got] = await Promise.all([batch.flush(), value]);
  return got ?? undefined;
}

export interface RocksDbEngineOptions {
  /**
   * Entries fetched per native iterator call for bounded scans (default 256; unbounded scans use 4x). Measured:
   * short scans are fastest at 64-256, full scans at ~1024 (8, the binding's default, is ~2x slower on both).
   */
  readonly iteratorCapacity?: number;
  /** Passed through to `new RocksDB(path, options)` (e.g. writeBufferSize, maxOpenFiles). */
  readonly rocksdb?: Readonly<Record<string, unknown>>;
}

type State = 'closed' | 'opening' | 'open' | 'closing';

/**
 * Defaults that bound a store's native memory (each can be overridden through `rocksdb`): Kafka Streams' memtable
 * settings (16 MiB write buffers, at most 3) instead of rocksdb-native's 64 MiB, as a task can hold many stores;
 * and RocksDB's own default of 2 background jobs instead of 6 (fewer threads and malloc arenas on small machines).
 */
const ROCKSDB_DEFAULTS: Readonly<Record<string, unknown>> = Object.freeze({ writeBufferSize: 16 * 2 ** 20, maxWriteBufferNumber: 3, maxBackgroundJobs: 2 });

/** True when `err` (or a cause of it) says the directory is held by another open RocksDB instance. */
export function isLockError(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (/\block\b/i.test(e.message) && /LOCK|lock hold|No locks available|Resource temporarily unavailable/.test(e.message)) {
      return true;
    }
  }
  return false;
}

export class RocksDbEngine implements KvEngine {
  private db: RocksDB | null = null;
  private state: State = 'closed';
  private transition: Promise<void> | null = null;
  /** Open scans, ended by close() (an open native iterator would otherwise make close wait forever). */
  private readonly iterators = new Set<RocksDB.Iterator>();
  private readonly iteratorCapacity: number;

  constructor(
    readonly name: string,
    readonly path: string,
    private readonly options: RocksDbEngineOptions = {},
  ) {
    this.iteratorCapacity = options.iteratorCapacity ?? 256;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  open(): Promise<void> {
    if (this.state === 'open') return Promise.resolve();
    if (this.state === 'opening') return this.transition!;
    if (this.state === 'closing') return this.transition!.then(() => this.open());
    this.state = 'opening';
    this.transition = this.doOpen().finally(() => {
      this.transition = null;
    });
    return this.transition;
  }

  private async doOpen(): Promise<void> {
    try {
      await mkdir(this.path, { recursive: true });
      const db = new RocksDB(this.path, { ...ROCKSDB_DEFAULTS, ...this.options.rocksdb });
      await db.ready();
      this.db = db;
      this.state = 'open';
    } catch (err) {
      this.state = 'closed';
      const locked = isLockError(err);
      throw new StateStoreError(
        this.name,
        `cannot open RocksDB at '${this.path}': ${describeCause(err)}. ` +
          (locked
            ? 'The directory is in use by another open store (another instance with the same state.dir, or a ' +
              'store that was not closed); close it or use a different state directory.'
            : 'If the files are damaged, delete the directory (the store is restored from its changelog).'),
        { cause: err, retriable: locked },
      );
    }
  }

  close(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    if (this.state === 'opening') return this.transition!.then(() => this.close(), () => undefined);
    if (this.state === 'closing') return this.transition!;
    this.state = 'closing';
    const db = this.db!;
    const err = closedError(this.name);
    for (const it of this.iterators) it.destroy(err);
    this.transition = db.close().finally(() => {
      this.db = null;
      this.state = 'closed';
      this.transition = null;
    });
    return this.transition;
  }

  async destroy(): Promise<void> {
    await this.close();
    await rm(this.path, { recursive: true, force: true });
  }

  private live(): RocksDB {
    if (this.state !== 'open') throw closedError(this.name);
    return this.db!;
  }

  private fail(what: string, err: unknown): StateStoreError {
    if (err instanceof StateStoreError) return err;
    if (this.state !== 'open') return closedError(this.name);
    return new StateStoreError(this.name, `${what} failed: ${describeCause(err)}`, { cause: err });
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    const db = this.live();
    try {
      return await getOne(db, dataKey(key));
    } catch (err) {
      throw this.fail('get', err);
    }
  }

  async multiGet(keys: readonly Buffer[]): Promise<(Buffer | undefined)[]> {
    const db = this.live();
    if (keys.length === 0) return [];
    try {
      const batch = db.read({ capacity: keys.length, autoDestroy: true });
      const values = new Array<Promise<Buffer | null>>(keys.length);
      for (let i = 0; i < keys.length; i++) values[i] = batch.get(dataKey(keys[i]!));
      // Await both together so a failed flush cannot leave the per-key promises rejected and unhandled.
      const [, got] = await Promise.all([batch.flush(), Promise.all(values)]);
      const out = new Array<Buffer | undefined>(got.length);
      for (let i = 0; i < got.length; i++) out[i] = got[i] ?? undefined;
      return out;
    } catch (err) {
      throw this.fail('multiGet', err);
    }
  }

  put(key: Buffer, value: Buffer): Promise<void> {
    return this.write([{ type: 'put', key, value }]);
  }

  delete(key: Buffer): Promise<void> {
    return this.write([{ type: 'delete', key }]);
  }

  async write(ops: readonly WriteOp[], meta?: MetaUpdate): Promise<void> {
    const db = this.live();
    validateBatch(this.name, ops, meta);
    const metaNames = meta === undefined ? [] : Object.keys(meta);
    if (ops.length === 0 && metaNames.length === 0) return;
    const batch = db.write({ capacity: ops.length + metaNames.length, autoDestroy: true });
    try {
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i]!;
        if (op.type === 'put') batch.tryPut(dataKey(op.key), op.value);
        else batch.tryDelete(dataKey(op.key));
      }
      for (const name of metaNames) {
        const v = meta![name]!;
        if (v === null) batch.tryDelete(metaKey(name));
        else batch.tryPut(metaKey(name), v);
      }
    } catch (err) {
      batch.destroy(); // an unflushed batch holds a handle that would block close()
      throw this.fail('write', err);
    }
    try {
      await batch.flush();
    } catch (err) {
      throw this.fail('write', err);
    }
  }

  async readMeta(name: string): Promise<Buffer | undefined> {
    const db = this.live();
    validateMetaName(this.name, name);
    try {
      return await getOne(db, metaKey(name));
    } catch (err) {
      throw this.fail('readMeta', err);
    }
  }

  async *range(options: RangeOptions = {}): AsyncGenerator<KvEntry, void, undefined> {
    const db = this.live();
    const limit = options.limit ?? Infinity;
    if (limit <= 0) return;
    const { from, to } = options;
    if (from !== undefined && to !== undefined) {
      const c = Buffer.compare(from, to);
      if (c > 0 || (c === 0 && !((options.fromInclusive ?? true) && (options.toInclusive ?? true)))) return;
    }
    // A scan without bounds is most likely a full scan: fetch more per native call.
    const capacity = from === undefined && to === undefined ? this.iteratorCapacity * 4 : this.iteratorCapacity;
    const range: RocksDB.IteratorOptions = { reverse: options.reverse === true, capacity: Math.min(capacity, limit) };
    if (limit !== Infinity) range.limit = limit;
    if (from === undefined) range.gte = DATA_START;
    else if (options.fromInclusive ?? true) range.gte = dataKey(from);
    else range.gt = dataKey(from);
    if (to === undefined) range.lt = DATA_END;
    else if (options.toInclusive ?? true) range.lte = dataKey(to);
    else range.lt = dataKey(to);

    // The native iterator reads from an implicit snapshot taken when it opens: writes during the scan are unseen.
    const it = db.iterator(range);
    this.iterators.add(it);
    try {
      for await (const { key, value } of it) yield [key.subarray(1), value];
    } catch (err) {
      throw this.fail('range scan', err);
    } finally {
      this.iterators.delete(it);
      it.destroy();
    }
    // An iterator ended by close() may finish quietly; a truncated scan must not look complete.
    if (this.state !== 'open') throw closedError(this.name);
  }

  prefix(prefix: Buffer, reverse = false): AsyncGenerator<KvEntry, void, undefined> {
    return this.range(prefixRange(prefix, reverse));
  }

  async approximateNumEntries(): Promise<number> {
    const db = this.live();
    try {
      const estimate = Number.parseInt(await db.getProperty('rocksdb.estimate-num-keys'), 10);
      // The estimate covers the whole column family; take the (few) meta keys out.
      let metaCount = 0;
      for await (const _ of db.iterator({ gte: META_START, lt: DATA_START, values: false })) metaCount++;
      return Math.max(0, (Number.isFinite(estimate) ? estimate : 0) - metaCount);
    } catch (err) {
      throw this.fail('approximateNumEntries', err);
    }
  }
}
