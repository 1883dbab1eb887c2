import { TopologyError } from '../../errors.js';
import { Prefix } from '../../graph/internal-builder.js';
import { tableJoinMergeSupplier, tableTableJoinSupplier, type TableJoinKind } from '../../processor/operators/ktable-ktable-join.js';
import type { Materialized } from '../options/materialized.js';
import { KTableImpl, storeGetter, type TableValueGetter } from './ktable-impl.js';
import { materialize } from './materialize.js';
import { andThen, getterStores, readGetter } from './table-value-getter.js';

/**
 * KTable#join/leftJoin/outerJoin(otherTable, joiner, materialized?) as Kafka Streams' KTableImpl#doJoin builds it:
 * KTABLE-JOINTHIS (this table's updates, reading the other table's getter) and KTABLE-JOINOTHER (the other way
 * round) feed KTABLE-MERGE, which materializes the result when asked to. Both tables must be co-partitioned.
 */
export function tableTableJoin<K, V, VO, VR>(
  self: KTableImpl<K, V>,
  otherTable: unknown,
  joiner: (value: V | null, otherValue: VO | null) => VR,
  materialized: Materialized<K, VR> | undefined,
  kind: TableJoinKind,
): KTableImpl<K, VR> {
  const b = self.props.builder;
  if (!(otherTable instanceof KTableImpl) || otherTable.props.builder !== b) {
    throw new TopologyError('A KTable-KTable join needs another KTable from the same StreamsBuilder.');
  }
  if (typeof joiner !== 'function') throw new TopologyError('A KTable-KTable join needs a joiner function (value, otherValue) => result.');
  const other = otherTable as KTableImpl<K, VO>;
  const mat = materialized ? materialize<K, VR>(b, materialized, Prefix.KTABLE_MERGE, { keySerde: self.props.keySerde }) : undefined;
  const mergeName = b.newProcessorName(Prefix.KTABLE_MERGE);
  const joinThisName = b.newProcessorName(Prefix.KTABLE_JOINTHIS);
  const joinOtherName = b.newProcessorName(Prefix.KTABLE_JOINOTHER);
  const thisGetter = self.props.getter;
  const otherGetter = other.props.getter;
  b.add({
    kind: 'processor',
    name: joinThisName,
    parents: [self.props.name],
    supplier: tableTableJoinSupplier<K, V, VO, VR>({
      kind,
      thisIsLeft: true,
      other: (k, ctx) => readGetter(otherGetter, k, (n) => ctx.getStateStore(n)),
      joiner,
    }),
    stores: getterStores(otherGetter),
  });
  b.add({
    kind: 'processor',
    name: joinOtherName,
    parents: [other.props.name],
    supplier: tableTableJoinSupplier<K, VO, V, VR>({
      kind,
      thisIsLeft: false,
      other: (k, ctx) => readGetter(thisGetter, k, (n) => ctx.getStateStore(n)),
      joiner: (vo, v) => joiner(v, vo),
    }),
    stores: getterStores(thisGetter),
  });
  b.add({ kind: 'processor', name: mergeName, parents: [joinThisName, joinOtherName], supplier: tableJoinMergeSupplier<K, VR>(mat?.storeName), stores: mat ? [mat.storeName] : [] });
  if (mat) b.add({ kind: 'store', builder: mat.storeBuilder, processors: [mergeName] });
  return new KTableImpl<K, VR>({
    builder: b,
    name: mergeName,
    keySerde: materialized?.keySerde ?? self.props.keySerde,
    valueSerde: materialized?.valueSerde,
    storeName: mat?.storeName ?? null,
    queryable: mat?.queryable ?? false,
    getter: mat ? storeGetter<K, VR>(mat.storeName) : joinedGetter(thisGetter, otherGetter, joiner, kind),
  });
}

/** Getter of an unmaterialized join result: both tables' getters, joined (Kafka's KTableKTable*JoinValueGetter). */
function joinedGetter<K, V, VO, VR>(
  left: TableValueGetter<K, V>,
  right: TableValueGetter<K, VO>,
  joiner: (value: V | null, otherValue: VO | null) => VR,
  kind: TableJoinKind,
): TableValueGetter<K, VR> {
  const stores = [...new Set([...getterStores(left), ...getterStores(right)])];
  return {
    store: stores[0]!,
    stores,
    map: () => null,
    read: (key, store) =>
      andThen(readGetter(left, key, store), (l) =>
        andThen(readGetter(right, key, store), (r) => {
          if (kind === 'inner' ? l === null || r === null : kind === 'left' ? l === null : l === null && r === null) return null;
          return joiner(l, r);
        }),
      ),
  };
}
