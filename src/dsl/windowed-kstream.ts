import type { Windowed } from '../serdes/windowed-serdes.js';
import type { KTable } from './ktable.js';
import type { EmitStrategy } from './options/emit-strategy.js';
import type { Materialized } from './options/materialized.js';
import type { Named } from './options/named.js';

/**
 * A grouped stream windowed by TimeWindows or SlidingWindows (Kafka Streams' TimeWindowedKStream): aggregations
 * per key and window, into a windowed table stored in a window store. The store name and retention come from the
 * Materialized (retention at least window size + grace; sliding: 2 x time difference + grace).
 */
export interface TimeWindowedKStream<K, V> {
  count(materialized?: Materialized<K, number>): KTable<Windowed<K>, number>;
  count(named: Named, materialized?: Materialized<K, number>): KTable<Windowed<K>, number>;
  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>): KTable<Windowed<K>, V>;
  aggregate<VA>(initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA, materialized?: Materialized<K, VA>): KTable<Windowed<K>, VA>;
  /** EmitStrategy.onWindowClose(): forward each window's final result once, instead of every update. */
  emitStrategy(strategy: EmitStrategy): TimeWindowedKStream<K, V>;
}

/** A grouped stream windowed by SessionWindows (Kafka Streams' SessionWindowedKStream). */
export interface SessionWindowedKStream<K, V> {
  count(materialized?: Materialized<K, number>): KTable<Windowed<K>, number>;
  count(named: Named, materialized?: Materialized<K, number>): KTable<Windowed<K>, number>;
  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>): KTable<Windowed<K>, V>;
  /** `merger` combines the aggregates of two sessions that a record joins into one. */
  aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    merger: (key: K, aggregate1: VA, aggregate2: VA) => VA,
    materialized?: Materialized<K, VA>,
  ): KTable<Windowed<K>, VA>;
  emitStrategy(strategy: EmitStrategy): SessionWindowedKStream<K, V>;
}
