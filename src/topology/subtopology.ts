import type { NodeDef, SinkDef, SourceDef } from './node-defs.js';

/** A connected group of nodes: one task per input partition runs it. */
export interface Subtopology {
  readonly id: number;
  /** Node names in insertion order. */
  readonly nodes: readonly string[];
  readonly sources: readonly SourceDef[];
  readonly sinks: readonly SinkDef[];
  readonly stores: readonly string[];
  /** Fixed input topics (raw names as written in the topology; internal ones get the application prefix). */
  readonly sourceTopics: readonly string[];
  readonly sourcePatterns: readonly RegExp[];
}

/** Union-find over parent links and shared stores, numbered as Kafka Streams does (by sorted source node names). */
export function groupSubtopologies(
  nodes: ReadonlyMap<string, NodeDef>,
  storeUsers: ReadonlyMap<string, ReadonlySet<string>>,
): Subtopology[] {
  const parent = new Map<string, string>();
  const find = (n: string): string => {
    let root = n;
    while (parent.get(root) !== root) root = parent.get(root)!;
    let cur = n;
    while (cur !== root) {
      const next = parent.get(cur)!;
      parent.set(cur, root);
      cur = next;
    }
    return root;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };
  for (const name of nodes.keys()) parent.set(name, name);
  for (const def of nodes.values()) {
    if (def.kind === 'source') continue;
    for (const p of def.parents) if (nodes.has(p)) union(def.name, p);
  }
  for (const users of storeUsers.values()) {
    const list = [...users].filter((u) => nodes.has(u));
    for (let i = 1; i < list.length; i++) union(list[0]!, list[i]!);
  }
  const groups = new Map<string, string[]>();
  for (const name of nodes.keys()) {
    const root = find(name);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = []));
    g.push(name);
  }
  // Kafka's makeNodeGroups: ids go to groups in the order of their sorted source names, then of other sorted names
  const ordered = new Set<string[]>();
  const sortedNames = [...nodes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of sortedNames) if (nodes.get(name)!.kind === 'source') ordered.add(groups.get(find(name))!);
  for (const name of sortedNames) ordered.add(groups.get(find(name))!);
  const result: Subtopology[] = [];
  let id = 0;
  for (const members of ordered) {
    const defs = members.map((m) => nodes.get(m)!);
    const sources = defs.filter((d): d is SourceDef => d.kind === 'source');
    const sinks = defs.filter((d): d is SinkDef => d.kind === 'sink');
    const stores = [...storeUsers.entries()].filter(([, users]) => members.some((m) => users.has(m))).map(([s]) => s);
    result.push({
      id: id++,
      nodes: members,
      sources,
      sinks,
      stores,
      sourceTopics: sources.flatMap((s) => s.topics),
      sourcePatterns: sources.flatMap((s) => (s.pattern ? [s.pattern] : [])),
    });
  }
  return result;
}
