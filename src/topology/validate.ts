import { TopologyError } from '../errors.js';
import type { NodeDef, StoreDef } from './node-defs.js';

/** Whole-topology checks that single add calls cannot make: sources exist, stores resolve, no sink cycles. */
export function validateTopology(nodes: ReadonlyMap<string, NodeDef>, stores: ReadonlyMap<string, StoreDef>): void {
  const defs = [...nodes.values()];
  if (!defs.some((d) => d.kind === 'source')) {
    throw new TopologyError(
      'The topology has no source: nothing would ever be processed. Add one with builder.stream(...), builder.table(...) or topology.addSource(...).',
    );
  }
  for (const [storeName, store] of stores) {
    for (const p of store.processors) {
      const def = nodes.get(p);
      if (!def) throw new TopologyError(`State store '${storeName}' is connected to '${p}', which is not a node of the topology.`);
      if (def.kind !== 'processor') throw new TopologyError(`State store '${storeName}' can only be connected to processors, not ${def.kind} '${p}'.`);
    }
  }
  checkSinkCycles(defs, nodes);
}

/** A sink that writes, directly or through other sub-topologies, into a topic its own sources read loops forever. */
function checkSinkCycles(defs: readonly NodeDef[], nodes: ReadonlyMap<string, NodeDef>): void {
  const children = new Map<string, string[]>();
  for (const d of defs) {
    if (d.kind === 'source') continue;
    for (const p of d.parents) {
      let c = children.get(p);
      if (!c) children.set(p, (c = []));
      c.push(d.name);
    }
  }
  // topic -> topics written downstream of the sources reading it
  const edges = new Map<string, Set<string>>();
  for (const d of defs) {
    if (d.kind !== 'source') continue;
    const reached = new Set<string>();
    const stack = [d.name];
    const seen = new Set<string>();
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      const def = nodes.get(n)!;
      if (def.kind === 'sink' && typeof def.topic === 'string') reached.add(def.topic);
      for (const c of children.get(n) ?? []) stack.push(c);
    }
    for (const t of d.topics) edges.set(t, new Set([...(edges.get(t) ?? []), ...reached]));
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (topic: string, path: string[]): void => {
    if (state.get(topic) === 'done') return;
    if (state.get(topic) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(topic)), topic];
      throw new TopologyError(
        `Sink cycle: records written to topic '${topic}' flow back into it (${cycle.join(' -> ')}), so processing would never end. ` +
          `Write to a different topic.`,
      );
    }
    state.set(topic, 'visiting');
    for (const next of edges.get(topic) ?? []) visit(next, [...path, topic]);
    state.set(topic, 'done');
  };
  for (const t of edges.keys()) visit(t, []);
}
