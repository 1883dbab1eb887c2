import type { KeyValue } from '../../dsl/key-value.js';
import { StateStoreError } from '../../errors.js';
import { StoreSerdes } from '../store-serdes.js';
import { isPromise, type MaybePromise } from '../../processor/record.js';
import type { Serde } from '../../serdes/serde.js';
import type { Windowed } from '../../serdes/windowed-serdes.js';
import type { KeyValueBytesStore } from '../bytes/bytes-store.js';
import type { RangeOptions } from '../engine/kv-engine.js';
import type { StateStoreContext } from '../state-store.js';
import { RetentionClock } from './retention-clock.js';
import { isSessionStoreKey, sessionEndOf, sessionKeyBytesOf, sessionRange, sessionStartOf, sessionStoreKey } from './session-key-schema.js';
import type { SessionStore, WindowFlushListener } from './window-store.js';
import { WindowWriteCache, type CachedWrite } from './window-write-cache.js';

export interface SessionStoreOptions {
  readonly retentionMs: number;
  readonly segmentIntervalMs: number;
  readonly cachingEnabled: boolean;
  readonly persistent: boolean;
}

/**
 * The typed top of a session store stack (Kafka Streams' MeteredSessionStore + CachingSessionStore): serdes,
 * findSessions/fetchSession/fetch, retention on session ends and an optional write-back cache, over bytes in the
 * SessionKeySchema layout.
 */
export class MeteredSessionStore<K, AGG> implements SessionStore<K, AGG> {
  readonly persistent: boolean;
  readonly retention: RetentionClock;
  #context: StateStoreContext | undefined;
  #cache: WindowWriteCache<Windowed<K>, AGG> | undefined;
  #listener: WindowFlushListener<K, AGG> | undefined;
  #forwards: Promise<unknown>[] = [];
  #open = false;
  #serdes!: StoreSerdes<K, AGG>;

  constructor(
    readonly name: string,
    private readonly inner: KeyValueBytesStore,
    private readonly keySerde: Serde<K> | undefined,
    private readonly valueSerde: Serde<AGG> | undefined,
    readonly options: SessionStoreOptions,
  ) {
    this.persistent = options.persistent;
    this.retention = new RetentionClock(options.retentionMs, options.segmentIntervalMs);
  }

  async init(context: StateStoreContext): Promise<void> {
    this.#context = context;
    this.#serdes = StoreSerdes.resolve('Session store', this.name, this.keySerde, this.valueSerde, context, 'Stores.sessionStoreBuilder');
    await this.inner.init(this.retention.wrapContext(context), this);
    await this.retention.load(this.inner);
    if (this.options.cachingEnabled && context.cacheMaxBytes > 0) this.#cache = new WindowWriteCache(context.cacheMaxBytes);
    this.#open = true;
  }

  setFlushListener(listener: WindowFlushListener<K, AGG>): boolean {
    this.#listener = listener;
    return this.#cache !== undefined;
  }

  // ------------------------------------------------------------------ reads

  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): AsyncIterable<KeyValue<Windowed<K>, AGG>> {
    return this.#sessions(key, earliestSessionEndTime, latestSessionStartTime, false);
  }

  backwardFindSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): AsyncIterable<KeyValue<Windowed<K>, AGG>> {
    return this.#sessions(key, earliestSessionEndTime, latestSessionStartTime, true);
  }

  fetch(key: K): AsyncIterable<KeyValue<Windowed<K>, AGG>> {
    return this.#sessions(key, 0, Number.MAX_SAFE_INTEGER, false);
  }

  backwardFetch(key: K): AsyncIterable<KeyValue<Windowed<K>, AGG>> {
    return this.#sessions(key, 0, Number.MAX_SAFE_INTEGER, true);
  }

  fetchSession(key: K, sessionStartTime: number, sessionEndTime: number): MaybePromise<AGG | null> {
    if (this.retention.isExpired(sessionEndTime)) return null;
    const sk = sessionStoreKey(this.#serdes.keyBytes(key), sessionStartTime, sessionEndTime);
    const cached = this.#cache?.get(sk);
    if (cached) return cached.value;
    const raw = this.inner.get(sk);
    if (isPromise(raw)) return raw.then((b) => (b === undefined ? null : this.#decode(b)));
    return raw === undefined ? null : this.#decode(raw);
  }

  /** The session a windowed key names (what a windowed KTable's value getter reads). */
  get(sessionKey: Windowed<K>): MaybePromise<AGG | null> {
    return this.fetchSession(sessionKey.key, sessionKey.window.start, sessionKey.window.end);
  }

  /** All keys' sessions ending in [endFrom, endTo] (emit-on-window-close); scans the whole store. */
  async *fetchEndedIn(endFrom: number, endTo: number): AsyncIterable<KeyValue<Windowed<K>, AGG>> {
    await this.#writeThroughDirty();
    const minEnd = Math.max(endFrom, this.retention.expiredUpTo + 1);
    for await (const [k, v] of this.inner.range({})) {
      if (!isSessionStoreKey(k)) continue;
      const end = sessionEndOf(k);
      if (end < minEnd || end > endTo) continue;
      yield { key: { key: this.#serdes.key(sessionKeyBytesOf(k)), window: { start: sessionStartOf(k), end } }, value: this.#decode(v) };
    }
  }

  async *#sessions(key: K, earliestEnd: number, latestStart: number, reverse: boolean): AsyncIterable<KeyValue<Windowed<K>, AGG>> {
    await this.#writeThroughDirty();
    const kb = this.#serdes.keyBytes(key);
    const minEnd = Math.max(earliestEnd, this.retention.expiredUpTo + 1);
    const options: RangeOptions = { ...sessionRange(kb, minEnd), reverse };
    for await (const [k, v] of this.inner.range(options)) {
      if (!isSessionStoreKey(k) || !sessionKeyBytesOf(k).equals(kb)) continue;
      const start = sessionStartOf(k);
      const end = sessionEndOf(k);
      if (end < minEnd || start > latestStart) continue;
      yield { key: { key, window: { start, end } }, value: this.#decode(v) };
    }
  }

  // ------------------------------------------------------------------ writes

  put(sessionKey: Windowed<K>, aggregate: AGG | null, old?: { value: AGG | null }): void {
    if (sessionKey === null || sessionKey.key === null || sessionKey.key === undefined) {
      throw new StateStoreError(this.name, 'null keys are not allowed in a session store.');
    }
    const { start, end } = sessionKey.window;
    this.retention.observe(end);
    if (this.retention.isExpired(end)) return;
    const sk = sessionStoreKey(this.#serdes.keyBytes(sessionKey.key), start, end);
    const ts = this.#context!.currentTimestamp();
    const cache = this.#cache;
    if (!cache) {
      this.inner.put(sk, aggregate === null ? null : this.#encode(aggregate), ts);
      return;
    }
    cache.put(sk, sessionKey, aggregate, ts, old);
    if (cache.overBudget) this.#evict(cache);
  }

  remove(sessionKey: Windowed<K>, old?: { value: AGG | null }): void {
    this.put(sessionKey, null, old);
  }

  // ------------------------------------------------------------------ lifecycle

  async flush(): Promise<void> {
    const cache = this.#cache;
    if (cache && cache.size > 0) {
      for (const e of cache.entries()) {
        cache.delete(e);
        if (!e.oldKnown && this.#listener) {
          const prev = await this.inner.get(e.storeKey);
          e.old = prev === undefined ? null : this.#decode(prev);
        }
        await this.#writeDown(e);
      }
    }
    if (this.#forwards.length) {
      const pending = this.#forwards;
      this.#forwards = [];
      await Promise.all(pending);
    }
    const bound = this.retention.flush(this.inner, this.#context!.currentTimestamp());
    if (bound !== undefined) {
      const expired: Buffer[] = [];
      for await (const [k] of this.inner.range({})) if (isSessionStoreKey(k) && sessionEndOf(k) <= bound) expired.push(k);
      const ts = this.#context!.currentTimestamp();
      for (const k of expired) this.inner.put(k, null, ts);
    }
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

  #evict(cache: WindowWriteCache<Windowed<K>, AGG>): void {
    for (const e of cache.entries()) {
      if (!cache.overBudget) return;
      if (!e.oldKnown && this.#listener) continue;
      cache.delete(e);
      const r = this.#writeDown(e);
      if (r !== undefined && isPromise(r)) this.#forwards.push(r);
    }
  }

  #writeDown(e: CachedWrite<Windowed<K>, AGG>): MaybePromise<void> {
    this.inner.put(e.storeKey, e.value === null ? null : this.#encode(e.value), e.timestamp);
    if (this.#listener && !(e.value === null && e.old === null)) return this.#listener(e.windowed, e.value, e.old, e.windowed.window.end);
  }

  async #writeThroughDirty(): Promise<void> {
    const cache = this.#cache;
    if (!cache || cache.size === 0) return;
    for (const e of cache.entries()) {
      if (!e.oldKnown) {
        const prev = await this.inner.get(e.storeKey);
        e.old = prev === undefined ? null : this.#decode(prev);
        e.oldKnown = true;
      }
      this.inner.put(e.storeKey, e.value === null ? null : this.#encode(e.value), e.timestamp);
    }
  }



  #encode(v: AGG): Buffer {
    return this.#serdes.valueBytes(v);
  }

  #decode(bytes: Buffer): AGG {
    return this.#serdes.value(bytes) as AGG;
  }
}
