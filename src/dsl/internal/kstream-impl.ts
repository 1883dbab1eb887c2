import { TopologyError } from '../../errors.js';
import type { InternalStreamsBuilder } from '../../graph/internal-builder.js';
import { Prefix } from '../../graph/internal-builder.js';
import { branchSupplier } from '../../processor/operators/branch.js';
import { filterSupplier } from '../../processor/operators/filter.js';
import { flatMapValuesSupplier } from '../../processor/operators/flat-map-values.js';
import { flatMapSupplier } from '../../processor/operators/flat-map.js';
import { mapValuesSupplier } from '../../processor/operators/map-values.js';
import { mapSupplier } from '../../processor/operators/map.js';
import { passThroughSupplier } from '../../processor/operators/pass-through.js';
import { peekSupplier } from '../../processor/operators/peek.js';
import { processValuesSupplier } from '../../processor/operators/process-values.js';
import { selectKeySupplier } from '../../processor/operators/select-key.js';
import type { FixedKeyProcessorSupplier, ProcessorSupplier } from '../../processor/processor.js';
import type { Serde } from '../../serdes/serde.js';
import type { TopicNameExtractor } from '../../topology/node-defs.js';
import type { KeyValue } from '../key-value.js';
import type { BranchedKStream, KStream } from '../kstream.js';
import { Branched } from '../options/branched.js';
import { Named } from '../options/named.js';
import type { Produced } from '../options/produced.js';
import type { Repartitioned } from '../options/repartitioned.js';
import type { KGroupedStream, KTable } from '../ktable.js';
import type { Grouped } from '../options/grouped.js';
import type { Materialized } from '../options/materialized.js';
import { tableSourceSupplier } from '../../processor/operators/ktable-source.js';
import { KGroupedStreamImpl } from './kgrouped-stream-impl.js';
import { KTableImpl, storeGetter } from './ktable-impl.js';
import { materialize } from './materialize.js';
import { GlobalKTableImpl } from './global-ktable-impl.js';
import type { GlobalKTable } from '../global-ktable.js';
import type { Joined } from '../options/joined.js';
import { streamTableJoinSupplier } from '../../processor/operators/stream-table-join.js';
import type { JoinWindows } from '../options/join-windows.js';
import type { StreamJoined } from '../options/stream-joined.js';
import { streamStreamJoin } from './stream-stream-join.js';
import { getterStores } from './table-value-getter.js';

/** What a stream knows about itself: its node, its serdes (when still known) and whether its key changed. */
export interface StreamProps<K, V> {
  readonly builder: InternalStreamsBuilder;
  readonly name: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  /** The key changed since the last partitioning: a stateful operation downstream must repartition first. */
  readonly repartitionRequired: boolean;
}

const nameOf = (named: Named | undefined, builder: InternalStreamsBuilder, prefix: string): string =>
  named ? named.name : builder.newProcessorName(prefix);

export class KStreamImpl<K, V> implements KStream<K, V> {
  readonly props: StreamProps<K, V>;

  constructor(props: StreamProps<K, V>) {
    this.props = Object.freeze(props);
  }

  get builder(): InternalStreamsBuilder {
    return this.props.builder;
  }

  /** Adds a processor node below this stream and returns the stream it produces. */
  protected addProcessor<KR, VR>(
    name: string,
    supplier: ProcessorSupplier<K, V, KR, VR>,
    next: { keySerde?: Serde<KR>; valueSerde?: Serde<VR>; keyChanged: boolean },
    stores: readonly string[] = [],
  ): KStreamImpl<KR, VR> {
    this.builder.add({ kind: 'processor', name, parents: [this.props.name], supplier, stores });
    return new KStreamImpl<KR, VR>({
      builder: this.builder,
      name,
      keySerde: next.keySerde,
      valueSerde: next.valueSerde,
      repartitionRequired: this.props.repartitionRequired || next.keyChanged,
    });
  }

  filter(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    const { keySerde, valueSerde } = this.props;
    return this.addProcessor(nameOf(named, this.builder, Prefix.FILTER), filterSupplier(predicate, false), { keySerde, valueSerde, keyChanged: false });
  }

  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    const { keySerde, valueSerde } = this.props;
    return this.addProcessor(nameOf(named, this.builder, Prefix.FILTER), filterSupplier(predicate, true), { keySerde, valueSerde, keyChanged: false });
  }

  map<KR, VR>(mapper: (key: K, value: V) => KeyValue<KR, VR>, named?: Named): KStream<KR, VR> {
    return this.addProcessor(nameOf(named, this.builder, Prefix.MAP), mapSupplier(mapper), { keyChanged: true });
  }

  mapValues<VR>(mapper: (value: V, key: K) => VR, named?: Named): KStream<K, VR> {
    return this.addProcessor(nameOf(named, this.builder, Prefix.MAPVALUES), mapValuesSupplier(mapper), {
      keySerde: this.props.keySerde,
      keyChanged: false,
    });
  }

  flatMap<KR, VR>(mapper: (key: K, value: V) => Iterable<KeyValue<KR, VR>>, named?: Named): KStream<KR, VR> {
    return this.addProcessor(nameOf(named, this.builder, Prefix.FLATMAP), flatMapSupplier(mapper), { keyChanged: true });
  }

  flatMapValues<VR>(mapper: (value: V, key: K) => Iterable<VR>, named?: Named): KStream<K, VR> {
    return this.addProcessor(nameOf(named, this.builder, Prefix.FLATMAPVALUES), flatMapValuesSupplier(mapper), {
      keySerde: this.props.keySerde,
      keyChanged: false,
    });
  }

  selectKey<KR>(selector: (key: K, value: V) => KR, named?: Named): KStream<KR, V> {
    return this.addProcessor(nameOf(named, this.builder, Prefix.KEY_SELECT), selectKeySupplier(selector), {
      valueSerde: this.props.valueSerde,
      keyChanged: true,
    });
  }

  peek(action: (key: K, value: V) => void, named?: Named): KStream<K, V> {
    const { keySerde, valueSerde } = this.props;
    return this.addProcessor(nameOf(named, this.builder, Prefix.PEEK), peekSupplier(action, true), { keySerde, valueSerde, keyChanged: false });
  }

  foreach(action: (key: K, value: V) => void, named?: Named): void {
    this.addProcessor(nameOf(named, this.builder, Prefix.FOREACH), peekSupplier(action, false), { keyChanged: false });
  }

  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    if (!(other instanceof KStreamImpl) || other.builder !== this.builder) {
      throw new TopologyError('merge() needs a stream from the same StreamsBuilder.');
    }
    const name = nameOf(named, this.builder, Prefix.MERGE);
    this.builder.add({ kind: 'processor', name, parents: [this.props.name, other.props.name], supplier: passThroughSupplier(), stores: [] });
    const same = <T>(a: T | undefined, b: T | undefined): T | undefined => (a === b ? a : undefined);
    return new KStreamImpl<K, V>({
      builder: this.builder,
      name,
      keySerde: same(this.props.keySerde, other.props.keySerde as Serde<K> | undefined),
      valueSerde: same(this.props.valueSerde, other.props.valueSerde as Serde<V> | undefined),
      repartitionRequired: this.props.repartitionRequired || other.props.repartitionRequired,
    });
  }

  split(named?: Named): BranchedKStream<K, V> {
    const splitter = nameOf(named, this.builder, Prefix.BRANCH);
    // map keys are the branch node names (splitter name + branch name or index), as in Kafka Streams' code
    return new BranchedKStreamImpl(this, splitter, splitter);
  }

  repartition(repartitioned?: Repartitioned<K, V>): KStream<K, V> {
    const base = repartitioned?.name ?? this.builder.newProcessorName(Prefix.REPARTITION);
    return this.repartitionThrough(base, {
      keySerde: repartitioned?.keySerde ?? this.props.keySerde,
      valueSerde: repartitioned?.valueSerde ?? this.props.valueSerde,
      partitions: repartitioned?.numberOfPartitions,
      partitioner: repartitioned?.partitioner,
      filterNullKeys: false,
    });
  }

  /**
   * Writes this stream to `<prefix>-repartition` and reads it back, naming nodes as Kafka Streams'
   * createRepartitionedSource does (three indices burned; generated names when the prefix is generated).
   */
  repartitionThrough(
    prefix: string,
    options: { keySerde?: Serde<K>; valueSerde?: Serde<V>; partitions?: number; partitioner?: Repartitioned<K, V>['partitioner']; filterNullKeys: boolean },
  ): KStreamImpl<K, V> {
    const topic = prefix.endsWith('-repartition') ? prefix : `${prefix}-repartition`;
    const genSink = this.builder.newProcessorName(Prefix.SINK);
    const genFilter = this.builder.newProcessorName(Prefix.FILTER);
    const genSource = this.builder.newProcessorName(Prefix.SOURCE);
    const generated = /^KSTREAM.*-[0-9]{10}$/.test(prefix);
    const sourceName = generated ? genSource : `${topic}-source`;
    this.builder.add({
      kind: 'repartition',
      parents: [this.props.name],
      topic,
      filterName: options.filterNullKeys ? (generated ? genFilter : `${topic}-filter`) : undefined,
      sinkName: generated ? genSink : `${topic}-sink`,
      sourceName,
      keySerde: options.keySerde,
      valueSerde: options.valueSerde,
      partitions: options.partitions,
      partitioner: options.partitioner,
    });
    return new KStreamImpl<K, V>({
      builder: this.builder,
      name: sourceName,
      keySerde: options.keySerde,
      valueSerde: options.valueSerde,
      repartitionRequired: false,
    });
  }

  to(topic: string | TopicNameExtractor<K, V>, produced?: Produced<K, V>): void {
    if (typeof topic === 'string' && topic.length === 0) throw new TopologyError('to() needs a topic name.');
    const name = produced?.processorName ?? this.builder.newProcessorName(Prefix.SINK);
    this.builder.add({
      kind: 'sink',
      name,
      parents: [this.props.name],
      topic,
      keySerde: produced?.keySerde ?? this.props.keySerde,
      valueSerde: produced?.valueSerde ?? this.props.valueSerde,
      partitioner: produced?.partitioner,
    });
  }

  toTable(a?: Named | Materialized<K, V>, m?: Materialized<K, V>): KTable<K, V> {
    const named = a instanceof Named ? a : undefined;
    const materialized = a instanceof Named ? m : a;
    const b = this.builder;
    const mat = materialize<K, V>(b, materialized, Prefix.TOTABLE, { keySerde: this.props.keySerde, valueSerde: this.props.valueSerde });
    const name = named?.name ?? b.newProcessorName(Prefix.TOTABLE);
    // a changed key must be repartitioned so every key's updates land in one task
    const parent = this.props.repartitionRequired
      ? // as Kafka Streams: the Materialized serdes, when given, also serialize the repartition topic
        this.repartitionThrough(mat.storeName, {
          keySerde: materialized?.keySerde ?? this.props.keySerde,
          valueSerde: materialized?.valueSerde ?? this.props.valueSerde,
          filterNullKeys: true,
        }).props.name
      : this.props.name;
    b.add({ kind: 'processor', name, parents: [parent], supplier: tableSourceSupplier<K, V>(mat.storeName), stores: [mat.storeName] });
    b.add({ kind: 'store', builder: mat.storeBuilder, processors: [name] });
    return new KTableImpl<K, V>({
      builder: b,
      name,
      keySerde: materialized?.keySerde ?? this.props.keySerde,
      valueSerde: materialized?.valueSerde ?? this.props.valueSerde,
      storeName: mat.storeName,
      queryable: mat.queryable,
      getter: storeGetter(mat.storeName),
    });
  }

  join(other: KStream<K, any> | KTable<K, any> | GlobalKTable<any, any>, a: any, b?: any, c?: StreamJoined<K, V, any>): KStream<K, any> {
    if (other instanceof KStreamImpl) return streamStreamJoin(this, other, a, b as JoinWindows, c, 'inner');
    return this.#tableJoin(other as KTable<K, any> | GlobalKTable<any, any>, a, b, false);
  }

  leftJoin(other: KStream<K, any> | KTable<K, any> | GlobalKTable<any, any>, a: any, b?: any, c?: StreamJoined<K, V, any>): KStream<K, any> {
    if (other instanceof KStreamImpl) return streamStreamJoin(this, other, a, b as JoinWindows, c, 'left');
    return this.#tableJoin(other as KTable<K, any> | GlobalKTable<any, any>, a, b, true);
  }

  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: (value: V | null, otherValue: VO | null, key: K) => VR,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR> {
    return streamStreamJoin(this, other, joiner, windows, streamJoined, 'outer');
  }

  #tableJoin(other: KTable<K, any> | GlobalKTable<any, any>, a: any, b: any, left: boolean): KStream<K, any> {
    const builder = this.builder;
    if (other instanceof GlobalKTableImpl) {
      const name = builder.newProcessorName(left ? Prefix.LEFTJOIN : Prefix.JOIN);
      const supplier = streamTableJoinSupplier<K, V, unknown, unknown, unknown>({
        storeName: other.storeName,
        lookupKey: a as (k: K, v: V) => unknown,
        getter: (_k, v) => v,
        joiner: b,
        left,
      });
      return this.addProcessor(name, supplier, { keySerde: this.props.keySerde, keyChanged: false }, [other.storeName]);
    }
    if (!(other instanceof KTableImpl) || other.props.builder !== builder) {
      throw new TopologyError('join() needs a KTable or GlobalKTable from the same StreamsBuilder.');
    }
    const joined = b as Joined<K, V, unknown> | undefined;
    const getter = other.props.getter;
    const name = joined?.name ?? builder.newProcessorName(left ? Prefix.LEFTJOIN : Prefix.JOIN);
    // the stream must be partitioned like the table: repartition it when its key changed
    const stream = this.props.repartitionRequired
      ? this.repartitionThrough(joined?.name ?? name, {
          keySerde: joined?.keySerde ?? this.props.keySerde ?? (other.props.keySerde as Serde<K> | undefined),
          valueSerde: joined?.valueSerde ?? this.props.valueSerde,
          filterNullKeys: true,
        })
      : this;
    const supplier = streamTableJoinSupplier<K, V, K, unknown, unknown>({
      storeName: getter.store,
      lookupKey: (k) => k,
      getter: getter.map as (k: K, stored: unknown) => unknown,
      joiner: a,
      left,
      read: getter.read,
    });
    return stream.addProcessor(name, supplier, { keySerde: stream.props.keySerde, keyChanged: false }, getterStores(getter));
  }

  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V> {
    return new KGroupedStreamImpl<K, V>(this, grouped);
  }

  groupBy<KR>(selector: (key: K, value: V) => KR, grouped?: Grouped<KR, V>): KGroupedStream<KR, V> {
    const name = this.builder.newProcessorName(Prefix.KEY_SELECT);
    const selected = this.addProcessor(name, selectKeySupplier(selector), { valueSerde: this.props.valueSerde, keyChanged: true });
    return new KGroupedStreamImpl<KR, V>(selected, grouped);
  }

  process<KR, VR>(supplier: ProcessorSupplier<K, V, KR, VR>, ...storeNamesOrNamed: (string | Named)[]): KStream<KR, VR> {
    const { named, stores } = splitNamed(storeNamesOrNamed);
    return this.addProcessor(nameOf(named, this.builder, Prefix.PROCESSOR), supplier, { keyChanged: true }, stores);
  }

  processValues<VR>(supplier: FixedKeyProcessorSupplier<K, V, VR>, ...storeNamesOrNamed: (string | Named)[]): KStream<K, VR> {
    const { named, stores } = splitNamed(storeNamesOrNamed);
    return this.addProcessor(
      nameOf(named, this.builder, Prefix.PROCESSVALUES),
      processValuesSupplier(supplier),
      { keySerde: this.props.keySerde, keyChanged: false },
      stores,
    );
  }
}

function splitNamed(args: readonly (string | Named)[]): { named: Named | undefined; stores: string[] } {
  let named: Named | undefined;
  const stores: string[] = [];
  for (const a of args) {
    if (a instanceof Named) named = a;
    else stores.push(a);
  }
  return { named, stores };
}

/**
 * split(): one branch processor forwarding to per-branch pass-through children (Kafka's BranchedKStreamImpl).
 * Branches are added as they are declared, so a split that ends without defaultBranch() is complete too.
 */
class BranchedKStreamImpl<K, V> implements BranchedKStream<K, V> {
  // read by the supplier when tasks are created, after every branch() call
  readonly #predicates: ((key: K, value: V) => boolean)[] = [];
  readonly #children: string[] = [];
  readonly #result = new Map<string, KStream<K, V>>();
  #index = 1;
  #done = false;

  constructor(
    private readonly source: KStreamImpl<K, V>,
    private readonly splitterName: string,
    private readonly keyPrefix: string,
  ) {
    source.builder.add({
      kind: 'processor',
      name: splitterName,
      parents: [source.props.name],
      supplier: branchSupplier(this.#predicates, this.#children),
      stores: [],
    });
  }

  branch(predicate: (key: K, value: V) => boolean, branched?: Branched<K, V>): BranchedKStream<K, V> {
    this.#add(predicate, branched, this.#index++);
    return this;
  }

  defaultBranch(branched?: Branched<K, V>): Map<string, KStream<K, V>> {
    this.#add(() => true, branched, 0);
    this.#done = true;
    return this.#result;
  }

  noDefaultBranch(): Map<string, KStream<K, V>> {
    this.#done = true;
    return this.#result;
  }

  #add(predicate: (key: K, value: V) => boolean, branched: Branched<K, V> | undefined, index: number): void {
    if (this.#done) throw new TopologyError('split() is already finished: add branches before defaultBranch()/noDefaultBranch().');
    const b = this.source.builder;
    const childName = this.splitterName + (branched?.name ?? String(index));
    b.newProcessorName(Prefix.BRANCHCHILD); // burns an index, as Kafka Streams does
    this.#predicates.push(predicate);
    this.#children.push(childName);
    b.add({ kind: 'processor', name: childName, parents: [this.splitterName], supplier: passThroughSupplier(), stores: [] });
    const stream = new KStreamImpl<K, V>({ ...this.source.props, name: childName });
    const key = this.keyPrefix + (branched?.name ?? String(index));
    if (branched?.chain) {
      const out = branched.chain(stream);
      if (out) this.#result.set(key, out as KStream<K, V>);
    } else {
      this.#result.set(key, stream);
    }
  }
}

export { Branched };
