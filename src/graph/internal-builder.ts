import type { GraphNode } from './graph-node.js';

/** Holds the logical graph and Kafka Streams' name counter (`KSTREAM-FILTER-0000000001`). */
export class InternalStreamsBuilder {
  readonly nodes: GraphNode[] = [];
  #index = 0;

  /** `<prefix><10-digit index>`; every call burns an index, as in Kafka Streams, so names match its topologies. */
  newProcessorName(prefix: string): string {
    return `${prefix}${String(this.#index++).padStart(10, '0')}`;
  }

  newStoreName(prefix: string): string {
    return `${prefix}STATE-STORE-${String(this.#index++).padStart(10, '0')}`;
  }

  add<T extends GraphNode>(node: T): T {
    this.nodes.push(Object.freeze(node) as unknown as GraphNode);
    return node;
  }
}

/** Processor name prefixes, as in Kafka Streams' KStreamImpl / KTableImpl. */
export const Prefix = Object.freeze({
  SOURCE: 'KSTREAM-SOURCE-',
  SINK: 'KSTREAM-SINK-',
  FILTER: 'KSTREAM-FILTER-',
  MAP: 'KSTREAM-MAP-',
  MAPVALUES: 'KSTREAM-MAPVALUES-',
  FLATMAP: 'KSTREAM-FLATMAP-',
  FLATMAPVALUES: 'KSTREAM-FLATMAPVALUES-',
  KEY_SELECT: 'KSTREAM-KEY-SELECT-',
  PEEK: 'KSTREAM-PEEK-',
  FOREACH: 'KSTREAM-FOREACH-',
  MERGE: 'KSTREAM-MERGE-',
  BRANCH: 'KSTREAM-BRANCH-',
  BRANCHCHILD: 'KSTREAM-BRANCHCHILD-',
  REPARTITION: 'KSTREAM-REPARTITION-',
  PROCESSOR: 'KSTREAM-PROCESSOR-',
  PROCESSVALUES: 'KSTREAM-PROCESSVALUES-',
  AGGREGATE: 'KSTREAM-AGGREGATE-',
  JOIN: 'KSTREAM-JOIN-',
  LEFTJOIN: 'KSTREAM-LEFTJOIN-',
  REDUCE: 'KSTREAM-REDUCE-',
  TOTABLE: 'KSTREAM-TOTABLE-',
  KTABLE_SOURCE: 'KTABLE-SOURCE-',
  KTABLE_FILTER: 'KTABLE-FILTER-',
  KTABLE_MAPVALUES: 'KTABLE-MAPVALUES-',
  KTABLE_TOSTREAM: 'KTABLE-TOSTREAM-',
  KTABLE_SELECT: 'KTABLE-SELECT-',
  KTABLE_AGGREGATE: 'KTABLE-AGGREGATE-',
  KTABLE_REDUCE: 'KTABLE-REDUCE-',
  COGROUP_AGGREGATE: 'COGROUPKSTREAM-AGGREGATE-',
  COGROUP_MERGE: 'COGROUPKSTREAM-MERGE-',
});
