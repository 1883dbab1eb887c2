import type { KeyValue } from '../../dsl/key-value.js';
import { StateStoreError } from '../../errors.js';
import { StoreSerdes } from '../store-serdes.js';
import { isPromise, type MaybePromise } from '../../processor/record.js';
import { readLong, writeLong } from '../../serdes/long-bytes.js';
import type { Serde } from '../../serdes/serde.js';
import type { Windowed } from '../../serdes/windowed-serdes.js';
import type { KeyValueBytesStore } from '../bytes/bytes-store.js';
import type { RangeOptions } from '../engine/kv-engine.js';
import type { StateStoreContext } from '../state-store.js';
import { RetentionClock } from './retention-clock.js';
import { isWindowStoreKey, keyBytesOf, windowLowerBound, windowStartOf, windowStoreKey, windowUpperBound } from './window-key-schema.js';
import type { TimestampedValue, WindowFlushListener, WindowStore } from './window-store.js';
import { WindowWriteCache, type CachedWrite } from './window-write-cache.js';

export interface WindowStoreOptions {
  readonly windowSizeMs: number;
  readonly retentionMs: number;
  readonly segmentIntervalMs: number;
  readonly retainDuplicates: boolean;
  /** Values carry the timestamp of their newest record: [8-byte BE timestamp][value], as Kafka's timestamped stores. */
  readonly timestamped: boolean;
  readonly cachingEnabled: boolean;
  readonly persistent: boolean;
}

type Entry<V> = { start: number; kb: Buffer; value: TimestampedValue<V> };

/**
 * The typed top of a window store stack (Kafka Streams' MeteredWindowStore + CachingWindowStore): serdes, the
 * fetch family, retention and an optional write-back cache; below it change-logging and the transactional engine
 * store, over bytes in the WindowKeySchema layout.
 */
export class MeteredWindowStore<K, V> implements WindowStore<K, V> {
  readonly persistent: boolean;
  readonly retention: RetentionClock;
  #context: StateStoreContext | undefined;
  #cache: WindowWriteCache<Windowed<K>, TimestampedValue<V>> | undefined;
  #listener: WindowFlushListener<K, V> | undefined;
  #forwards: Promise<unknown>[] = [];
  #seqnum = 0;
  #open = false;
  #serdes!: StoreSerdes<K, V>;

  constructor(
    readonly name: string,
    private readonly inner: KeyValueBytesStore,
    private readonly keySerde: Serde<K> | undefined,
    private readonly valueSerde: Serde<V> | undefined,
    readonly options: WindowStoreOptions,
  ) {
    this.persistent = options.persistent;
    this.retention = new RetentionClock(options.retentionMs, options.segmentIntervalMs);
  }

  get windowSizeMs(): number {
    return this.options.windowSizeMs;
  }

  async init(context: StateStoreContext): Promise<void> {
    this.#context = context;
    this.#serdes = StoreSerdes.resolve('Window store', this.name, this.keySerde, this.valueSerde, context, 'Stores.windowStoreBuilder');
    await this.inner.init(this.retention.wrapContext(context), this);
    await this.retention.load(this.inner);
    if (this.options.cachingEnabled && !this.options.retainDuplicates && context.cacheMaxBytes > 0) {
      this.#cache = new WindowWriteCache(context.cacheMaxBytes);
    }
    this.#open = true;
  }

  /** Aggregations let the cache forward; returns whether a cache is active (if not, they forward themselves). */
  setFlushListener(listener: WindowFlushListener<K, V>): boolean {
    this.#listener = listener;
    return this.#cache !== undefined;
  }

  // ------------------------------------------------------------------ reads

  fetch(key: K, windowStartTime: number): MaybePromise<V | null>;
  fetch(key: K, timeFrom: number, timeTo: number): AsyncIterable<KeyValue<number, V>>;
  fetch(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): AsyncIterable<KeyValue<Windowed<K>, V>>;
  fetch(a: K | null, b: unknown, c?: number, d?: number): MaybePromise<V | null> | AsyncIterable<KeyValue<any, V>> {
    if (d !== undefined) return this.#keyRange(a, b as K | null, c!, d, false);
    if (c !== undefined) return this.#keyWindows(a as K, b as number, c, false);
    const r = this.fetchTimestamped(a as K, b as number);
    return isPromise(r) ? r.then((x) => x?.value ?? null) : (r?.value ?? null);
  }

  backwardFetch(key: K, timeFrom: number, timeTo: number): AsyncIterable<KeyValue<number, V>>;
  backwardFetch(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): AsyncIterable<KeyValue<Windowed<K>, V>>;
  backwardFetch(a: K | null, b: unknown, c: number, d?: number): AsyncIterable<KeyValue<any, V>> {
    if (d !== undefined) return this.#keyRange(a, b as K | null, c, d, true);
    return this.#keyWindows(a as K, b as number, c, true);
  }

  fetchAll(timeFrom: number, timeTo: number): AsyncIterable<KeyValue<Windowed<K>, V>> {
    return this.#keyRange(null, null, timeFrom, timeTo, false);
  }

  backwardFetchAll(timeFrom: number, timeTo: number): AsyncIterable<KeyValue<Windowed<K>, V>> {
    return this.#keyRange(null, null, timeFrom, timeTo, true);
  }

  all(): AsyncIterable<KeyValue<Windowed<K>, V>> {
    return this.#keyRange(null, null, 0, Number.MAX_SAFE_INTEGER, false);
  }

  backwardAll(): AsyncIterable<KeyValue<Windowed<K>, V>> {
    return this.#keyRange(null, null, 0, Number.MAX_SAFE_INTEGER, true);
  }

  /** The window a windowed key names (what a windowed KTable's value getter reads). */
  get(windowedKey: Windowed<K>): MaybePromise<V | null> {
    return this.fetch(windowedKey.key, windowedKey.window.start);
  }

  /** The window of `key` starting at `windowStart` with the timestamp of its newest record (aggregations). */
  fetchTimestamped(key: K, windowStart: number): MaybePromise<TimestampedValue<V> | null> {
    if (this.retention.isExpired(windowStart)) return null;
    const kb = this.#serdes.keyBytes(key);
    if (this.options.retainDuplicates) {
      return (async () => {
        for await (const e of this.#entries(kb, windowStart, windowStart, false)) return e.value;
        return null;
      })();
    }
    const sk = windowStoreKey(kb, windowStart, 0);
    const cached = this.#cache?.get(sk);
    if (cached) return cached.value;
    const raw = this.inner.get(sk);
    if (isPromise(raw)) return raw.then((b) => (b === undefined ? null : this.#decode(b, key)));
    return raw === undefined ? null : this.#decode(raw, key);
  }

  /** `key`'s windows starting in [timeFrom, timeTo] with their timestamps (sliding-window aggregation). */
  async *fetchTimestampedRange(key: K, timeFrom: number, timeTo: number): AsyncIterable<{ start: number; value: TimestampedValue<V> }> {
    for await (const e of this.#entries(this.#serdes.keyBytes(key), timeFrom, timeTo, false)) yield { start: e.start, value: e.value };
  }

  /** All keys' windows starting in [timeFrom, timeTo] with their timestamps (emit-on-window-close). */
  async *fetchAllTimestamped(timeFrom: number, timeTo: number): AsyncIterable<KeyValue<Windowed<K>, TimestampedValue<V>>> {
    const from = Math.max(timeFrom, this.retention.expiredUpTo + 1);
    if (from > timeTo) return;
    for await (const e of this.#scan({}, from, timeTo)) yield { key: this.#windowed(e.kb, e.start), value: e.value };
  }

  async *#keyWindows(key: K, timeFrom: number, timeTo: number, reverse: boolean): AsyncIterable<KeyValue<number, V>> {
    for await (const e of this.#entries(this.#serdes.keyBytes(key), timeFrom, timeTo, reverse)) yield { key: e.start, value: e.value.value };
  }

  async *#entries(kb: Buffer, timeFrom: number, timeTo: number, reverse: boolean): AsyncIterable<Entry<V>> {
    const from = Math.max(timeFrom, this.retention.expiredUpTo + 1);
    if (from > timeTo) return;
    const options: RangeOptions = { from: windowLowerBound(kb, from), to: windowUpperBound(kb, timeTo), reverse };
    for await (const e of this.#scan(options, from, timeTo)) if (e.kb.equals(kb)) yield e;
  }

  async *#keyRange(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number, reverse: boolean): AsyncIterable<KeyValue<Windowed<K>, V>> {
    const kbFrom = keyFrom === null ? undefined : this.#serdes.keyBytes(keyFrom);
    const kbTo = keyTo === null ? undefined : this.#serdes.keyBytes(keyTo);
    const from = Math.max(timeFrom, this.retention.expiredUpTo + 1);
    if (from > timeTo) return;
    // key-first layout: a key range is scanned from the first key on and filtered (see window-key-schema.ts)
    for await (const e of this.#scan({ from: kbFrom, reverse }, from, timeTo)) {
      if (kbTo && Buffer.compare(e.kb, kbTo) > 0) continue;
      if (kbFrom && Buffer.compare(e.kb, kbFrom) < 0) continue;
      yield { key: this.#windowed(e.kb, e.start), value: e.value.value };
    }
  }

  async *#scan(options: RangeOptions, timeFrom: number, timeTo: number): AsyncIterable<Entry<V>> {
    await this.#writeThroughDirty();
    for await (const [k, v] of this.inner.range(options)) {
      if (!isWindowStoreKey(k)) continue;
      const start = windowStartOf(k);
      if (start < timeFrom || start > timeTo) continue;
      yield { start, kb: keyBytesOf(k), value: this.#decode(v, undefined) };
    }
  }

  // ------------------------------------------------------------------ writes

  put(key: K, value: V | null, windowStartTime: number): void {
    this.putTimestamped(key, value, this.#context!.currentTimestamp(), windowStartTime);
  }

  /**
   * Write a window's value with the timestamp of its newest record. `old` is the value it replaces when the
   * caller read it (so a cached store need not read it again when it forwards the update).
   */
  putTimestamped(key: K, value: V | null, timestamp: number, windowStart: number, old?: { value: V | null }): void {
    if (key === null || key === undefined) throw new StateStoreError(this.name, 'null keys are not allowed in a window store.');
    this.retention.observe(windowStart);
    if (this.retention.isExpired(windowStart)) return; // Kafka Streams: "Skipping record for expired segment"
    const kb = this.#serdes.keyBytes(key);
    if (this.options.retainDuplicates) {
      if (value === null) return; // a duplicate cannot be addressed to delete it
      this.#seqnum = (this.#seqnum + 1) & 0x7fffffff;
      this.inner.put(windowStoreKey(kb, windowStart, this.#seqnum), this.#encode({ value, timestamp }, key), timestamp);
      return;
    }
    const sk = windowStoreKey(kb, windowStart, 0);
    const cache = this.#cache;
    if (!cache) {
      this.inner.put(sk, value === null ? null : this.#encode({ value, timestamp }, key), timestamp);
      return;
    }
    const oldTs = old ? { value: old.value === null ? null : { value: old.value, timestamp: -1 } } : undefined;
    cache.put(sk, this.#windowed(kb, windowStart, key), value === null ? null : { value, timestamp }, timestamp, oldTs);
    if (cache.overBudget) this.#evict(cache);
  }

  // ------------------------------------------------------------------ lifecycle

  async flush(): Promise<void> {
    const cache = this.#cache;
    if (cache && cache.size > 0) {
      for (const e of cache.entries()) {
        cache.delete(e);
        if (!e.oldKnown && this.#listener) {
          const prev = await this.inner.get(e.storeKey);
          e.old = prev === undefined ? null : this.#decode(prev, e.windowed.key);
        }
        await this.#writeDown(e);
      }
    }
    if (this.#forwards.length) {
      const pending = this.#forwards;
      this.#forwards = [];
      await Promise.all(pending);
    }
    const purgeUpTo = this.retention.flush(this.inner, this.#context!.currentTimestamp());
    if (purgeUpTo !== undefined) await this.#purge(purgeUpTo);
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    this.#cache?.clear();
    await this.inner.close();
  }

  isOpen(): boolean {
    return this.#open;
  }

  // ------------------------------------------------------------------ helpers

  /** Deletes the windows starting at or before `bound`, logging a tombstone for each (the changelog forgets them too). */
  async #purge(bound: number): Promise<void> {
    const expired: Buffer[] = [];
    for await (const [k] of this.inner.range({})) if (isWindowStoreKey(k) && windowStartOf(k) <= bound) expired.push(k);
    const ts = this.#context!.currentTimestamp();
    for (const k of expired) this.inner.put(k, null, ts);
  }

  /** Write down the least recently written entries whose replaced value is known, until back under budget. */
  #evict(cache: WindowWriteCache<Windowed<K>, TimestampedValue<V>>): void {
    for (const e of cache.entries()) {
      if (!cache.overBudget) return;
      if (!e.oldKnown && this.#listener) continue; // its old value needs a read: written down at flush
      cache.delete(e);
      const r = this.#writeDown(e);
      if (r !== undefined && isPromise(r)) this.#forwards.push(r);
    }
  }

  #writeDown(e: CachedWrite<Windowed<K>, TimestampedValue<V>>): MaybePromise<void> {
    this.inner.put(e.storeKey, e.value === null ? null : this.#encode(e.value, e.windowed.key), e.timestamp);
    if (this.#listener && !(e.value === null && e.old === null)) {
      return this.#listener(e.windowed, e.value?.value ?? null, e.old?.value ?? null, e.timestamp);
    }
  }

  /** Range reads see dirty entries: write them down first (they stay dirty, to be forwarded at flush). */
  async #writeThroughDirty(): Promise<void> {
    const cache = this.#cache;
    if (!cache || cache.size === 0) return;
    for (const e of cache.entries()) {
      if (!e.oldKnown) {
        const prev = await this.inner.get(e.storeKey);
        e.old = prev === undefined ? null : this.#decode(prev, e.windowed.key);
        e.oldKnown = true;
      }
      this.inner.put(e.storeKey, e.value === null ? null : this.#encode(e.value, e.windowed.key), e.timestamp);
    }
  }

  #windowed(kb: Buffer, start: number, key?: K): Windowed<K> {
    const k = key !== undefined ? key : this.#serdes.key(kb);
    return { key: k, window: { start, end: Math.min(start + this.options.windowSizeMs, Number.MAX_SAFE_INTEGER) } };
  }



  #encode(v: TimestampedValue<V>, key: K): Buffer {
    const b = this.#serdes.valueBytes(v.value, key);
    if (!this.options.timestamped) return b;
    const out = Buffer.allocUnsafe(8 + b.length);
    writeLong(out, 0, Math.max(0, v.timestamp));
    b.copy(out, 8);
    return out;
  }

  #decode(bytes: Buffer, key: K | undefined): TimestampedValue<V> {
    if (!this.options.timestamped) return { value: this.#serdes.value(bytes, key) as V, timestamp: -1 };
    if (bytes.length < 8) throw new StateStoreError(this.name, `a stored window value has ${bytes.length} bytes, fewer than its 8-byte timestamp: the store is corrupt or from another format.`);
    return { value: this.#serdes.value(bytes.subarray(8), key) as V, timestamp: readLong(bytes, 0, this.name) };
  }
}
