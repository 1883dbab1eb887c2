import type { Assignor, GroupMember, MemberAssignment, TopicPartition } from '../kafka/client.js';
import type { TopologyMetadata } from './internal-topics.js';

/** What a member tells the leader (tasks it has state for) and what the leader hands back. */
export interface TaskAssignment {
  readonly active: readonly string[];
  readonly standby: readonly string[];
  /**
   * In a subscription: this instance asks the whole application to shut down (SHUTDOWN_APPLICATION). In an
   * assignment: every member is told to shut down (Kafka Streams carries this as an error code in the assignment).
   */
  readonly shutdown?: boolean;
}

export function encodeAssignment(a: TaskAssignment): Buffer {
  return Buffer.from(JSON.stringify(a));
}

export function decodeAssignment(b: Buffer | undefined): TaskAssignment {
  if (!b || b.length === 0) return { active: [], standby: [] };
  try {
    const parsed = JSON.parse(b.toString('utf8')) as Partial<TaskAssignment>;
    return { active: parsed.active ?? [], standby: parsed.standby ?? [], ...(parsed.shutdown ? { shutdown: true } : {}) };
  } catch {
    return { active: [], standby: [] };
  }
}

export const taskId = (subtopology: number, partition: number): string => `${subtopology}_${partition}`;

export function parseTaskId(id: string): { subtopology: number; partition: number } {
  const [s, p] = id.split('_');
  return { subtopology: Number(s), partition: Number(p) };
}

/**
 * Kafka Streams' idea of assignment, simplified: tasks (sub-topology x partition) rather than partitions are
 * assigned; sticky (a member keeps the active tasks it had), state-aware (a task goes preferably to a member
 * holding a standby copy of its state), balanced (no member above ceil(tasks / members)), and standby replicas
 * are placed on other members, preferring those that already hold the state.
 */
export class StreamsAssignor implements Assignor {
  readonly name = 'sluice-streams';

  constructor(
    private readonly metadata: () => TopologyMetadata,
    private readonly ownedState: () => TaskAssignment,
    private readonly numStandbyReplicas: number,
    private readonly shutdownRequested: () => boolean = () => false,
  ) {}

  subscriptionUserData(): Buffer {
    return encodeAssignment({ ...this.ownedState(), ...(this.shutdownRequested() ? { shutdown: true } : {}) });
  }

  assign(members: readonly GroupMember[]): Map<string, MemberAssignment> {
    if (members.some((m) => decodeAssignment(m.userData).shutdown)) {
      const shutdown = encodeAssignment({ active: [], standby: [], shutdown: true });
      return new Map(members.map((m) => [m.memberId, { partitions: [], userData: shutdown }]));
    }
    const meta = this.metadata();
    const tasks: string[] = [];
    for (const [sub, n] of meta.tasksPerSubtopology) for (let p = 0; p < n; p++) tasks.push(taskId(sub, p));
    const ids = members.map((m) => m.memberId).sort();
    const owned = new Map(members.map((m) => [m.memberId, decodeAssignment(m.userData)]));
    const capacity = Math.ceil(tasks.length / Math.max(1, ids.length));
    const active = new Map<string, string[]>(ids.map((id) => [id, []]));
    const owner = new Map<string, string>();
    const give = (task: string, member: string): void => {
      active.get(member)!.push(task);
      owner.set(task, member);
    };
    // 1. sticky: previous active owners keep their tasks up to capacity
    for (const task of tasks) {
      const prev = ids.find((id) => owned.get(id)!.active.includes(task) && active.get(id)!.length < capacity);
      if (prev) give(task, prev);
    }
    // 2. state-aware: members with a standby copy take the task
    for (const task of tasks) {
      if (owner.has(task)) continue;
      const warm = ids.find((id) => owned.get(id)!.standby.includes(task) && active.get(id)!.length < capacity);
      if (warm) give(task, warm);
    }
    // 3. the rest to the least loaded
    for (const task of tasks) {
      if (owner.has(task)) continue;
      const least = ids.reduce((a, b) => (active.get(b)!.length < active.get(a)!.length ? b : a));
      give(task, least);
    }
    const standby = new Map<string, string[]>(ids.map((id) => [id, []]));
    for (let r = 0; r < this.numStandbyReplicas; r++) {
      for (const task of tasks) {
        const candidates = ids.filter((id) => id !== owner.get(task) && !standby.get(id)!.includes(task));
        if (!candidates.length) continue;
        const hasState = (id: string): boolean => owned.get(id)!.standby.includes(task) || owned.get(id)!.active.includes(task);
        candidates.sort((a, b) => Number(hasState(b)) - Number(hasState(a)) || standby.get(a)!.length - standby.get(b)!.length || (a < b ? -1 : 1));
        standby.get(candidates[0]!)!.push(task);
      }
    }
    const result = new Map<string, MemberAssignment>();
    for (const id of ids) {
      const partitions: TopicPartition[] = [];
      for (const t of active.get(id)!) {
        const { subtopology, partition } = parseTaskId(t);
        for (const topic of meta.sourceTopics.get(subtopology) ?? []) partitions.push({ topic, partition });
      }
      result.set(id, { partitions, userData: encodeAssignment({ active: active.get(id)!, standby: standby.get(id)! }) });
    }
    return result;
  }
}
