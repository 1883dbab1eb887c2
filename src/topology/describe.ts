import type { NodeDef } from './node-defs.js';
import type { Topology } from './topology.js';

export interface NodeDescription {
  readonly type: 'source' | 'processor' | 'sink';
  readonly name: string;
  readonly predecessors: readonly string[];
  readonly successors: readonly string[];
  /** Source: topics (or pattern); sink: topic; processor: stores. */
  readonly topics?: readonly string[];
  readonly topicPattern?: string;
  readonly topic?: string;
  readonly stores?: readonly string[];
}

export interface SubtopologyDescription {
  readonly id: number;
  /** A global store's sub-topology: it generates no tasks. */
  readonly global?: boolean;
  readonly nodes: readonly NodeDescription[];
}

export interface TopologyDescription {
  readonly subtopologies: readonly SubtopologyDescription[];
  toString(): string;
}

/** Builds Kafka Streams' TopologyDescription, node order and text format included. */
export function describeTopology(topology: Topology): TopologyDescription {
  const subtopologies = topology.subtopologies().map((sub) => {
    const members = new Set(sub.nodes);
    const size = new Map<string, number>();
    const subtreeSize = (name: string): number => {
      const cached = size.get(name);
      if (cached !== undefined) return cached;
      size.set(name, 1); // guards against cycles through shared parents
      let total = 1;
      for (const c of topology.childrenOf(name)) if (members.has(c)) total += subtreeSize(c);
      size.set(name, total);
      return total;
    };
    // Kafka's NodeComparator: bigger downstream sub-tree first, then by name (for nodes and their links alike)
    const byComparator = (a: string, b: string): number => subtreeSize(b) - subtreeSize(a) || (a < b ? -1 : a > b ? 1 : 0);
    const nodes = sub.nodes.map((n) => {
      const d = describeNode(topology, topology.nodes.get(n)!);
      return { ...d, successors: [...d.successors].sort(byComparator), predecessors: [...d.predecessors].sort(byComparator) };
    });
    nodes.sort((a, b) => byComparator(a.name, b.name));
    return Object.freeze({ id: sub.id, nodes: Object.freeze(nodes) });
  });
  let nextId = subtopologies.length;
  const globals: SubtopologyDescription[] = [...topology.globalStores.values()].map((g) =>
    Object.freeze({
      id: nextId++,
      global: true,
      nodes: Object.freeze([
        { type: 'source' as const, name: g.sourceName, predecessors: [], successors: [g.processorName], topics: [g.topic] },
        { type: 'processor' as const, name: g.processorName, predecessors: [g.sourceName], successors: [], stores: [g.builder.name] },
      ]),
    }),
  );
  const all = [...subtopologies, ...globals];
  return Object.freeze({
    subtopologies: Object.freeze(all),
    toString: () => format(all),
  });
}

function describeNode(topology: Topology, def: NodeDef): NodeDescription {
  const successors = topology.childrenOf(def.name);
  switch (def.kind) {
    case 'source':
      return def.pattern
        ? { type: 'source', name: def.name, predecessors: [], successors, topicPattern: def.pattern.source }
        : { type: 'source', name: def.name, predecessors: [], successors, topics: def.topics };
    case 'processor':
      return { type: 'processor', name: def.name, predecessors: def.parents, successors, stores: topology.storesOf(def.name) };
    case 'sink':
      return {
        type: 'sink',
        name: def.name,
        predecessors: def.parents,
        successors: [],
        topic: typeof def.topic === 'string' ? def.topic : undefined,
      };
  }
}

const names = (list: readonly string[]): string => (list.length ? list.join(', ') : 'none');

function nodeToString(n: NodeDescription): string {
  switch (n.type) {
    case 'source':
      return n.topicPattern !== undefined
        ? `Source: ${n.name} (topic pattern: ${n.topicPattern})\n      --> ${names(n.successors)}`
        : `Source: ${n.name} (topics: [${n.topics!.join(', ')}])\n      --> ${names(n.successors)}`;
    case 'processor':
      return `Processor: ${n.name} (stores: [${n.stores!.join(', ')}])\n      --> ${names(n.successors)}\n      <-- ${names(n.predecessors)}`;
    case 'sink':
      return n.topic !== undefined
        ? `Sink: ${n.name} (topic: ${n.topic})\n      <-- ${names(n.predecessors)}`
        : `Sink: ${n.name} (extractor class: TopicNameExtractor)\n      <-- ${names(n.predecessors)}`;
  }
}

function format(subtopologies: readonly SubtopologyDescription[]): string {
  // Same whitespace as Kafka's TopologyDescription.toString()
  let out = 'Topologies:\n ';
  for (const sub of subtopologies) {
    out += sub.global ? `  Sub-topology: ${sub.id} for global store (will not generate tasks)\n` : `  Sub-topology: ${sub.id}\n`;
    for (const n of sub.nodes) out += `    ${nodeToString(n)}\n`;
    out += '\n';
  }
  return out;
}
