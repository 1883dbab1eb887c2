import type { ResolvedConfig } from '../config.js';
import { ConfigError, SerdeError, StreamsError, TopologyError } from '../errors.js';
import { tpKey, type ConsumedRecord, type TopicPartition, type TopicPartitionOffset } from '../kafka/client.js';
import { PunctuationType, type Cancellable, type Punctuator } from '../processor/processor.js';
import { isPromise, type MaybePromise, type RecordMetadata, type StreamRecord } from '../processor/record.js';
import type { Serde } from '../serdes/serde.js';
import type { StateStore, StateStoreContext, StoreRestorer } from '../state/state-store.js';
import type { RecordContextInfo } from '../topology/node-defs.js';
import type { Subtopology } from '../topology/subtopology.js';
import type { Topology } from '../topology/topology.js';
import { handleRecordError } from './error-handling.js';
import { isDeferredSerde } from '../processor/operators/change.js';
import { NodeContext, type TaskServices } from './node-context.js';
import { PartitionGroup } from './partition-group.js';
import { ProcessorNode, SinkNode, SourceNode, type Node } from './processor-node.js';
import { fuseChains } from './fused-node.js';
import { stepOf } from '../processor/operators/fusable-step.js';
import { PunctuationQueue } from './punctuation.js';
import type { RecordCollector } from './record-collector.js';
import { StateMachine } from './state-machine.js';
import { TASK_TRANSITIONS, type TaskState } from './task-state.js';
import { TaskMetrics } from './task-metrics.js';

/** How many batches beyond the current one a task reads ahead (store keys of buffered records). */
const READ_AHEAD_BATCHES = 3;

interface Prefetcher {
  /** Start reading these keys' stored values into the cache (no waiting: reads still in flight are awaited by get). */
  prefetch(keys: readonly unknown[]): void;
  /** False when prefetching cannot help (no cache, or a store that reads synchronously): keys are not even deserialized. */
  prefetchWanted?(): boolean;
}

export interface Clock {
  now(): number;
}

export interface TaskDeps {
  readonly config: ResolvedConfig;
  readonly collector: RecordCollector;
  readonly clock: Clock;
  /** Physical name of a topic of the topology (internal topics get the `<applicationId>-` prefix). */
  readonly topicName: (name: string) => string;
  /** Directory for this task's persistent stores. */
  readonly stateDir: string | undefined;
  /** The instance's global stores (GlobalKTables), readable by every processor. */
  readonly globalStores?: ReadonlyMap<string, StateStore>;
  /** Called for every store the task registers, so the state manager can restore it from its changelog. */
  readonly onRegisterStore?: (task: StreamTask, store: StateStore, restorer: StoreRestorer) => void;
}

/**
 * A task: one sub-topology over one partition of its input topics. It owns the processor nodes, stores,
 * input queues, stream time and punctuators. The stream thread and the test driver both run this same code.
 */
export class StreamTask implements TaskServices {
  readonly id: string;
  readonly applicationId: string;
  readonly partition: number;
  readonly metrics = new TaskMetrics();
  readonly stores = new Map<string, StateStore>();
  /** Per logged store: how to restore and checkpoint it (filled when stores register during init). */
  readonly restorers = new Map<string, StoreRestorer>();
  readonly inputPartitions: readonly TopicPartition[];
  readonly #state: StateMachine<TaskState>;
  readonly #sources = new Map<string, SourceNode>();
  readonly #sourcePatterns: { pattern: RegExp; node: SourceNode }[] = [];
  readonly #nodes: Node[] = [];
  readonly #contexts = new Map<string, { node: Node; ctx: NodeContext; init?: (c: NodeContext) => MaybePromise<void>; close?: () => MaybePromise<void> }>();
  readonly #streamPunctuation = new PunctuationQueue();
  readonly #wallPunctuation = new PunctuationQueue();
  readonly #queue = new PartitionGroup();
  readonly #consumed = new Map<string, number>();
  /** Per input partition: the offset after the last record handed to this task (its own fetch position). */
  readonly #fetched = new Map<string, TopicPartitionOffset>();
  #pending: Promise<unknown>[] = [];
  /** The record being processed (its consumed form) and its extracted timestamp; no object per record. */
  #current: ConsumedRecord | undefined;
  #currentTimestamp = -1;
  #lastTopic: string | undefined;
  #lastPartition = -1;
  #lastTpKey = '';
  #streamTime = -1;
  #commitRequested = false;

  constructor(
    readonly subtopology: Subtopology,
    partition: number,
    private readonly topology: Topology,
    private readonly deps: TaskDeps,
  ) {
    this.partition = partition;
    this.id = `${subtopology.id}_${partition}`;
    this.applicationId = deps.config.applicationId;
    this.#state = new StateMachine(`Task ${this.id}`, TASK_TRANSITIONS, 'CREATED');
    this.inputPartitions = subtopology.sourceTopics.map((t) => ({ topic: deps.topicName(t), partition }));
    this.#buildNodes();
  }

  get state(): TaskState {
    return this.#state.state;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Opens the stores (registering them for restoration) and initialises the processors. */
  async initializeStores(): Promise<void> {
    this.#state.require('initialize stores', 'CREATED', 'SUSPENDED');
    const storeContext = this.#storeContext();
    for (const name of this.subtopology.stores) {
      const store = this.topology.stores.get(name)!.builder.build();
      this.stores.set(name, store);
      await store.init(storeContext);
    }
    this.#state.moveTo('RESTORING');
  }

  /** After restoration: init processors and start processing. */
  async completeRestoration(): Promise<void> {
    this.#state.require('complete restoration', 'RESTORING');
    for (const entry of this.#contexts.values()) if (entry.init) await entry.init(entry.ctx);
    this.#state.moveTo('RUNNING');
  }

  /** Close processors and stores. Dirty: buffered input and unflushed cache entries are dropped. */
  async close(clean = true): Promise<void> {
    if (this.#state.is('CLOSED')) return;
    if (!clean) this.#queue.clear();
    if (this.#state.is('RUNNING')) for (const entry of this.#contexts.values()) if (entry.close) await entry.close();
    for (const store of this.stores.values()) if (store.isOpen()) await store.close();
    this.#state.moveTo('CLOSED');
  }

  /**
   * The process died (embedded-cluster crash): drop everything uncommitted and release the store files (a dead
   * process's locks are released by the OS) without running processor code or committing. Every store is marked
   * closed synchronously, so a zombie loop still in flight can no longer persist anything.
   */
  abandon(): Promise<void> {
    const closing: Promise<unknown>[] = [];
    this.#queue.clear();
    for (const r of this.restorers.values()) r.abortUncommitted();
    for (const store of this.stores.values()) {
      if (!store.isOpen()) continue;
      try {
        const r = store.close();
        if (r !== undefined && isPromise(r)) closing.push(r.catch(() => undefined));
      } catch {
        // closing a dead process's store is best effort
      }
    }
    if (!this.#state.is('CLOSED')) this.#state.moveTo('CLOSED');
    return Promise.all(closing).then(() => undefined);
  }

  // ---------------------------------------------------------------- processing

  /** Queue records fetched by the consumer (stream thread path). */
  addRecords(records: readonly ConsumedRecord[]): void {
    this.#queue.add(records);
    let prev: ConsumedRecord | undefined;
    for (const r of records) {
      if (prev && (r.topic !== prev.topic || r.partition !== prev.partition)) this.#noteFetched(prev);
      prev = r;
    }
    if (prev) this.#noteFetched(prev);
  }

  #noteFetched(last: ConsumedRecord): void {
    this.#fetched.set(tpKey(last.topic, last.partition), { topic: last.topic, partition: last.partition, offset: last.offset + 1 });
  }

  /**
   * Where the consumer must continue for each input partition this task has received records from: right after
   * the last one (buffered or processed). Partitions it never received anything from are absent.
   */
  fetchPositions(): readonly TopicPartitionOffset[] {
    return [...this.#fetched.values()];
  }

  bufferedRecords(): number {
    return this.#queue.size;
  }

  /** Process the next buffered record in timestamp order across the task's partitions; false when none. */
  processNext(): MaybePromise<boolean> {
    const raw = this.#queue.poll();
    if (!raw) return false;
    const r = this.processRecord(raw);
    return r === undefined ? true : r.then(() => true);
  }

  /**
   * Warm store caches for the next buffered records: a source's direct child that keys its store by the record
   * key (aggregations, table sources) gets the keys in one multi-get per batch of `max` records, so a RocksDB
   * store answers from memory instead of one awaited read per record. The task reads ahead: up to
   * READ_AHEAD_BATCHES batches beyond the one processed next are requested, each record once, and the engine's
   * thread pool reads them while this batch is processed. A record whose read is still in flight waits for it in
   * the store's get; a read's error surfaces there too, when its record is processed.
   */
  prefetch(max: number): void {
    if (!this.#wantsPrefetch()) return; // e.g. stateless or in-memory tasks: no per-record work at all
    for (let k = 0; k <= READ_AHEAD_BATCHES; k++) {
      const raws = this.#queue.takeForPrefetch(max);
      if (raws.length === 0) break;
      this.#prefetchRecords(raws);
    }
  }

  #wantsPrefetch(): boolean {
    for (const source of this.#sources.values()) {
      for (const child of source.children) {
        const p = (child as ProcessorNode).processor as Partial<Prefetcher> | undefined;
        if (p && typeof p.prefetch === 'function' && (p.prefetchWanted === undefined || p.prefetchWanted())) return true;
      }
    }
    return false;
  }

  #prefetchRecords(raws: readonly ConsumedRecord[]): void {
    if (raws.length === 0) return;
    const byNode = new Map<Prefetcher, unknown[]>();
    for (const raw of raws) {
      const source = this.#sources.get(raw.topic);
      if (!source) continue;
      for (const child of source.children) {
        const p = (child as ProcessorNode).processor as Partial<Prefetcher> | undefined;
        if (!p || typeof p.prefetch !== 'function') continue;
        if (p.prefetchWanted !== undefined && !p.prefetchWanted()) continue;
        let key: unknown;
        try {
          key = source.keySerde.deserialize(raw.topic, raw.key);
        } catch {
          continue; // the error surfaces when the record is processed
        }
        let keys = byNode.get(p as Prefetcher);
        if (!keys) byNode.set(p as Prefetcher, (keys = []));
        keys.push(key);
      }
    }
    for (const [p, keys] of byNode) p.prefetch(keys);
  }

  /** Process one record to completion: deserialize, run the nodes, punctuate on stream time. */
  processRecord(raw: ConsumedRecord): MaybePromise<void> {
    const source = this.#sourceFor(raw.topic);
    let key: unknown;
    let value: unknown;
    try {
      key = source.keySerde.deserialize(raw.topic, raw.key);
    } catch (e) {
      return this.#skip(new SerdeError('key', 'deserialize', raw, e), raw, 'deserialization');
    }
    try {
      value = source.valueSerde.deserialize(raw.topic, raw.value);
    } catch (e) {
      return this.#skip(new SerdeError('value', 'deserialize', raw, e), raw, 'deserialization');
    }
    let timestamp = raw.timestamp;
    if (source.timestampExtractor) {
      timestamp = source.timestampExtractor({ ...raw, key, value }, this.#streamTime);
    }
    if (!(timestamp >= 0)) {
      // Kafka Streams' LogAndSkipOnInvalidTimestamp: a record without a valid time cannot be placed in time
      this.metrics.skippedRecords++;
      this.#markConsumed(raw);
      return;
    }
    if (timestamp > this.#streamTime) this.#streamTime = timestamp;
    this.#current = raw;
    this.#currentTimestamp = timestamp;
    let result: MaybePromise<void>;
    try {
      result = source.process({ key, value, timestamp, headers: raw.headers });
    } catch (e) {
      return this.#processingFailed(e, raw);
    }
    if ((result !== undefined && isPromise(result)) || this.#pending.length > 0) {
      return this.#finishAsync(result, raw);
    }
    return this.#afterRecord(raw);
  }

  async #finishAsync(result: MaybePromise<void>, raw: ConsumedRecord): Promise<void> {
    try {
      await result;
      while (this.#pending.length) {
        const pending = this.#pending;
        this.#pending = [];
        await Promise.all(pending);
      }
    } catch (e) {
      this.#pending = [];
      return this.#processingFailed(e, raw);
    }
    return this.#afterRecord(raw);
  }

  #afterRecord(raw: ConsumedRecord): MaybePromise<void> {
    this.metrics.processedRecords++;
    this.#markConsumed(raw);
    this.#current = undefined;
    if (this.#streamPunctuation.size > 0) return this.punctuate(PunctuationType.STREAM_TIME, this.#streamTime);
  }

  /** Remembers the record's offset for the next commit; the `topic:partition` key string is reused, not rebuilt per record. */
  #markConsumed(raw: ConsumedRecord): void {
    if (raw.topic !== this.#lastTopic || raw.partition !== this.#lastPartition) {
      this.#lastTopic = raw.topic;
      this.#lastPartition = raw.partition;
      this.#lastTpKey = tpKey(raw.topic, raw.partition);
    }
    this.#consumed.set(this.#lastTpKey, raw.offset);
  }

  #processingFailed(e: unknown, raw: ConsumedRecord): MaybePromise<void> {
    this.#current = undefined;
    const error = e instanceof StreamsError ? e : new StreamsError(String(e));
    if (error.code !== 'PROCESSING_ERROR') throw error;
    return this.#skip(error, raw, 'processing');
  }

  #skip(error: StreamsError, raw: ConsumedRecord, kind: 'deserialization' | 'processing'): void {
    const handler =
      kind === 'deserialization' ? this.deps.config.deserializationExceptionHandler : this.deps.config.processingExceptionHandler;
    handleRecordError(handler, error, raw, this.deps.collector, this.deps.config.logger);
    this.metrics.skippedRecords++;
    this.#markConsumed(raw);
  }

  /** Runs due punctuators of one type; `now` is stream time or wall-clock time. */
  punctuate(type: PunctuationType, now: number): MaybePromise<void> {
    const queue = type === PunctuationType.STREAM_TIME ? this.#streamPunctuation : this.#wallPunctuation;
    if (now < 0) return;
    const due = queue.due(now);
    let chain: Promise<void> | undefined;
    for (const s of due) {
      const run = (): MaybePromise<void> => {
        this.#current = undefined;
        const r = s.callback(now);
        if (this.#pending.length) {
          const pending = this.#pending;
          this.#pending = [];
          return Promise.all([r, ...pending]).then(() => undefined);
        }
        return r;
      };
      if (chain) chain = chain.then(run);
      else {
        const r = run();
        if (r !== undefined && isPromise(r)) chain = r;
      }
      this.metrics.punctuations++;
    }
    return chain;
  }

  // ---------------------------------------------------------------- commit support

  /** Flush stores (caches forward downstream, changelog records go to the collector). */
  async flushState(): Promise<void> {
    for (const store of this.stores.values()) await store.flush();
    while (this.#pending.length) {
      const pending = this.#pending;
      this.#pending = [];
      await Promise.all(pending);
    }
  }

  /** Offsets to commit (next offset to read) for the partitions processed since the last call. */
  committableOffsets(): { topic: string; partition: number; offset: number }[] {
    return [...this.#consumed].map(([k, offset]) => {
      const i = k.lastIndexOf(':');
      return { topic: k.slice(0, i), partition: Number(k.slice(i + 1)), offset: offset + 1 };
    });
  }

  /** A processor asked for a commit (ProcessorContext.commit). */
  get commitRequested(): boolean {
    return this.#commitRequested;
  }

  commitNeeded(): boolean {
    return this.#consumed.size > 0 || this.#commitRequested;
  }

  markCommitted(): void {
    this.#consumed.clear();
    this.#commitRequested = false;
  }

  // ---------------------------------------------------------------- TaskServices (used by node contexts)

  get taskId(): string {
    return this.id;
  }

  recordMetadata(): RecordMetadata | undefined {
    const c = this.#current;
    return c ? { topic: c.topic, partition: c.partition, offset: c.offset } : undefined;
  }

  currentContext(): RecordContextInfo | undefined {
    const c = this.#current;
    return c ? { topic: c.topic, partition: c.partition, offset: c.offset, timestamp: this.#currentTimestamp, headers: c.headers } : undefined;
  }

  streamTime(): number {
    return this.#streamTime;
  }

  wallClock(): number {
    return this.deps.clock.now();
  }

  schedule(nodeName: string, intervalMs: number, type: PunctuationType, callback: Punctuator): Cancellable {
    if (type === PunctuationType.STREAM_TIME) {
      // first punctuation with the first record, then aligned to the interval (Kafka Streams)
      return this.#streamPunctuation.schedule({ nodeName, type, interval: intervalMs, next: 0, callback });
    }
    return this.#wallPunctuation.schedule({ nodeName, type, interval: intervalMs, next: this.deps.clock.now() + intervalMs, callback });
  }

  isGlobalStore(name: string): boolean {
    return this.deps.globalStores?.has(name) ?? false;
  }

  store(name: string): unknown {
    const s = this.stores.get(name) ?? this.deps.globalStores?.get(name);
    if (!s) throw new TopologyError(`State store '${name}' is not available in task ${this.id}.`);
    return s;
  }

  requestCommit(): void {
    this.#commitRequested = true;
  }

  trackPending(p: Promise<unknown>): void {
    this.#pending.push(p);
  }

  // ---------------------------------------------------------------- construction

  #sourceFor(topic: string): SourceNode {
    const s = this.#sources.get(topic);
    if (s) return s;
    for (const { pattern, node } of this.#sourcePatterns) {
      if (pattern.test(topic)) {
        this.#sources.set(topic, node);
        return node;
      }
    }
    throw new TopologyError(`Task ${this.id} received a record from topic '${topic}', which none of its sources reads.`);
  }

  #serde(explicit: Serde<unknown> | undefined, fallback: Serde<unknown> | undefined, what: string): Serde<unknown> {
    const serde = isDeferredSerde(explicit) ? explicit.withDefault(fallback) : (explicit ?? fallback);
    if (!serde) {
      throw new ConfigError(
        `${what} has no serde: pass one (Consumed.with / Produced.with / options of addSource/addSink) or set defaultKeySerde/defaultValueSerde in the config.`,
      );
    }
    return serde;
  }

  #buildNodes(): void {
    const { config } = this.deps;
    const byName = new Map<string, Node>();
    for (const name of this.subtopology.nodes) {
      const def = this.topology.nodes.get(name)!;
      let node: Node;
      if (def.kind === 'source') {
        const what = `Source '${def.name}' (${def.pattern ? def.pattern.source : def.topics.join(', ')})`;
        const source = new SourceNode(
          def.name,
          this,
          this.#serde(def.keySerde, config.defaultKeySerde, `${what} key`),
          this.#serde(def.valueSerde, config.defaultValueSerde, `${what} value`),
          def.timestampExtractor,
        );
        for (const t of def.topics) this.#sources.set(this.deps.topicName(t), source);
        if (def.pattern) this.#sourcePatterns.push({ pattern: def.pattern, node: source });
        node = source;
      } else if (def.kind === 'sink') {
        node = new SinkNode(
          def.name,
          this,
          def.topic,
          this.deps.topicName,
          this.#serde(def.keySerde, config.defaultKeySerde, `Sink '${def.name}' key`),
          this.#serde(def.valueSerde, config.defaultValueSerde, `Sink '${def.name}' value`),
          def.partitioner,
          this.deps.collector,
          config,
        );
      } else {
        const processor = def.supplier();
        if (!processor || typeof processor.process !== 'function') {
          throw new TopologyError(`The supplier of processor '${def.name}' must return a new object with a process(record) method.`);
        }
        node = new ProcessorNode(def.name, this, processor as ProcessorNode['processor']);
        const ctx = new NodeContext(node, this, new Set(this.topology.storesOf(def.name)));
        this.#contexts.set(def.name, {
          node,
          ctx,
          init: processor.init ? (c) => processor.init!(c as never) : undefined,
          close: processor.close ? () => processor.close!() : undefined,
        });
      }
      byName.set(name, node);
      this.#nodes.push(node);
    }
    for (const name of this.subtopology.nodes) {
      const def = this.topology.nodes.get(name)!;
      if (def.kind === 'source') continue;
      for (const p of def.parents) byName.get(p)!.addChild(byName.get(name)!);
    }
    // chains of built-in one-record operators run as one loop (the topology and describe() keep every node)
    fuseChains(this.#nodes, this, (name) => {
      const def = this.topology.nodes.get(name);
      return def?.kind === 'processor' && def.parents.length === 1 && this.topology.storesOf(name).length === 0 ? stepOf(def.supplier) : undefined;
    });
  }

  #storeContext(): StateStoreContext {
    const { config, collector } = this.deps;
    const task = this;
    const storeCount = Math.max(1, this.subtopology.stores.length);
    return {
      applicationId: config.applicationId,
      taskId: this.id,
      partition: this.partition,
      stateDir: this.deps.stateDir,
      cacheMaxBytes: Math.floor(config.cacheMaxBytesBuffering / storeCount),
      changelogTopic: (store) => `${config.applicationId}-${store}-changelog`,
      logChange(store, key, value, timestamp) {
        collector.send(`${config.applicationId}-${store}-changelog`, key, value, timestamp, {}, task.partition);
      },
      register(store: StateStore, restorer: StoreRestorer) {
        task.restorers.set(store.name, restorer);
        task.deps.onRegisterStore?.(task, store, restorer);
      },
      currentTimestamp: () => (task.#current ? task.#currentTimestamp : task.#streamTime),
      exactlyOnce: config.processingGuarantee === 'exactly_once_v2',
      onCorruptStateDir: config.onCorruptStateDir,
      defaultKeySerde: config.defaultKeySerde,
      defaultValueSerde: config.defaultValueSerde,
    };
  }
}
