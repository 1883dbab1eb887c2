/**
 * The port's `Assignor` as a kafkajs partition assigner (run on the group leader).
 *
 * kafkajs decodes the member assignment but drops its `userData` before telling the member anything (the
 * GROUP_JOIN event only carries topic -> partitions). So the assignment userData also travels in a side channel:
 * extra pseudo-topics named `__sluice.ud.<chunk#>.<base64>` with no partitions. kafkajs strips topics the member
 * did not subscribe to and reports them in the RECEIVED_UNSUBSCRIBED_TOPICS event, which the consumer adapter
 * decodes with `decodeSideChannel` (kafkajs also logs a warning for them, which the default 'nothing' log level
 * hides). The standard userData field is filled in as well, for tooling that reads assignments.
 */
import kafkajs from 'kafkajs';
import type { PartitionAssigner } from 'kafkajs';
import type { Assignor, GroupMember } from '../client.js';

const { AssignerProtocol } = kafkajs;

const SIDE_PREFIX = '__sluice.ud.';
/** kafkajs writes topic names as int16-length strings. */
const SIDE_CHUNK = 30_000;

/** The narrow part of kafkajs' internal Cluster the assigner needs (it is not in kafkajs' public types). */
interface AssignerCluster {
  findTopicPartitionMetadata(topic: string): readonly { partitionId: number }[];
  addMultipleTargetTopics?(topics: string[]): Promise<void>;
  refreshMetadata?(): Promise<void>;
}

export function assignorToKafkajs(assignor: Assignor): PartitionAssigner {
  return ({ cluster }) => {
    const c = cluster as unknown as AssignerCluster;
    return {
      name: assignor.name,
      version: 0,
      protocol({ topics }) {
        return {
          name: assignor.name,
          metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: assignor.subscriptionUserData() }),
        };
      },
      async assign({ members, topics }) {
        const decoded: GroupMember[] = members.map((m) => {
          const meta = AssignerProtocol.MemberMetadata.decode(m.memberMetadata);
          return { memberId: m.memberId, topics: meta?.topics ?? [], userData: meta?.userData ?? Buffer.alloc(0) };
        });
        const allTopics = [...new Set([...topics, ...decoded.flatMap((m) => m.topics)])];
        // Other members may subscribe to topics the leader has no metadata for yet.
        const unknown = allTopics.filter((t) => c.findTopicPartitionMetadata(t).length === 0);
        if (unknown.length > 0 && c.addMultipleTargetTopics) {
          await c.addMultipleTargetTopics(unknown);
          await c.refreshMetadata?.();
        }
        const counts = new Map<string, number>();
        for (const t of allTopics) {
          const n = c.findTopicPartitionMetadata(t).length;
          if (n > 0) counts.set(t, n);
        }
        const result = assignor.assign(decoded, counts);
        return decoded.map((m) => {
          const a = result.get(m.memberId);
          const assignment: Record<string, number[]> = {};
          for (const tp of a?.partitions ?? []) (assignment[tp.topic] ??= []).push(tp.partition);
          const userData = a?.userData ?? Buffer.alloc(0);
          for (const name of encodeSideChannel(userData)) assignment[name] = [];
          return {
            memberId: m.memberId,
            memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment, userData }),
          };
        });
      },
    };
  };
}

export function encodeSideChannel(userData: Buffer): string[] {
  if (userData.length === 0) return [];
  const b64 = userData.toString('base64');
  const out: string[] = [];
  for (let i = 0, n = 0; i < b64.length; i += SIDE_CHUNK, n++) out.push(`${SIDE_PREFIX}${n}.${b64.slice(i, i + SIDE_CHUNK)}`);
  return out;
}

export function decodeSideChannel(topics: readonly string[]): Buffer | undefined {
  const parts = topics
    .filter((t) => t.startsWith(SIDE_PREFIX))
    .map((t) => {
      const rest = t.slice(SIDE_PREFIX.length);
      const dot = rest.indexOf('.');
      return { n: Number(rest.slice(0, dot)), data: rest.slice(dot + 1) };
    })
    .sort((a, b) => a.n - b.n);
  if (parts.length === 0) return undefined;
  return Buffer.from(parts.map((p) => p.data).join(''), 'base64');
}

/** Assigner for the groupless (manual `assign`) consumer: its private group has one member, which gets everything. */
export function allToOneAssigner(): PartitionAssigner {
  return ({ cluster }) => {
    const c = cluster as unknown as AssignerCluster;
    return {
      name: 'SluiceManualAssigner',
      version: 0,
      protocol({ topics }) {
        return { name: 'SluiceManualAssigner', metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
      },
      async assign({ members, topics }) {
        const assignment: Record<string, number[]> = {};
        for (const t of topics) assignment[t] = c.findTopicPartitionMetadata(t).map((p) => p.partitionId);
        return members.map((m, i) => ({
          memberId: m.memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: i === 0 ? assignment : {}, userData: Buffer.alloc(0) }),
        }));
      },
    };
  };
}
