import type { KeyValue } from '../dsl/key-value.js';
import { InvalidStateStoreError } from '../errors.js';
import { isPromise, type MaybePromise } from '../processor/record.js';
import type { Serde } from '../serdes/serde.js';
import type { KeyValueStore, ReadOnlyKeyValueStore } from '../state/key-value-store.js';
import type { ReadOnlySessionStore, ReadOnlyWindowStore } from '../state/window/window-store.js';
import { CompositeReadOnlySessionStore, CompositeReadOnlyWindowStore } from './composite-window-stores.js';

/** Store types for interactive queries (Kafka Streams' QueryableStoreTypes). */
export const QueryableStoreTypes = Object.freeze({
  keyValueStore<K = any, V = any>(): QueryableStoreType<ReadOnlyKeyValueStore<K, V>> {
    return { kind: 'keyValue' } as QueryableStoreType<ReadOnlyKeyValueStore<K, V>>;
  },
  windowStore<K = any, V = any>(): QueryableStoreType<ReadOnlyWindowStore<K, V>> {
    return { kind: 'window' } as QueryableStoreType<ReadOnlyWindowStore<K, V>>;
  },
  sessionStore<K = any, AGG = any>(): QueryableStoreType<ReadOnlySessionStore<K, AGG>> {
    return { kind: 'session' } as QueryableStoreType<ReadOnlySessionStore<K, AGG>>;
  },
});

/** The composite read-only view of a store name of the given type over the local tasks' stores. */
export function compositeStore(type: QueryableStoreType<unknown>, storeName: string, stores: () => unknown[]): unknown {
  if (type.kind === 'window') return new CompositeReadOnlyWindowStore(storeName, stores);
  if (type.kind === 'session') return new CompositeReadOnlySessionStore(storeName, stores);
  return new CompositeReadOnlyKeyValueStore(storeName, stores as () => KeyValueStore<unknown, unknown>[]);
}

export interface QueryableStoreType<T> {
  readonly kind: 'keyValue' | 'window' | 'session';
  /** Phantom field for the store type. */
  readonly __type?: T;
}

export interface StoreQueryParameters<T> {
  readonly storeName: string;
  readonly type: QueryableStoreType<T>;
}

/**
 * A read-only view over one store name across the instance's local tasks (Kafka Streams'
 * CompositeReadOnlyKeyValueStore). Fails with InvalidStateStoreError while the instance is not RUNNING.
 */
export class CompositeReadOnlyKeyValueStore<K, V> implements ReadOnlyKeyValueStore<K, V> {
  constructor(
    private readonly storeName: string,
    private readonly stores: () => KeyValueStore<K, V>[],
  ) {}

  #all(): KeyValueStore<K, V>[] {
    return this.stores();
  }

  get(key: K): MaybePromise<V | null> {
    const stores = this.#all();
    const next = (i: number): MaybePromise<V | null> => {
      if (i >= stores.length) return null;
      const v = stores[i]!.get(key);
      if (isPromise(v)) return v.then((x) => (x !== null ? x : next(i + 1)));
      return v !== null ? v : next(i + 1);
    };
    return next(0);
  }

  async *range(from: K | null, to: K | null): AsyncIterable<KeyValue<K, V>> {
    for (const s of this.#all()) yield* s.range(from, to);
  }

  async *reverseRange(from: K | null, to: K | null): AsyncIterable<KeyValue<K, V>> {
    for (const s of this.#all()) yield* s.reverseRange(from, to);
  }

  async *all(): AsyncIterable<KeyValue<K, V>> {
    for (const s of this.#all()) yield* s.all();
  }

  async *reverseAll(): AsyncIterable<KeyValue<K, V>> {
    for (const s of this.#all()) yield* s.reverseAll();
  }

  async *prefixScan<P>(prefix: P, serde: Serde<P>): AsyncIterable<KeyValue<K, V>> {
    for (const s of this.#all()) yield* s.prefixScan(prefix, serde);
  }

  async approximateNumEntries(): Promise<number> {
    let n = 0;
    for (const s of this.#all()) n += await s.approximateNumEntries();
    return n;
  }

  get name(): string {
    return this.storeName;
  }
}

export function notQueryable(storeName: string, state: string): InvalidStateStoreError {
  return new InvalidStateStoreError(
    `Store '${storeName}' cannot be queried now: the instance is ${state}, not RUNNING (tasks may be migrating). Retry after the next RUNNING state change.`,
  );
}
