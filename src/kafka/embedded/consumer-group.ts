/**
 * The group coordinator's view of one consumer group: members, generations, the rebalance protocol, and the
 * group's committed offsets (including offsets pending in an open transaction).
 *
 * Protocol (eager, like Kafka's classic JoinGroup/SyncGroup): a membership or metadata change puts the group in
 * PreparingRebalance; every member must rejoin (its consumer does so in `poll`, after revoking all its partitions);
 * when all have rejoined the generation increments, the leader's assignor computes the assignment, and the group is
 * Stable. Offsets committed during PreparingRebalance with the still-current generation are accepted, which is how
 * a member commits in onPartitionsRevoked. Members that do not poll within their session timeout are removed.
 */
import type { Assignor, GroupMember, MemberAssignment } from '../client.js';
import { tpKey } from '../client.js';
import type { KafkaError, ProducerFencedError } from '../../errors.js';
import { illegalGeneration, staleGeneration, unknownMember } from './kafka-errors.js';
import { rangeAssignor } from './assignors.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'Stable';

/** What the group needs from the cluster. */
export interface GroupContext {
  partitionCount(topic: string): number | undefined;
  topicNames(): Iterable<string>;
  /** Wakes waiting polls (a rebalance step may be theirs to take). */
  notify(): void;
}

export interface MemberState {
  readonly memberId: string;
  readonly clientId: string;
  subscription: readonly string[] | RegExp;
  assignor: Assignor;
  userData: Buffer;
  readonly sessionTimeoutMs: number;
  lastSeen: number;
  /** >0 while the member's consumer is inside poll (it is alive, as a heartbeat thread would tell). */
  busy: number;
  /** Rejoined in the current rebalance round. */
  joined: boolean;
  /** Generation of `assignment`. */
  generation: number;
  assignment: MemberAssignment | null;
  /** An error of the rebalance to surface from this member's next poll (the leader's assignor threw). */
  error: unknown;
}

const NO_ASSIGNMENT: MemberAssignment = { partitions: [], userData: Buffer.alloc(0) };

export function matches(subscription: readonly string[] | RegExp, topic: string): boolean {
  if (Array.isArray(subscription)) return subscription.includes(topic);
  const re = subscription as RegExp;
  re.lastIndex = 0; // a /g or /y pattern keeps state between test() calls
  return re.test(topic);
}

export class ConsumerGroup {
  state: GroupState = 'Empty';
  generationId = 0;
  leaderId: string | null = null;
  /** Insertion order is join order; the oldest member leads. */
  readonly members = new Map<string, MemberState>();
  readonly offsets = new Map<string, number>();
  /** tpKey -> producer id of an open transaction that carries an offset for it (KIP-447 unstable offsets). */
  readonly pendingTxnOffsets = new Map<string, number>();
  private expiryTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly groupId: string,
    private readonly ctx: GroupContext,
  ) {}

  /** A new member joins; the group rebalances. */
  join(member: Omit<MemberState, 'joined' | 'generation' | 'assignment' | 'error' | 'busy'>): MemberState {
    this.prepareRebalance();
    const state: MemberState = { ...member, busy: 0, joined: true, generation: -1, assignment: null, error: undefined };
    this.members.set(member.memberId, state);
    // Reschedule: the newcomer's session may end before the current timer fires.
    this.clearExpiry();
    this.scheduleExpiry();
    this.maybeComplete();
    return state;
  }

  /** An existing member rejoins the pending rebalance with fresh subscription data. */
  rejoin(memberId: string, userData: Buffer): void {
    const m = this.members.get(memberId);
    if (!m) return;
    m.userData = userData;
    m.joined = true;
    this.maybeComplete();
  }

  leave(memberId: string): void {
    if (!this.members.delete(memberId)) return;
    if (this.members.size === 0) {
      // Kafka bumps the generation when the group empties, so offsets from the old members are stale.
      this.state = 'Empty';
      this.generationId++;
      this.leaderId = null;
      this.clearExpiry();
      this.ctx.notify();
      return;
    }
    this.prepareRebalance();
    this.maybeComplete();
  }

  /** Subscription change of an existing member (subscribe called again). */
  resubscribe(memberId: string, subscription: readonly string[] | RegExp, assignor: Assignor): void {
    const m = this.members.get(memberId);
    if (!m) return;
    m.subscription = subscription;
    m.assignor = assignor;
    this.prepareRebalance();
  }

  /** A poll from the member: refresh its session and expire silent members. Returns false if it is gone. */
  heartbeat(memberId: string, now: number): boolean {
    const m = this.members.get(memberId);
    if (m) m.lastSeen = now;
    this.expireStale(now);
    return this.members.has(memberId);
  }

  /** A topic appeared: members subscribed to it (by name or pattern) need a new assignment. */
  topicCreated(topic: string): void {
    if (this.state === 'Empty') return;
    for (const m of this.members.values()) {
      if (matches(m.subscription, topic)) {
        this.prepareRebalance();
        return;
      }
    }
  }

  /** Validates a consumer's plain offset commit (generation -1 and no member id: a group-less "simple" commit). */
  validateCommit(memberId: string, generationId: number): KafkaError | null {
    if (generationId < 0 && memberId === '') {
      return this.members.size === 0 ? null : unknownMember(this.groupId, memberId || '(none)');
    }
    if (!this.members.has(memberId)) return unknownMember(this.groupId, memberId);
    if (generationId !== this.generationId) return illegalGeneration(this.groupId, generationId, this.generationId);
    return null;
  }

  /** Validates group metadata sent with offsets in a transaction: a stale member is fenced. */
  validateTxnCommit(memberId: string, generationId: number): ProducerFencedError | null {
    if (generationId < 0 && memberId === '') return null;
    const inGroup = this.members.has(memberId);
    if (!inGroup || generationId !== this.generationId) {
      return staleGeneration(this.groupId, memberId, generationId, this.generationId, inGroup);
    }
    return null;
  }

  commitOffset(topic: string, partition: number, offset: number): void {
    this.offsets.set(tpKey(topic, partition), offset);
  }

  /** Existing topics the member subscribes to. */
  subscribedTopics(m: MemberState): string[] {
    if (Array.isArray(m.subscription)) return m.subscription.filter((t) => this.ctx.partitionCount(t) !== undefined);
    const out: string[] = [];
    for (const t of this.ctx.topicNames()) if (matches(m.subscription, t)) out.push(t);
    return out.sort();
  }

  private prepareRebalance(): void {
    if (this.state !== 'PreparingRebalance') {
      this.state = 'PreparingRebalance';
      for (const m of this.members.values()) m.joined = false;
    }
    this.ctx.notify();
  }

  private maybeComplete(): void {
    if (this.state !== 'PreparingRebalance' || this.members.size === 0) return;
    for (const m of this.members.values()) if (!m.joined) return;
    const leader = this.members.values().next().value!;
    const groupMembers: GroupMember[] = [];
    const counts = new Map<string, number>();
    for (const m of this.members.values()) {
      const topics = this.subscribedTopics(m);
      for (const t of topics) counts.set(t, this.ctx.partitionCount(t)!);
      groupMembers.push({ memberId: m.memberId, userData: m.userData, topics });
    }
    let assignment: Map<string, MemberAssignment>;
    try {
      assignment = leader.assignor.assign(groupMembers, counts);
    } catch (err) {
      // The leader's SyncGroup fails: it must rejoin; its next poll reports the error.
      leader.joined = false;
      leader.error = err;
      this.ctx.notify();
      return;
    }
    this.generationId++;
    this.leaderId = leader.memberId;
    this.state = 'Stable';
    for (const m of this.members.values()) {
      m.generation = this.generationId;
      m.assignment = assignment.get(m.memberId) ?? NO_ASSIGNMENT;
    }
    this.ctx.notify();
  }

  /** Removes members that neither polled nor sat in a poll for longer than their session timeout. */
  expireStale(now: number): void {
    let expired = false;
    for (const m of [...this.members.values()]) {
      if (m.busy === 0 && now - m.lastSeen > m.sessionTimeoutMs) {
        this.members.delete(m.memberId);
        expired = true;
      }
    }
    if (!expired) return;
    if (this.members.size === 0) {
      this.state = 'Empty';
      this.generationId++;
      this.leaderId = null;
      this.ctx.notify();
    } else {
      this.prepareRebalance();
      this.maybeComplete();
    }
  }

  /** One unref'd timer per group, at the earliest possible expiry, so a silent member goes even if nobody polls. */
  private scheduleExpiry(): void {
    if (this.expiryTimer || this.members.size === 0) return;
    const now = Date.now();
    let next = Infinity;
    for (const m of this.members.values()) {
      next = Math.min(next, (m.busy > 0 ? now : m.lastSeen) + m.sessionTimeoutMs);
    }
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = null;
      this.expireStale(Date.now());
      this.scheduleExpiry();
    }, Math.max(1, next - now + 1));
    this.expiryTimer.unref();
  }

  private clearExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
  }

  close(): void {
    this.clearExpiry();
  }
}
