import { TopologyError } from '../../errors.js';
import { Prefix } from '../../graph/internal-builder.js';
import { passThroughSupplier } from '../../processor/operators/pass-through.js';
import { JoinTimeTrackers } from '../../processor/operators/stream-join/join-time-tracker.js';
import { joinWindowSupplier } from '../../processor/operators/stream-join/join-window.js';
import { kstreamKStreamJoinSupplier } from '../../processor/operators/stream-join/kstream-kstream-join.js';
import type { Serde } from '../../serdes/serde.js';
import { BytesBackedStoreBuilder } from '../../state/join/bytes-backed-store.js';
import { JoinBufferStore } from '../../state/join/join-buffer-store.js';
import { OuterJoinStore } from '../../state/join/outer-join-store.js';
import { Stores } from '../../state/stores.js';
import { JoinWindows } from '../options/join-windows.js';
import type { StreamJoined } from '../options/stream-joined.js';
import { KStreamImpl } from './kstream-impl.js';

export type StreamJoinKind = 'inner' | 'left' | 'outer';

/**
 * KStream#join/leftJoin/outerJoin(otherStream, ...) as Kafka Streams' KStreamImplJoin builds it: each side is
 * repartitioned if its key changed, buffered by a KSTREAM-WINDOWED processor into its join store, and joined by
 * KSTREAM-JOINTHIS / KSTREAM-JOINOTHER (OUTERTHIS / OUTEROTHER for outer sides) against the other side's store;
 * both feed KSTREAM-MERGE. Left and outer joins share a KSTREAM-OUTERSHARED store of unmatched records.
 */
export function streamStreamJoin<K, V, VO, VR>(
  self: KStreamImpl<K, V>,
  otherStream: unknown,
  joiner: (value: V | null, otherValue: VO | null, key: K) => VR,
  windows: unknown,
  streamJoined: StreamJoined<K, V, VO> | undefined,
  kind: StreamJoinKind,
): KStreamImpl<K, VR> {
  const b = self.builder;
  if (!(otherStream instanceof KStreamImpl) || otherStream.builder !== b) {
    throw new TopologyError('A stream-stream join needs another KStream from the same StreamsBuilder.');
  }
  if (!(windows instanceof JoinWindows)) {
    throw new TopologyError('A stream-stream join needs JoinWindows: JoinWindows.ofTimeDifferenceWithNoGrace(ms) or ofTimeDifferenceAndGrace(ms, graceMs).');
  }
  if (typeof joiner !== 'function') throw new TopologyError('A stream-stream join needs a joiner function (value, otherValue, key) => result.');
  const other = otherStream as KStreamImpl<K, VO>;
  const name = streamJoined?.name;
  const keySerde = streamJoined?.keySerde ?? self.props.keySerde ?? other.props.keySerde;
  const valueSerde = streamJoined?.valueSerde ?? self.props.valueSerde;
  const otherValueSerde = streamJoined?.otherValueSerde ?? other.props.valueSerde;

  // co-partition both sides: a side whose key changed goes through a repartition topic first
  const left = self.props.repartitionRequired
    ? self.repartitionThrough(name ? `${name}-left` : self.props.name, { keySerde, valueSerde, filterNullKeys: true })
    : self;
  const right = other.props.repartitionRequired
    ? other.repartitionThrough(name ? `${name}-right` : other.props.name, { keySerde, valueSerde: otherValueSerde, filterNullKeys: true })
    : other;

  const leftOuter = kind !== 'inner';
  const rightOuter = kind === 'outer';
  const thisSuffix = rightOuter ? '-outer-this-join' : '-this-join';
  const otherSuffix = leftOuter ? '-outer-other-join' : '-other-join';
  const thisWindowedName = name ? `${name}-this-windowed` : b.newProcessorName(Prefix.WINDOWED);
  const otherWindowedName = name ? `${name}-other-windowed` : b.newProcessorName(Prefix.WINDOWED);
  const thisPrefix = rightOuter ? Prefix.OUTERTHIS : Prefix.JOINTHIS;
  const joinThisGenerated = b.newProcessorName(thisPrefix);
  const joinOtherGenerated = b.newProcessorName(leftOuter ? Prefix.OUTEROTHER : Prefix.JOINOTHER);
  const joinThisName = name ? name + thisSuffix : joinThisGenerated;
  const joinOtherName = name ? name + otherSuffix : joinOtherGenerated;
  const mergeName = name ? `${name}-merge` : b.newProcessorName(Prefix.MERGE);

  const base = streamJoined?.storeName;
  const thisStore = `${base ? base + thisSuffix : joinThisGenerated}-store`;
  const otherStore = `${base ? base + otherSuffix : joinOtherGenerated}-store`;
  const outerStore = leftOuter ? `${base ? `${base}-outer-shared-join` : Prefix.OUTERSHARED + joinThisGenerated.slice(thisPrefix.length)}-store` : undefined;
  const logging = streamJoined?.loggingEnabled ?? true;
  const supplierOf = (store: string) => (streamJoined?.storeType === 'in_memory' ? Stores.inMemoryKeyValueStore(store) : Stores.persistentKeyValueStore(store));
  const bufferBuilder = <T>(store: string, serde: Serde<T> | undefined) =>
    new BytesBackedStoreBuilder(supplierOf(store), (bytes) => new JoinBufferStore<K, T>(bytes, keySerde, serde), logging);

  const trackers = new JoinTimeTrackers();
  const { beforeMs, afterMs, graceMs } = windows;
  b.add({
    kind: 'processor',
    name: thisWindowedName,
    parents: [left.props.name],
    supplier: joinWindowSupplier({ bufferStore: thisStore, lookAheadMs: afterMs, graceMs, trackers }),
    stores: [thisStore],
  });
  b.add({
    kind: 'processor',
    name: otherWindowedName,
    parents: [right.props.name],
    supplier: joinWindowSupplier({ bufferStore: otherStore, lookAheadMs: beforeMs, graceMs, trackers }),
    stores: [otherStore],
  });
  const outerJoiner = (key: K, l: unknown, r: unknown): VR => joiner(l as V | null, r as VO | null, key);
  b.add({
    kind: 'processor',
    name: joinThisName,
    parents: [thisWindowedName],
    supplier: kstreamKStreamJoinSupplier<K, V, VO, VR>({
      side: 'left',
      otherBufferStore: otherStore,
      outerStore,
      outer: leftOuter,
      beforeMs,
      afterMs,
      graceMs,
      joiner: (key, v, vo) => joiner(v, vo, key),
      outerJoiner,
      trackers,
    }),
    stores: outerStore ? [otherStore, outerStore] : [otherStore],
  });
  b.add({
    kind: 'processor',
    name: joinOtherName,
    parents: [otherWindowedName],
    supplier: kstreamKStreamJoinSupplier<K, VO, V, VR>({
      side: 'right',
      otherBufferStore: thisStore,
      outerStore,
      outer: rightOuter,
      beforeMs: afterMs,
      afterMs: beforeMs,
      graceMs,
      joiner: (key, vo, v) => joiner(v, vo, key),
      outerJoiner,
      trackers,
    }),
    stores: outerStore ? [thisStore, outerStore] : [thisStore],
  });
  b.add({ kind: 'processor', name: mergeName, parents: [joinThisName, joinOtherName], supplier: passThroughSupplier(), stores: [] });
  b.add({ kind: 'store', builder: bufferBuilder(thisStore, valueSerde), processors: [thisWindowedName, joinOtherName] });
  b.add({ kind: 'store', builder: bufferBuilder(otherStore, otherValueSerde), processors: [otherWindowedName, joinThisName] });
  if (outerStore) {
    const builder = new BytesBackedStoreBuilder(
      supplierOf(outerStore),
      (bytes) => new OuterJoinStore<K, V, VO>(bytes, keySerde, valueSerde, otherValueSerde),
      logging,
    );
    b.add({ kind: 'store', builder, processors: [joinThisName, joinOtherName] });
  }
  return new KStreamImpl<K, VR>({ builder: b, name: mergeName, keySerde, valueSerde: undefined, repartitionRequired: false });
}
