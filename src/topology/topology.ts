import { TopologyError } from '../errors.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import type { Serde } from '../serdes/serde.js';
import type { StoreBuilder } from '../state/state-store.js';
import { describeTopology, type TopologyDescription } from './describe.js';
import type {
  GlobalStoreDef,
  InternalTopicDef,
  NodeDef,
  ProcessorDef,
  SinkDef,
  SourceDef,
  StoreDef,
  StreamPartitioner,
  TimestampExtractor,
  TopicNameExtractor,
} from './node-defs.js';
import { groupSubtopologies, type Subtopology } from './subtopology.js';
import { validateTopology } from './validate.js';

export interface SourceOptions {
  keySerde?: Serde<any>;
  valueSerde?: Serde<any>;
  timestampExtractor?: TimestampExtractor;
  offsetReset?: 'earliest' | 'latest';
}

export interface SinkOptions<K = any, V = any> {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  partitioner?: StreamPartitioner<K, V>;
}

/**
 * The physical topology: sources, processors, sinks and stores (Kafka Streams' Topology, also the Processor API
 * builder). The DSL compiles into one of these. Nodes are frozen definitions; the runtime instantiates them per task.
 */
export class Topology {
  readonly #nodes = new Map<string, NodeDef>();
  readonly #children = new Map<string, string[]>();
  readonly #stores = new Map<string, StoreDef>();
  readonly #internalTopics = new Map<string, InternalTopicDef>();
  readonly #globalStores = new Map<string, GlobalStoreDef>();
  #subtopologies: Subtopology[] | undefined;

  addSource(name: string, topics: string | readonly string[] | RegExp, options: SourceOptions = {}): this {
    const isPattern = topics instanceof RegExp;
    const list = isPattern ? [] : typeof topics === 'string' ? [topics] : [...topics];
    if (!isPattern && list.length === 0) throw new TopologyError(`Source '${name}' needs at least one topic.`);
    for (const def of this.#nodes.values()) {
      if (def.kind !== 'source') continue;
      const clash = list.find((t) => def.topics.includes(t));
      if (clash !== undefined) {
        throw new TopologyError(
          `Topic '${clash}' is already read by source '${def.name}'; a topic can feed only one source node. ` +
            `Read it once and share the stream (or merge streams) instead.`,
        );
      }
    }
    const def: SourceDef = Object.freeze({
      kind: 'source',
      name,
      topics: Object.freeze(list),
      pattern: isPattern ? topics : undefined,
      keySerde: options.keySerde,
      valueSerde: options.valueSerde,
      timestampExtractor: options.timestampExtractor,
      offsetReset: options.offsetReset,
    });
    return this.#add(def);
  }

  addProcessor(name: string, supplier: ProcessorSupplier<any, any, any, any>, ...parentNames: string[]): this {
    if (typeof supplier !== 'function') {
      throw new TopologyError(`Processor '${name}' needs a supplier function that returns a new Processor per task.`);
    }
    const def: ProcessorDef = Object.freeze({ kind: 'processor', name, supplier, parents: Object.freeze([...parentNames]) });
    return this.#add(def);
  }

  addSink(name: string, topic: string | TopicNameExtractor<any, any>, ...parents: string[]): this;
  addSink<K, V>(name: string, topic: string | TopicNameExtractor<K, V>, options: SinkOptions<K, V>, ...parents: string[]): this;
  addSink(name: string, topic: string | TopicNameExtractor<any, any>, ...rest: (string | SinkOptions)[]): this {
    const options = typeof rest[0] === 'object' ? (rest.shift() as SinkOptions) : {};
    const parents = rest as string[];
    const def: SinkDef = Object.freeze({
      kind: 'sink',
      name,
      topic,
      keySerde: options.keySerde,
      valueSerde: options.valueSerde,
      partitioner: options.partitioner,
      parents: Object.freeze([...parents]),
    });
    return this.#add(def);
  }

  addStateStore(builder: StoreBuilder, ...processorNames: string[]): this {
    if (this.#stores.has(builder.name)) {
      throw new TopologyError(
        `State store '${builder.name}' is added twice; store names must be unique within a topology. ` +
          `Give the second store another name (Materialized.as / Stores.*).`,
      );
    }
    this.#stores.set(builder.name, { builder, processors: new Set() });
    this.#subtopologies = undefined;
    return this.connectProcessorAndStateStores('', builder.name, ...processorNames);
  }

  /** Gives processors access to stores; `processorName` '' only registers the store names listed after it. */
  connectProcessorAndStateStores(processorName: string, ...storeNamesOrMore: string[]): this {
    const [first, ...rest] = storeNamesOrMore;
    if (processorName === '') {
      // internal form used by addStateStore: (store, ...processors)
      const store = this.#stores.get(first!)!;
      for (const p of rest) store.processors.add(p);
    } else {
      for (const s of storeNamesOrMore) {
        if (this.#globalStores.has(s)) continue; // every processor may read global stores
        const store = this.#stores.get(s);
        if (!store) {
          throw new TopologyError(
            `Processor '${processorName}' uses state store '${s}', which is not in the topology. ` +
              `Add it first with addStateStore(...) / builder.addStateStore(...).`,
          );
        }
        store.processors.add(processorName);
      }
    }
    this.#subtopologies = undefined;
    return this;
  }

  /**
   * A global store (Kafka Streams' addGlobalStore): `supplier`'s processor applies every record of all partitions
   * of `topic` to the store on every instance. The topic serves as the changelog, so logging is turned off.
   */
  addGlobalStore(
    builder: StoreBuilder,
    sourceName: string,
    topic: string,
    options: SourceOptions,
    processorName: string,
    supplier: ProcessorSupplier<any, any, void, void>,
  ): this {
    if (this.#stores.has(builder.name) || this.#globalStores.has(builder.name)) {
      throw new TopologyError(`State store '${builder.name}' is added twice; store names must be unique within a topology.`);
    }
    for (const n of [sourceName, processorName]) {
      if (this.#nodes.has(n) || [...this.#globalStores.values()].some((g) => g.sourceName === n || g.processorName === n)) {
        throw new TopologyError(`Node name '${n}' is used twice; node names must be unique. Pick another name (Named.as(...)).`);
      }
    }
    for (const def of this.#nodes.values()) {
      if (def.kind === 'source' && def.topics.includes(topic)) {
        throw new TopologyError(`Topic '${topic}' is already read by source '${def.name}'; a global table needs a topic of its own.`);
      }
    }
    this.#globalStores.set(
      builder.name,
      Object.freeze({
        builder: builder.loggingEnabled ? builder.withLoggingDisabled() : builder,
        sourceName,
        topic,
        keySerde: options.keySerde,
        valueSerde: options.valueSerde,
        processorName,
        supplier,
      }),
    );
    return this;
  }

  get globalStores(): ReadonlyMap<string, GlobalStoreDef> {
    return this.#globalStores;
  }

  /** Marks a topic as internal: the runtime names it `<applicationId>-<name>` and creates it. */
  addInternalTopic(def: InternalTopicDef): this {
    this.#internalTopics.set(def.name, Object.freeze({ ...def }));
    return this;
  }

  describe(): TopologyDescription {
    this.validate();
    return describeTopology(this);
  }

  // ---- read side, used by describe, the runtime and the test driver ----

  /** Throws TopologyError for anything that cannot run (checked again when an app or driver starts). */
  validate(): void {
    validateTopology(this.#nodes, this.#stores);
  }

  get nodes(): ReadonlyMap<string, NodeDef> {
    return this.#nodes;
  }

  childrenOf(name: string): readonly string[] {
    return this.#children.get(name) ?? [];
  }

  get stores(): ReadonlyMap<string, StoreDef> {
    return this.#stores;
  }

  storesOf(processorName: string): string[] {
    return [...this.#stores.entries()].filter(([, s]) => s.processors.has(processorName)).map(([n]) => n);
  }

  get internalTopics(): ReadonlyMap<string, InternalTopicDef> {
    return this.#internalTopics;
  }

  subtopologies(): readonly Subtopology[] {
    if (!this.#subtopologies) {
      const users = new Map([...this.#stores].map(([n, s]) => [n, s.processors as ReadonlySet<string>]));
      this.#subtopologies = groupSubtopologies(this.#nodes, users);
    }
    return this.#subtopologies;
  }

  #add(def: NodeDef): this {
    if (def.name === '' || typeof def.name !== 'string') throw new TopologyError('Node names must be non-empty strings.');
    if (this.#nodes.has(def.name)) {
      throw new TopologyError(
        `Node name '${def.name}' is used twice; node names must be unique. Pick another name (Named.as(...)).`,
      );
    }
    if (def.kind !== 'source') {
      if (def.parents.length === 0) throw new TopologyError(`${def.kind} '${def.name}' needs at least one parent node.`);
      for (const p of def.parents) {
        const parent = this.#nodes.get(p);
        if (!parent) {
          throw new TopologyError(`Parent '${p}' of '${def.name}' is not in the topology; add parents before their children.`);
        }
        if (parent.kind === 'sink') throw new TopologyError(`Sink '${p}' cannot be the parent of '${def.name}'.`);
      }
    }
    this.#nodes.set(def.name, def);
    if (def.kind !== 'source') {
      for (const p of def.parents) {
        let list = this.#children.get(p);
        if (!list) this.#children.set(p, (list = []));
        list.push(def.name);
      }
    }
    this.#subtopologies = undefined;
    return this;
  }
}
