import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { rm } from 'node:fs/promises';
import { resolveConfig, type ResolvedConfig, type StreamsConfig } from '../config.js';
import { ConfigError, IllegalStateError, InvalidStateStoreError, StreamsError } from '../errors.js';
import type { Admin, KafkaClient } from '../kafka/client.js';
import { CRASH } from '../kafka/embedded/crash.js';
import { EmbeddedKafkaCluster } from '../kafka/embedded/embedded-kafka-cluster.js';
import { KafkajsClient } from '../kafka/kafkajs/kafkajs-client.js';
import type { KeyValueStore } from '../state/key-value-store.js';
import type { Topology } from '../topology/topology.js';
import type { CommitStep } from './checkpoint.js';
import { prepareTopics, type TopologyMetadata } from './internal-topics.js';
import { KAFKA_STREAMS_TRANSITIONS, type KafkaStreamsState, type StreamThreadExceptionResponse } from './kafka-streams-state.js';
import { CompositeReadOnlyKeyValueStore, compositeStore, notQueryable, type StoreQueryParameters } from './queryable-stores.js';
import { StateMachine } from './state-machine.js';
import { StreamsAssignor } from './streams-assignor.js';
import { StreamThread } from './stream-thread.js';
import { RetryClock } from './retry-clock.js';
import { GlobalStreamThread } from './global-stream-thread.js';

export interface KafkaStreamsOptions extends StreamsConfig {
  /** Run on this embedded cluster (tests, examples); without it and without bootstrapServers a private one is made. */
  readonly cluster?: EmbeddedKafkaCluster;
  /** Test hook: called before each commit step (see checkpoint.ts). */
  readonly commitStepHook?: (step: CommitStep) => void | Promise<void>;
}

export interface StreamsMetrics {
  readonly state: KafkaStreamsState;
  readonly processedRecords: number;
  /** Records per second since start. */
  readonly processRate: number;
  readonly processLatencyAvgMs: number;
  readonly commits: number;
  readonly commitLatencyAvgMs: number;
  readonly skippedRecords: number;
  readonly droppedLateRecords: number;
  /** Changelog records restored into active tasks' stores (standby updates not included). */
  readonly restoredRecords: number;
  /** Restored records per active task that restored anything. */
  readonly restoredRecordsPerTask: Readonly<Record<string, number>>;
  /** Changelog records applied to standby replicas. */
  readonly standbyUpdatedRecords: number;
  /** Per standby task: changelog records its replica has not applied yet (end offset minus next offset to read). */
  readonly standbyLagPerTask: Readonly<Record<string, number>>;
  /** Records not yet processed per active task (end offset minus next offset to process). */
  readonly lagPerTask: Readonly<Record<string, number>>;
  readonly activeTasks: readonly string[];
  readonly standbyTasks: readonly string[];
}

type Events = { stateChange: [next: KafkaStreamsState, prev: KafkaStreamsState]; error: [error: unknown] };

/** REPLACE_THREAD waits this long before the first replacement, doubling up to the max while replacements keep failing. */
const REPLACE_BACKOFF_MS = 100;
const REPLACE_BACKOFF_MAX_MS = 10_000;

/** State directories in use by live instances of this process: two instances must not share one. */
const stateDirsInUse = new Set<string>();
/** State directories of crashed instances whose store files are still being released. */
const stateDirReleases = new Map<string, Promise<void>>();

/**
 * A Kafka Streams application instance: runs a topology on Kafka (or on the embedded cluster) with
 * `numStreamThreads` stream threads that share work with other instances of the same applicationId.
 */
export class KafkaStreams extends EventEmitter<Events> {
  readonly config: ResolvedConfig;
  readonly processId = randomUUID();
  readonly #topology: Topology;
  readonly #client: KafkaClient;
  readonly #ownsCluster: EmbeddedKafkaCluster | undefined;
  readonly #state: StateMachine<KafkaStreamsState>;
  readonly #stateDir: string;
  readonly #commitStepHook: KafkaStreamsOptions['commitStepHook'];
  #admin: Admin | undefined;
  #metadata: TopologyMetadata | undefined;
  #threads: StreamThread[] = [];
  #global: GlobalStreamThread | undefined;
  #startedAt = 0;
  #handler: (error: unknown) => StreamThreadExceptionResponse = () => 'SHUTDOWN_CLIENT';
  #closing: Promise<void> | undefined;
  #crashed = false;
  #shutdownRequested = false;
  /** Backoff between thread replacements: a thread that fails at once again (a poison record) must not spin. */
  readonly #replacing = new RetryClock(Number.POSITIVE_INFINITY, REPLACE_BACKOFF_MS, REPLACE_BACKOFF_MAX_MS);

  constructor(topology: Topology, options: KafkaStreamsOptions) {
    super();
    topology.validate();
    this.#topology = topology;
    this.config = resolveConfig(options);
    this.#commitStepHook = options.commitStepHook;
    if (options.cluster && options.bootstrapServers) {
      throw new ConfigError('Give either `cluster` (embedded) or `bootstrapServers` (a real Kafka cluster), not both.');
    }
    if (options.cluster) this.#client = options.cluster;
    else if (options.bootstrapServers) {
      const brokers = typeof options.bootstrapServers === 'string' ? options.bootstrapServers.split(',') : [...options.bootstrapServers];
      this.#client = new KafkajsClient({ brokers, clientId: this.config.clientId, ...(options.kafkajs ?? {}) });
    } else {
      this.#ownsCluster = new EmbeddedKafkaCluster();
      this.#client = this.#ownsCluster;
    }
    this.#stateDir = resolve(this.config.stateDir ?? join(tmpdir(), 'sluice', this.config.applicationId));
    this.#state = new StateMachine('KafkaStreams', KAFKA_STREAMS_TRANSITIONS, 'CREATED', (next, prev) => this.emit('stateChange', next, prev));
  }

  get state(): KafkaStreamsState {
    return this.#state.state;
  }

  /** The private embedded cluster of an app started without `cluster` and `bootstrapServers`. */
  get embeddedCluster(): EmbeddedKafkaCluster | undefined {
    return this.#ownsCluster ?? (this.#client instanceof EmbeddedKafkaCluster ? this.#client : undefined);
  }

  setUncaughtExceptionHandler(handler: (error: unknown) => StreamThreadExceptionResponse): void {
    this.#state.require('set the uncaught exception handler', 'CREATED');
    this.#handler = handler;
  }

  /** Creates internal topics, starts the stream threads and resolves once they are started (not yet RUNNING). */
  async start(): Promise<void> {
    this.#state.require('start', 'CREATED');
    // a crashed instance on this directory first has to let go of its store files (the OS would, at once)
    const releasing = stateDirReleases.get(this.#stateDir);
    if (releasing) await releasing;
    this.#state.require('start', 'CREATED');
    if (stateDirsInUse.has(this.#stateDir)) {
      throw new ConfigError(
        `stateDir '${this.#stateDir}' is used by another KafkaStreams instance in this process: give each instance its own stateDir.`,
      );
    }
    stateDirsInUse.add(this.#stateDir);
    this.#state.moveTo('REBALANCING');
    try {
      this.#admin = this.#client.admin(this);
      this.#metadata = await prepareTopics(this.#topology, this.config, this.#admin);
    } catch (e) {
      stateDirsInUse.delete(this.#stateDir);
      if (this.#closing || this.#crashed) return; // closed or crashed meanwhile (its admin closed): not a failure to start
      this.#state.moveTo('PENDING_ERROR');
      this.#state.moveTo('ERROR');
      throw e;
    }
    if (this.#topology.globalStores.size > 0) {
      this.#global = new GlobalStreamThread(this.#topology, this.config, this.#client, this.#admin, this, this.#stateDir, (e) =>
        this.#onThreadError(undefined, e),
      );
      try {
        await this.#global.bootstrap();
      } catch (e) {
        stateDirsInUse.delete(this.#stateDir);
        if (this.#closing || this.#crashed) return; // closed or crashed meanwhile, which stopped the bootstrap
        this.#state.moveTo('PENDING_ERROR');
        this.#state.moveTo('ERROR');
        throw e;
      }
      if (this.#closing || this.#crashed) return;
      this.#global.start();
    }
    // a close() or crash during an await above has already stopped everything there was: start nothing after it
    if (this.#closing || this.#crashed) return;
    this.#startedAt = Date.now();
    for (let i = 0; i < this.config.numStreamThreads; i++) this.#startThread(i);
  }

  #startThread(index: number): StreamThread {
    const thread = new StreamThread(
      index,
      this.#topology,
      this.config,
      this.#metadata!,
      this.#client,
      this.#admin!,
      this.processId,
      this,
      join(this.#stateDir, `${index}`),
      (t, e) => this.#onThreadError(t, e),
      () => this.#updateState(),
      this.#commitStepHook,
      this.#global?.state.stores,
      { requested: () => this.#shutdownRequested, onRequestedByGroup: () => this.#shutDownInError() },
    );
    this.#threads.push(thread);
    thread.start();
    return thread;
  }

  #updateState(): void {
    if (!this.#state.is('REBALANCING', 'RUNNING')) return;
    const live = this.#threads.filter((t) => !t.state.is('DEAD', 'PENDING_SHUTDOWN'));
    // the last thread died: the exception handler decides what comes next (replace it, or shut down)
    if (live.length === 0) return;
    const running = live.length > 0 && live.every((t) => t.isRunningState);
    const next = running ? 'RUNNING' : 'REBALANCING';
    if (this.state !== next) this.#state.moveTo(next);
  }

  /** A stream thread (or, with `thread` undefined, the global thread) failed. */
  #onThreadError(thread: StreamThread | undefined, error: unknown): void {
    if (this.#crashed || this.#closing) return;
    this.config.logger.error(`${thread ? `Stream thread ${thread.index}` : 'Global stream thread'} failed: ${error instanceof Error ? error.message : String(error)}`);
    // an 'error' event without a listener would throw here (EventEmitter) and the handler below would never run
    if (this.listenerCount('error') > 0) this.emit('error', error);
    let response: StreamThreadExceptionResponse;
    try {
      response = this.#handler(error);
    } catch {
      response = 'SHUTDOWN_CLIENT';
    }
    if (response === 'REPLACE_THREAD' && thread) {
      this.#threads = this.#threads.filter((t) => t !== thread);
      void thread.join().finally(() => undefined);
      // the failed thread's clients are abandoned (closed best effort) and a fresh one joins the group
      void thread.consumer.close().catch(() => undefined);
      void thread.producer.close().catch(() => undefined);
      // a thread that ran for longer than the longest backoff did not fail at once: start again from the shortest
      if (Date.now() - thread.startedAt > REPLACE_BACKOFF_MAX_MS) this.#replacing.succeeded();
      void this.#replacing.backoff().then(() => {
        if (this.#crashed || this.#closing) return;
        this.#startThread(thread.index);
        this.#updateState();
      });
      return;
    }
    if (response === 'SHUTDOWN_APPLICATION') {
      this.#shutdownRequested = true;
      void this.#askGroupToShutDown().finally(() => this.#shutDownInError());
      return;
    }
    this.#shutDownInError();
  }

  /** SHUTDOWN_CLIENT, or told to by the group: stop every thread and end in ERROR. */
  #shutDownInError(): void {
    if (this.#crashed || this.#closing) return;
    if (this.#state.canMoveTo('PENDING_ERROR')) this.#state.moveTo('PENDING_ERROR');
    void this.#stopThreads().then(() => {
      if (this.#state.is('PENDING_ERROR')) this.#state.moveTo('ERROR');
    });
  }

  /**
   * SHUTDOWN_APPLICATION: join the group once more with a subscription that requests the shutdown; the leader's
   * assignor then tells every member to shut down. Best effort: gives up after a session timeout.
   */
  async #askGroupToShutDown(): Promise<void> {
    const sources = [...new Set([...(this.#metadata?.sourceTopics.values() ?? [])].flat())];
    const messenger = this.#client.consumer({ groupId: this.config.applicationId, clientId: `${this.config.clientId}-${this.processId}-shutdown`, sessionTimeoutMs: this.config.sessionTimeoutMs, heartbeatIntervalMs: this.config.heartbeatIntervalMs }, this);
    let answered = false;
    try {
      const assignor = new StreamsAssignor(() => this.#metadata!, () => ({ active: [], standby: [] }), 0, () => true);
      await messenger.subscribe(sources, { onPartitionsRevoked: () => undefined, onPartitionsAssigned: () => void (answered = true) }, assignor);
      const deadline = Date.now() + this.config.sessionTimeoutMs;
      while (!answered && Date.now() < deadline) await messenger.poll(100);
    } catch (e) {
      this.config.logger.warn(`Could not ask the application to shut down: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      await messenger.close().catch(() => undefined);
    }
  }

  async #stopThreads(): Promise<void> {
    for (const t of this.#threads) t.requestStop();
    for (const t of this.#threads) await t.join();
  }

  /** Commits, closes all tasks and leaves the group; resolves when done. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#replacing.interrupt();
    this.#closing = (async () => {
      if (this.#state.canMoveTo('PENDING_SHUTDOWN')) this.#state.moveTo('PENDING_SHUTDOWN');
      else if (this.#state.is('PENDING_ERROR')) await new Promise<void>((r) => this.once('stateChange', () => r()));
      await this.#stopThreads();
      await this.#global?.close().catch(() => undefined);
      await this.#admin?.close().catch(() => undefined);
      await this.#ownsCluster?.close();
      stateDirsInUse.delete(this.#stateDir);
      if (this.#state.is('ERROR')) this.#state.moveTo('PENDING_SHUTDOWN');
      if (this.#state.is('PENDING_SHUTDOWN')) this.#state.moveTo('NOT_RUNNING');
    })();
    return this.#closing;
  }

  /**
   * Deletes this instance's local state directory (Kafka Streams' cleanUp): stores are then restored from their
   * changelogs on the next start. Only while not running.
   */
  async cleanUp(): Promise<void> {
    if (!this.#state.is('CREATED', 'NOT_RUNNING', 'ERROR')) {
      throw new IllegalStateError(`cleanUp() deletes local state and is only allowed before start() or after close(); the instance is ${this.state}.`);
    }
    await rm(this.#stateDir, { recursive: true, force: true });
  }

  /** Resolves when the instance reaches `state` (or rejects after `timeoutMs`). */
  waitForState(state: KafkaStreamsState, timeoutMs = 30_000): Promise<void> {
    if (this.state === state) return Promise.resolve();
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        this.off('stateChange', listener);
        reject(new StreamsError(`KafkaStreams did not reach ${state} within ${timeoutMs} ms (state: ${this.state}).`, 'TIMEOUT'));
      }, timeoutMs);
      const listener = (next: KafkaStreamsState): void => {
        if (next === state) {
          clearTimeout(timer);
          this.off('stateChange', listener);
          resolvePromise();
        }
      };
      this.on('stateChange', listener);
    });
  }

  /** Interactive query over the local tasks' stores of that name. */
  store<T>(params: StoreQueryParameters<T>): T {
    if (!this.#state.is('RUNNING')) throw notQueryable(params.storeName, this.state);
    const global = this.#global?.state.stores.get(params.storeName);
    if (global) return new CompositeReadOnlyKeyValueStore(params.storeName, () => [global as KeyValueStore<any, any>]) as T;
    if (!this.#topology.stores.has(params.storeName)) {
      throw new InvalidStateStoreError(`Store '${params.storeName}' is not in this topology (stores: ${[...this.#topology.stores.keys()].join(', ') || 'none'}).`, { retriable: false });
    }
    const stores = (): KeyValueStore<any, any>[] => {
      if (!this.#state.is('RUNNING')) throw notQueryable(params.storeName, this.state);
      return this.#threads.flatMap((t) => t.tasks.runningTasks().flatMap((task) => (task.stores.has(params.storeName) ? [task.stores.get(params.storeName) as KeyValueStore<any, any>] : [])));
    };
    return compositeStore(params.type, params.storeName, stores) as T;
  }

  /** Process and commit rates, latencies, drops, restoration and lag. */
  async metrics(): Promise<StreamsMetrics> {
    let processed = 0;
    let skipped = 0;
    let dropped = 0;
    let commits = 0;
    let commitMs = 0;
    let processMs = 0;
    let restored = 0;
    let standbyUpdated = 0;
    const restoredPerTask: Record<string, number> = {};
    const standbyLag: Record<string, number> = {};
    const standbyParts: { taskId: string; topic: string; partition: number; next: number }[] = [];
    const active: string[] = [];
    const standby: string[] = [];
    const lag: Record<string, number> = {};
    const partitions: { task: string; topic: string; partition: number; next: number | undefined }[] = [];
    for (const t of this.#threads) {
      commits += t.metrics.commits;
      commitMs += t.metrics.commitLatencyTotalMs;
      processMs += t.metrics.processLatencyTotalMs;
      restored += t.metrics.restoredRecords();
      standbyUpdated += t.changelogReader.standbyUpdatedRecords;
      for (const [id, n] of t.changelogReader.restoredPerTask) restoredPerTask[id] = (restoredPerTask[id] ?? 0) + n;
      standbyParts.push(...t.changelogReader.standbyPositions());
      standby.push(...t.tasks.standby.keys());
      for (const task of t.tasks.active.values()) {
        active.push(task.id);
        processed += task.metrics.processedRecords;
        skipped += task.metrics.skippedRecords;
        dropped += task.metrics.droppedLateRecords;
        // fetched but not processed yet (in the task's queues) is lag too
        lag[task.id] = task.bufferedRecords();
        for (const tp of task.inputPartitions) {
          partitions.push({ task: task.id, ...tp, next: t.consumer.position?.(tp) });
        }
      }
    }
    if (this.#admin && partitions.length) {
      const ends = await this.#admin.listOffsets(partitions, 'latest').catch(() => new Map<string, number>());
      for (const p of partitions) {
        const end = ends.get(`${p.topic}:${p.partition}`);
        if (end !== undefined) lag[p.task] = (lag[p.task] ?? 0) + Math.max(0, end - (p.next ?? end));
      }
    }
    if (this.#admin && standbyParts.length) {
      const ends = await this.#admin.listOffsets(standbyParts, 'latest').catch(() => new Map<string, number>());
      for (const p of standbyParts) {
        const end = ends.get(`${p.topic}:${p.partition}`);
        if (end !== undefined) standbyLag[p.taskId] = (standbyLag[p.taskId] ?? 0) + Math.max(0, end - p.next);
      }
    }
    const elapsed = Math.max(1, Date.now() - this.#startedAt) / 1000;
    return {
      state: this.state,
      processedRecords: processed,
      processRate: processed / elapsed,
      processLatencyAvgMs: processed ? processMs / processed : 0,
      commits,
      commitLatencyAvgMs: commits ? commitMs / commits : 0,
      skippedRecords: skipped,
      droppedLateRecords: dropped,
      restoredRecords: restored,
      restoredRecordsPerTask: restoredPerTask,
      standbyUpdatedRecords: standbyUpdated,
      standbyLagPerTask: standbyLag,
      lagPerTask: lag,
      activeTasks: active,
      standbyTasks: standby,
    };
  }

  /** Called by EmbeddedKafkaCluster.crash: the process dies, nothing is cleaned up. */
  [CRASH](): void {
    this.#crashed = true;
    this.#replacing.interrupt();
    const dir = this.#stateDir;
    const released = Promise.all([...this.#threads.map((t) => t.crash()), this.#global?.crash()]).then(
      () => undefined,
      () => undefined,
    );
    stateDirReleases.set(dir, released);
    void released.then(() => {
      if (stateDirReleases.get(dir) === released) stateDirReleases.delete(dir);
      stateDirsInUse.delete(dir);
    });
    this.removeAllListeners();
  }

  /** Threads, for tests and tools. */
  get threads(): readonly StreamThread[] {
    return this.#threads;
  }

  /** Rejects calls in the wrong state (e.g. start twice). */
  static assertNotStarted(app: KafkaStreams): void {
    if (app.state !== 'CREATED') throw new IllegalStateError('KafkaStreams was already started.');
  }
}
