import type { KeyValue } from '../dsl/key-value.js';
import type { MaybePromise } from '../processor/record.js';
import type { StateStore } from './state-store.js';

/** Reads of a key-value store (also what interactive queries see). Calls may answer synchronously. */
export interface ReadOnlyKeyValueStore<K, V> {
  get(key: K): MaybePromise<V | null>;
  /** Entries with from <= key <= to in key-byte order; a null bound is open. */
  range(from: K | null, to: K | null): AsyncIterable<KeyValue<K, V>>;
  reverseRange(from: K | null, to: K | null): AsyncIterable<KeyValue<K, V>>;
  all(): AsyncIterable<KeyValue<K, V>>;
  reverseAll(): AsyncIterable<KeyValue<K, V>>;
  /** Entries whose serialized key starts with the serialized prefix. */
  prefixScan<P>(prefix: P, prefixKeySerde: import('../serdes/serde.js').Serde<P>): AsyncIterable<KeyValue<K, V>>;
  approximateNumEntries(): MaybePromise<number>;
}

export interface KeyValueStore<K, V> extends StateStore, ReadOnlyKeyValueStore<K, V> {
  /** A null value deletes the key (a tombstone in the changelog). */
  put(key: K, value: V | null): MaybePromise<void>;
  putIfAbsent(key: K, value: V): MaybePromise<V | null>;
  putAll(entries: readonly KeyValue<K, V>[]): MaybePromise<void>;
  delete(key: K): MaybePromise<V | null>;
}

/** Collects an async iterable (a range scan) into an array. */
export async function toArray<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}
