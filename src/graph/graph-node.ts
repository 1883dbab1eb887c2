import type { ProcessorSupplier } from '../processor/processor.js';
import type { Serde } from '../serdes/serde.js';
import type { StoreBuilder } from '../state/state-store.js';
import type { StreamPartitioner, TimestampExtractor, TopicNameExtractor } from '../topology/node-defs.js';

/**
 * The logical graph the DSL builds: frozen, discriminated nodes in creation order (parents always come first).
 * The compiler visits them to write the physical Topology.
 */
export type GraphNode = SourceGraphNode | ProcessorGraphNode | SinkGraphNode | RepartitionGraphNode | StoreGraphNode | GlobalStoreGraphNode;

export interface SourceGraphNode {
  readonly kind: 'source';
  readonly name: string;
  readonly topics: readonly string[] | RegExp;
  readonly keySerde: Serde<any> | undefined;
  readonly valueSerde: Serde<any> | undefined;
  readonly timestampExtractor: TimestampExtractor | undefined;
  readonly offsetReset: 'earliest' | 'latest' | undefined;
}

export interface ProcessorGraphNode {
  readonly kind: 'processor';
  readonly name: string;
  readonly parents: readonly string[];
  readonly supplier: ProcessorSupplier<any, any, any, any>;
  readonly stores: readonly string[];
}

export interface SinkGraphNode {
  readonly kind: 'sink';
  readonly name: string;
  readonly parents: readonly string[];
  readonly topic: string | TopicNameExtractor<any, any>;
  readonly keySerde: Serde<any> | undefined;
  readonly valueSerde: Serde<any> | undefined;
  readonly partitioner: StreamPartitioner<any, any> | undefined;
}

/** A repartition through an internal topic: [null-key filter ->] sink -> topic -> source. */
export interface RepartitionGraphNode {
  readonly kind: 'repartition';
  readonly parents: readonly string[];
  /** Internal topic name without the application prefix, ending in `-repartition`. */
  readonly topic: string;
  readonly filterName: string | undefined;
  readonly sinkName: string;
  readonly sourceName: string;
  readonly keySerde: Serde<any> | undefined;
  readonly valueSerde: Serde<any> | undefined;
  readonly partitions: number | undefined;
  readonly partitioner: StreamPartitioner<any, any> | undefined;
}

export interface StoreGraphNode {
  readonly kind: 'store';
  readonly builder: StoreBuilder;
  readonly processors: readonly string[];
}

/** A global table: source + updating processor + store, replicated on every instance, outside the tasks. */
export interface GlobalStoreGraphNode {
  readonly kind: 'globalStore';
  readonly builder: StoreBuilder;
  readonly sourceName: string;
  readonly topic: string;
  readonly keySerde: Serde<any> | undefined;
  readonly valueSerde: Serde<any> | undefined;
  readonly processorName: string;
  readonly supplier: ProcessorSupplier<any, any, any, any>;
}

export function freeze<T extends GraphNode>(node: T): T {
  return Object.freeze(node);
}
