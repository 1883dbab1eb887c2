/**
 * Built-in partition assignors, used when `subscribe` is given none. Both are deterministic: members are sorted by
 * member id, as Kafka's RangeAssignor and RoundRobinAssignor do.
 */
import type { Assignor, GroupMember, MemberAssignment, TopicPartition } from '../client.js';

const EMPTY = Buffer.alloc(0);

function sortedMembers(members: readonly GroupMember[]): GroupMember[] {
  return [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
}

function result(members: readonly GroupMember[], parts: Map<string, TopicPartition[]>): Map<string, MemberAssignment> {
  const out = new Map<string, MemberAssignment>();
  for (const m of members) out.set(m.memberId, { partitions: parts.get(m.memberId) ?? [], userData: EMPTY });
  return out;
}

/** Kafka's range assignor: per topic, consecutive partition ranges; the first members get one extra. */
export const rangeAssignor: Assignor = {
  name: 'range',
  subscriptionUserData: () => EMPTY,
  assign(members, partitionCounts) {
    const parts = new Map<string, TopicPartition[]>();
    const topics = [...partitionCounts.keys()].sort();
    for (const topic of topics) {
      const subs = sortedMembers(members.filter((m) => m.topics.includes(topic)));
      if (subs.length === 0) continue;
      const n = partitionCounts.get(topic)!;
      const per = Math.floor(n / subs.length);
      const extra = n % subs.length;
      subs.forEach((m, i) => {
        const start = i * per + Math.min(i, extra);
        const len = per + (i < extra ? 1 : 0);
        let list = parts.get(m.memberId);
        if (!list) parts.set(m.memberId, (list = []));
        for (let p = start; p < start + len; p++) list.push({ topic, partition: p });
      });
    }
    return result(members, parts);
  },
};

/** Kafka's round-robin assignor: all partitions of all topics, dealt out in turn to the members subscribed. */
export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  subscriptionUserData: () => EMPTY,
  assign(members, partitionCounts) {
    const parts = new Map<string, TopicPartition[]>();
    const sorted = sortedMembers(members);
    let next = 0;
    for (const topic of [...partitionCounts.keys()].sort()) {
      const n = partitionCounts.get(topic)!;
      for (let p = 0; p < n; p++) {
        // Skip members not subscribed to this topic, at most one full turn.
        for (let tries = 0; tries < sorted.length; tries++) {
          const m = sorted[next++ % sorted.length]!;
          if (!m.topics.includes(topic)) continue;
          let list = parts.get(m.memberId);
          if (!list) parts.set(m.memberId, (list = []));
          list.push({ topic, partition: p });
          break;
        }
      }
    }
    return result(members, parts);
  },
};
