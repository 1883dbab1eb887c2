import type { KeyValue } from '../dsl/key-value.js';
import { InvalidStateStoreError } from '../errors.js';
import { isPromise, type MaybePromise } from '../processor/record.js';
import type { Windowed } from '../serdes/windowed-serdes.js';
import type { ReadOnlySessionStore, ReadOnlyWindowStore, SessionStore, WindowStore } from '../state/window/window-store.js';

function firstNonNull<S, V>(stores: S[], get: (s: S) => MaybePromise<V | null>): MaybePromise<V | null> {
  const next = (i: number): MaybePromise<V | null> => {
    if (i >= stores.length) return null;
    const v = get(stores[i]!);
    if (isPromise(v)) return v.then((x) => (x !== null ? x : next(i + 1)));
    return v !== null ? v : next(i + 1);
  };
  return next(0);
}

function checked<S>(storeName: string, stores: unknown[], method: string, kind: string): S[] {
  for (const s of stores) {
    if (typeof (s as Record<string, unknown>)[method] !== 'function') {
      throw new InvalidStateStoreError(`Store '${storeName}' is not a ${kind} store: query it with the QueryableStoreTypes method of its kind.`, { retriable: false });
    }
  }
  return stores as S[];
}

/**
 * A read-only view over one window store name across the instance's local tasks (Kafka Streams'
 * CompositeReadOnlyWindowStore): point lookups ask each task's store in turn, range reads concatenate them.
 */
export class CompositeReadOnlyWindowStore<K, V> implements ReadOnlyWindowStore<K, V> {
  constructor(
    readonly name: string,
    private readonly stores: () => unknown[],
  ) {}

  #all(): WindowStore<K, V>[] {
    return checked<WindowStore<K, V>>(this.name, this.stores(), 'fetchAll', 'window');
  }

  fetch(key: K, windowStartTime: number): MaybePromise<V | null>;
  fetch(key: K, timeFrom: number, timeTo: number): AsyncIterable<KeyValue<number, V>>;
  fetch(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): AsyncIterable<KeyValue<Windowed<K>, V>>;
  fetch(a: K | null, b: unknown, c?: number, d?: number): MaybePromise<V | null> | AsyncIterable<KeyValue<any, V>> {
    const stores = this.#all();
    if (c === undefined) return firstNonNull(stores, (s) => s.fetch(a as K, b as number));
    return concat(stores, (s) => (d === undefined ? s.fetch(a as K, b as number, c) : s.fetch(a, b as K | null, c, d)) as AsyncIterable<KeyValue<any, V>>);
  }

  backwardFetch(key: K, timeFrom: number, timeTo: number): AsyncIterable<KeyValue<number, V>>;
  backwardFetch(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): AsyncIterable<KeyValue<Windowed<K>, V>>;
  backwardFetch(a: K | null, b: unknown, c: number, d?: number): AsyncIterable<KeyValue<any, V>> {
    return concat(this.#all(), (s) => (d === undefined ? s.backwardFetch(a as K, b as number, c) : s.backwardFetch(a, b as K | null, c, d)) as AsyncIterable<KeyValue<any, V>>);
  }

  fetchAll(timeFrom: number, timeTo: number): AsyncIterable<KeyValue<Windowed<K>, V>> {
    return concat(this.#all(), (s) => s.fetchAll(timeFrom, timeTo));
  }

  backwardFetchAll(timeFrom: number, timeTo: number): AsyncIterable<KeyValue<Windowed<K>, V>> {
    return concat(this.#all(), (s) => s.backwardFetchAll(timeFrom, timeTo));
  }

  all(): AsyncIterable<KeyValue<Windowed<K>, V>> {
    return concat(this.#all(), (s) => s.all());
  }

  backwardAll(): AsyncIterable<KeyValue<Windowed<K>, V>> {
    return concat(this.#all(), (s) => s.backwardAll());
  }
}

/** A read-only view over one session store name across the instance's local tasks (CompositeReadOnlySessionStore). */
export class CompositeReadOnlySessionStore<K, AGG> implements ReadOnlySessionStore<K, AGG> {
  constructor(
    readonly name: string,
    private readonly stores: () => unknown[],
  ) {}

  #all(): SessionStore<K, AGG>[] {
    return checked<SessionStore<K, AGG>>(this.name, this.stores(), 'findSessions', 'session');
  }

  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): AsyncIterable<KeyValue<Windowed<K>, AGG>> {
    return concat(this.#all(), (s) => s.findSessions(key, earliestSessionEndTime, latestSessionStartTime));
  }

  backwardFindSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): AsyncIterable<KeyValue<Windowed<K>, AGG>> {
    return concat(this.#all(), (s) => s.backwardFindSessions(key, earliestSessionEndTime, latestSessionStartTime));
  }

  fetchSession(key: K, sessionStartTime: number, sessionEndTime: number): MaybePromise<AGG | null> {
    return firstNonNull(this.#all(), (s) => s.fetchSession(key, sessionStartTime, sessionEndTime));
  }

  fetch(key: K): AsyncIterable<KeyValue<Windowed<K>, AGG>> {
    return concat(this.#all(), (s) => s.fetch(key));
  }

  backwardFetch(key: K): AsyncIterable<KeyValue<Windowed<K>, AGG>> {
    return concat(this.#all(), (s) => s.backwardFetch(key));
  }
}

async function* concat<S, T>(stores: S[], scan: (s: S) => AsyncIterable<T>): AsyncIterable<T> {
  for (const s of stores) yield* scan(s);
}
