import { isPromise, type MaybePromise, type StreamRecord } from '../processor/record.js';
import type { FusableStep } from '../processor/operators/fusable-step.js';
import { forwardTo, Node, ProcessorNode, wrapError, type NodeHost } from './processor-node.js';

/**
 * A chain of built-in operators (filter, map, mapValues, selectKey, peek, flatMapValues) run as one loop: no node
 * hop and no intermediate record per step (a flatMapValues runs the rest of the chain once per item, in order).
 * Behaviour is the chain's: same outputs in the same order, and a failing function is reported with its node's name.
 */
export class FusedNode extends Node {
  constructor(
    host: NodeHost,
    private readonly steps: readonly FusableStep[],
    private readonly names: readonly string[],
  ) {
    super(names[0]!, host);
  }

  process(record: StreamRecord<unknown, unknown>): MaybePromise<void> {
    return this.#run(0, record.key, record.value, false, record);
  }

  /** Runs steps from `from` on one (key, value); a flatMapValues step runs the rest once per item, in order. */
  #run(from: number, key: unknown, value: unknown, changed: boolean, record: StreamRecord<unknown, unknown>): MaybePromise<void> {
    const steps = this.steps;
    let i = from;
    try {
      for (; i < steps.length; i++) {
        const s = steps[i]!;
        switch (s.kind) {
          case 'filter':
            if (s.predicate(key, value) === s.not) return;
            break;
          case 'mapValues':
            value = s.mapper(value, key);
            changed = true;
            break;
          case 'selectKey':
            key = s.selector(key, value);
            changed = true;
            break;
          case 'map': {
            const kv = s.mapper(key, value);
            if (kv === null || typeof kv !== 'object') throw new TypeError(`map() must return a KeyValue ({ key, value }), got ${String(kv)}`);
            key = kv.key;
            value = kv.value;
            changed = true;
            break;
          }
          case 'peek':
            s.action(key, value);
            break;
          case 'flatMapValues': {
            const values = s.mapper(value, key);
            if (values == null || typeof (values as Iterable<unknown>)[Symbol.iterator] !== 'function') {
              throw new TypeError(`flatMap/flatMapValues must return an iterable (an array, for example), got ${String(values)}`);
            }
            return this.#each(Array.isArray(values) ? values : [...values], i + 1, key, record);
          }
        }
      }
    } catch (e) {
      throw wrapError(e, this.names[i]!, this.host);
    }
    return forwardTo(this.children, changed ? { key, value, timestamp: record.timestamp, headers: record.headers } : record, this.host);
  }

  #each(items: readonly unknown[], next: number, key: unknown, record: StreamRecord<unknown, unknown>): MaybePromise<void> {
    for (let j = 0; j < items.length; j++) {
      const r = this.#run(next, key, items[j], true, record);
      if (r !== undefined && isPromise(r)) return this.#eachAsync(r, items, j + 1, next, key, record);
    }
  }

  async #eachAsync(first: Promise<void>, items: readonly unknown[], from: number, next: number, key: unknown, record: StreamRecord<unknown, unknown>): Promise<void> {
    await first;
    for (let j = from; j < items.length; j++) await this.#run(next, key, items[j], true, record);
  }
}

/**
 * Replaces chains of fusable processor nodes by FusedNodes. `stepFor(name)` gives a node's step when its operator
 * is a built-in one-record operator with a single parent; a chain continues while a node has one child.
 */
export function fuseChains(nodes: readonly Node[], host: NodeHost, stepFor: (name: string) => FusableStep | undefined): void {
  const absorbed = new Set<Node>();
  for (const parent of nodes) {
    if (absorbed.has(parent)) continue;
    for (let c = 0; c < parent.children.length; c++) {
      const first = parent.children[c]!;
      const firstStep = first instanceof ProcessorNode ? stepFor(first.name) : undefined;
      if (!firstStep) continue;
      const chain: Node[] = [first];
      const steps: FusableStep[] = [firstStep];
      let last = first;
      while (last.children.length === 1) {
        const next = last.children[0]!;
        const s = next instanceof ProcessorNode ? stepFor(next.name) : undefined;
        if (!s) break;
        chain.push(next);
        steps.push(s);
        last = next;
      }
      if (chain.length < 2) continue;
      const fused = new FusedNode(host, steps, chain.map((n) => n.name));
      for (const child of last.children) fused.addChild(child);
      parent.children[c] = fused;
      parent.childByName.set(first.name, fused);
      for (const n of chain) absorbed.add(n);
    }
  }
}
