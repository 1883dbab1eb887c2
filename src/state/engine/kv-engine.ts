/**
 * The one small interface every storage engine implements (DESIGN "Decisions": RocksDB engine, in-memory engine,
 * one shared conformance suite). Engines deal in raw bytes only; serdes, caching and changelogging live above.
 *
 * Ordering: keys are ordered by unsigned lexicographic byte order (Buffer.compare), a shorter key before any key
 * it prefixes. Buffer ownership: an engine may keep the value Buffers handed to put/write and may hand the same
 * Buffer back from get/range, so callers must not mutate a Buffer after giving it to, or receiving it from, an
 * engine. Keys are never kept by reference (engines copy or encode them).
 */

export type WriteOp =
  | { readonly type: 'put'; readonly key: Buffer; readonly value: Buffer }
  | { readonly type: 'delete'; readonly key: Buffer };

/**
 * Metadata written in the same atomic batch as the data (checkpoint offsets, format info). A null value deletes
 * the entry. Metadata lives in its own key space: it never collides with user keys and never shows up in range
 * scans or entry counts.
 */
export type MetaUpdate = Readonly<Record<string, Buffer | null>>;

export interface RangeOptions {
  /** Lower bound (the smaller key), even when `reverse`; absent = from the first key. */
  readonly from?: Buffer;
  /** Upper bound (the larger key), even when `reverse`; absent = to the last key. */
  readonly to?: Buffer;
  /** Default true, as Kafka Streams' range(from, to). */
  readonly fromInclusive?: boolean;
  /** Default true, as Kafka Streams' range(from, to). */
  readonly toInclusive?: boolean;
  /** Iterate from the upper bound down to the lower bound. */
  readonly reverse?: boolean;
  /** Maximum number of entries returned; absent = no limit. */
  readonly limit?: number;
}

export type KvEntry = [key: Buffer, value: Buffer];

export interface KvEngine {
  /** The store name, used in error messages. */
  readonly name: string;
  readonly isOpen: boolean;

  /** Idempotent. An engine that was closed may be opened again (it then sees its persisted data, if any). */
  open(): Promise<void>;
  /** Idempotent. Afterwards every call rejects with StateStoreError; open range scans end with that error. */
  close(): Promise<void>;
  /** Closes the engine if it is open and deletes all its data (and metadata). It can be opened again, empty. */
  destroy(): Promise<void>;

  get(key: Buffer): Promise<Buffer | undefined>;
  /** One round trip for all keys (RocksDB: one read batch). Results are in the order of `keys`. */
  multiGet(keys: readonly Buffer[]): Promise<(Buffer | undefined)[]>;
  put(key: Buffer, value: Buffer): Promise<void>;
  delete(key: Buffer): Promise<void>;
  /**
   * Applies all ops and meta updates atomically (all or nothing, also across a crash). Ops apply in order,
   * so a later op on the same key wins.
   */
  write(ops: readonly WriteOp[], meta?: MetaUpdate): Promise<void>;
  readMeta(name: string): Promise<Buffer | undefined>;

  /**
   * Ordered scan. Entries written while a scan runs may or may not be seen by it (RocksDB reads a snapshot taken
   * when the scan starts; the in-memory engine may show changes ahead of its cursor), but the scan never fails
   * because of them, never returns a key twice and stays in order.
   */
  range(options?: RangeOptions): AsyncIterable<KvEntry>;
  /** All keys starting with `prefix`, ascending (or descending with `reverse`). */
  prefix(prefix: Buffer, reverse?: boolean): AsyncIterable<KvEntry>;
  /** Exact for the in-memory engine, an estimate for RocksDB. Excludes metadata. */
  approximateNumEntries(): Promise<number>;

  // Synchronous fast paths, present only on engines that can answer without I/O (the in-memory engine). The
  // store layer uses them to avoid a Promise per record; see `isSyncEngine`.
  getSync?(key: Buffer): Buffer | undefined;
  putSync?(key: Buffer, value: Buffer): void;
  deleteSync?(key: Buffer): void;
  writeSync?(ops: readonly WriteOp[], meta?: MetaUpdate): void;
  rangeSync?(options?: RangeOptions): Iterable<KvEntry>;
  prefixSync?(prefix: Buffer, reverse?: boolean): Iterable<KvEntry>;
}

export type SyncKvEngine = KvEngine &
  Required<Pick<KvEngine, 'getSync' | 'putSync' | 'deleteSync' | 'writeSync' | 'rangeSync' | 'prefixSync'>>;

export function isSyncEngine(engine: KvEngine): engine is SyncKvEngine {
  return (
    typeof engine.getSync === 'function' &&
    typeof engine.putSync === 'function' &&
    typeof engine.deleteSync === 'function' &&
    typeof engine.writeSync === 'function' &&
    typeof engine.rangeSync === 'function' &&
    typeof engine.prefixSync === 'function'
  );
}

/**
 * The smallest key greater than every key that starts with `prefix`, or undefined when there is none (the
 * prefix is empty or all 0xff). Used to turn a prefix scan into an exclusive upper bound.
 */
export function prefixUpperBound(prefix: Buffer): Buffer | undefined {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const bound = Buffer.from(prefix.subarray(0, end));
  bound[end - 1]++;
  return bound;
}

/** Range options of a prefix scan. */
export function prefixRange(prefix: Buffer, reverse = false): RangeOptions {
  const to = prefixUpperBound(prefix);
  return to === undefined ? { from: prefix, reverse } : { from: prefix, to, toInclusive: false, reverse };
}
