import type { InternalStreamsBuilder } from '../../graph/internal-builder.js';
import { Prefix } from '../../graph/internal-builder.js';
import { changeSerdeOrDeferred, type Change } from '../../processor/operators/change.js';
import { tableFilterSupplier, tableMapValuesSupplier, tableSelectSupplier, tableToStreamSupplier } from '../../processor/operators/ktable-ops.js';
import { tableAggregateSupplier } from '../../processor/operators/table-aggregate.js';
import type { ProcessorSupplier } from '../../processor/processor.js';
import { Serdes } from '../../serdes/serdes.js';
import type { Serde } from '../../serdes/serde.js';
import type { KeyValue } from '../key-value.js';
import type { KStream } from '../kstream.js';
import type { KGroupedTable, KTable } from '../ktable.js';
import type { Grouped } from '../options/grouped.js';
import type { Materialized } from '../options/materialized.js';
import type { Named } from '../options/named.js';
import type { Suppressed } from '../options/suppressed.js';
import { TopologyError } from '../../errors.js';
import { suppressSupplier, type SuppressSpec } from '../../processor/operators/suppress.js';
import { TimeOrderedBufferStoreBuilder } from '../../state/suppress/time-ordered-buffer-store-builder.js';
import type { Windowed } from '../../serdes/windowed-serdes.js';
import { KStreamImpl } from './kstream-impl.js';
import { materialize } from './materialize.js';
import type { MaybePromise } from '../../processor/record.js';
import { mapGetter, type StoreLookup } from './table-value-getter.js';
import { tableTableJoin } from './table-table-join.js';
import { foreignKeyJoin } from './foreign-key-join.js';

export interface TableProps<K, V> {
  readonly builder: InternalStreamsBuilder;
  /** Node whose output is Change<V> records. */
  readonly name: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  /** Store holding this table's values, when materialized; null when only computed on the fly. */
  readonly storeName: string | null;
  readonly queryable: boolean;
  /**
   * How to read this table's current value for a key (Kafka Streams' KTableValueGetter): the nearest
   * materialized store upstream, and the stateless steps (filter, mapValues) between it and this table.
   */
  readonly getter: TableValueGetter<K, V>;
  /**
   * Windowed tables only: how long after a window's end it can still change (grace; sessions: gap + grace), what
   * Suppressed.untilWindowCloses waits for. Kept through stateless table operations.
   */
  readonly windowCloseDelayMs?: number;
  /**
   * Windowed tables only: this table's windowed key serde around an inner key serde, for stores that complete a
   * missing key serde from the config's default key serde (the suppression buffer).
   */
  readonly windowedKeySerde?: (inner: Serde<unknown>) => Serde<K>;
}

export interface TableValueGetter<K, V> {
  readonly store: string;
  readonly map: (key: K, stored: unknown) => V | null;
  /** A getter over several stores (an unmaterialized KTable-KTable join) lists them and reads through `read`. */
  readonly stores?: readonly string[];
  readonly read?: (key: K, store: StoreLookup) => MaybePromise<V | null>;
}

/** Getter of a table materialized in `store`: the stored value as is. */
export function storeGetter<K, V>(store: string): TableValueGetter<K, V> {
  return { store, map: (_k, v) => v as V };
}

export class KTableImpl<K, V> implements KTable<K, V> {
  readonly props: TableProps<K, V>;

  constructor(props: TableProps<K, V>) {
    this.props = Object.freeze(props);
  }

  #derive<VR>(
    prefix: string,
    compute: (key: K, value: V) => VR | null,
    supplier: (storeName?: string) => ProcessorSupplier<K, Change<V>, K, Change<VR>>,
    materialized: Materialized<K, VR> | undefined,
    valueSerde: Serde<VR> | undefined,
  ): KTable<K, VR> {
    const b = this.props.builder;
    const mat = materialized ? materialize<K, VR>(b, materialized, prefix, { keySerde: this.props.keySerde, valueSerde }) : undefined;
    const name = b.newProcessorName(prefix);
    b.add({ kind: 'processor', name, parents: [this.props.name], supplier: supplier(mat?.storeName), stores: mat ? [mat.storeName] : [] });
    if (mat) b.add({ kind: 'store', builder: mat.storeBuilder, processors: [name] });
    const parent = this.props.getter;
    return new KTableImpl<K, VR>({
      builder: b,
      name,
      keySerde: this.props.keySerde,
      valueSerde: materialized?.valueSerde ?? valueSerde,
      storeName: mat?.storeName ?? null,
      queryable: mat?.queryable ?? false,
      windowCloseDelayMs: this.props.windowCloseDelayMs,
      windowedKeySerde: this.props.windowedKeySerde,
      getter: mat ? storeGetter<K, VR>(mat.storeName) : mapGetter(parent, compute),
    });
  }

  filter(predicate: (key: K, value: V) => boolean, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.#derive(Prefix.KTABLE_FILTER, (k, v) => (predicate(k, v) ? v : null), (s) => tableFilterSupplier(predicate, false, s), materialized, this.props.valueSerde);
  }

  filterNot(predicate: (key: K, value: V) => boolean, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.#derive(Prefix.KTABLE_FILTER, (k, v) => (predicate(k, v) ? null : v), (s) => tableFilterSupplier(predicate, true, s), materialized, this.props.valueSerde);
  }

  mapValues<VR>(mapper: (value: V, key: K) => VR, materialized?: Materialized<K, VR>): KTable<K, VR> {
    return this.#derive(Prefix.KTABLE_MAPVALUES, (k, v) => mapper(v, k), (s) => tableMapValuesSupplier(mapper, s), materialized, undefined);
  }

  toStream(named?: Named): KStream<K, V> {
    const b = this.props.builder;
    const name = named?.name ?? b.newProcessorName(Prefix.KTABLE_TOSTREAM);
    b.add({ kind: 'processor', name, parents: [this.props.name], supplier: tableToStreamSupplier<K, V>(), stores: [] });
    return new KStreamImpl<K, V>({ builder: b, name, keySerde: this.props.keySerde, valueSerde: this.props.valueSerde, repartitionRequired: false });
  }

  groupBy<KR, VR>(selector: (key: K, value: V) => KeyValue<KR, VR>, grouped?: Grouped<KR, VR>): KGroupedTable<KR, VR> {
    const b = this.props.builder;
    const name = b.newProcessorName(Prefix.KTABLE_SELECT);
    b.add({ kind: 'processor', name, parents: [this.props.name], supplier: tableSelectSupplier(selector), stores: [] });
    return new KGroupedTableImpl<KR, VR>(b, name, grouped);
  }

  queryableStoreName(): string | null {
    return this.props.queryable ? this.props.storeName : null;
  }

  join(other: KTable<any, any>, a: any, b?: any, c?: Materialized<K, any>): KTable<K, any> {
    if (typeof b === 'function') return foreignKeyJoin(this, other, a, b, c, false);
    return tableTableJoin(this, other, a, b as Materialized<K, any> | undefined, 'inner');
  }

  leftJoin(other: KTable<any, any>, a: any, b?: any, c?: Materialized<K, any>): KTable<K, any> {
    if (typeof b === 'function') return foreignKeyJoin(this, other, a, b, c, true);
    return tableTableJoin(this, other, a, b as Materialized<K, any> | undefined, 'left');
  }

  outerJoin<VO, VR>(other: KTable<K, VO>, joiner: (value: V | null, otherValue: VO | null) => VR, materialized?: Materialized<K, VR>): KTable<K, VR> {
    return tableTableJoin(this, other, joiner, materialized, 'outer');
  }

  suppress(suppressed: Suppressed): KTable<K, V> {
    const b = this.props.builder;
    const name = suppressed.name ?? b.newProcessorName(Prefix.KTABLE_SUPPRESS);
    // the buffer is a store as in Kafka Streams (named after the processor when it is named), logged unless disabled
    const storeName = suppressed.name ? `${suppressed.name}-store` : b.newStoreName(Prefix.KTABLE_SUPPRESS);
    const delay = this.props.windowCloseDelayMs;
    const common = { name, storeName, buffer: suppressed.bufferConfig };
    let spec: SuppressSpec<K>;
    if (suppressed.kind === 'untilWindowCloses') {
      if (delay === undefined) {
        throw new TopologyError(
          `Suppressed.untilWindowCloses on '${name}': window close time is only defined for windowed tables (results of windowedBy(...) aggregations); use Suppressed.untilTimeLimit for other tables.`,
        );
      }
      spec = { ...common, bufferTime: (k) => (k as Windowed<unknown>).window.end, delayMs: delay, dropTombstones: true };
    } else {
      spec = { ...common, bufferTime: (_k, ts) => ts, delayMs: suppressed.timeToWaitMs, dropTombstones: false };
    }
    const { loggingEnabled, logConfig } = suppressed.bufferConfig;
    const serdes = { key: this.props.keySerde, value: this.props.valueSerde, keyFromDefault: this.props.windowedKeySerde };
    const storeBuilder = new TimeOrderedBufferStoreBuilder<K, V>(storeName, serdes);
    b.add({ kind: 'processor', name, parents: [this.props.name], supplier: suppressSupplier<K, V>(spec), stores: [storeName] });
    b.add({ kind: 'store', builder: loggingEnabled ? storeBuilder.withLoggingEnabled(logConfig) : storeBuilder.withLoggingDisabled(), processors: [name] });
    // the suppressed table reads values from upstream: a getter sees the latest value, not the suppressed one
    return new KTableImpl<K, V>({ ...this.props, name, storeName: null, queryable: false });
  }
}

/** KTable#groupBy result: every aggregation goes through a repartition topic of Change records. */
export class KGroupedTableImpl<K, V> implements KGroupedTable<K, V> {
  constructor(
    private readonly builder: InternalStreamsBuilder,
    private readonly selectName: string,
    private readonly grouped: Grouped<K, V> | undefined,
  ) {}

  count(materialized?: Materialized<K, number>): KTable<K, number> {
    return this.#aggregate<number>(
      () => 0,
      (_k, _v, agg) => agg + 1,
      (_k, _v, agg) => agg - 1,
      materialized,
      Serdes.Long(),
      Prefix.KTABLE_AGGREGATE,
    );
  }

  reduce(adder: (aggregate: V, value: V) => V, subtractor: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>): KTable<K, V> {
    // no initializer for reduce: the first value of a group is the aggregate (Kafka Streams' KTableReduce)
    const NONE = Symbol('none') as unknown as V;
    return this.#aggregate<V>(
      () => NONE,
      (_k, v, agg) => (agg === NONE ? v : adder(agg, v)),
      (_k, v, agg) => (agg === NONE ? agg : subtractor(agg, v)),
      materialized,
      this.grouped?.valueSerde,
      Prefix.KTABLE_REDUCE,
    );
  }

  aggregate<VA>(
    initializer: () => VA,
    adder: (key: K, value: V, aggregate: VA) => VA,
    subtractor: (key: K, value: V, aggregate: VA) => VA,
    materialized?: Materialized<K, VA>,
  ): KTable<K, VA> {
    return this.#aggregate(initializer, adder, subtractor, materialized, undefined, Prefix.KTABLE_AGGREGATE);
  }

  #aggregate<VA>(
    initializer: () => VA,
    adder: (key: K, value: V, aggregate: VA) => VA,
    subtractor: (key: K, value: V, aggregate: VA) => VA,
    materialized: Materialized<K, VA> | undefined,
    defaultValueSerde: Serde<VA> | undefined,
    prefix: string,
  ): KTable<K, VA> {
    const b = this.builder;
    const mat = materialize<K, VA>(b, materialized, prefix, { keySerde: this.grouped?.keySerde, valueSerde: defaultValueSerde });
    const sinkName = b.newProcessorName(Prefix.SINK);
    const sourceName = b.newProcessorName(Prefix.SOURCE);
    const name = b.newProcessorName(prefix);
    const valueSerde = this.grouped?.valueSerde;
    b.add({
      kind: 'repartition',
      parents: [this.selectName],
      topic: `${this.grouped?.name ?? mat.storeName}-repartition`,
      filterName: undefined,
      sinkName,
      sourceName,
      keySerde: this.grouped?.keySerde,
      valueSerde: changeSerdeOrDeferred(valueSerde),
      partitions: undefined,
      partitioner: undefined,
    });
    b.add({ kind: 'processor', name, parents: [sourceName], supplier: tableAggregateSupplier(mat.storeName, initializer, adder, subtractor), stores: [mat.storeName] });
    b.add({ kind: 'store', builder: mat.storeBuilder, processors: [name] });
    return new KTableImpl<K, VA>({
      builder: b,
      name,
      keySerde: materialized?.keySerde ?? this.grouped?.keySerde,
      valueSerde: materialized?.valueSerde ?? defaultValueSerde,
      storeName: mat.storeName,
      queryable: mat.queryable,
      getter: storeGetter(mat.storeName),
    });
  }
}
