import type { ResolvedConfig } from '../config.js';
import { StreamsError, TaskCorruptedError, TaskMigratedError, TaskTimeoutError } from '../errors.js';
import { tpKey, type Admin, type Consumer, type KafkaClient, type TopicPartition } from '../kafka/client.js';
import { PunctuationType } from '../processor/processor.js';
import type { Topology } from '../topology/topology.js';
import { asCorrupted, asMigrated, commitTasks, type CommitStep } from './checkpoint.js';
import type { TopologyMetadata } from './internal-topics.js';
import { ProducerCollector } from './producer-collector.js';
import { ChangelogReader } from './restorer.js';
import { StateMachine } from './state-machine.js';
import { StreamsAssignor, decodeAssignment } from './streams-assignor.js';
import { TaskManager, type InputPositions } from './task-manager.js';
import { ThreadProducer } from './thread-producer.js';
import { RetryClock } from './retry-clock.js';
import type { StreamTask } from './stream-task.js';
import type { StateStore } from '../state/state-store.js';

export type ThreadState = 'CREATED' | 'STARTING' | 'PARTITIONS_REVOKED' | 'PARTITIONS_ASSIGNED' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'DEAD';

const THREAD_TRANSITIONS: Readonly<Record<ThreadState, readonly ThreadState[]>> = Object.freeze({
  CREATED: ['STARTING', 'PENDING_SHUTDOWN', 'DEAD'],
  STARTING: ['PARTITIONS_REVOKED', 'PARTITIONS_ASSIGNED', 'PENDING_SHUTDOWN', 'DEAD'],
  PARTITIONS_REVOKED: ['PARTITIONS_ASSIGNED', 'PENDING_SHUTDOWN', 'DEAD'],
  PARTITIONS_ASSIGNED: ['PARTITIONS_REVOKED', 'RUNNING', 'PENDING_SHUTDOWN', 'DEAD'],
  RUNNING: ['PARTITIONS_REVOKED', 'PARTITIONS_ASSIGNED', 'PENDING_SHUTDOWN', 'DEAD'],
  PENDING_SHUTDOWN: ['DEAD'],
  DEAD: [],
});

export interface ThreadMetrics {
  commits: number;
  commitLatencyTotalMs: number;
  processLatencyTotalMs: number;
  restoredRecords(): number;
}

/** Backpressure: a task holding more than this many buffered records pauses its partitions. */
const MAX_BUFFERED_PER_TASK = 10_000;
/** Records processed per task per loop round (bounds latency of punctuation and commits). */
const BATCH_PER_TASK = 1_000;

/**
 * One stream thread: a consumer in the group, a producer (transactional under exactly-once), a changelog
 * reader, and the loop: poll -> restore -> process by timestamp -> punctuate -> commit every commitIntervalMs.
 */
export class StreamThread {
  readonly state: StateMachine<ThreadState>;
  readonly consumer: Consumer;
  readonly producer: ThreadProducer;
  readonly tasks: TaskManager;
  readonly metrics: ThreadMetrics;
  readonly #collector: ProducerCollector;
  readonly #reader: ChangelogReader;
  readonly #exactlyOnce: boolean;
  #lastCommit = Date.now();
  #stopRequested = false;
  #crashed = false;
  /** A fatal error ended the loop: rebalance callbacks must not commit the failed work. */
  #failed = false;
  #paused = new Set<string>();
  /** Physical topics of sources read with offset reset 'latest'. */
  readonly #latestTopics: ReadonlySet<string>;
  readonly #admin: Admin;
  #flushedAt = 0;
  #loop: Promise<void> | undefined;
  #startedAt = 0;
  /** Retriable failures since the last progress: backoff and the taskTimeoutMs deadline. */
  readonly #retry: RetryClock;
  /** Tasks were revived after a failed send: only a commit of processed work counts as progress again. */
  #revived = false;

  constructor(
    readonly index: number,
    private readonly topology: Topology,
    private readonly config: ResolvedConfig,
    private readonly metadata: TopologyMetadata,
    client: KafkaClient,
    admin: Admin,
    processId: string,
    owner: object,
    stateDir: string | undefined,
    private readonly onError: (thread: StreamThread, error: unknown) => void,
    private readonly onStateChange: () => void,
    private readonly commitStepHook?: (step: CommitStep) => void | Promise<void>,
    globalStores?: ReadonlyMap<string, StateStore>,
    /** SHUTDOWN_APPLICATION: whether this instance asks the group to shut down, and what to do when told to. */
    private readonly shutdown: { requested(): boolean; onRequestedByGroup(): void } = { requested: () => false, onRequestedByGroup: () => undefined },
  ) {
    this.#exactlyOnce = config.processingGuarantee === 'exactly_once_v2';
    const clientId = `${config.clientId}-${processId}-StreamThread-${index}`;
    this.state = new StateMachine(`StreamThread ${index}`, THREAD_TRANSITIONS, 'CREATED', () => this.onStateChange());
    this.consumer = client.consumer(
      {
        groupId: config.applicationId,
        clientId: `${clientId}-consumer`,
        isolationLevel: this.#exactlyOnce ? 'read_committed' : 'read_uncommitted',
        autoOffsetReset: 'earliest',
        sessionTimeoutMs: config.sessionTimeoutMs,
        heartbeatIntervalMs: config.heartbeatIntervalMs,
        maxPollRecords: config.maxPollRecords,
      },
      owner,
    );
    const producerOptions = this.#exactlyOnce
      ? { clientId: `${clientId}-producer`, transactionalId: `${config.applicationId}-${processId}-${index}`, idempotent: true }
      : { clientId: `${clientId}-producer`, idempotent: true };
    this.producer = new ThreadProducer(() => client.producer(producerOptions, owner));
    this.#retry = new RetryClock(config.taskTimeoutMs);
    const restoreConsumer = client.consumer(
      { clientId: `${clientId}-restore-consumer`, isolationLevel: this.#exactlyOnce ? 'read_committed' : 'read_uncommitted', maxPollRecords: 10_000 },
      owner,
    );
    this.#reader = new ChangelogReader(restoreConsumer, admin, config.logger);
    this.#admin = admin;
    this.#latestTopics = new Set(
      [...topology.nodes.values()].flatMap((d) => (d.kind === 'source' && d.offsetReset === 'latest' ? d.topics.map(metadata.topicName) : [])),
    );
    this.#collector = new ProducerCollector(
      this.producer,
      (topic) => metadata.partitionCounts.get(topic),
      config.productionExceptionHandler,
      config.logger,
      this.#exactlyOnce,
    );
    this.tasks = new TaskManager(topology, config, metadata, this.#collector, this.#reader, { now: () => Date.now() }, stateDir, this.#inputPositions(), globalStores);
    const reader = this.#reader;
    this.metrics = { commits: 0, commitLatencyTotalMs: 0, processLatencyTotalMs: 0, restoredRecords: () => reader.restoredRecords };
  }

  /** When start() was called (epoch ms; 0 before). */
  get startedAt(): number {
    return this.#startedAt;
  }

  start(): void {
    this.#startedAt = Date.now();
    this.state.moveTo('STARTING');
    this.#loop = this.#run().catch(async (e) => {
      if (this.#crashed) return;
      await this.#releaseAfterFailure();
      this.onError(this, e);
    });
  }

  /** Ask the loop to stop; `join` waits for it. The thread commits and closes its tasks cleanly. */
  requestStop(): void {
    this.#stopRequested = true;
    this.#retry.interrupt();
  }

  async join(): Promise<void> {
    await this.#loop;
  }

  /**
   * The process died: stop at the next await without committing, flushing or leaving the group. Resolves once the
   * tasks' store files are released (what the OS does for a dead process), so a new instance can open them.
   */
  crash(): Promise<void> {
    this.#crashed = true;
    this.#stopRequested = true;
    this.#retry.interrupt();
    return this.tasks.abandon();
  }

  /** The thread's changelog reader (restoration and standby progress, for metrics). */
  get changelogReader(): ChangelogReader {
    return this.#reader;
  }

  get isRunningState(): boolean {
    return this.state.is('RUNNING');
  }

  async #run(): Promise<void> {
    await this.producer.connect();
    if (this.#exactlyOnce) {
      await this.producer.initTransactions();
      await this.producer.beginTransaction();
    }
    const sources = [...new Set([...this.metadata.sourceTopics.values()].flat())];
    const assignor = new StreamsAssignor(() => this.metadata, () => this.tasks.ownedState(), this.config.numStandbyReplicas, () => this.shutdown.requested());
    await this.consumer.subscribe(
      sources,
      {
        onPartitionsRevoked: async (revoked) => {
          if (this.#crashed || this.#failed) return;
          this.#moveTo('PARTITIONS_REVOKED');
          await this.#commitAll().then(() => this.tasks.partitionsRevoked(revoked), async (e) => {
            // the work since the last commit cannot be committed: drop it (the tasks' next owner, maybe this
            // thread again, starts from the committed offsets); only a fatal error stops the thread
            const err = asMigrated(e);
            if (!isRecoverable(err)) throw err;
            this.config.logger.warn(`Commit on revocation failed; closing the tasks dirty: ${describe(err)}`);
            await this.#abortTransaction();
            await this.tasks.closeAll(false);
          });
        },
        onPartitionsAssigned: async (partitions, userData) => {
          if (this.#crashed || this.#failed) return;
          const assignment = decodeAssignment(userData);
          if (assignment.shutdown) {
            // another instance's uncaught-exception handler said SHUTDOWN_APPLICATION
            this.shutdown.onRequestedByGroup();
            return;
          }
          this.#moveTo('PARTITIONS_ASSIGNED');
          this.#paused.clear();
          await this.tasks.handleAssignment(assignment, partitions);
        },
        onPartitionsLost: async () => {
          if (this.#crashed || this.#failed) return;
          await this.#abortTransaction();
          await this.tasks.closeAll(false);
        },
      },
      assignor,
    );
    while (!this.#stopRequested) {
      try {
        await this.#round();
        if (!this.#revived) this.#retry.succeeded();
      } catch (e) {
        if (this.#crashed) return;
        await this.#recover(asMigrated(e));
      }
    }
    if (this.#crashed) return;
    await this.#shutdown();
  }

  /**
   * After a failed round. Kafka Streams' answers: migrated (fenced, or the group moved on) -> close the tasks dirty,
   * a new producer if the old one is unusable, continue from the committed offsets; corrupted (a send failed, the
   * transaction must be aborted) -> the same, after a backoff; retriable (a failed poll or commit, nothing lost) ->
   * back off and retry. Retrying gives up after taskTimeoutMs without progress; anything else is fatal.
   */
  async #recover(err: unknown): Promise<void> {
    if (err instanceof TaskMigratedError) {
      // not a failure of this thread (no taskTimeoutMs), but repeated migrations must not spin either
      this.config.logger.warn(err.message);
      await this.#closeDirty();
      await this.#retry.backoff();
      return;
    }
    if (!isRecoverable(err)) throw err;
    if (this.#retry.expired()) throw new TaskTimeoutError(this.config.taskTimeoutMs, err);
    this.config.logger.warn(`Retrying after a retriable error: ${describe(err)}`);
    await this.#retry.backoff();
    if (err instanceof TaskCorruptedError) {
      this.#revived = true;
      await this.#closeDirty();
    }
  }

  async #round(): Promise<void> {
    const restoring = this.#reader.hasWork() && this.#reader.restoringTasks().size > 0;
    const hasBuffered = this.tasks.runningTasks().some((t) => t.bufferedRecords() > 0);
    const records = await this.consumer.poll(restoring || hasBuffered ? 0 : this.config.pollMs);
    if (this.#crashed) return;
    for (const r of groupByPartition(records)) {
      const task = this.tasks.taskForPartition(r[0]!.topic, r[0]!.partition);
      if (task) task.addRecords(r);
    }
    if (this.#reader.hasWork()) await this.#reader.step(restoring ? 10 : 0);
    await this.tasks.completeRestorations();
    if (this.state.is('PARTITIONS_ASSIGNED') && this.#reader.restoringTasks().size === 0) this.#moveTo('RUNNING');
    try {
      await this.#process();
    } catch (e) {
      // a record half processed, or output not acknowledged: only a dirty close and reprocessing can tell
      throw asCorrupted(asMigrated(e), this.tasks.runningTasks());
    }
    if (Date.now() - this.#lastCommit >= this.config.commitIntervalMs || this.tasks.runningTasks().some((t) => t.commitRequested)) {
      await this.#commitAll();
    }
  }

  /** Process buffered records by task, punctuate, and hand the output to the producer. */
  async #process(): Promise<void> {
    const started = Date.now();
    for (const task of this.tasks.runningTasks()) {
      task.prefetch(BATCH_PER_TASK);
      for (let i = 0; i < BATCH_PER_TASK; i++) {
        const r = task.processNext();
        if (r === false) break;
        if (r !== true && !(await r)) break;
        if (this.#crashed) return;
      }
      const p = task.punctuate(PunctuationType.WALL_CLOCK_TIME, Date.now());
      if (p) await p;
    }
    this.metrics.processLatencyTotalMs += Date.now() - started;
    this.#applyBackpressure();
    // hand buffered output to the brokers every round (Kafka's linger), not only at commit: downstream
    // sub-topologies read repartition topics without waiting for the commit interval under at-least-once
    if (this.#collector.sent > this.#flushedAt) {
      this.#flushedAt = this.#collector.sent;
      await this.#collector.flush();
    }
  }

  /**
   * The consumer as the task manager positions it. Without a committed offset a partition starts where its
   * source's reset policy says: the end for Consumed.withOffsetResetPolicy('latest'), else the start (Kafka
   * Streams' default, 'earliest').
   */
  #inputPositions(): InputPositions {
    const consumer = this.consumer;
    return {
      pause: (tps) => {
        if (tps.length > 0) consumer.pause(tps);
      },
      resume: (tps) => {
        if (tps.length > 0) consumer.resume(tps);
      },
      seek: (position) => consumer.seek(position),
      rewind: async (tps) => {
        if (tps.length === 0) return;
        const committed = await consumer.committed(tps);
        const fresh = tps.filter((tp) => !committed.has(tpKey(tp.topic, tp.partition)));
        const latest = fresh.filter((tp) => this.#latestTopics.has(tp.topic));
        const earliest = fresh.filter((tp) => !this.#latestTopics.has(tp.topic));
        const ends = latest.length ? await this.#admin.listOffsets(latest, 'latest') : new Map<string, number>();
        const starts = earliest.length ? await this.#admin.listOffsets(earliest, 'earliest') : new Map<string, number>();
        for (const tp of tps) {
          const k = tpKey(tp.topic, tp.partition);
          consumer.seek({ ...tp, offset: committed.get(k) ?? ends.get(k) ?? starts.get(k) ?? 0 });
        }
      },
    };
  }

  #applyBackpressure(): void {
    const pause: TopicPartition[] = [];
    const resume: TopicPartition[] = [];
    for (const task of this.tasks.runningTasks()) {
      const full = task.bufferedRecords() > MAX_BUFFERED_PER_TASK;
      const paused = this.#paused.has(task.id);
      if (full && !paused) {
        this.#paused.add(task.id);
        pause.push(...task.inputPartitions);
      } else if (!full && paused) {
        this.#paused.delete(task.id);
        resume.push(...task.inputPartitions);
      }
    }
    if (pause.length) this.consumer.pause(pause);
    if (resume.length) this.consumer.resume(resume);
  }

  async #commitAll(): Promise<void> {
    const tasks: StreamTask[] = this.tasks.runningTasks();
    const progressed = tasks.some((t) => t.commitNeeded());
    const ms = await commitTasks(tasks, {
      producer: this.producer,
      consumer: this.consumer,
      collector: this.#collector,
      exactlyOnce: this.#exactlyOnce,
      changelogTopic: (store) => this.metadata.changelogs.get(store),
      onStep: this.commitStepHook,
    });
    this.#lastCommit = Date.now();
    if (progressed) {
      this.#revived = false;
      this.#retry.succeeded();
    }
    this.metrics.commits++;
    this.metrics.commitLatencyTotalMs += ms;
  }

  /**
   * Migrated or corrupted: drop the uncommitted work. Under exactly-once the open transaction is aborted (a fenced
   * or broken producer is replaced by a new one, whose initTransactions aborts it); every task is closed dirty and
   * created again, its stores rewound to the last commit and its input to the committed offsets. If the group moved
   * on, the next poll rejoins and the assignment sorts out which tasks stay.
   */
  async #closeDirty(): Promise<void> {
    await this.#abortTransaction();
    await this.tasks.reviveAll();
  }

  /** Exactly-once: abort the open transaction and begin the next, on a new producer if this one cannot abort. */
  async #abortTransaction(): Promise<void> {
    if (!this.#exactlyOnce) return;
    try {
      await this.producer.abortTransaction();
    } catch (e) {
      this.config.logger.warn(`The transactional producer cannot abort (${describe(e)}); replacing it with a new one.`);
      await this.producer.replace();
    }
    await this.producer.beginTransaction();
  }

  /**
   * A fatal error: close the tasks dirty (nothing of the failed work is committed; under exactly-once the open
   * transaction is aborted), leave the group so the tasks can move, and release the stores, so a replacement
   * thread (REPLACE_THREAD) or another instance can take the tasks over.
   */
  async #releaseAfterFailure(): Promise<void> {
    this.#failed = true;
    await this.tasks.closeAll(false).catch(() => undefined);
    if (this.#exactlyOnce) await this.producer.abortTransaction().catch(() => undefined);
    await this.consumer.close().catch(() => undefined);
    await this.producer.close().catch(() => undefined);
    await this.#reader.close().catch(() => undefined);
    this.#moveTo('DEAD');
  }

  async #shutdown(): Promise<void> {
    this.#moveTo('PENDING_SHUTDOWN');
    try {
      await this.#commitAll();
      await this.tasks.closeAll(true);
    } catch (e) {
      await this.tasks.closeAll(false).catch(() => undefined);
      throw e;
    } finally {
      await this.consumer.close().catch(() => undefined);
      await this.producer.close().catch(() => undefined);
      await this.#reader.close().catch(() => undefined);
      this.#moveTo('DEAD');
    }
  }

  #moveTo(next: ThreadState): void {
    if (this.state.state !== next && this.state.canMoveTo(next)) this.state.moveTo(next);
  }
}

/** Errors a thread survives: the tasks' uncommitted work is dropped or retried, never lost. */
function isRecoverable(err: unknown): boolean {
  return err instanceof TaskMigratedError || err instanceof TaskCorruptedError || (err instanceof StreamsError && err.retriable);
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function groupByPartition<T extends { topic: string; partition: number }>(records: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const r of records) {
    const k = `${r.topic}:${r.partition}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  return [...groups.values()];
}
