import type { KeyValue } from '../../dsl/key-value.js';
import type { MaybePromise } from '../../processor/record.js';
import type { Windowed } from '../../serdes/windowed-serdes.js';
import type { StateStore } from '../state-store.js';

/**
 * Reads of a window store (Kafka Streams' ReadOnlyWindowStore): values per key and window start. Time ranges are
 * inclusive, on window starts; windows older than the store's retention are never returned.
 */
export interface ReadOnlyWindowStore<K, V> {
  /** The value of `key`'s window that starts at `windowStartTime`, or null. */
  fetch(key: K, windowStartTime: number): MaybePromise<V | null>;
  /** `key`'s windows starting in [timeFrom, timeTo], ascending by start: `{ key: windowStart, value }`. */
  fetch(key: K, timeFrom: number, timeTo: number): AsyncIterable<KeyValue<number, V>>;
  /** Windows of keys in [keyFrom, keyTo] (key-byte order; null = open) starting in [timeFrom, timeTo]. */
  fetch(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): AsyncIterable<KeyValue<Windowed<K>, V>>;
  /** As fetch(key, timeFrom, timeTo), descending by start. */
  backwardFetch(key: K, timeFrom: number, timeTo: number): AsyncIterable<KeyValue<number, V>>;
  backwardFetch(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): AsyncIterable<KeyValue<Windowed<K>, V>>;
  /** All keys' windows starting in [timeFrom, timeTo], in key-byte then start order. */
  fetchAll(timeFrom: number, timeTo: number): AsyncIterable<KeyValue<Windowed<K>, V>>;
  backwardFetchAll(timeFrom: number, timeTo: number): AsyncIterable<KeyValue<Windowed<K>, V>>;
  all(): AsyncIterable<KeyValue<Windowed<K>, V>>;
  backwardAll(): AsyncIterable<KeyValue<Windowed<K>, V>>;
}

export interface WindowStore<K, V> extends StateStore, ReadOnlyWindowStore<K, V> {
  /** Put `value` for `key`'s window starting at `windowStartTime`; null deletes (unless duplicates are retained). */
  put(key: K, value: V | null, windowStartTime: number): void;
}

/** Reads of a session store (Kafka Streams' ReadOnlySessionStore). Sessions come in key-byte, then end order. */
export interface ReadOnlySessionStore<K, AGG> {
  /** `key`'s sessions with end >= earliestSessionEndTime and start <= latestSessionStartTime. */
  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): AsyncIterable<KeyValue<Windowed<K>, AGG>>;
  backwardFindSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): AsyncIterable<KeyValue<Windowed<K>, AGG>>;
  /** The aggregate of exactly the session [sessionStartTime, sessionEndTime] of `key`, or null. */
  fetchSession(key: K, sessionStartTime: number, sessionEndTime: number): MaybePromise<AGG | null>;
  /** All sessions of `key`. */
  fetch(key: K): AsyncIterable<KeyValue<Windowed<K>, AGG>>;
  backwardFetch(key: K): AsyncIterable<KeyValue<Windowed<K>, AGG>>;
}

export interface SessionStore<K, AGG> extends StateStore, ReadOnlySessionStore<K, AGG> {
  /** Put the aggregate of a session; null removes it. */
  put(sessionKey: Windowed<K>, aggregate: AGG | null): void;
  remove(sessionKey: Windowed<K>): void;
}

/** A value with the timestamp of the newest record it reflects (Kafka Streams' ValueAndTimestamp). */
export interface TimestampedValue<V> {
  readonly value: V;
  readonly timestamp: number;
}

/** Called with each windowed update a cached store writes down (forwarding of deduplicated updates). */
export type WindowFlushListener<K, V> = (key: Windowed<K>, newValue: V | null, oldValue: V | null, timestamp: number) => MaybePromise<void>;
