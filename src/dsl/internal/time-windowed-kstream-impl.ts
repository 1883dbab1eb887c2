import { Prefix } from '../../graph/internal-builder.js';
import type { Change } from '../../processor/operators/change.js';
import { slidingWindowAggregateSupplier } from '../../processor/operators/sliding-window-aggregate.js';
import { windowAggregateSupplier } from '../../processor/operators/window-aggregate.js';
import type { ProcessorSupplier } from '../../processor/processor.js';
import { Serdes } from '../../serdes/serdes.js';
import type { Serde } from '../../serdes/serde.js';
import { WindowedSerdes, type Windowed } from '../../serdes/windowed-serdes.js';
import type { KTable } from '../ktable.js';
import { EmitStrategy } from '../options/emit-strategy.js';
import type { Materialized } from '../options/materialized.js';
import { Named } from '../options/named.js';
import { SlidingWindows } from '../options/sliding-windows.js';
import type { TimeWindows } from '../options/time-windows.js';
import type { TimeWindowedKStream } from '../windowed-kstream.js';
import type { KGroupedStreamImpl } from './kgrouped-stream-impl.js';
import { KTableImpl, storeGetter } from './ktable-impl.js';
import { materializeWindowed, type WindowedStoreSpec } from './materialize-windowed.js';

/** windowedBy(TimeWindows | SlidingWindows): aggregations into a window store, repartitioned as non-windowed ones. */
export class TimeWindowedKStreamImpl<K, V> implements TimeWindowedKStream<K, V> {
  constructor(
    private readonly grouped: KGroupedStreamImpl<K, V>,
    private readonly windows: TimeWindows | SlidingWindows,
    private readonly emit: EmitStrategy = EmitStrategy.onWindowUpdate(),
  ) {}

  emitStrategy(strategy: EmitStrategy): TimeWindowedKStream<K, V> {
    return new TimeWindowedKStreamImpl(this.grouped, this.windows, strategy);
  }

  count(namedOrMaterialized?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<Windowed<K>, number> {
    const named = namedOrMaterialized instanceof Named ? namedOrMaterialized : undefined;
    const mat = namedOrMaterialized instanceof Named ? materialized : namedOrMaterialized;
    return this.#aggregate<number>(() => 0, (_k, _v, agg) => agg + 1, mat, Serdes.Long(), Prefix.AGGREGATE, named);
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>): KTable<Windowed<K>, V> {
    const NONE = Symbol('none') as unknown as V;
    return this.#aggregate<V>(() => NONE, (_k, v, agg) => (agg === NONE ? v : reducer(agg, v)), materialized, this.grouped.valueSerde, Prefix.REDUCE);
  }

  aggregate<VA>(initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA, materialized?: Materialized<K, VA>): KTable<Windowed<K>, VA> {
    return this.#aggregate(initializer, aggregator, materialized, undefined, Prefix.AGGREGATE);
  }

  #aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    materialized: Materialized<K, VA> | undefined,
    defaultValueSerde: Serde<VA> | undefined,
    prefix: string,
    named?: Named,
  ): KTable<Windowed<K>, VA> {
    const b = this.grouped.stream.builder;
    const w = this.windows;
    const sliding = w instanceof SlidingWindows;
    const size = sliding ? w.timeDifferenceMs : w.sizeMs;
    const spec: WindowedStoreSpec = sliding
      ? { kind: 'window', windowSizeMs: size, minRetentionMs: 2 * size + w.graceMs, retentionRule: `2 * its time difference plus the grace period (time difference=[${size}], grace=[${w.graceMs}])` }
      : { kind: 'window', windowSizeMs: size, minRetentionMs: size + w.graceMs, retentionRule: `its window size plus the grace period (size=[${size}], grace=[${w.graceMs}])` };
    const mat = materializeWindowed<K, VA>(b, materialized, prefix, { keySerde: this.grouped.keySerde, valueSerde: defaultValueSerde }, spec);
    const name = named?.name ?? b.newProcessorName(prefix);
    const parent = this.grouped.sourceFor(mat.storeName);
    const emitOnWindowClose = this.emit.type === 'ON_WINDOW_CLOSE';
    const supplier: ProcessorSupplier<K, V, Windowed<K>, Change<VA>> = sliding
      ? slidingWindowAggregateSupplier({ storeName: mat.storeName, windows: w, initializer, aggregator, emitOnWindowClose })
      : windowAggregateSupplier({ storeName: mat.storeName, windows: w, initializer, aggregator, emitOnWindowClose });
    b.add({ kind: 'processor', name, parents: [parent], supplier, stores: [mat.storeName] });
    b.add({ kind: 'store', builder: mat.storeBuilder, processors: [name] });
    const innerKeySerde = materialized?.keySerde ?? this.grouped.keySerde;
    return new KTableImpl<Windowed<K>, VA>({
      builder: b,
      name,
      keySerde: innerKeySerde && size > 0 ? WindowedSerdes.timeWindowedSerdeFrom(innerKeySerde, size) : undefined,
      valueSerde: materialized?.valueSerde ?? defaultValueSerde,
      storeName: mat.storeName,
      queryable: mat.queryable,
      getter: storeGetter(mat.storeName),
      windowCloseDelayMs: w.graceMs,
      windowedKeySerde: size > 0 ? (inner) => WindowedSerdes.timeWindowedSerdeFrom(inner as Serde<K>, size) : undefined,
    });
  }
}
