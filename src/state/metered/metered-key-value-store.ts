import type { KeyValue } from '../../dsl/key-value.js';
import { StateStoreError } from '../../errors.js';
import { StoreSerdes } from '../store-serdes.js';
import { isPromise, type MaybePromise } from '../../processor/record.js';
import type { Serde } from '../../serdes/serde.js';
import type { KeyValueBytesStore } from '../bytes/bytes-store.js';
import { RecordCache, type CacheEntry } from '../caching/record-cache.js';
import { prefixRange, type RangeOptions } from '../engine/kv-engine.js';
import type { KeyValueStore } from '../key-value-store.js';
import type { StateStoreContext } from '../state-store.js';

/** One prefetch multi-get in flight, and the keys written down meanwhile (their read result is stale). */
interface PendingRead {
  readonly done: Promise<void>;
  readonly writtenDown: Set<string>;
}

/** Called with each update a cached store writes down (KTable forwarding of deduplicated updates). */
export type FlushListener<K, V> = (key: K, newValue: V | null, oldValue: V | null, timestamp: number) => MaybePromise<void>;

/**
 * The typed top of a key-value store stack: serdes, typed errors, counters and (optionally) the write-back
 * record cache. Below it sit change-logging and the transactional engine store, both over bytes.
 */
export class MeteredKeyValueStore<K, V> implements KeyValueStore<K, V> {
  readonly persistent: boolean;
  #context: StateStoreContext | undefined;
  #cache: RecordCache<K, V> | undefined;
  #listener: FlushListener<K, V> | undefined;
  #evictionForwards: Promise<unknown>[] = [];
  #open = false;
  #serdes!: StoreSerdes<K, V>;
  /** Prefetch reads in flight, by the cache keys they cover (see prefetch). */
  readonly #reading = new Map<string, PendingRead>();
  readonly metrics = { gets: 0, puts: 0, cacheHits: 0 };

  constructor(
    readonly name: string,
    private readonly inner: KeyValueBytesStore,
    private readonly keySerde: Serde<K> | undefined,
    private readonly valueSerde: Serde<V> | undefined,
    private readonly cachingEnabled: boolean,
    persistent: boolean,
  ) {
    this.persistent = persistent;
  }

  async init(context: StateStoreContext): Promise<void> {
    this.#context = context;
    this.#serdes = StoreSerdes.resolve('State store', this.name, this.keySerde, this.valueSerde, context, 'Stores.keyValueStoreBuilder');
    await this.inner.init(context, this);
    if (this.cachingEnabled && context.cacheMaxBytes > 0) {
      this.#cache = new RecordCache<K, V>(context.cacheMaxBytes, (e) => this.#writeDownEvicted(e));
    }
    this.#open = true;
  }

  /** KTable operators let the cache forward; returns whether a cache is active (if not, they forward themselves). */
  setFlushListener(listener: FlushListener<K, V>): boolean {
    this.#listener = listener;
    return this.#cache !== undefined;
  }

  get cachingActive(): boolean {
    return this.#cache !== undefined;
  }

  // ------------------------------------------------------------------ reads

  get(key: K): MaybePromise<V | null> {
    this.metrics.gets++;
    const cache = this.#cache;
    if (cache) {
      const ck = fastCacheKey(key) ?? cacheKey(key, this.#serdes.keyBytes(key));
      const hit = cache.get(ck);
      if (hit) {
        this.metrics.cacheHits++;
        return hit.value;
      }
      // a prefetch is reading this key: its answer (or a write-down meanwhile) is newer than a read started now
      const pending = this.#reading.size === 0 ? undefined : this.#reading.get(ck);
      if (pending) return pending.done.then(() => this.#getBelowCache(key, ck));
    }
    return this.#getFromStore(key);
  }

  #getBelowCache(key: K, ck: string): MaybePromise<V | null> {
    const hit = this.#cache?.get(ck);
    if (hit) {
      this.metrics.cacheHits++;
      return hit.value;
    }
    return this.#getFromStore(key);
  }

  #getFromStore(key: K): MaybePromise<V | null> {
    const kb = this.#serdes.keyBytes(key);
    const raw = this.inner.get(kb);
    if (isPromise(raw)) return raw.then((b) => this.#loaded(key, kb, b));
    return this.#loaded(key, kb, raw);
  }

  #loaded(key: K, kb: Buffer, bytes: Buffer | undefined): V | null {
    const value = bytes === undefined ? null : this.#serdes.value(bytes, key);
    this.#cache?.putClean(cacheKey(key, kb), key, kb, value);
    return value;
  }

  /** Whether `prefetch` can help: a record cache over a persistent store (an in-memory engine reads synchronously). */
  get prefetchWanted(): boolean {
    return this.#cache !== undefined && this.persistent;
  }

  /**
   * Warm the cache for a batch of keys with one multi-get (RocksDB: one read batch instead of one per record),
   * without waiting: the task reads ahead of processing, and a get of a key whose read is still in flight waits
   * for that read (and sees its error, if it failed). A key written down while its read was in flight keeps the
   * newer value; a key already cached or being read is not read again.
   */
  prefetch(keys: readonly K[]): void {
    const cache = this.#cache;
    if (!cache) return;
    const missing: K[] = [];
    const seen = new Set<unknown>();
    for (const k of keys) {
      if (k === null || k === undefined) continue;
      const ck = fastCacheKey(k) ?? cacheKey(k, this.#serdes.keyBytes(k));
      if (seen.has(ck) || cache.get(ck) || this.#reading.has(ck)) continue;
      seen.add(ck);
      missing.push(k);
    }
    if (missing.length === 0) return;
    const kbs = missing.map((k) => this.#serdes.keyBytes(k));
    const cks = missing.map((k, i) => cacheKey(k, kbs[i]!));
    const writtenDown = new Set<string>();
    const apply = (values: (Buffer | undefined)[]): void => {
      for (let i = 0; i < missing.length; i++) {
        const ck = cks[i]!;
        if (!writtenDown.has(ck) && !cache.get(ck)) this.#loaded(missing[i]!, kbs[i]!, values[i]);
      }
    };
    const r = this.inner.multiGet(kbs);
    if (!isPromise(r)) return apply(r);
    const pending: PendingRead = {
      writtenDown,
      done: r.then(apply).finally(() => {
        for (const ck of cks) if (this.#reading.get(ck) === pending) this.#reading.delete(ck);
      }),
    };
    pending.done.catch(() => undefined); // reported to the get that needs the key, if any
    for (const ck of cks) this.#reading.set(ck, pending);
  }

  /** A value went down to the store below: a read already in flight for it must not bring back an older one. */
  #wroteDown(key: K, kb: Buffer): void {
    if (this.#reading.size === 0) return;
    const ck = cacheKey(key, kb);
    this.#reading.get(ck)?.writtenDown.add(ck);
  }

  range(from: K | null, to: K | null): AsyncIterable<KeyValue<K, V>> {
    return this.#scan({ from: from === null ? undefined : this.#serdes.keyBytes(from), to: to === null ? undefined : this.#serdes.keyBytes(to) });
  }

  reverseRange(from: K | null, to: K | null): AsyncIterable<KeyValue<K, V>> {
    return this.#scan({ from: from === null ? undefined : this.#serdes.keyBytes(from), to: to === null ? undefined : this.#serdes.keyBytes(to), reverse: true });
  }

  all(): AsyncIterable<KeyValue<K, V>> {
    return this.#scan({});
  }

  reverseAll(): AsyncIterable<KeyValue<K, V>> {
    return this.#scan({ reverse: true });
  }

  prefixScan<P>(prefix: P, prefixKeySerde: Serde<P>): AsyncIterable<KeyValue<K, V>> {
    const bytes = prefixKeySerde.serialize(this.name, prefix) ?? Buffer.alloc(0);
    return this.#scan(prefixRange(bytes));
  }

  approximateNumEntries(): MaybePromise<number> {
    const w = this.#writeThroughDirty();
    if (w) return w.then(() => this.inner.approximateNumEntries());
    return this.inner.approximateNumEntries();
  }

  async *#scan(options: RangeOptions): AsyncIterable<KeyValue<K, V>> {
    // dirty cached values go down first (still dirty for forwarding) so the scan sees them
    const w = this.#writeThroughDirty();
    if (w) await w;
    for await (const [k, v] of this.inner.range(options)) {
      const key = this.#serdes.key(k);
      yield { key, value: this.#serdes.value(v, key) as V };
    }
  }

  // ------------------------------------------------------------------ writes

  put(key: K, value: V | null): void {
    this.metrics.puts++;
    if (key === null || key === undefined) throw new StateStoreError(this.name, 'null keys are not allowed in a key-value store.');
    const ts = this.#context!.currentTimestamp();
    const cache = this.#cache;
    if (cache) {
      const ck = fastCacheKey(key);
      if (ck !== undefined) cache.putDirty(ck, key, undefined, value, ts);
      else {
        const kb = this.#serdes.keyBytes(key);
        cache.putDirty(cacheKey(key, kb), key, kb, value, ts);
      }
      return;
    }
    this.inner.put(this.#serdes.keyBytes(key), value === null ? null : this.#serdes.valueBytes(value, key), ts);
  }

  putIfAbsent(key: K, value: V): MaybePromise<V | null> {
    const current = this.get(key);
    const decide = (c: V | null): V | null => {
      if (c === null) this.put(key, value);
      return c;
    };
    return isPromise(current) ? current.then(decide) : decide(current);
  }

  putAll(entries: readonly KeyValue<K, V>[]): void {
    for (const e of entries) this.put(e.key, e.value);
  }

  delete(key: K): MaybePromise<V | null> {
    const current = this.get(key);
    const del = (c: V | null): V | null => {
      this.put(key, null);
      return c;
    };
    return isPromise(current) ? current.then(del) : del(current);
  }

  // ------------------------------------------------------------------ lifecycle

  /** Write down dirty cache entries (forwarding them to the flush listener) and wait for their forwards. */
  async flush(): Promise<void> {
    const cache = this.#cache;
    if (cache && cache.dirtyCount > 0) {
      for (const e of cache.takeDirty()) {
        const kb = e.keyBytes ?? (e.keyBytes = this.#serdes.keyBytes(e.key));
        if (!e.oldKnown && this.#listener) {
          const prev = await this.inner.get(kb);
          e.old = prev === undefined ? null : this.#serdes.value(prev, e.key);
        }
        this.inner.put(kb, e.value === null ? null : this.#serdes.valueBytes(e.value, e.key), e.timestamp);
        this.#wroteDown(e.key, kb);
        const old = e.old;
        e.dirty = false;
        e.old = e.value;
        e.oldKnown = true;
        if (this.#listener) await this.#listener(e.key, e.value, old, e.timestamp);
      }
    }
    if (this.#evictionForwards.length) {
      const pending = this.#evictionForwards;
      this.#evictionForwards = [];
      await Promise.all(pending);
    }
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    this.#cache?.clear();
    await this.inner.close();
  }

  /** Drop unflushed cache entries (task closed dirty); committed state stays. */
  discardUncommitted(): void {
    this.#cache?.clear();
  }

  isOpen(): boolean {
    return this.#open;
  }

  /** Bytes held by the record cache (for memory-bound checks). */
  cacheBytes(): number {
    return this.#cache?.calculatedSize ?? 0;
  }

  // ------------------------------------------------------------------ helpers

  #writeDownEvicted(e: CacheEntry<K, V>): void {
    const kb = e.keyBytes ?? (e.keyBytes = this.#serdes.keyBytes(e.key));
    this.inner.put(kb, e.value === null ? null : this.#serdes.valueBytes(e.value, e.key), e.timestamp);
    this.#wroteDown(e.key, kb);
    if (this.#listener) {
      const r = this.#listener(e.key, e.value, e.oldKnown ? e.old : null, e.timestamp);
      if (isPromise(r)) this.#evictionForwards.push(r);
    }
  }

  #writeThroughDirty(): Promise<void> | undefined {
    const cache = this.#cache;
    if (!cache || cache.dirtyCount === 0) return;
    const pending: Promise<void>[] = [];
    const writeDown = (e: CacheEntry<K, V>, kb: Buffer): void => {
      this.inner.put(kb, e.value === null ? null : this.#serdes.valueBytes(e.value, e.key), e.timestamp);
      this.#wroteDown(e.key, kb);
    };
    for (const e of cache.dirtyEntries()) {
      const kb = e.keyBytes ?? (e.keyBytes = this.#serdes.keyBytes(e.key));
      if (!e.oldKnown && this.#listener) {
        // the flush will forward the value this write replaced: read it before overwriting it below
        const prev = this.inner.get(kb);
        const remember = (p: Buffer | undefined): void => {
          if (!e.oldKnown) {
            e.old = p === undefined ? null : this.#serdes.value(p, e.key);
            e.oldKnown = true;
          }
        };
        if (isPromise(prev)) {
          pending.push(prev.then((p) => (remember(p), writeDown(e, kb))));
          continue;
        }
        remember(prev);
      }
      writeDown(e, kb);
    }
    return pending.length ? Promise.all(pending).then(() => undefined) : undefined;
  }
}

/** Strings and numbers serve as cache keys themselves (no serialization on a hit); undefined for other keys. */
function fastCacheKey(key: unknown): string | undefined {
  const t = typeof key;
  if (t === 'string') return key as string;
  if (t === 'number') return `#${key as number}`;
  return undefined;
}

function cacheKey(key: unknown, keyBytes: Buffer): string {
  return fastCacheKey(key) ?? `b:${keyBytes.toString('latin1')}`;
}

