import type { KeyValue } from './key-value.js';
import type { KStream } from './kstream.js';
import type { Grouped } from './options/grouped.js';
import type { Materialized } from './options/materialized.js';
import type { Named } from './options/named.js';

/** A changelog stream seen as a table: the latest value per key (Kafka Streams' KTable). */
export interface KTable<K, V> {
  filter(predicate: (key: K, value: V) => boolean, materialized?: Materialized<K, V>): KTable<K, V>;
  filterNot(predicate: (key: K, value: V) => boolean, materialized?: Materialized<K, V>): KTable<K, V>;
  mapValues<VR>(mapper: (value: V, key: K) => VR, materialized?: Materialized<K, VR>): KTable<K, VR>;
  toStream(named?: Named): KStream<K, V>;
  groupBy<KR, VR>(selector: (key: K, value: V) => KeyValue<KR, VR>, grouped?: Grouped<KR, VR>): KGroupedTable<KR, VR>;
  /** Name of the store holding this table, when it is materialized under a queryable name. */
  queryableStoreName(): string | null;
}

/** A grouped stream, ready to aggregate per key (Kafka Streams' KGroupedStream). */
export interface KGroupedStream<K, V> {
  count(materialized?: Materialized<K, number>): KTable<K, number>;
  count(named: Named, materialized?: Materialized<K, number>): KTable<K, number>;
  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>): KTable<K, V>;
  aggregate<VA>(initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA, materialized?: Materialized<K, VA>): KTable<K, VA>;
  cogroup<VA>(aggregator: (key: K, value: V, aggregate: VA) => VA): CogroupedKStream<K, VA>;
}

/** Several grouped streams aggregated into one table (Kafka Streams' CogroupedKStream). */
export interface CogroupedKStream<K, VA> {
  cogroup<V>(groupedStream: KGroupedStream<K, V>, aggregator: (key: K, value: V, aggregate: VA) => VA): CogroupedKStream<K, VA>;
  aggregate(initializer: () => VA, materialized?: Materialized<K, VA>): KTable<K, VA>;
}

/** A re-grouped table: aggregations with an adder for new rows and a subtractor for replaced rows. */
export interface KGroupedTable<K, V> {
  count(materialized?: Materialized<K, number>): KTable<K, number>;
  reduce(adder: (aggregate: V, value: V) => V, subtractor: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>): KTable<K, V>;
  aggregate<VA>(
    initializer: () => VA,
    adder: (key: K, value: V, aggregate: VA) => VA,
    subtractor: (key: K, value: V, aggregate: VA) => VA,
    materialized?: Materialized<K, VA>,
  ): KTable<K, VA>;
}
