import type { KeyValue } from './key-value.js';
import type { KStream } from './kstream.js';
import type { Grouped } from './options/grouped.js';
import type { Materialized } from './options/materialized.js';
import type { Named } from './options/named.js';
import type { SessionWindows } from './options/session-windows.js';
import type { SlidingWindows } from './options/sliding-windows.js';
import type { Suppressed } from './options/suppressed.js';
import type { TimeWindows } from './options/time-windows.js';
import type { SessionWindowedKStream, TimeWindowedKStream } from './windowed-kstream.js';

/** A changelog stream seen as a table: the latest value per key (Kafka Streams' KTable). */
export interface KTable<K, V> {
  filter(predicate: (key: K, value: V) => boolean, materialized?: Materialized<K, V>): KTable<K, V>;
  filterNot(predicate: (key: K, value: V) => boolean, materialized?: Materialized<K, V>): KTable<K, V>;
  mapValues<VR>(mapper: (value: V, key: K) => VR, materialized?: Materialized<K, VR>): KTable<K, VR>;
  toStream(named?: Named): KStream<K, V>;
  groupBy<KR, VR>(selector: (key: K, value: V) => KeyValue<KR, VR>, grouped?: Grouped<KR, VR>): KGroupedTable<KR, VR>;
  /**
   * Holds updates back (Kafka Streams' suppress): `Suppressed.untilWindowCloses(...)` on a windowed table emits only
   * each window's final result; `Suppressed.untilTimeLimit(ms, ...)` emits a key's latest value after `ms` of stream time.
   */
  suppress(suppressed: Suppressed): KTable<K, V>;
  /**
   * KTable-KTable inner join on the key: a row exists where both tables have one; every update of either table
   * updates (or deletes, with a tombstone) the joined row. The result is materialized when `materialized` is given.
   */
  join<VO, VR>(other: KTable<K, VO>, joiner: (value: V, otherValue: VO) => VR, materialized?: Materialized<K, VR>): KTable<K, VR>;
  /**
   * Foreign-key join: each row of this table joins the row of `other` whose key `foreignKeyExtractor` picks from
   * its value (a null foreign key joins nothing); updates of either table update the result.
   */
  join<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V) => KO | null,
    joiner: (value: V, otherValue: VO) => VR,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  /** KTable-KTable left join: every row of this table, joined with null where `other` has no row. */
  leftJoin<VO, VR>(other: KTable<K, VO>, joiner: (value: V, otherValue: VO | null) => VR, materialized?: Materialized<K, VR>): KTable<K, VR>;
  /** Foreign-key left join: every row of this table, joined with null where the foreign key finds no row. */
  leftJoin<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V) => KO | null,
    joiner: (value: V, otherValue: VO | null) => VR,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  /** KTable-KTable outer join: a row wherever either table has one, joined with null for the missing side. */
  outerJoin<VO, VR>(other: KTable<K, VO>, joiner: (value: V | null, otherValue: VO | null) => VR, materialized?: Materialized<K, VR>): KTable<K, VR>;
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
  /** Aggregate per key and time window (tumbling, hopping) or sliding window. */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  /** Aggregate per key and session of activity. */
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
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
