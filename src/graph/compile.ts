import type { Topology } from '../topology/topology.js';
import { filterSupplier } from '../processor/operators/filter.js';
import type { GlobalStoreGraphNode, GraphNode, ProcessorGraphNode, RepartitionGraphNode, SinkGraphNode, SourceGraphNode, StoreGraphNode } from './graph-node.js';

/** Visitor writing each logical node into the physical topology. */
const visitors: { [K in GraphNode['kind']]: (node: Extract<GraphNode, { kind: K }>, topology: Topology) => void } = {
  source(node: SourceGraphNode, topology) {
    topology.addSource(node.name, node.topics instanceof RegExp ? node.topics : node.topics, {
      keySerde: node.keySerde,
      valueSerde: node.valueSerde,
      timestampExtractor: node.timestampExtractor,
      offsetReset: node.offsetReset,
    });
  },
  processor(node: ProcessorGraphNode, topology) {
    topology.addProcessor(node.name, node.supplier, ...node.parents);
    if (node.stores.length) topology.connectProcessorAndStateStores(node.name, ...node.stores);
  },
  sink(node: SinkGraphNode, topology) {
    topology.addSink(node.name, node.topic, { keySerde: node.keySerde, valueSerde: node.valueSerde, partitioner: node.partitioner }, ...node.parents);
  },
  repartition(node: RepartitionGraphNode, topology) {
    let parents = node.parents;
    if (node.filterName) {
      // records without a key cannot be partitioned by key: drop them before the topic (Kafka Streams does too)
      topology.addProcessor(node.filterName, filterSupplier<unknown, unknown>((k) => k !== null && k !== undefined, false), ...parents);
      parents = [node.filterName];
    }
    topology.addInternalTopic({ name: node.topic, kind: 'repartition', partitions: node.partitions });
    topology.addSink(node.sinkName, node.topic, { keySerde: node.keySerde, valueSerde: node.valueSerde, partitioner: node.partitioner }, ...parents);
    topology.addSource(node.sourceName, node.topic, { keySerde: node.keySerde, valueSerde: node.valueSerde });
  },
  globalStore(node: GlobalStoreGraphNode, topology) {
    topology.addGlobalStore(node.builder, node.sourceName, node.topic, { keySerde: node.keySerde, valueSerde: node.valueSerde }, node.processorName, node.supplier);
  },
  store(node: StoreGraphNode, topology) {
    // the same builder may be declared twice (connected from two operators); two builders with one name may not
    if (topology.stores.get(node.builder.name)?.builder !== node.builder) topology.addStateStore(node.builder);
    if (node.processors.length) {
      for (const p of node.processors) topology.connectProcessorAndStateStores(p, node.builder.name);
    }
    if (node.builder.loggingEnabled) {
      topology.addInternalTopic({ name: `${node.builder.name}-changelog`, kind: 'changelog', partitions: undefined });
    }
  },
};

/**
 * Compiles the logical graph into a Topology. Stores are added first so processors can connect to them
 * whatever order the DSL declared them in.
 */
export function compileGraph(nodes: readonly GraphNode[], topology: Topology): Topology {
  const stores = nodes.filter((n): n is StoreGraphNode => n.kind === 'store');
  for (const s of stores) visitors.store({ ...s, processors: [] }, topology);
  for (const node of nodes) {
    if (node.kind === 'store') continue;
    (visitors[node.kind] as (n: GraphNode, t: Topology) => void)(node, topology);
  }
  for (const s of stores) for (const p of s.processors) topology.connectProcessorAndStateStores(p, s.builder.name);
  return topology;
}
