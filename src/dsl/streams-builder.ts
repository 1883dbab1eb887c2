import { TopologyError } from '../errors.js';
import { compileGraph } from '../graph/compile.js';
import { InternalStreamsBuilder, Prefix } from '../graph/internal-builder.js';
import type { StoreBuilder } from '../state/state-store.js';
import { Topology } from '../topology/topology.js';
import { KStreamImpl } from './internal/kstream-impl.js';
import type { KStream } from './kstream.js';
import type { Consumed } from './options/consumed.js';
import type { Materialized } from './options/materialized.js';
import type { KTable } from './ktable.js';
import type { GlobalKTable } from './global-ktable.js';
import { GlobalKTableImpl } from './internal/global-ktable-impl.js';
import { KTableImpl, storeGetter } from './internal/ktable-impl.js';
import { materialize } from './internal/materialize.js';
import { tableSourceSupplier } from '../processor/operators/ktable-source.js';

/** Entry point of the DSL (Kafka Streams' StreamsBuilder). `build()` compiles the graph into a Topology. */
export class StreamsBuilder {
  /** @internal shared with the DSL implementation classes */
  readonly internal = new InternalStreamsBuilder();
  #built = false;

  stream<K, V>(topics: string | readonly string[] | RegExp, consumed?: Consumed<K, V>): KStream<K, V> {
    const list = topics instanceof RegExp ? topics : typeof topics === 'string' ? [topics] : [...topics];
    if (Array.isArray(list) && (list.length === 0 || list.some((t) => typeof t !== 'string' || t.length === 0))) {
      throw new TopologyError('stream() needs at least one non-empty topic name (or a RegExp).');
    }
    const name = consumed?.processorName ?? this.internal.newProcessorName(Prefix.SOURCE);
    this.internal.add({
      kind: 'source',
      name,
      topics: list,
      keySerde: consumed?.keySerde,
      valueSerde: consumed?.valueSerde,
      timestampExtractor: consumed?.timestampExtractor,
      offsetReset: consumed?.offsetReset,
    });
    return new KStreamImpl<K, V>({
      builder: this.internal,
      name,
      keySerde: consumed?.keySerde,
      valueSerde: consumed?.valueSerde,
      repartitionRequired: false,
    });
  }

  /**
   * A KTable over a topic: the latest value per key, null values delete (the table is materialized in a
   * store, named by `materialized` or `<topic>-STATE-STORE-<n>`).
   */
  table<K, V>(topic: string, consumed?: Consumed<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    if (typeof topic !== 'string' || topic.length === 0) throw new TopologyError('table() needs a topic name.');
    const b = this.internal;
    const keySerde = materialized?.keySerde ?? consumed?.keySerde;
    const valueSerde = materialized?.valueSerde ?? consumed?.valueSerde;
    const mat = materialize<K, V>(b, materialized, `${topic}-`, { keySerde, valueSerde });
    const sourceName = consumed?.processorName ?? b.newProcessorName(Prefix.SOURCE);
    const tableName = b.newProcessorName(Prefix.KTABLE_SOURCE);
    b.add({
      kind: 'source',
      name: sourceName,
      topics: [topic],
      keySerde: consumed?.keySerde,
      valueSerde: consumed?.valueSerde,
      timestampExtractor: consumed?.timestampExtractor,
      offsetReset: consumed?.offsetReset,
    });
    b.add({ kind: 'processor', name: tableName, parents: [sourceName], supplier: tableSourceSupplier<K, V>(mat.storeName), stores: [mat.storeName] });
    b.add({ kind: 'store', builder: mat.storeBuilder, processors: [tableName] });
    return new KTableImpl<K, V>({ builder: b, name: tableName, keySerde, valueSerde, storeName: mat.storeName, queryable: mat.queryable, getter: storeGetter(mat.storeName) });
  }

  /**
   * A GlobalKTable: every instance holds all partitions of `topic` in a store (named by `materialized` or
   * `<topic>-STATE-STORE-<n>`), bootstrapped before processing starts. Join streams to it with a key selector.
   */
  globalTable<K, V>(topic: string, consumed?: Consumed<K, V>, materialized?: Materialized<K, V>): GlobalKTable<K, V> {
    if (typeof topic !== 'string' || topic.length === 0) throw new TopologyError('globalTable() needs a topic name.');
    const b = this.internal;
    const keySerde = materialized?.keySerde ?? consumed?.keySerde;
    const valueSerde = materialized?.valueSerde ?? consumed?.valueSerde;
    const mat = materialize<K, V>(b, materialized, `${topic}-`, { keySerde, valueSerde });
    const sourceName = consumed?.processorName ?? b.newProcessorName(Prefix.SOURCE);
    const processorName = b.newProcessorName(Prefix.KTABLE_SOURCE);
    b.add({
      kind: 'globalStore',
      builder: mat.storeBuilder.withCachingDisabled(),
      sourceName,
      topic,
      keySerde: consumed?.keySerde,
      valueSerde: consumed?.valueSerde,
      processorName,
      supplier: tableSourceSupplier<K, V>(mat.storeName),
    });
    return new GlobalKTableImpl<K, V>(mat.storeName, mat.queryable);
  }

  /** Adds a store for Processor API operators (`process(supplier, 'store')`). */
  addStateStore(builder: StoreBuilder): this {
    this.internal.add({ kind: 'store', builder, processors: [] });
    return this;
  }

  /** Compiles the DSL into a physical topology; invalid topologies fail here with a TopologyError. */
  build(): Topology {
    if (this.#built) throw new TopologyError('build() was already called on this StreamsBuilder; create a new builder per topology.');
    this.#built = true;
    const topology = compileGraph(this.internal.nodes, new Topology());
    topology.validate();
    return topology;
  }
}
