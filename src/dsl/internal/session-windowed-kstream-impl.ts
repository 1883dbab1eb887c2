import { Prefix } from '../../graph/internal-builder.js';
import { sessionWindowAggregateSupplier } from '../../processor/operators/session-window-aggregate.js';
import { Serdes } from '../../serdes/serdes.js';
import type { Serde } from '../../serdes/serde.js';
import { WindowedSerdes, type Windowed } from '../../serdes/windowed-serdes.js';
import type { KTable } from '../ktable.js';
import { EmitStrategy } from '../options/emit-strategy.js';
import type { Materialized } from '../options/materialized.js';
import { Named } from '../options/named.js';
import type { SessionWindows } from '../options/session-windows.js';
import type { SessionWindowedKStream } from '../windowed-kstream.js';
import type { KGroupedStreamImpl } from './kgrouped-stream-impl.js';
import { KTableImpl, storeGetter } from './ktable-impl.js';
import { materializeWindowed } from './materialize-windowed.js';

/** windowedBy(SessionWindows): aggregations into a session store, repartitioned as non-windowed ones. */
export class SessionWindowedKStreamImpl<K, V> implements SessionWindowedKStream<K, V> {
  constructor(
    private readonly grouped: KGroupedStreamImpl<K, V>,
    private readonly windows: SessionWindows,
    private readonly emit: EmitStrategy = EmitStrategy.onWindowUpdate(),
  ) {}

  emitStrategy(strategy: EmitStrategy): SessionWindowedKStream<K, V> {
    return new SessionWindowedKStreamImpl(this.grouped, this.windows, strategy);
  }

  count(namedOrMaterialized?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<Windowed<K>, number> {
    const named = namedOrMaterialized instanceof Named ? namedOrMaterialized : undefined;
    const mat = namedOrMaterialized instanceof Named ? materialized : namedOrMaterialized;
    return this.#aggregate<number>(() => 0, (_k, _v, agg) => agg + 1, (_k, a, b) => a + b, mat, Serdes.Long(), Prefix.AGGREGATE, named);
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>): KTable<Windowed<K>, V> {
    // no initializer for reduce: a session's first value is its aggregate, merged sessions reduce together
    const NONE = Symbol('none') as unknown as V;
    const combine = (a: V, b: V): V => (a === NONE ? b : b === NONE ? a : reducer(a, b));
    return this.#aggregate<V>(() => NONE, (_k, v, agg) => combine(agg, v), (_k, a, b) => combine(a, b), materialized, this.grouped.valueSerde, Prefix.REDUCE);
  }

  aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    merger: (key: K, aggregate1: VA, aggregate2: VA) => VA,
    materialized?: Materialized<K, VA>,
  ): KTable<Windowed<K>, VA> {
    return this.#aggregate(initializer, aggregator, merger, materialized, undefined, Prefix.AGGREGATE);
  }

  #aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    merger: (key: K, aggregate1: VA, aggregate2: VA) => VA,
    materialized: Materialized<K, VA> | undefined,
    defaultValueSerde: Serde<VA> | undefined,
    prefix: string,
    named?: Named,
  ): KTable<Windowed<K>, VA> {
    const b = this.grouped.stream.builder;
    const { gapMs, graceMs } = this.windows;
    const mat = materializeWindowed<K, VA>(b, materialized, prefix, { keySerde: this.grouped.keySerde, valueSerde: defaultValueSerde }, {
      kind: 'session',
      minRetentionMs: gapMs + graceMs,
      graceMs,
      retentionRule: `the session inactivity gap plus the grace period (gap=[${gapMs}], grace=[${graceMs}])`,
    });
    const name = named?.name ?? b.newProcessorName(prefix);
    const parent = this.grouped.sourceFor(mat.storeName);
    const supplier = sessionWindowAggregateSupplier({
      storeName: mat.storeName,
      windows: this.windows,
      initializer,
      aggregator,
      merger,
      emitOnWindowClose: this.emit.type === 'ON_WINDOW_CLOSE',
    });
    b.add({ kind: 'processor', name, parents: [parent], supplier, stores: [mat.storeName] });
    b.add({ kind: 'store', builder: mat.storeBuilder, processors: [name] });
    const innerKeySerde = materialized?.keySerde ?? this.grouped.keySerde;
    return new KTableImpl<Windowed<K>, VA>({
      builder: b,
      name,
      keySerde: innerKeySerde ? WindowedSerdes.sessionWindowedSerdeFrom(innerKeySerde) : undefined,
      valueSerde: materialized?.valueSerde ?? defaultValueSerde,
      storeName: mat.storeName,
      queryable: mat.queryable,
      getter: storeGetter(mat.storeName),
      // a session can grow until stream time passes its end + gap + grace (Kafka Streams' suppress duration)
      windowCloseDelayMs: gapMs + graceMs,
      windowedKeySerde: (inner) => WindowedSerdes.sessionWindowedSerdeFrom(inner as Serde<K>),
    });
  }
}
