import { isPromise, type MaybePromise } from '../../processor/record.js';
import type { ReadOnlyKeyValueStore } from '../../state/key-value-store.js';
import type { TableValueGetter } from './ktable-impl.js';

/** Opens a store by name (a processor's ctx.getStateStore). */
export type StoreLookup = (name: string) => ReadOnlyKeyValueStore<unknown, unknown>;

/** The stores a processor reading through `getter` must be connected to. */
export function getterStores(getter: TableValueGetter<any, any>): readonly string[] {
  return getter.stores ?? [getter.store];
}

/** The table's current value for `key` (Kafka Streams' KTableValueGetter#get). */
export function readGetter<K, V>(getter: TableValueGetter<K, V>, key: K, store: StoreLookup): MaybePromise<V | null> {
  if (getter.read) return getter.read(key, store);
  const stored = store(getter.store).get(key);
  const map = (s: unknown): V | null => (s === null || s === undefined ? null : getter.map(key, s));
  return isPromise(stored) ? stored.then(map) : map(stored);
}

/** The getter of a table derived by a stateless step (filter, mapValues) from a table read through `parent`. */
export function mapGetter<K, V, VR>(parent: TableValueGetter<K, V>, compute: (key: K, value: V) => VR | null): TableValueGetter<K, VR> {
  if (parent.read) {
    const read = parent.read;
    return {
      store: parent.store,
      stores: getterStores(parent),
      map: () => null,
      read: (k, store) => andThen(read(k, store), (v) => (v === null ? null : compute(k, v))),
    };
  }
  return {
    store: parent.store,
    map: (k, stored) => {
      const v = parent.map(k, stored);
      return v === null ? null : compute(k, v);
    },
  };
}

/** Applies `f` to a value that may still be on its way. */
export function andThen<T, R>(value: MaybePromise<T>, f: (v: T) => MaybePromise<R>): MaybePromise<R> {
  return isPromise<T>(value) ? value.then(f) : f(value);
}
