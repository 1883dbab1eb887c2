import { TopologyError } from '../../errors.js';
import { Prefix } from '../../graph/internal-builder.js';
import { foreignTableJoinSupplier } from '../../processor/operators/fk-join/foreign-table-join.js';
import { responseResolverSupplier } from '../../processor/operators/fk-join/response-resolver.js';
import { subscriptionJoinSupplier, subscriptionReceiveSupplier } from '../../processor/operators/fk-join/subscription-receive.js';
import { subscriptionSendSupplier } from '../../processor/operators/fk-join/subscription-send.js';
import {
  subscriptionKeySerde,
  subscriptionPartitioner,
  subscriptionResponseSerde,
  subscriptionValueSerde,
} from '../../processor/operators/fk-join/subscription.js';
import { tableSourceSupplier } from '../../processor/operators/ktable-source.js';
import { BytesBackedStoreBuilder } from '../../state/join/bytes-backed-store.js';
import { SubscriptionStore } from '../../state/join/subscription-store.js';
import { Stores } from '../../state/stores.js';
import type { Materialized } from '../options/materialized.js';
import { KTableImpl, storeGetter } from './ktable-impl.js';
import { materialize } from './materialize.js';
import { getterStores, readGetter } from './table-value-getter.js';

/**
 * Foreign-key KTable join (KIP-213) with Kafka Streams' subscription/response protocol and names: the left
 * table's rows subscribe to the foreign key their value points at through the subscription-registration topic
 * (partitioned by foreign key, so each subscription reaches the task holding that foreign row), the foreign side
 * keeps the subscriptions in a store and answers through the subscription-response topic (keyed by primary key),
 * and the left side joins each answer with the row's current value unless the row changed meanwhile (value hash).
 * The result is materialized (KTABLE-FK-JOIN-OUTPUT), so downstream sees proper old values and tombstones.
 */
export function foreignKeyJoin<K, V, KO, VO, VR>(
  self: KTableImpl<K, V>,
  otherTable: unknown,
  foreignKeyExtractor: (value: V) => KO | null,
  joiner: (value: V, foreignValue: VO | null) => VR,
  materialized: Materialized<K, VR> | undefined,
  leftJoin: boolean,
): KTableImpl<K, VR> {
  const b = self.props.builder;
  if (!(otherTable instanceof KTableImpl) || otherTable.props.builder !== b) {
    throw new TopologyError('A foreign-key join needs another KTable from the same StreamsBuilder.');
  }
  if (typeof foreignKeyExtractor !== 'function' || typeof joiner !== 'function') {
    throw new TopologyError('A foreign-key join needs a foreign-key extractor (value) => foreignKey and a joiner (value, foreignValue) => result.');
  }
  const other = otherTable as KTableImpl<KO, VO>;
  const keySerde = self.props.keySerde;
  const foreignKeySerde = other.props.keySerde;

  const registration = b.newProcessorName(Prefix.FK_SUBSCRIPTION_REGISTRATION);
  const subscriptionTopic = `${registration}-topic`;
  const sendName = b.newProcessorName(Prefix.FK_SUBSCRIPTION_REGISTRATION);
  const subscriptionSink = b.newProcessorName(Prefix.SINK);
  const subscriptionSource = b.newProcessorName(Prefix.SOURCE);
  const subscriptionStore = b.newProcessorName(Prefix.FK_SUBSCRIPTION_STATE_STORE);
  const receiveName = b.newProcessorName(Prefix.FK_SUBSCRIPTION_PROCESSOR);
  const joinForeignName = b.newProcessorName(Prefix.FK_SUBSCRIPTION_PROCESSOR);
  const foreignTableName = b.newProcessorName(Prefix.FK_SUBSCRIPTION_PROCESSOR);
  const responseTopic = `${b.newProcessorName(Prefix.FK_SUBSCRIPTION_RESPONSE)}-topic`;
  const responseSink = b.newProcessorName(Prefix.SINK);
  const responseSource = b.newProcessorName(Prefix.SOURCE);
  const resolverName = b.newProcessorName(Prefix.FK_RESPONSE_RESOLVER);
  const outputName = b.newProcessorName(Prefix.FK_JOIN_OUTPUT);
  const mat = materialize<K, VR>(b, materialized, Prefix.FK_JOIN_OUTPUT, { keySerde });

  const hashTopic = `${subscriptionTopic}-vh`;
  b.add({
    kind: 'processor',
    name: sendName,
    parents: [self.props.name],
    supplier: subscriptionSendSupplier<K, V, KO, VO, VR>({
      foreignKeyExtractor,
      joiner,
      leftJoin,
      valueSerde: self.props.valueSerde,
      foreignKeySerde,
      hashTopic,
      subscriptionSink,
      output: outputName,
    }),
    stores: [],
  });
  b.add({
    kind: 'repartition',
    parents: [sendName],
    topic: subscriptionTopic,
    filterName: undefined,
    sinkName: subscriptionSink,
    sourceName: subscriptionSource,
    keySerde: subscriptionKeySerde<KO, K>(foreignKeySerde, keySerde),
    valueSerde: subscriptionValueSerde,
    partitions: undefined,
    partitioner: subscriptionPartitioner<KO, K>(),
  });
  b.add({ kind: 'processor', name: receiveName, parents: [subscriptionSource], supplier: subscriptionReceiveSupplier<KO, K>(subscriptionStore), stores: [subscriptionStore] });
  const otherGetter = other.props.getter;
  b.add({
    kind: 'processor',
    name: joinForeignName,
    parents: [receiveName],
    supplier: subscriptionJoinSupplier<KO, K, VO>((fk, ctx) => readGetter(otherGetter, fk, (n) => ctx.getStateStore(n))),
    stores: getterStores(otherGetter),
  });
  b.add({ kind: 'processor', name: foreignTableName, parents: [other.props.name], supplier: foreignTableJoinSupplier<KO, K, VO>(subscriptionStore), stores: [subscriptionStore] });
  b.add({
    kind: 'repartition',
    parents: [joinForeignName, foreignTableName],
    topic: responseTopic,
    filterName: undefined,
    sinkName: responseSink,
    sourceName: responseSource,
    keySerde,
    valueSerde: subscriptionResponseSerde<VO>(other.props.valueSerde),
    partitions: undefined,
    partitioner: undefined,
  });
  const thisGetter = self.props.getter;
  b.add({
    kind: 'processor',
    name: resolverName,
    parents: [responseSource],
    supplier: responseResolverSupplier<K, V, VO, VR>({
      current: (k, ctx) => readGetter(thisGetter, k, (n) => ctx.getStateStore(n)),
      joiner,
      leftJoin,
      valueSerde: self.props.valueSerde,
      hashTopic,
    }),
    stores: getterStores(thisGetter),
  });
  b.add({ kind: 'processor', name: outputName, parents: [resolverName, sendName], supplier: tableSourceSupplier<K, VR>(mat.storeName), stores: [mat.storeName] });
  b.add({
    kind: 'store',
    builder: new BytesBackedStoreBuilder(Stores.persistentKeyValueStore(subscriptionStore), (bytes) => new SubscriptionStore<KO, K>(bytes, foreignKeySerde, keySerde)),
    processors: [receiveName, foreignTableName],
  });
  b.add({ kind: 'store', builder: mat.storeBuilder, processors: [outputName] });
  return new KTableImpl<K, VR>({
    builder: b,
    name: outputName,
    keySerde: materialized?.keySerde ?? keySerde,
    valueSerde: materialized?.valueSerde,
    storeName: mat.storeName,
    queryable: mat.queryable,
    getter: storeGetter<K, VR>(mat.storeName),
  });
}
