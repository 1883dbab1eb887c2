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

/**
 * A write-back LRU cache of deserialized values (lru-cache), bounded in bytes. Dirty entries are written down
 * (and forwarded, for KTables) on flush, or at once when the cache evicts them, so memory stays bounded by
 * the cache size whatever the input. Dirty keys flush in the order they became dirty, as Kafka Streams does.
 */
export class RecordCache<K, V> {
  readonly #lru: LRUCache<string, CacheEntry<K, V>>;
  readonly #dirty = new Set<string>();
  readonly #onEvictDirty: (entry: CacheEntry<K, V>) => void;

  constructor(maxBytes: number, onEvictDirty: (entry: CacheEntry<K, V>) => void) {
    this.#onEvictDirty = onEvictDirty;
    this.#lru = new LRUCache<string, CacheEntry<K, V>>({
      maxSize: Math.max(1024, maxBytes),
      sizeCalculation: (e) => 96 + sizeOf(e.key) + (e.keyBytes?.length ?? 0) + sizeOf(e.value),
      noDisposeOnSet: true,
      dispose: (entry, cacheKey, reason) => {
        // 'evict': pushed out by the size bound; 'set': an entry too large for the cache was refused and the
        // previous entry of its key removed. Either way a dirty value must be written down, never dropped.
        if ((reason === 'evict' || reason === 'set') && entry.dirty && this.#dirty.has(cacheKey)) {
          this.#dirty.delete(cacheKey);
          onEvictDirty(entry);
        }
      },
    });
  }

  get(cacheKey: string): CacheEntry<K, V> | undefined {
    return this.#lru.get(cacheKey);
  }

  /** A value read from the store below: clean. */
  putClean(cacheKey: string, key: K, keyBytes: Buffer | undefined, value: V | null): void {
    // a read that completes after a write of the same key must not overwrite the newer, dirty value
    if (this.#lru.peek(cacheKey)?.dirty) return;
    this.#lru.set(cacheKey, { key, keyBytes, value, dirty: false, old: value, oldKnown: true, timestamp: -1 });
  }

  putDirty(cacheKey: string, key: K, keyBytes: Buffer | undefined, value: V | null, timestamp: number): void {
    const existing = this.#lru.get(cacheKey);
    let entry: CacheEntry<K, V>;
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
      };
      // the replaced object is no longer this key's dirty entry (a dispose of it must not write it down)
      existing.dirty = false;
    } else {
      entry = { key, keyBytes, value, dirty: true, old: null, oldKnown: false, timestamp };
    }
    this.#dirty.delete(cacheKey);
    this.#dirty.add(cacheKey);
    this.#lru.set(cacheKey, entry);
    if (this.#lru.peek(cacheKey) !== entry) {
      // larger than the whole cache: lru-cache refused it, so write it down at once
      this.#dirty.delete(cacheKey);
      this.#onEvictDirty(entry);
    }
  }

  /** Dirty entries in dirty order; they are marked clean (their value becomes the persisted one). */
  takeDirty(): CacheEntry<K, V>[] {
    const out: CacheEntry<K, V>[] = [];
    for (const ck of this.#dirty) {
      const e = this.#lru.peek(ck);
      if (e) out.push(e);
    }
    this.#dirty.clear();
    return out;
  }

  dirtyEntries(): CacheEntry<K, V>[] {
    const out: CacheEntry<K, V>[] = [];
    for (const ck of this.#dirty) {
      const e = this.#lru.peek(ck);
      if (e) out.push(e);
    }
    return out;
  }

  get dirtyCount(): number {
    return this.#dirty.size;
  }

  get size(): number {
    return this.#lru.size;
  }

  get calculatedSize(): number {
    return this.#lru.calculatedSize;
  }

  /** Forget everything (task closed dirty: unflushed writes are dropped, state is rebuilt from the store). */
  clear(): void {
    this.#dirty.clear();
    this.#lru.clear();
  }
}
