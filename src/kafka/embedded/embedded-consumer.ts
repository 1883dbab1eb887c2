/**
 * Consumer of the embedded cluster: group membership (subscribe) or manual assignment, fetch positions, pause,
 * seek, and commits. Rebalance callbacks run inside `poll`, as in the Java client.
 */
import type {
  Assignor,
  ConsumedRecord,
  Consumer,
  ConsumerOptions,
  GroupMetadata,
  IsolationLevel,
  OffsetReset,
  RebalanceListener,
  TopicPartition,
  TopicPartitionOffset,
} from '../client.js';
import { tpKey } from '../client.js';
import { IllegalStateError } from '../../errors.js';
import { rangeAssignor } from './assignors.js';
import type { Broker } from './broker.js';
import { ClientLife } from './client-life.js';
import type { ConsumerGroup, MemberState } from './consumer-group.js';
import type { OwnedClient } from './crash.js';
import { noGroupId, unknownPartition, unstableOffset } from './kafka-errors.js';
import type { PartitionLog } from './partition-log.js';
import { sleep } from './signal.js';

const DEFAULT_SESSION_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_POLL_RECORDS = 1000;
/** How long `committed` waits for a pending transactional offset to be decided (Java's default.api.timeout.ms). */
const DEFAULT_API_TIMEOUT_MS = 60_000;
/** Kafka's special offsets for `assign`. */
export const EARLIEST_OFFSET = -2;
export const LATEST_OFFSET = -1;

interface PartitionState {
  readonly tp: TopicPartition;
  readonly key: string;
  readonly log: PartitionLog;
  /** Next offset to fetch; undefined until resolved from the committed offset or the reset policy. */
  position: number | undefined;
  paused: boolean;
}

export class EmbeddedConsumer implements Consumer, OwnedClient {
  private readonly life: ClientLife;
  private readonly groupId: string | undefined;
  private readonly clientId: string;
  private isolation: IsolationLevel;
  private reset: OffsetReset;
  /** Whether the options named these (a kafkajs-style subscribe only fills in what was not named). */
  readonly #explicit: { isolation: boolean; reset: boolean };
  private readonly sessionTimeoutMs: number;
  private readonly maxPollRecords: number;
  private mode: 'none' | 'subscribed' | 'assigned' = 'none';
  private listener: RebalanceListener | null = null;
  private subscription: readonly string[] | RegExp = [];
  private assignor: Assignor = rangeAssignor;
  private member: MemberState | null = null;
  /** Generation of the current assignment (-1 before the first one). */
  private generation = -1;
  private owned = new Map<string, PartitionState>();
  private ownedList: PartitionState[] = [];
  private rotation = 0;
  private polling = false;

  constructor(
    private readonly broker: Broker,
    options: ConsumerOptions,
    private readonly onClose: () => void = () => {},
  ) {
    this.life = new ClientLife('consumer', broker);
    this.groupId = options.groupId;
    this.clientId = options.clientId ?? 'consumer';
    this.isolation = options.isolationLevel ?? 'read_uncommitted';
    this.reset = options.autoOffsetReset ?? 'earliest';
    this.#explicit = { isolation: options.isolationLevel !== undefined, reset: options.autoOffsetReset !== undefined };
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.maxPollRecords = options.maxPollRecords ?? DEFAULT_MAX_POLL_RECORDS;
  }

  /** kafkajs defaults (read_committed, fromBeginning false = latest) for what the options left open. */
  adoptKafkajsDefaults(fromBeginning: boolean): void {
    if (!this.#explicit.isolation) this.isolation = 'read_committed';
    if (!this.#explicit.reset) this.reset = fromBeginning ? 'earliest' : 'latest';
  }

  async subscribe(topics: readonly string[] | RegExp, listener: RebalanceListener, assignor?: Assignor): Promise<void> {
    this.life.ensureUsable();
    if (this.groupId === undefined) throw noGroupId('subscribe');
    if (this.mode === 'assigned') {
      throw new IllegalStateError('Cannot subscribe: this consumer uses manual assignment (assign); use one or the other.');
    }
    this.mode = 'subscribed';
    this.listener = listener;
    this.assignor = assignor ?? rangeAssignor;
    this.subscription = topics instanceof RegExp ? topics : [...topics];
    const group = this.group()!;
    if (this.member && group.members.has(this.member.memberId)) {
      group.resubscribe(this.member.memberId, this.subscription, this.assignor);
    } else {
      this.join(group);
    }
  }

  async assign(partitions: readonly TopicPartitionOffset[]): Promise<void> {
    this.life.ensureUsable();
    if (this.mode === 'subscribed') {
      throw new IllegalStateError('Cannot assign: this consumer is subscribed to a group; use one or the other.');
    }
    const next: PartitionState[] = [];
    for (const { topic, partition, offset } of partitions) {
      const t = this.broker.requireTopic(topic);
      const log = t.partitions[partition];
      if (!log) throw unknownPartition(topic, partition, t.partitionCount);
      const position = offset >= 0 ? offset : offset === EARLIEST_OFFSET ? log.startOffset : offset === LATEST_OFFSET ? this.latest(log) : undefined;
      next.push({ tp: { topic, partition }, key: tpKey(topic, partition), log, position, paused: false });
    }
    this.mode = next.length ? 'assigned' : 'none';
    this.setOwned(next);
  }

  async poll(maxWaitMs: number): Promise<ConsumedRecord[]> {
    this.life.ensureUsable();
    if (this.polling) throw new IllegalStateError('poll() called while another poll() of this consumer is pending.');
    const faults = this.broker.faults;
    if (this.mode === 'subscribed') faults.onGroupPoll?.();
    const injected = faults.takePollFailure();
    if (injected) throw injected;
    this.polling = true;
    this.markBusy(true);
    try {
      // a manually assigned consumer is a restore consumer (it has no group): delayRestore slows it down
      const slow = this.mode === 'assigned' ? faults.restoreDelay : undefined;
      const delayMs = faults.pollDelayMs + (slow?.ms ?? 0);
      if (delayMs > 0) {
        await sleep(delayMs);
        if (!this.life.usable) return [];
      }
      const limit = Math.min(this.maxPollRecords, slow?.maxRecords ?? Infinity);
      const deadline = Date.now() + Math.max(0, maxWaitMs);
      for (;;) {
        if (this.mode === 'subscribed') await this.rebalance();
        if (!this.life.usable) return [];
        const records = this.fetch(limit);
        if (records.length > 0) return records;
        const remaining = deadline - Date.now();
        if (remaining <= 0) return records;
        await this.broker.signal.wait(remaining);
        if (!this.life.usable) return [];
      }
    } finally {
      this.polling = false;
      this.markBusy(false);
    }
  }

  seek(partition: TopicPartitionOffset): void {
    this.life.ensureUsable();
    this.requireOwned(partition, 'seek').position = partition.offset;
  }

  pause(partitions: readonly TopicPartition[]): void {
    this.life.ensureUsable();
    for (const tp of partitions) this.requireOwned(tp, 'pause').paused = true;
  }

  resume(partitions: readonly TopicPartition[]): void {
    this.life.ensureUsable();
    for (const tp of partitions) this.requireOwned(tp, 'resume').paused = false;
  }

  /** Partitions currently paused. */
  paused(): TopicPartition[] {
    return this.ownedList.filter((p) => p.paused).map((p) => p.tp);
  }

  /** Partitions currently assigned (by the group or by `assign`). */
  assignment(): TopicPartition[] {
    return this.ownedList.map((p) => p.tp);
  }

  /** The next offset this consumer will fetch from the partition; undefined if not assigned or not yet resolved. */
  position(partition: TopicPartition): number | undefined {
    return this.owned.get(tpKey(partition.topic, partition.partition))?.position;
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.life.ensureUsable();
    if (this.groupId === undefined) throw noGroupId('commit offsets');
    const injected = this.broker.faults.takeCommitFailure();
    if (injected) throw injected;
    const group = this.group()!;
    const subscribed = this.mode === 'subscribed' && this.member !== null;
    if (subscribed) group.heartbeat(this.member!.memberId, Date.now());
    const err = subscribed ? group.validateCommit(this.member!.memberId, this.generation) : group.validateCommit('', -1);
    if (err) throw err;
    for (const o of offsets) group.commitOffset(o.topic, o.partition, o.offset);
  }

  async committed(partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    this.life.ensureUsable();
    if (this.groupId === undefined) throw noGroupId('fetch committed offsets');
    const group = this.group()!;
    const keys = partitions.map((p) => tpKey(p.topic, p.partition));
    // Like Kafka (KIP-447), wait while an open transaction carries an offset for one of them.
    const deadline = Date.now() + DEFAULT_API_TIMEOUT_MS;
    for (;;) {
      const pending = keys.find((k) => group.pendingTxnOffsets.has(k));
      if (pending === undefined) break;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw unstableOffset(group.groupId, pending);
      await this.broker.signal.wait(remaining);
      this.life.ensureUsable();
    }
    const out = new Map<string, number>();
    for (const k of keys) {
      const o = group.offsets.get(k);
      if (o !== undefined) out.set(k, o);
    }
    return out;
  }

  groupMetadata(): GroupMetadata {
    return { groupId: this.groupId ?? '', generationId: this.generation, memberId: this.member?.memberId ?? '' };
  }

  /** Leaves the group (revoking owned partitions through the listener first, as the Java client does). */
  async close(): Promise<void> {
    if (this.life.state !== 'open') return;
    let error: unknown;
    const group = this.group();
    if (!this.broker.closed && group && this.member && group.members.has(this.member.memberId)) {
      const revoked = this.releaseAll();
      if (revoked.length > 0 && this.listener) {
        try {
          await this.listener.onPartitionsRevoked(revoked);
        } catch (err) {
          error = err;
        }
      }
      group.leave(this.member.memberId);
    }
    this.releaseAll();
    this.life.state = 'closed';
    this.onClose();
    this.broker.notify();
    if (error !== undefined) throw error;
  }

  crashNow(): void {
    if (this.life.state !== 'open') return;
    this.life.state = 'crashed';
    // Modelled as an expired session: the member is gone at once and the group rebalances.
    const group = this.group();
    if (group && this.member) group.leave(this.member.memberId);
    this.releaseAll();
    this.broker.notify();
  }

  private group(): ConsumerGroup | undefined {
    return this.groupId === undefined ? undefined : this.broker.group(this.groupId);
  }

  private join(group: ConsumerGroup): void {
    this.member = group.join({
      memberId: this.broker.nextMemberId(this.clientId),
      clientId: this.clientId,
      subscription: this.subscription,
      assignor: this.assignor,
      userData: this.assignor.subscriptionUserData(),
      sessionTimeoutMs: this.sessionTimeoutMs,
      lastSeen: Date.now(),
    });
    if (this.polling) this.member.busy = 1;
  }

  private markBusy(busy: boolean): void {
    const m = this.member;
    if (!m) return;
    m.busy = busy ? 1 : 0;
    m.lastSeen = Date.now();
  }

  /** Takes the rebalance steps the group expects of this member; listener errors are thrown once it is done. */
  private async rebalance(): Promise<void> {
    const group = this.group()!;
    const listener = this.listener!;
    let callbackError: unknown;
    const call = async (fn: () => Promise<void> | void): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        callbackError ??= err;
      }
    };
    // Bounded: each step changes state, and a pathological listener must not spin the poll forever.
    for (let step = 0; step < 100 && this.life.usable; step++) {
      const m = this.member;
      if (!m || !group.heartbeat(m.memberId, Date.now())) {
        // Session expired (or removed): the partitions are lost, not revoked; rejoin as a new member.
        const lost = this.releaseAll();
        if (lost.length > 0) {
          await call(() => (listener.onPartitionsLost ? listener.onPartitionsLost(lost) : listener.onPartitionsRevoked(lost)));
        }
        if (this.life.usable) this.join(group);
        continue;
      }
      if (m.error !== undefined) {
        const err = m.error;
        m.error = undefined;
        throw err;
      }
      if (group.state === 'PreparingRebalance' && !m.joined) {
        // Eager protocol: give up everything before rejoining; commits here still carry the current generation.
        const revoked = this.releaseAll();
        if (revoked.length > 0) await call(() => listener.onPartitionsRevoked(revoked));
        if (this.member === m && this.life.usable) group.rejoin(m.memberId, this.assignor.subscriptionUserData());
        continue;
      }
      if (group.state === 'Stable' && m.assignment && m.generation > this.generation) {
        const assignment = m.assignment;
        this.generation = m.generation;
        this.setOwned(this.statesFor(assignment.partitions));
        await call(() => listener.onPartitionsAssigned(this.assignment(), assignment.userData));
        continue;
      }
      break;
    }
    if (callbackError !== undefined) throw callbackError;
  }

  private statesFor(partitions: readonly TopicPartition[]): PartitionState[] {
    const out: PartitionState[] = [];
    for (const { topic, partition } of partitions) {
      const log = this.broker.topics.get(topic)?.partitions[partition];
      // An assignor may name partitions that do not exist; a real consumer would not fetch them either.
      if (log) out.push({ tp: { topic, partition }, key: tpKey(topic, partition), log, position: undefined, paused: false });
    }
    return out;
  }

  private setOwned(states: PartitionState[]): void {
    this.owned = new Map(states.map((s) => [s.key, s]));
    this.ownedList = [...this.owned.values()];
  }

  private releaseAll(): TopicPartition[] {
    const released = this.assignment();
    this.setOwned([]);
    return released;
  }

  private requireOwned(tp: TopicPartition, operation: string): PartitionState {
    const s = this.owned.get(tpKey(tp.topic, tp.partition));
    if (!s) throw new IllegalStateError(`Cannot ${operation} ${tp.topic}-${tp.partition}: it is not assigned to this consumer.`);
    return s;
  }

  private latest(log: PartitionLog): number {
    return this.isolation === 'read_committed' ? log.lastStableOffset : log.endOffset;
  }

  /** Resolves a partition's start: the group's committed offset, else the reset policy. */
  private initPosition(s: PartitionState): void {
    const group = this.group();
    if (group) {
      // A transaction still holds an offset for it: wait until it is decided (KIP-447).
      if (group.pendingTxnOffsets.has(s.key)) return;
      const committed = group.offsets.get(s.key);
      if (committed !== undefined) {
        s.position = committed;
        return;
      }
    }
    s.position = this.reset === 'earliest' ? s.log.startOffset : this.latest(s.log);
  }

  private fetch(limit: number): ConsumedRecord[] {
    const out: ConsumedRecord[] = [];
    const list = this.ownedList;
    const n = list.length;
    if (n === 0) return out;
    // Rotate the starting partition so one busy partition cannot starve the others.
    const start = this.rotation++ % n;
    for (let i = 0; i < n && out.length < limit; i++) {
      const s = list[(start + i) % n]!;
      if (s.paused) continue;
      if (s.position === undefined) this.initPosition(s);
      if (s.position === undefined) continue;
      // Out of range (beyond the end): reset, as auto.offset.reset does.
      if (s.position > s.log.endOffset || s.position < s.log.startOffset) {
        s.position = this.reset === 'earliest' ? s.log.startOffset : this.latest(s.log);
      }
      s.position = s.log.read(s.position, limit - out.length, this.isolation, out);
    }
    return out;
  }
}
