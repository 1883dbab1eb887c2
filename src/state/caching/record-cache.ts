import { LRUCache } from 'lru-cache';

/** One cached key: the deserialized value, whether it still has to be written down, and its value before. */
export interface CacheEntry<K, V> {
  readonly key: K;
  keyBytes: Buffer | undefined;
  value: V | null;
  dirty: boolean;
  /** The persisted value before the first unflushed write; `oldKnown` false when it was never read. */
  old: V | null;
  oldKnown: boolean;
  timestamp: number;
  /** Index of this entry in the cache's dirty log while it is a pending dirty entry; -1 otherwise (internal). */
  dirtyPos: number;
}

/** Rough in-memory size of a value, for the byte bound of the cache. */
function sizeOf(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return 2 * value.length;
    case 'number':
    case 'boolean':
      return 8;
    case 'object':
      if (value === null) return 0;
      if (Buffer.isBuffer(value)) return value.length;
      return 64 + 16 * Object.keys(value).length;
    default:
      return 16;
  }
}

function entrySize(key: unknown, keyBytes: Buffer | undefined, value: unknown): number {
  return 96 + sizeOf(key) + (keyBytes?.length ?? 0) + sizeOf(value);
}

/**
 * A write-back LRU cache of deserialized values (lru-cache), bounded in bytes. Dirty entries are written down
 * (and forwarded, for KTables) on flush, or at once when the cache evicts them, so memory stays bounded by
 * the cache size whatever the input. Dirty keys flush in the order they became dirty, as Kafka Streams does.
 */
export class RecordCache<K, V> {
  readonly #lru: LRUCache<string, CacheEntry<K, V>>;
  /**
   * Dirty entries in the order of their last write: an append-only log where an entry counts only at its own
   * `dirtyPos` (a rewrite appends it again; superseded positions are skipped and compacted away). A Set with
   * delete + add per write kept the same order but cost ~1 us per write on hot keys (V8 rehashing its holes).
   */
  #dirtyLog: CacheEntry<K, V>[] = [];
  #dirtyCount = 0;
  /**
   * The entry the last `get` returned, valid only until the next cache operation: the usual read-modify-write
   * (`get(k)` then `putDirty(k)`) then costs one lru-cache lookup instead of two, with the same recency order.
   */
  #lastKey: string | undefined;
  /** lru-cache's get allocates an options object when given none: one reused, never-read object avoids that. */
  readonly #getOptions: LRUCache.GetOptions<string, CacheEntry<K, V>, unknown> = {};
  #lastEntry: CacheEntry<K, V> | undefined;
  readonly #onEvictDirty: (entry: CacheEntry<K, V>) => void;

  constructor(maxBytes: number, onEvictDirty: (entry: CacheEntry<K, V>) => void) {
    this.#onEvictDirty = onEvictDirty;
    this.#lru = new LRUCache<string, CacheEntry<K, V>>({
      maxSize: Math.max(1024, maxBytes),
      sizeCalculation: (e) => entrySize(e.key, e.keyBytes, e.value),
      noDisposeOnSet: true,
      dispose: (entry, cacheKey, reason) => {
        if (entry === this.#lastEntry) this.#lastKey = this.#lastEntry = undefined;
        // 'evict': pushed out by the size bound; 'set': an entry too large for the cache was refused and the
        // previous entry of its key removed. Either way a dirty value must be written down, never dropped.
        if ((reason === 'evict' || reason === 'set') && entry.dirty && this.#isLogged(entry)) {
          this.#unlog(entry);
          onEvictDirty(entry);
        }
      },
    });
  }

  get(cacheKey: string): CacheEntry<K, V> | undefined {
    const e = this.#lru.get(cacheKey, this.#getOptions);
    this.#lastKey = cacheKey;
    this.#lastEntry = e;
    return e;
  }

  /** A value read from the store below: clean. */
  putClean(cacheKey: string, key: K, keyBytes: Buffer | undefined, value: V | null): void {
    this.#lastKey = this.#lastEntry = undefined;
    // a read that completes after a write of the same key must not overwrite the newer, dirty value
    if (this.#lru.peek(cacheKey)?.dirty) return;
    this.#lru.set(cacheKey, { key, keyBytes, value, dirty: false, old: value, oldKnown: true, timestamp: -1, dirtyPos: -1 });
  }

  putDirty(cacheKey: string, key: K, keyBytes: Buffer | undefined, value: V | null, timestamp: number): void {
    // right after get(cacheKey) the entry is known and already most recent: no second lookup
    const existing = cacheKey === this.#lastKey && this.#lastEntry !== undefined ? this.#lastEntry : this.#lru.get(cacheKey, this.#getOptions);
    this.#lastKey = this.#lastEntry = undefined;
    let entry: CacheEntry<K, V>;
    // an entry taken by a flush still in progress (dirty, no longer logged) must not change under it
    if (existing && (!existing.dirty || this.#isLogged(existing))) {
      const kb = existing.keyBytes ?? keyBytes;
      if (entrySize(existing.key, kb, value) === entrySize(existing.key, existing.keyBytes, existing.value)) {
        // same accounted size (e.g. a count): update in place; the get above already made it most recent
        if (!existing.dirty) {
          existing.old = existing.value;
          existing.oldKnown = true;
          existing.dirty = true;
        }
        existing.keyBytes = kb;
        existing.value = value;
        existing.timestamp = timestamp;
        this.#log(existing);
        return;
      }
    }
    if (existing) {
      // a NEW entry object: lru-cache only recomputes the size (and enforces the bound) when the value changes
      entry = {
        key: existing.key,
        keyBytes: existing.keyBytes ?? keyBytes,
        value,
        dirty: true,
        old: existing.dirty ? existing.old : existing.value,
        oldKnown: existing.dirty ? existing.oldKnown : true,
        timestamp,
        dirtyPos: -1,
      };
      // the replaced object is no longer this key's dirty entry (a dispose of it must not write it down)
      if (this.#isLogged(existing)) this.#unlog(existing);
      existing.dirty = false;
    } else {
      entry = { key, keyBytes, value, dirty: true, old: null, oldKnown: false, timestamp, dirtyPos: -1 };
    }
    this.#log(entry);
    this.#lru.set(cacheKey, entry);
    if (this.#lru.peek(cacheKey) !== entry) {
      // larger than the whole cache: lru-cache refused it, so write it down at once
      if (this.#isLogged(entry)) this.#unlog(entry);
      this.#onEvictDirty(entry);
    }
  }

  #isLogged(e: CacheEntry<K, V>): boolean {
    const pos = e.dirtyPos;
    return pos >= 0 && this.#dirtyLog[pos] === e;
  }

  /** Appends `e` as the most recently written dirty entry (its older position, if any, no longer counts). */
  #log(e: CacheEntry<K, V>): void {
    if (!this.#isLogged(e)) this.#dirtyCount++;
    const log = this.#dirtyLog;
    e.dirtyPos = log.length;
    log.push(e);
    if (log.length > 1024 && log.length > 4 * this.#dirtyCount) this.#compact();
  }

  #unlog(e: CacheEntry<K, V>): void {
    e.dirtyPos = -1;
    this.#dirtyCount--;
  }

  #compact(): void {
    const live: CacheEntry<K, V>[] = [];
    const log = this.#dirtyLog;
    for (let i = 0; i < log.length; i++) {
      const e = log[i]!;
      if (e.dirtyPos === i) {
        e.dirtyPos = live.length;
        live.push(e);
      }
    }
    this.#dirtyLog = live;
  }

  /** Dirty entries in dirty order; they are marked clean (their value becomes the persisted one). */
  takeDirty(): CacheEntry<K, V>[] {
    const out = this.dirtyEntries();
    for (const e of out) e.dirtyPos = -1;
    this.#dirtyLog = [];
    this.#dirtyCount = 0;
    return out;
  }

  dirtyEntries(): CacheEntry<K, V>[] {
    const out: CacheEntry<K, V>[] = [];
    const log = this.#dirtyLog;
    for (let i = 0; i < log.length; i++) if (log[i]!.dirtyPos === i) out.push(log[i]!);
    return out;
  }

  get dirtyCount(): number {
    return this.#dirtyCount;
  }

  get size(): number {
    return this.#lru.size;
  }

  get calculatedSize(): number {
    return this.#lru.calculatedSize;
  }

  /** Forget everything (task closed dirty: unflushed writes are dropped, state is rebuilt from the store). */
  clear(): void {
    for (const e of this.#dirtyLog) e.dirtyPos = -1;
    this.#dirtyLog = [];
    this.#dirtyCount = 0;
    this.#lastKey = this.#lastEntry = undefined;
    this.#lru.clear();
  }
}
