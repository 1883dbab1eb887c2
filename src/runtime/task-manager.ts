import type { ResolvedConfig } from '../config.js';
import { IllegalStateError } from '../errors.js';
import { tpKey, type TopicPartition, type TopicPartitionOffset } from '../kafka/client.js';
import type { Topology } from '../topology/topology.js';
import type { StateStore } from '../state/state-store.js';
import { join } from 'node:path';
import type { TopologyMetadata } from './internal-topics.js';
import type { RecordCollector } from './record-collector.js';
import type { ChangelogPartition, ChangelogReader } from './restorer.js';
import { StreamTask, type Clock } from './stream-task.js';
import { parseTaskId, type TaskAssignment } from './streams-assignor.js';

/** The main consumer as the task manager drives it: where each input partition is fetched from, and whether. */
export interface InputPositions {
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  seek(position: TopicPartitionOffset): void;
  /** Continue from the group's committed offset (without one: where the source's offset reset policy says). */
  rewind(partitions: readonly TopicPartition[]): Promise<void>;
}

/**
 * Owns a thread's tasks: creates them on assignment, registers their stores with the changelog reader,
 * promotes standbys, completes restoration, and closes tasks cleanly or dirty. It is also the one place that keeps
 * the consumer consistent with the tasks' input queues: after every assignment each input partition continues right
 * after the last record its task holds (a kept task keeps its queue) or, for a task without records of it, from the
 * committed offset; partitions of restoring tasks are paused until their restoration completes (Kafka Streams).
 */
export class TaskManager {
  readonly active = new Map<string, StreamTask>();
  readonly standby = new Map<string, StreamTask>();
  readonly #byPartition = new Map<string, StreamTask>();
  #abandoned = false;
  /** Tasks being created (opening their stores): a crash waits for them, as each then releases its stores. */
  readonly #creating = new Set<Promise<unknown>>();
  /** Input partitions of the current assignment (those the consumer owns), and their keys. */
  #assigned: readonly TopicPartition[] = [];
  #assignedKeys: ReadonlySet<string> = new Set();

  constructor(
    private readonly topology: Topology,
    private readonly config: ResolvedConfig,
    private readonly metadata: TopologyMetadata,
    private readonly collector: RecordCollector,
    private readonly reader: ChangelogReader,
    private readonly clock: Clock,
    private readonly stateDir: string | undefined,
    private readonly input: InputPositions,
    private readonly globalStores?: ReadonlyMap<string, StateStore>,
  ) {}

  taskForPartition(topic: string, partition: number): StreamTask | undefined {
    return this.#byPartition.get(`${topic}:${partition}`);
  }

  ownedState(): TaskAssignment {
    return { active: [...this.active.keys()], standby: [...this.standby.keys()] };
  }

  /**
   * Apply a new assignment (`partitions`: the input partitions the consumer now owns); tasks that stay are kept as
   * they are, with their queues (they were committed on revocation), and the consumer continues after them.
   */
  async handleAssignment(assignment: TaskAssignment, partitions: readonly TopicPartition[]): Promise<void> {
    this.#assigned = [...partitions];
    this.#assignedKeys = new Set(partitions.map((tp) => tpKey(tp.topic, tp.partition)));
    const wantActive = new Set(assignment.active);
    const wantStandby = new Set(assignment.standby);
    const leaving = new Set<string>();
    for (const [id, task] of this.active) if (!wantActive.has(id)) leaving.add(id), await this.#close(task, true), this.active.delete(id);
    for (const [id, task] of this.standby) {
      if (wantStandby.has(id)) continue;
      if (wantActive.has(id)) continue; // promoted below
      leaving.add(id);
      await this.#close(task, true);
      this.standby.delete(id);
    }
    const promoted = [...this.standby.keys()].filter((id) => wantActive.has(id));
    await this.reader.remove(new Set([...leaving, ...promoted]));
    const toRestore: ChangelogPartition[] = [];
    for (const id of promoted) {
      const task = this.standby.get(id)!;
      this.standby.delete(id);
      this.active.set(id, task);
      toRestore.push(...this.#changelogs(task, false));
    }
    for (const id of wantActive) {
      if (this.active.has(id)) continue;
      const task = await this.#create(id);
      this.active.set(id, task);
      toRestore.push(...this.#changelogs(task, false));
    }
    for (const id of wantStandby) {
      if (this.standby.has(id) || this.active.has(id)) continue;
      const task = await this.#create(id);
      this.standby.set(id, task);
      toRestore.push(...this.#changelogs(task, true));
    }
    this.#byPartition.clear();
    for (const task of this.active.values()) for (const tp of task.inputPartitions) this.#byPartition.set(`${tp.topic}:${tp.partition}`, task);
    // restoration first: should positioning fail, no task may start processing on unrestored stores
    await this.reader.add(toRestore);
    await this.#positionInputs();
  }

  /**
   * Something went wrong that leaves the tasks' uncommitted work in doubt (a send failed, the producer was fenced,
   * a transaction must be aborted): close every active task dirty and create it again, so its stores rewind to the
   * last commit and its input to the committed offsets. The caller has aborted the open transaction.
   */
  async reviveAll(): Promise<void> {
    const ids = [...this.active.keys()];
    await this.reader.remove(new Set(ids));
    for (const task of this.active.values()) await this.#close(task, false);
    this.active.clear();
    this.#byPartition.clear();
    await this.handleAssignment({ active: ids, standby: [...this.standby.keys()] }, this.#assigned);
  }

  /** Move tasks whose restoration finished to RUNNING, and fetch their input from then on. */
  async completeRestorations(): Promise<void> {
    const restoring = this.reader.restoringTasks();
    for (const [id, task] of this.active) {
      if (task.state === 'RESTORING' && !restoring.has(id)) {
        await task.completeRestoration();
        this.input.resume(this.#owned(task));
      }
    }
  }

  /**
   * Tasks that may process: RUNNING, with every input partition owned by the consumer. Between a revocation and
   * the next assignment a kept task is suspended (Kafka's eager protocol): its work was committed on revocation, and
   * what it would process now could belong to another instance's task once the assignment arrives.
   */
  runningTasks(): StreamTask[] {
    return [...this.active.values()].filter((t) => t.state === 'RUNNING' && t.inputPartitions.every((tp) => this.#assignedKeys.has(tpKey(tp.topic, tp.partition))));
  }

  /**
   * The consumer gave these partitions up (a rebalance began; the tasks were committed): their tasks are suspended
   * and their positions are not touched (pause/resume/seek of a partition the consumer does not own is an error)
   * until an assignment hands them back.
   */
  partitionsRevoked(partitions: readonly TopicPartition[]): void {
    const gone = new Set(partitions.map((tp) => tpKey(tp.topic, tp.partition)));
    this.#assigned = this.#assigned.filter((tp) => !gone.has(tpKey(tp.topic, tp.partition)));
    this.#assignedKeys = new Set(this.#assigned.map((tp) => tpKey(tp.topic, tp.partition)));
  }

  /** Close everything; dirty = drop uncommitted state (crash-like, after fencing). */
  async closeAll(clean: boolean): Promise<void> {
    await this.reader.remove(new Set([...this.active.keys(), ...this.standby.keys()]));
    for (const t of [...this.active.values(), ...this.standby.values()]) await this.#close(t, clean);
    this.active.clear();
    this.standby.clear();
    this.#byPartition.clear();
    this.#assigned = [];
    this.#assignedKeys = new Set();
  }

  /**
   * The process died: release every task's store files without committing (see StreamTask.abandon). Tasks a
   * zombie callback creates afterwards are released at once.
   */
  abandon(): Promise<void> {
    this.#abandoned = true;
    const tasks = [...this.active.values(), ...this.standby.values()];
    // a creation under way fails once it sees the crash (the zombie thread reports it, or nobody): wait for its
    // store files only, or the next instance on this state dir would open them while they are still being created
    const creating = [...this.#creating].map((c) => c.then(() => undefined, () => undefined));
    return Promise.all([...tasks.map((t) => t.abandon()), ...creating]).then(() => undefined);
  }

  /**
   * Each owned input partition continues after the last record its task holds; without one (a new task, or nothing
   * fetched yet) from the committed offset, whatever the consumer did with its position on the rejoin. Restoring
   * tasks' partitions are paused: records fetched for them would wait in their queues, and be fetched once more
   * after the next rebalance (Kafka Streams pauses them too).
   */
  async #positionInputs(): Promise<void> {
    const rewind: TopicPartition[] = [];
    for (const task of this.active.values()) {
      const fetched = new Map(task.fetchPositions().map((p) => [tpKey(p.topic, p.partition), p]));
      for (const tp of this.#owned(task)) {
        const position = fetched.get(tpKey(tp.topic, tp.partition));
        if (position) this.input.seek(position);
        else rewind.push(tp);
      }
    }
    await this.input.rewind(rewind);
    for (const task of this.active.values()) {
      const owned = this.#owned(task);
      if (task.state === 'RESTORING') this.input.pause(owned);
      else this.input.resume(owned);
    }
  }

  /** The task's input partitions that the consumer owns. */
  #owned(task: StreamTask): TopicPartition[] {
    return task.inputPartitions.filter((tp) => this.#assignedKeys.has(tpKey(tp.topic, tp.partition)));
  }

  async #create(id: string): Promise<StreamTask> {
    const creation = this.#createTask(id);
    this.#creating.add(creation);
    try {
      return await creation;
    } finally {
      this.#creating.delete(creation);
    }
  }

  async #createTask(id: string): Promise<StreamTask> {
    const { subtopology, partition } = parseTaskId(id);
    const sub = this.topology.subtopologies().find((s) => s.id === subtopology)!;
    const task = new StreamTask(sub, partition, this.topology, {
      config: this.config,
      collector: this.collector,
      clock: this.clock,
      topicName: this.metadata.topicName,
      stateDir: this.stateDir === undefined ? undefined : join(this.stateDir, id),
      globalStores: this.globalStores,
    });
    await task.initializeStores();
    if (this.#abandoned) {
      await task.abandon();
      throw new IllegalStateError(`Task ${id} was created after its instance crashed.`);
    }
    return task;
  }

  #changelogs(task: StreamTask, standby: boolean): ChangelogPartition[] {
    const out: ChangelogPartition[] = [];
    for (const [store, restorer] of task.restorers) {
      const topic = this.metadata.changelogs.get(store);
      if (topic) out.push({ taskId: task.id, store, topic, partition: task.partition, restorer, standby });
    }
    return out;
  }

  async #close(task: StreamTask, clean: boolean): Promise<void> {
    if (!clean) for (const r of task.restorers.values()) r.abortUncommitted();
    await task.close(clean);
  }
}
