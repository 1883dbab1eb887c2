import { ConfigError, StateStoreError } from '../../errors.js';
import type { Change } from '../../processor/operators/change.js';
import type { Headers, RecordMetadata, StreamRecord } from '../../processor/record.js';
import type { Serde } from '../../serdes/serde.js';
import type { StateStore, StateStoreContext, StoreRestorer } from '../state-store.js';
import { deserializeBufferValue, entrySize, serializeBufferValue, type BufferValue } from './buffer-value.js';

/** A buffered update leaving the buffer: the key, its latest value and the value before it was first buffered. */
export interface Eviction<K, V> {
  readonly key: K;
  readonly value: Change<V>;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** How the buffer completes a missing serde from the config's default (windowed keys wrap the default key serde). */
export interface BufferSerdes<K, V> {
  readonly key: Serde<K> | undefined;
  readonly value: Serde<V> | undefined;
  readonly keyFromDefault?: (inner: Serde<unknown>) => Serde<K>;
}

interface Entry {
  /** The serialized key as a latin1 string: string order is unsigned byte order. */
  readonly id: string;
  readonly key: Buffer;
  /** Buffer time of the key's first buffered update; the entry keeps its place when updated. */
  readonly time: number;
  value: BufferValue;
  size: number;
  live: boolean;
}

const before = (a: Entry, b: Entry): boolean => a.time < b.time || (a.time === b.time && a.id < b.id);

/**
 * The suppression buffer (Kafka Streams' InMemoryTimeOrderedKeyValueChangeBuffer): one entry per serialized key,
 * ordered by buffer time, then by serialized key. Entries are held serialized, so `bufferSize()` is the bytes
 * BufferConfig.maxBytes bounds, and the buffer is restored byte for byte. Keys changed since the last commit are
 * logged when the task commits (flush): their current entry, or a tombstone for an evicted one. The buffer lives
 * in memory; after a restart or a task move it is restored from its changelog like any other store.
 */
export class TimeOrderedBufferStore<K, V> implements StateStore {
  readonly persistent = false;
  readonly #index = new Map<string, Entry>();
  /** Entries by (time, key); the oldest live one is at or after `head`. Removed entries are marked dead. */
  #sorted: Entry[] = [];
  #head = 0;
  /** Keys to log at the next flush. */
  readonly #dirty = new Map<string, Buffer>();
  #bytes = 0;
  #checkpoint: number | undefined;
  #context: StateStoreContext | undefined;
  #topic = '';
  #keySerde: Serde<K> | undefined;
  #valueSerde: Serde<V> | undefined;
  #open = false;

  constructor(
    readonly name: string,
    readonly loggingEnabled: boolean,
    private readonly serdes: BufferSerdes<K, V>,
  ) {}

  init(context: StateStoreContext): void {
    this.#context = context;
    this.#topic = context.changelogTopic(this.name);
    const defaultKey = context.defaultKeySerde && (this.serdes.keyFromDefault ? this.serdes.keyFromDefault(context.defaultKeySerde) : context.defaultKeySerde);
    this.#keySerde = this.serdes.key ?? (defaultKey as Serde<K> | undefined);
    this.#valueSerde = this.serdes.value ?? (context.defaultValueSerde as Serde<V> | undefined);
    if (!this.#keySerde || !this.#valueSerde) {
      throw new ConfigError(
        `Suppression buffer '${this.name}' has no ${this.#keySerde ? 'value' : 'key'} serde: it holds and logs updates serialized. ` +
          `Give the suppressed table serdes (Grouped.with / Materialized.with) or set the default serdes in the config.`,
      );
    }
    const restorer: StoreRestorer = {
      restore: (records, lastOffset) => this.#restore(records, lastOffset),
      checkpointedOffset: () => this.#checkpoint,
      wipe: async () => this.#clear(),
      commit: (offset) => {
        this.#checkpoint = offset;
      },
      // an in-memory buffer cannot take back writes: it forgets everything and is restored from scratch
      abortUncommitted: () => this.#clear(),
    };
    context.register(this, restorer);
    this.#open = true;
  }

  /** Buffers an update of `record.key` at `time` (kept if the key is already buffered). */
  put(time: number, record: StreamRecord<K, Change<V>>, source: RecordMetadata | undefined): void {
    this.#requireOpen();
    const key = this.#keySerde!.serialize(this.#topic, record.key);
    if (key === null) throw new StateStoreError(this.name, 'the key serde turned a key into null; a buffered key needs bytes.');
    const id = key.toString('latin1');
    const existing = this.#index.get(id);
    const old = this.#valueSerde!.serialize(this.#topic, record.value.oldValue);
    const prior = existing ? existing.value.prior : old;
    const value: BufferValue = {
      prior,
      old: old !== null && prior !== null && old.equals(prior) ? prior : old,
      new: this.#valueSerde!.serialize(this.#topic, record.value.newValue),
      context: {
        timestamp: record.timestamp,
        offset: source?.offset ?? -1,
        topic: source?.topic ?? '',
        partition: source?.partition ?? -1,
        headers: record.headers,
      },
    };
    this.#put(id, key, time, value);
    if (this.loggingEnabled) this.#dirty.set(id, key);
  }

  /** Buffer time of the oldest entry; Infinity when empty. */
  minTimestamp(): number {
    const e = this.#oldest();
    return e ? e.time : Infinity;
  }

  numRecords(): number {
    return this.#index.size;
  }

  bufferSize(): number {
    return this.#bytes;
  }

  /** Removes the oldest entries while `predicate` holds, oldest first. */
  evictWhile(predicate: () => boolean): Eviction<K, V>[] {
    this.#requireOpen();
    const out: Eviction<K, V>[] = [];
    for (let e = this.#oldest(); e && predicate(); e = this.#oldest()) {
      this.#remove(e);
      if (this.loggingEnabled) this.#dirty.set(e.id, e.key);
      const { value } = e;
      out.push({
        key: this.#keySerde!.deserialize(this.#topic, e.key) as K,
        value: { newValue: this.#valueSerde!.deserialize(this.#topic, value.new), oldValue: this.#valueSerde!.deserialize(this.#topic, value.prior) },
        timestamp: value.context.timestamp,
        headers: value.context.headers,
      });
    }
    return out;
  }

  /** Logs each key changed since the last flush: its entry, or a tombstone once it left the buffer. */
  flush(): void {
    if (!this.#open || this.#dirty.size === 0) return;
    const ctx = this.#context!;
    for (const [id, key] of this.#dirty) {
      const e = this.#index.get(id);
      if (e) ctx.logChange(this.name, key, serializeBufferValue(e.value, e.time), e.value.context.timestamp);
      else ctx.logChange(this.name, key, null, ctx.currentTimestamp());
    }
    this.#dirty.clear();
  }

  close(): void {
    this.#clear();
    this.#open = false;
  }

  isOpen(): boolean {
    return this.#open;
  }

  #restore(records: readonly { key: Buffer; value: Buffer | null }[], lastOffset: number): void {
    for (const r of records) {
      const id = r.key.toString('latin1');
      if (r.value === null) {
        const e = this.#index.get(id);
        if (e) this.#remove(e);
        continue;
      }
      let restored: ReturnType<typeof deserializeBufferValue>;
      try {
        restored = deserializeBufferValue(r.value);
      } catch (e) {
        throw new StateStoreError(this.name, `a changelog record (batch ending at offset ${lastOffset}) is no suppression buffer entry: ${String(e)}.`, { cause: e });
      }
      this.#put(id, Buffer.from(r.key), restored.bufferTime, restored.value);
    }
    this.#checkpoint = lastOffset;
  }

  #put(id: string, key: Buffer, time: number, value: BufferValue): void {
    const size = entrySize(key, value);
    const existing = this.#index.get(id);
    if (existing) {
      this.#bytes += size - existing.size;
      existing.value = value;
      existing.size = size;
      return;
    }
    const e: Entry = { id, key, time, value, size, live: true };
    this.#index.set(id, e);
    this.#bytes += size;
    // binary search for the first entry after e; updates mostly arrive at the end, so the splice is short
    let lo = this.#head;
    let hi = this.#sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.#sorted[mid]!, e)) lo = mid + 1;
      else hi = mid;
    }
    this.#sorted.splice(lo, 0, e);
  }

  #oldest(): Entry | undefined {
    while (this.#head < this.#sorted.length && !this.#sorted[this.#head]!.live) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#sorted.length) {
      this.#sorted = this.#sorted.slice(this.#head);
      this.#head = 0;
    }
    return this.#sorted[this.#head];
  }

  #remove(e: Entry): void {
    e.live = false;
    this.#index.delete(e.id);
    this.#bytes -= e.size;
  }

  #clear(): void {
    this.#index.clear();
    this.#sorted = [];
    this.#head = 0;
    this.#dirty.clear();
    this.#bytes = 0;
    this.#checkpoint = undefined;
  }

  #requireOpen(): void {
    if (!this.#open) throw new StateStoreError(this.name, 'the store is not open (closed, or used before init).');
  }
}
