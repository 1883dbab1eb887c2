/**
 * Consumer port over kafkajs.
 *
 * Pull over push: `consumer.run({ eachBatch })` parks each batch in a RecordBuffer and waits (heartbeating) until
 * `poll` has handed its records out; only then is the offset resolved in kafkajs, so kafkajs never runs ahead of
 * processing. autoCommit is off: offsets are committed only by `commit()` (or by a transaction).
 *
 * Rebalances, within what kafkajs exposes (it runs the eager protocol and its events are fire-and-forget):
 * - REBALANCING (kafkajs saw REBALANCE_IN_PROGRESS / ILLEGAL_GENERATION / NOT_COORDINATOR and rejoins at once,
 *   without waiting for us): nothing is revoked yet, no more records are handed out, and a `commit` waits for the
 *   join (then commits in the new generation, or throws TaskMigratedError if its partitions did not stay).
 * - GROUP_JOIN: the new assignment is reported by `onPartitionsAssigned` at the next `poll`, before any record
 *   of it. Partitions the join keeps are not revoked (as with Kafka Streams' cooperative protocol) and go on
 *   from the adapter's own position, not from the committed offset: kafkajs restarts every partition at its
 *   committed offset after a join, which would hand out again records the runtime already holds or processed
 *   (a NOT_COORDINATOR after a coordinator outage makes kafkajs rejoin with the same assignment). If the join
 *   dropped an owned partition, was not announced by REBALANCING (session expired: UNKNOWN_MEMBER_ID, or a
 *   kafkajs restart after a crash), or the positions are not trusted, every owned partition is reported lost
 *   and all restart from the committed offsets (see RebalanceEvents).
 * - Trust: the runtime closes its tasks dirty when a commit fails (and, under exactly-once, aborts the
 *   transaction) without telling the consumer; records handed out to a task closed that way are gone, so after
 *   a failed `commit` or an aborted transaction of the same owner (`distrustPositions`) the next join restarts
 *   from the committed offsets.
 * - The generation id is not in kafkajs' GROUP_JOIN event; it is learnt from the first heartbeat or commit of
 *   the generation (groupMetadata() says -1 until then). kafkajs' TxnOffsetCommit does not send it anyway.
 * - RegExp subscriptions are resolved by kafkajs once, at subscribe time (topics created later are not picked up).
 *
 * Manual `assign` (restore/global consumers, no group): kafkajs can only fetch inside a consumer group, so the
 * adapter runs a private group with a random id and one member that is assigned every partition of the
 * assigned topics; partitions outside the manual assignment are paused, and assigned ones are positioned with
 * `seek`. Nothing is ever committed for that group. Re-assigning within the same topics is a pause/seek; adding
 * a topic restarts the private consumer (one group join, ~3 s on librdkafka's mock cluster).
 */
import kafkajs from 'kafkajs';
import type { Admin as KafkajsAdminClient, Consumer as KafkajsConsumerClient, EachBatchPayload, Kafka, RetryOptions } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type {
  Assignor,
  ConsumedRecord,
  Consumer,
  ConsumerOptions,
  GroupMetadata,
  RebalanceListener,
  TopicPartition,
  TopicPartitionOffset,
} from '../client.js';
import { tpKey } from '../client.js';
import { IllegalStateError, TaskMigratedError } from '../../errors.js';
import { allToOneAssigner, assignorToKafkajs, decodeSideChannel } from './assignor-bridge.js';
import { kafkaCodeOf, mapKafkaError, wrapKafka } from './error-mapping.js';
import { JoinWatch } from './join-watch.js';
import { groupByTopic, toRecords } from './kafkajs-records.js';
import { RebalanceEvents } from './rebalance-events.js';
import { RecordBuffer } from './record-buffer.js';

const { PartitionAssigners } = kafkajs;

/** Fetch long-poll; also how long kafkajs sleeps when every partition is paused. Bounds pause/seek latency. */
const FETCH_MAX_WAIT_MS = 250;
/** kafkajs workers that may park a batch at once: enough for every partition of a fetch to be in the buffer. */
const CONCURRENT_BATCHES = 64;
const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
/** kafkajs' rebalance timeout: how long a join may take. */
const MIN_REBALANCE_TIMEOUT_MS = 60_000;
/** Protocol errors of a commit that mean "the group is rebalancing": kafkajs rejoins, the commit is retried. */
const REJOIN_CODES = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR_FOR_GROUP']);
/** A commit is retried after at most this many rejoins in a row. */
const MAX_COMMIT_ATTEMPTS = 4;

type Mode = 'idle' | 'subscribed' | 'assigned';

export class KafkajsConsumer implements Consumer {
  private readonly kafka: Kafka;
  private readonly options: ConsumerOptions;
  private readonly maxPollRecords: number;
  private readonly heartbeatMs: number;
  private readonly buffer = new RecordBuffer();

  private mode: Mode = 'idle';
  private kc: KafkajsConsumerClient | undefined;
  private groupId: string | undefined;
  /** run() was called, so kafkajs' consumer group object exists and pause/seek/commit are allowed. */
  private running = false;
  private closed = false;
  /** Batches are accepted from kafkajs only between a GROUP_JOIN and the next rebalance/crash. */
  private accepting = false;
  private fatal: unknown;
  private listener: RebalanceListener | undefined;
  private admin: KafkajsAdminClient | undefined;
  private removeListeners: (() => void)[] = [];
  private readonly closeHooks: (() => void)[] = [];

  /** Partitions kafkajs currently has assigned (the group's view), key -> tp. */
  private kafkajsAssigned = new Map<string, TopicPartition>();
  private readonly rebalance = new RebalanceEvents();
  private sideChannelUserData: Buffer | undefined;
  private generationId = -1;
  private memberId = '';
  /** Every member id this consumer had (kafkajs gets a new one when it restarts after a crash). */
  private readonly memberIds = new Set<string>();

  /** User pauses (tp keys). */
  private readonly paused = new Set<string>();
  /** Joins and rejoins in progress: commits wait for a rejoin to complete. */
  private readonly joinWatch = new JoinWatch();
  /** False after a failed commit or an aborted transaction: the next join must restart from committed offsets. */
  private positionsTrusted = true;
  /** Seeks to apply once kafkajs has the partition assigned. */
  private readonly pendingSeeks = new Map<string, TopicPartitionOffset>();
  /**
   * Next offset to read per partition: after the last record polled, past a fully polled batch's trailing control
   * records, or the last seek. Serves `position` (the changelog reader finishes a restore by it, and lag metrics).
   */
  private readonly positions = new Map<string, number>();
  /** Manual assignment (assign mode). */
  private manual = new Map<string, TopicPartitionOffset>();
  private manualTopics = new Set<string>();

  /** The client's retry options: kafkajs' consumer otherwise overrides them with its own `retries: 5`. */
  private readonly retry: RetryOptions | undefined;

  constructor(kafka: Kafka, options: ConsumerOptions, retry?: RetryOptions) {
    this.kafka = kafka;
    this.options = options;
    this.retry = retry;
    this.maxPollRecords = options.maxPollRecords ?? 1000;
    this.heartbeatMs = options.heartbeatIntervalMs ?? 3000;
  }

  // ---- lifecycle --------------------------------------------------------------------------------------------

  async subscribe(topics: readonly string[] | RegExp, listener: RebalanceListener, assignor?: Assignor): Promise<void> {
    if (this.mode !== 'idle') throw new IllegalStateError(`subscribe() on a consumer that is already ${this.mode}.`);
    if (this.options.groupId === undefined) throw new IllegalStateError('subscribe() needs a consumer created with a groupId.');
    this.mode = 'subscribed';
    this.listener = listener;
    this.groupId = this.options.groupId;
    const kc = this.createKafkajsConsumer(this.groupId, assignor ? [assignorToKafkajs(assignor)] : [PartitionAssigners.roundRobin]);
    await wrapKafka('Connecting the consumer', () => kc.connect());
    await wrapKafka('Subscribing', () =>
      kc.subscribe({ topics: topics instanceof RegExp ? [topics] : [...topics], fromBeginning: this.fromBeginning() }),
    );
    this.startRun();
  }

  async assign(partitions: readonly TopicPartitionOffset[]): Promise<void> {
    if (this.mode === 'subscribed') throw new IllegalStateError('assign() on a consumer that subscribed to a group.');
    this.mode = 'assigned';
    this.manual = new Map(partitions.map((p) => [tpKey(p.topic, p.partition), p]));
    for (const key of this.positions.keys()) if (!this.manual.has(key)) this.positions.delete(key);
    // Records of partitions no longer assigned must not come out of poll.
    this.buffer.release((k) => !this.manual.has(k), false);
    const newTopics = partitions.map((p) => p.topic).filter((t) => !this.manualTopics.has(t));
    for (const p of partitions) this.seek(p);
    if (newTopics.length === 0 && this.kc) {
      this.syncKafkajsPauses();
      return;
    }
    for (const t of newTopics) this.manualTopics.add(t);
    if (this.manualTopics.size === 0) return;
    // (Re)start the private group on the grown topic set; all positions are applied again on its join.
    if (this.kc) await this.stopKafkajs();
    for (const [key, p] of this.manual) this.pendingSeeks.set(key, p);
    this.groupId ??= `sluice-assign-${this.options.clientId ?? 'consumer'}-${randomUUID()}`;
    const kc = this.createKafkajsConsumer(this.groupId, [allToOneAssigner()]);
    await wrapKafka('Connecting the consumer', () => kc.connect());
    await wrapKafka('Subscribing', () => kc.subscribe({ topics: [...this.manualTopics], fromBeginning: true }));
    this.startRun();
  }

  /** Run `hook` once this consumer is closed. */
  onClose(hook: () => void): void {
    this.closeHooks.push(hook);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const hook of this.closeHooks.splice(0)) hook();
    await this.stopKafkajs();
    const admin = this.admin;
    this.admin = undefined;
    if (admin) await admin.disconnect().catch(() => undefined);
  }

  private createKafkajsConsumer(groupId: string, partitionAssigners: NonNullable<Parameters<Kafka['consumer']>[0]>['partitionAssigners']): KafkajsConsumerClient {
    const sessionTimeout = this.options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    const kc = this.kafka.consumer({
      groupId,
      partitionAssigners,
      sessionTimeout,
      rebalanceTimeout: this.rebalanceTimeoutMs(),
      heartbeatInterval: this.heartbeatMs,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      maxBytes: 5 * 1024 * 1024,
      readUncommitted: this.options.isolationLevel !== 'read_committed',
      allowAutoTopicCreation: false,
      ...(this.retry !== undefined ? { retry: this.retry } : {}),
    });
    this.kc = kc;
    const on = kc.events;
    this.removeListeners = [
      kc.on(on.GROUP_JOIN, (e) => this.onGroupJoin(e.payload.memberId, e.payload.memberAssignment)),
      kc.on(on.REBALANCING, () => this.onRebalancing()),
      kc.on(on.CRASH, (e) => this.onCrash(e.payload.error, e.payload.restart)),
      kc.on(on.HEARTBEAT, (e) => this.learnGeneration(e.payload.groupGenerationId)),
      // kafkajs skips batches of only control records (transaction markers) or aborted records without calling
      // eachBatch; this event is the only sign that the position moved past them.
      kc.on(on.END_BATCH_PROCESS, (e) => {
        if (e.payload.batchSize === 0) this.advancePosition(tpKey(e.payload.topic, e.payload.partition), Number(e.payload.lastOffset) + 1);
      }),
      kc.on(on.COMMIT_OFFSETS, (e) => this.learnGeneration(e.payload.groupGenerationId)),
      kc.on(on.RECEIVED_UNSUBSCRIBED_TOPICS, (e) => {
        this.sideChannelUserData = decodeSideChannel(e.payload.topicsNotSubscribed);
      }),
    ];
    return kc;
  }

  private startRun(): void {
    const kc = this.kc!;
    this.running = true;
    // run() resolves after the first join (errors go to the CRASH event), so it is not awaited: members of a
    // group must be able to start together, and rebalance callbacks are delivered from poll.
    kc.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: CONCURRENT_BATCHES,
      eachBatch: (payload) => this.eachBatch(payload),
    }).catch((e: unknown) => {
      this.fatal = e;
      this.buffer.notify();
    });
  }

  private async stopKafkajs(): Promise<void> {
    const kc = this.kc;
    if (!kc) return;
    this.accepting = false;
    this.buffer.releaseAll();
    this.joinWatch.ended();
    for (const off of this.removeListeners) off();
    this.removeListeners = [];
    this.kc = undefined;
    this.running = false;
    this.kafkajsAssigned.clear();
    await wrapKafka('Closing the consumer', () => kc.disconnect());
  }

  private fromBeginning(): boolean {
    return this.options.autoOffsetReset !== 'latest';
  }

  // ---- kafkajs events ---------------------------------------------------------------------------------------

  private onGroupJoin(memberId: string, assignment: Record<string, number[]>): void {
    this.running = true; // after a crash restart, kafkajs' consumer group object exists again from here on
    this.memberId = memberId;
    this.memberIds.add(memberId);
    this.generationId = -1;
    this.kafkajsAssigned = new Map();
    for (const [topic, parts] of Object.entries(assignment)) {
      for (const partition of parts) this.kafkajsAssigned.set(tpKey(topic, partition), { topic, partition });
    }
    if (this.mode === 'subscribed') this.keepPositions(this.rebalance.joined([...this.kafkajsAssigned.values()], this.sideChannelUserData ?? Buffer.alloc(0), this.positionsTrusted));
    this.sideChannelUserData = undefined;
    // Still synchronous inside kafkajs' join: pauses and seeks set here apply to the very first fetch.
    this.applyPendingSeeks();
    this.syncKafkajsPauses();
    this.accepting = true;
    this.joinWatch.joined();
    this.buffer.notify();
  }

  /**
   * After a join: kafkajs' new consumer group generation starts every partition at its committed offset; the
   * partitions kept go on from our own position instead (the records before it are with the runtime already).
   */
  private keepPositions(kept: readonly TopicPartition[]): void {
    const keptKeys = new Set(kept.map((p) => tpKey(p.topic, p.partition)));
    for (const key of [...this.positions.keys()]) if (!keptKeys.has(key)) this.positions.delete(key);
    this.pendingSeeks.clear();
    for (const tp of kept) {
      const key = tpKey(tp.topic, tp.partition);
      const next = this.positions.get(key);
      if (next !== undefined) this.pendingSeeks.set(key, { ...tp, offset: next });
    }
    this.positionsTrusted = true;
  }

  private onRebalancing(): void {
    this.accepting = false;
    // Not handed out yet: fetched again after the join, from our position (kept) or the committed offset (lost).
    this.buffer.releaseAll();
    if (this.mode === 'subscribed') {
      this.rebalance.rebalancing();
      this.joinWatch.rejoinStarted();
    }
    this.buffer.notify();
  }

  /**
   * The runtime dropped work it was handed (a dirty close after an aborted transaction): the positions of this
   * consumer are ahead of what any task holds, so the next join restarts from the committed offsets.
   */
  distrustPositions(): void {
    this.positionsTrusted = false;
  }

  private onCrash(error: unknown, restart: boolean): void {
    this.accepting = false;
    this.buffer.releaseAll();
    this.joinWatch.ended();
    if (restart) {
      // kafkajs restarts the consumer and rejoins: the partitions are lost, not revoked (no chance to commit).
      if (this.mode === 'subscribed') this.rebalance.crashed();
      this.running = false;
      this.kafkajsAssigned.clear();
      // The restarted kafkajs consumer group has forgotten our positions and pauses: re-applied on join, from
      // right after the last record polled (the private group never commits).
      if (this.mode === 'assigned') {
        for (const [key, p] of this.manual) this.pendingSeeks.set(key, { ...p, offset: this.positions.get(key) ?? p.offset });
      } else {
        this.pendingSeeks.clear();
      }
    } else {
      this.fatal = error;
    }
    this.buffer.notify();
  }

  private learnGeneration(generationId: number | undefined): void {
    if (typeof generationId === 'number') this.generationId = generationId;
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const key = tpKey(batch.topic, batch.partition);
    // Not resolving leaves kafkajs' position where it was: the records are fetched again when wanted.
    if (!this.accepting || this.isPausedInKafkajs(key) || payload.isStale()) return;
    // Records before our position were handed out already (a batch released after part of it was taken, e.g. by
    // a failed heartbeat, is fetched again from kafkajs' last resolved offset): never hand a record out twice.
    const next = this.positions.get(key);
    const records = toRecords(batch).filter((r) => next === undefined || r.offset >= next);
    if (records.length === 0) {
      if (batch.messages.length > 0 && payload.isRunning()) payload.resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
      return;
    }
    const outcome = this.buffer.park(records);
    let result: { lastTaken: number | undefined } | undefined;
    while (result === undefined) {
      result = await Promise.race([outcome, sleep(this.heartbeatMs)]);
      if (result !== undefined) break;
      if (!payload.isRunning()) {
        this.buffer.release((k) => k === key, false);
        return;
      }
      try {
        // Keeps the membership alive while the stream thread is busy; throws when the group rebalances, which
        // makes kafkajs rejoin (REBALANCING).
        await payload.heartbeat();
      } catch (e) {
        this.buffer.release((k) => k === key, false);
        throw e;
      }
    }
    if (result.lastTaken !== undefined && payload.isRunning() && !payload.isStale()) {
      payload.resolveOffset(String(result.lastTaken));
      // Fully polled: kafkajs resolves past trailing control records of the batch too.
      if (result.lastTaken === Number(batch.messages[batch.messages.length - 1]!.offset)) this.advancePosition(key, Number(batch.lastOffset()) + 1);
    }
  }

  private advancePosition(key: string, next: number): void {
    if (this.pendingSeeks.has(key)) return;
    if (this.mode === 'assigned' ? !this.manual.has(key) : !this.kafkajsAssigned.has(key)) return;
    if (next > (this.positions.get(key) ?? -1)) this.positions.set(key, next);
  }

  position(partition: TopicPartition): number | undefined {
    return this.positions.get(tpKey(partition.topic, partition.partition));
  }

  // ---- the port ---------------------------------------------------------------------------------------------

  async poll(maxWaitMs: number): Promise<ConsumedRecord[]> {
    if (this.closed) throw new IllegalStateError('poll() on a closed consumer.');
    await this.deliverRebalance();
    let out = this.buffer.take(this.maxPollRecords, (k) => this.paused.has(k));
    if (out.length === 0) {
      await this.buffer.waitForData(maxWaitMs);
      await this.deliverRebalance();
      out = this.buffer.take(this.maxPollRecords, (k) => this.paused.has(k));
    }
    for (const r of out) this.positions.set(tpKey(r.topic, r.partition), r.offset + 1);
    return out;
  }

  private async deliverRebalance(): Promise<void> {
    if (this.fatal !== undefined) throw mapKafkaError(this.fatal, 'Consuming');
    if (!this.listener) return;
    if (this.rebalance.assigning) {
      // The runtime forgets its pauses when it is told of an assignment (as after an eager rebalance): so does
      // the adapter, at that same moment, or a partition it paused in between would stay paused for good.
      this.paused.clear();
      this.syncKafkajsPauses();
    }
    await this.rebalance.deliver(this.listener);
  }

  seek(p: TopicPartitionOffset): void {
    const key = tpKey(p.topic, p.partition);
    this.buffer.release((k) => k === key, false);
    this.positions.set(key, p.offset);
    this.pendingSeeks.set(key, p);
    this.applyPendingSeeks();
  }

  pause(partitions: readonly TopicPartition[]): void {
    const keys = new Set(partitions.map((p) => tpKey(p.topic, p.partition)));
    for (const k of keys) this.paused.add(k);
    // Hand back what was not polled yet; fetching restarts right after the last polled record on resume.
    this.buffer.release((k) => keys.has(k), true);
    this.syncKafkajsPauses();
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.paused.delete(tpKey(p.topic, p.partition));
    this.syncKafkajsPauses();
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (this.mode !== 'subscribed') throw new IllegalStateError('commit() needs a consumer that subscribed to a group.');
    if (offsets.length === 0) return;
    try {
      for (let attempt = 1; ; attempt++) {
        const kc = await this.committableIn(offsets);
        const joins = this.joinWatch.joins;
        try {
          await kc.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })));
          return;
        } catch (e) {
          // The group rebalances under this commit (kafkajs notices at its next heartbeat and rejoins): as the Java
          // consumer's RebalanceInProgressException, not a loss of the partitions; retry after the join.
          if (attempt >= MAX_COMMIT_ATTEMPTS || !REJOIN_CODES.has(kafkaCodeOf(e) ?? '')) throw mapKafkaError(e, 'Committing offsets');
          if (this.joinWatch.joins === joins) await this.joinWatch.next(this.rebalanceTimeoutMs());
          if (this.joinWatch.joins === joins && !this.joinWatch.isRejoining) throw mapKafkaError(e, 'Committing offsets');
        }
      }
    } catch (e) {
      // The runtime may close its tasks dirty on this: what they held must be fetched again after the next join.
      this.positionsTrusted = false;
      throw e;
    }
  }

  /**
   * Throws TaskMigratedError unless every partition of `offsets` is still ours to commit, after any rejoin in
   * progress. Transactional offset commits ask this too (the producer adapter, through OwnerLinks): kafkajs'
   * TxnOffsetCommit carries no generation, so the broker cannot refuse offsets of partitions that a rebalance has
   * given to another member (KIP-447's check); without this, both members would commit the same input.
   */
  async assertCommittable(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    await this.committableIn(offsets);
  }

  /** kafkajs' consumer, if every partition of `offsets` is still ours to commit after any rejoin in progress. */
  private async committableIn(offsets: readonly TopicPartitionOffset[]): Promise<KafkajsConsumerClient> {
    // kafkajs is rejoining: a commit now would carry the old generation and be refused (or race the join).
    // Commit in the new generation instead, if the partitions stayed with us.
    while (this.joinWatch.isRejoining) await this.joinWatch.next(this.rebalanceTimeoutMs());
    const kc = this.kc;
    if (!kc || !this.running || this.memberId === '' || this.rebalance.losing) {
      throw new TaskMigratedError('Committing offsets: this member is not (or no longer) in the group; rejoin first.');
    }
    const moved = offsets.filter((o) => !this.kafkajsAssigned.has(tpKey(o.topic, o.partition)));
    if (moved.length > 0) {
      throw new TaskMigratedError(`Committing offsets: ${moved.map((o) => tpKey(o.topic, o.partition)).join(', ')} moved to another member in a rebalance.`);
    }
    return kc;
  }

  private rebalanceTimeoutMs(): number {
    return Math.max(this.options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS, MIN_REBALANCE_TIMEOUT_MS);
  }

  async committed(partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    const groupId = this.options.groupId;
    if (groupId === undefined) throw new IllegalStateError('committed() needs a consumer created with a groupId.');
    const out = new Map<string, number>();
    if (partitions.length === 0) return out;
    const admin = await this.getAdmin();
    const topics = [...new Set(partitions.map((p) => p.topic))];
    const wanted = new Set(partitions.map((p) => tpKey(p.topic, p.partition)));
    const res = await wrapKafka('Fetching committed offsets', () => admin.fetchOffsets({ groupId, topics }));
    for (const t of res) {
      for (const p of t.partitions) {
        const key = tpKey(t.topic, p.partition);
        const offset = Number(p.offset);
        if (wanted.has(key) && offset >= 0) out.set(key, offset);
      }
    }
    return out;
  }

  /** `group` is (or was) this consumer's membership: its transactional offsets are this consumer's to check. */
  wasMember(group: GroupMetadata): boolean {
    return group.groupId === this.options.groupId && this.memberIds.has(group.memberId);
  }

  groupMetadata(): GroupMetadata {
    return { groupId: this.options.groupId ?? '', generationId: this.generationId, memberId: this.memberId };
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private async getAdmin(): Promise<KafkajsAdminClient> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await wrapKafka('Connecting the admin client', () => admin.connect());
      this.admin = admin;
    }
    return this.admin;
  }

  private isPausedInKafkajs(key: string): boolean {
    return this.paused.has(key) || (this.mode === 'assigned' && !this.manual.has(key));
  }

  private applyPendingSeeks(): void {
    const kc = this.kc;
    if (!kc || !this.running) return;
    for (const [key, p] of this.pendingSeeks) {
      if (!this.kafkajsAssigned.has(key)) continue;
      kc.seek({ topic: p.topic, partition: p.partition, offset: String(p.offset) });
      this.pendingSeeks.delete(key);
    }
  }

  /** Make kafkajs' paused set match ours (user pauses, plus unassigned partitions of the private group). */
  private syncKafkajsPauses(): void {
    const kc = this.kc;
    if (!kc || !this.running || this.kafkajsAssigned.size === 0) return;
    const pause: TopicPartition[] = [];
    const resume: TopicPartition[] = [];
    for (const [key, tp] of this.kafkajsAssigned) (this.isPausedInKafkajs(key) ? pause : resume).push(tp);
    if (pause.length > 0) kc.pause(groupByTopic(pause));
    if (resume.length > 0) kc.resume(groupByTopic(resume));
  }
}

function sleep(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref?.());
}
