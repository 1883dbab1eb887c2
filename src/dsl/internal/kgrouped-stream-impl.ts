import { Prefix } from '../../graph/internal-builder.js';
import type { Change } from '../../processor/operators/change.js';
import { passThroughSupplier } from '../../processor/operators/pass-through.js';
import { streamAggregateSupplier } from '../../processor/operators/stream-aggregate.js';
import { Serdes } from '../../serdes/serdes.js';
import type { Serde } from '../../serdes/serde.js';
import type { CogroupedKStream, KGroupedStream, KTable } from '../ktable.js';
import type { Grouped } from '../options/grouped.js';
import type { Materialized } from '../options/materialized.js';
import { Named } from '../options/named.js';
import { SessionWindows } from '../options/session-windows.js';
import type { SlidingWindows } from '../options/sliding-windows.js';
import type { TimeWindows } from '../options/time-windows.js';
import type { SessionWindowedKStream, TimeWindowedKStream } from '../windowed-kstream.js';
import { SessionWindowedKStreamImpl } from './session-windowed-kstream-impl.js';
import { TimeWindowedKStreamImpl } from './time-windowed-kstream-impl.js';
import type { KStreamImpl } from './kstream-impl.js';
import { KTableImpl, storeGetter } from './ktable-impl.js';
import { materialize } from './materialize.js';

/** A stream grouped by key; aggregations repartition first when the key changed upstream. */
export class KGroupedStreamImpl<K, V> implements KGroupedStream<K, V> {
  constructor(
    readonly stream: KStreamImpl<K, V>,
    readonly grouped: Grouped<K, V> | undefined,
  ) {}

  get keySerde(): Serde<K> | undefined {
    return this.grouped?.keySerde ?? this.stream.props.keySerde;
  }

  get valueSerde(): Serde<V> | undefined {
    return this.grouped?.valueSerde ?? this.stream.props.valueSerde;
  }

  count(namedOrMaterialized?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<K, number> {
    const named = namedOrMaterialized instanceof Named ? namedOrMaterialized : undefined;
    const mat = namedOrMaterialized instanceof Named ? materialized : namedOrMaterialized;
    return this.#aggregate<number>(() => 0, (_k, _v, agg) => agg + 1, mat, Serdes.Long(), Prefix.AGGREGATE, named);
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>): KTable<K, V> {
    const NONE = Symbol('none') as unknown as V;
    return this.#aggregate<V>(() => NONE, (_k, v, agg) => (agg === NONE ? v : reducer(agg, v)), materialized, this.valueSerde, Prefix.REDUCE);
  }

  aggregate<VA>(initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA, materialized?: Materialized<K, VA>): KTable<K, VA> {
    return this.#aggregate(initializer, aggregator, materialized, undefined, Prefix.AGGREGATE);
  }

  cogroup<VA>(aggregator: (key: K, value: V, aggregate: VA) => VA): CogroupedKStream<K, VA> {
    return new CogroupedKStreamImpl<K, VA>([{ grouped: this as KGroupedStreamImpl<K, any>, aggregator }]);
  }

  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    return windows instanceof SessionWindows ? new SessionWindowedKStreamImpl(this, windows) : new TimeWindowedKStreamImpl(this, windows);
  }

  /** The node aggregations read from: this stream, or a repartition of it named after the store. */
  sourceFor(storeName: string): string {
    if (!this.stream.props.repartitionRequired) return this.stream.props.name;
    const repartitioned = this.stream.repartitionThrough(this.grouped?.name ?? storeName, {
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      filterNullKeys: true,
    });
    return repartitioned.props.name;
  }

  #aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    materialized: Materialized<K, VA> | undefined,
    defaultValueSerde: Serde<VA> | undefined,
    prefix: string,
    named?: Named,
  ): KTable<K, VA> {
    const b = this.stream.builder;
    const mat = materialize<K, VA>(b, materialized, prefix, { keySerde: this.keySerde, valueSerde: defaultValueSerde });
    const name = named?.name ?? b.newProcessorName(prefix);
    const parent = this.sourceFor(mat.storeName);
    b.add({ kind: 'processor', name, parents: [parent], supplier: streamAggregateSupplier(mat.storeName, initializer, aggregator), stores: [mat.storeName] });
    b.add({ kind: 'store', builder: mat.storeBuilder, processors: [name] });
    return new KTableImpl<K, VA>({
      builder: b,
      name,
      keySerde: materialized?.keySerde ?? this.keySerde,
      valueSerde: materialized?.valueSerde ?? defaultValueSerde,
      storeName: mat.storeName,
      queryable: mat.queryable,
      getter: storeGetter(mat.storeName),
    });
  }
}

type CogroupInput<K, VA> = { grouped: KGroupedStreamImpl<K, any>; aggregator: (key: K, value: any, aggregate: VA) => VA };

/** cogroup(): one aggregate processor per input stream, all on one store, merged into one table. */
class CogroupedKStreamImpl<K, VA> implements CogroupedKStream<K, VA> {
  constructor(private readonly inputs: readonly CogroupInput<K, VA>[]) {}

  cogroup<V>(groupedStream: KGroupedStream<K, V>, aggregator: (key: K, value: V, aggregate: VA) => VA): CogroupedKStream<K, VA> {
    return new CogroupedKStreamImpl<K, VA>([...this.inputs, { grouped: groupedStream as KGroupedStreamImpl<K, V>, aggregator }]);
  }

  aggregate(initializer: () => VA, materialized?: Materialized<K, VA>): KTable<K, VA> {
    const first = this.inputs[0]!.grouped;
    const b = first.stream.builder;
    const mat = materialize<K, VA>(b, materialized, Prefix.COGROUP_AGGREGATE, { keySerde: first.keySerde });
    const aggregators: string[] = [];
    this.inputs.forEach((input, i) => {
      const name = b.newProcessorName(Prefix.COGROUP_AGGREGATE);
      const parent = input.grouped.stream.props.repartitionRequired ? input.grouped.sourceFor(`${mat.storeName}-${i}`) : input.grouped.stream.props.name;
      b.add({ kind: 'processor', name, parents: [parent], supplier: streamAggregateSupplier<K, unknown, VA>(mat.storeName, initializer, input.aggregator), stores: [mat.storeName] });
      aggregators.push(name);
    });
    const merge = b.newProcessorName(Prefix.COGROUP_MERGE);
    b.add({ kind: 'processor', name: merge, parents: aggregators, supplier: passThroughSupplier<K, Change<VA>>(), stores: [] });
    b.add({ kind: 'store', builder: mat.storeBuilder, processors: aggregators });
    return new KTableImpl<K, VA>({
      builder: b,
      name: merge,
      keySerde: materialized?.keySerde ?? first.keySerde,
      valueSerde: materialized?.valueSerde,
      storeName: mat.storeName,
      queryable: mat.queryable,
      getter: storeGetter(mat.storeName),
    });
  }
}
