import type { FixedKeyProcessorSupplier, ProcessorSupplier } from '../processor/processor.js';
import type { TopicNameExtractor } from '../topology/node-defs.js';
import type { KeyValue } from './key-value.js';
import type { Branched } from './options/branched.js';
import type { Named } from './options/named.js';
import type { Produced } from './options/produced.js';
import type { Repartitioned } from './options/repartitioned.js';
import type { KGroupedStream, KTable } from './ktable.js';
import type { Grouped } from './options/grouped.js';
import type { Materialized } from './options/materialized.js';
import type { Joined } from './options/joined.js';
import type { GlobalKTable } from './global-ktable.js';
import type { JoinWindows } from './options/join-windows.js';
import type { StreamJoined } from './options/stream-joined.js';

/** An unbounded stream of key-value records (Kafka Streams' KStream). Every operation returns a new stream. */
export interface KStream<K, V> {
  filter(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V>;
  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V>;
  map<KR, VR>(mapper: (key: K, value: V) => KeyValue<KR, VR>, named?: Named): KStream<KR, VR>;
  mapValues<VR>(mapper: (value: V, key: K) => VR, named?: Named): KStream<K, VR>;
  flatMap<KR, VR>(mapper: (key: K, value: V) => Iterable<KeyValue<KR, VR>>, named?: Named): KStream<KR, VR>;
  flatMapValues<VR>(mapper: (value: V, key: K) => Iterable<VR>, named?: Named): KStream<K, VR>;
  selectKey<KR>(selector: (key: K, value: V) => KR, named?: Named): KStream<KR, V>;
  peek(action: (key: K, value: V) => void, named?: Named): KStream<K, V>;
  foreach(action: (key: K, value: V) => void, named?: Named): void;
  merge(other: KStream<K, V>, named?: Named): KStream<K, V>;
  split(named?: Named): BranchedKStream<K, V>;
  repartition(repartitioned?: Repartitioned<K, V>): KStream<K, V>;
  to(topic: string | TopicNameExtractor<K, V>, produced?: Produced<K, V>): void;
  process<KR, VR>(supplier: ProcessorSupplier<K, V, KR, VR>, ...storeNamesOrNamed: (string | Named)[]): KStream<KR, VR>;
  processValues<VR>(supplier: FixedKeyProcessorSupplier<K, V, VR>, ...storeNamesOrNamed: (string | Named)[]): KStream<K, VR>;
  toTable(materialized?: Materialized<K, V>): KTable<K, V>;
  toTable(named: Named, materialized?: Materialized<K, V>): KTable<K, V>;
  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V>;
  /**
   * Stream-stream inner join: each record joins the other stream's records of its key whose timestamps lie in
   * `[t - before, t + after]`; results carry the larger timestamp.
   */
  join<VO, VR>(otherStream: KStream<K, VO>, joiner: (value: V, otherValue: VO, key: K) => VR, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  /** Stream-table inner join: each record joins the table's current value for its key; no match, no output. */
  join<VT, VR>(table: KTable<K, VT>, joiner: (value: V, tableValue: VT, key: K) => VR, joined?: Joined<K, V, VT>): KStream<K, VR>;
  /** Stream-GlobalKTable inner join on the table key the selector picks. */
  join<KG, VG, VR>(globalTable: GlobalKTable<KG, VG>, keySelector: (key: K, value: V) => KG, joiner: (value: V, globalValue: VG, key: K) => VR): KStream<K, VR>;
  /** Stream-table left join: records without a match join null. */
  /** Stream-stream left join: records of this stream without a match join null, once their window has closed. */
  leftJoin<VO, VR>(
    otherStream: KStream<K, VO>,
    joiner: (value: V, otherValue: VO | null, key: K) => VR,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  leftJoin<VT, VR>(table: KTable<K, VT>, joiner: (value: V, tableValue: VT | null, key: K) => VR, joined?: Joined<K, V, VT>): KStream<K, VR>;
  leftJoin<KG, VG, VR>(
    globalTable: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG,
    joiner: (value: V, globalValue: VG | null, key: K) => VR,
  ): KStream<K, VR>;
  /** Stream-stream outer join: records of either stream without a match join null, once their window has closed. */
  outerJoin<VO, VR>(
    otherStream: KStream<K, VO>,
    joiner: (value: V | null, otherValue: VO | null, key: K) => VR,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  groupBy<KR>(selector: (key: K, value: V) => KR, grouped?: Grouped<KR, V>): KGroupedStream<KR, V>;
}

/** The result of `split()`: add branches, then end with `defaultBranch()` or `noDefaultBranch()`. */
export interface BranchedKStream<K, V> {
  branch(predicate: (key: K, value: V) => boolean, branched?: Branched<K, V>): BranchedKStream<K, V>;
  defaultBranch(branched?: Branched<K, V>): Map<string, KStream<K, V>>;
  noDefaultBranch(): Map<string, KStream<K, V>>;
}
