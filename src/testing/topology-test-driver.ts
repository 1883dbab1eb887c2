import { resolveConfig, silentLogger, type ResolvedConfig, type StreamsConfig } from '../config.js';
import { IllegalStateError, StreamsError } from '../errors.js';
import type { ConsumedRecord } from '../kafka/client.js';
import { join } from 'node:path';
import { PunctuationType } from '../processor/processor.js';
import { EMPTY_HEADERS, isPromise, type Headers, type MaybePromise } from '../processor/record.js';
import { StreamTask } from '../runtime/stream-task.js';
import { GlobalStateManager } from '../runtime/global-state.js';
import type { Serde } from '../serdes/serde.js';
import type { StateStore } from '../state/state-store.js';
import type { Topology } from '../topology/topology.js';
import { DriverCollector } from './driver-collector.js';
import { TestInputTopic } from './test-input-topic.js';
import { TestOutputTopic } from './test-output-topic.js';

export type TestDriverConfig = Partial<StreamsConfig>;

/**
 * Runs a topology without Kafka (Kafka Streams' TopologyTestDriver): one task per sub-topology on partition 0,
 * the real task and processor code, each piped record processed to completion (outputs to internal topics are
 * fed back), and a commit after every record so caches are flushed and every update is visible downstream.
 */
export class TopologyTestDriver {
  readonly #config: ResolvedConfig;
  readonly #tasks: StreamTask[] = [];
  readonly #taskByTopic = new Map<string, StreamTask>();
  /** Tasks of pattern sources (`builder.stream(RegExp)`): a topic matching the whole pattern is routed to them. */
  readonly #patternTasks: { pattern: RegExp; task: StreamTask }[] = [];
  readonly #collector: DriverCollector;
  readonly #hasStores: boolean;
  #wallClock: number;
  readonly #global: GlobalStateManager | undefined;
  #ready: Promise<void> | undefined;
  #closed = false;

  constructor(topology: Topology, config: TestDriverConfig = {}, initialWallClockTimeMs?: number) {
    topology.validate();
    this.#config = resolveConfig({ applicationId: 'test-driver', cacheMaxBytesBuffering: 0, logger: silentLogger, ...config } as StreamsConfig);
    this.#wallClock = initialWallClockTimeMs ?? Date.now();
    const appId = this.#config.applicationId;
    const topicName = (name: string): string => (topology.internalTopics.has(name) ? `${appId}-${name}` : name);
    this.#collector = new DriverCollector((topic) => this.#taskFor(topic) !== undefined);
    const clock = { now: () => this.#wallClock };
    this.#global = topology.globalStores.size ? new GlobalStateManager(topology, this.#config, this.#config.stateDir, this.#collector) : undefined;
    for (const sub of topology.subtopologies()) {
      const task = new StreamTask(sub, 0, topology, {
        config: this.#config,
        collector: this.#collector,
        clock,
        topicName,
        // persistent (RocksDB) stores run for real when the config names a state directory
        stateDir: this.#config.stateDir === undefined ? undefined : join(this.#config.stateDir, `${sub.id}_0`),
        globalStores: this.#global?.stores,
      });
      this.#tasks.push(task);
      for (const t of sub.sourceTopics) this.#taskByTopic.set(topicName(t), task);
      for (const p of sub.sourcePatterns) this.#patternTasks.push({ pattern: new RegExp(`^(?:${p.source})$`, p.flags.replace(/[gy]/g, '')), task });
    }
    this.#hasStores = this.#tasks.some((t) => t.subtopology.stores.length > 0);
    this.#ready = this.#initialize();
  }

  async #initialize(): Promise<void> {
    await this.#global?.initialize();
    for (const task of this.#tasks) {
      await task.initializeStores();
      await task.completeRestoration();
    }
    this.#ready = undefined;
  }

  createInputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>, startTimestampMs?: number, autoAdvanceMs = 0): TestInputTopic<K, V> {
    return new TestInputTopic(this, topic, keySerde, valueSerde, startTimestampMs ?? this.#wallClock, autoAdvanceMs);
  }

  createOutputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(this.#collector, topic, keySerde, valueSerde);
  }

  /** Pipe one serialized record through the topology, to completion. Sync when every step was sync. */
  pipeRaw(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers = EMPTY_HEADERS): MaybePromise<void> {
    if (this.#closed) throw new IllegalStateError('The test driver is closed.');
    if (this.#ready) return this.#ready.then(() => this.pipeRaw(topic, key, value, timestamp, headers));
    if (this.#global?.topics.includes(topic)) {
      // a GlobalKTable's topic: update the global store at once, as the driver does in Kafka Streams
      const r = this.#global.processRecord(this.#collector.append(topic, key, value, timestamp, headers));
      return r ? r.then(() => this.#global!.commit()) : this.#global.commit();
    }
    const task = this.#taskFor(topic);
    if (!task) {
      throw new StreamsError(
        `Unknown topic: '${topic}' is not read by any source of the topology (sources read: ${[...this.#taskByTopic.keys()].join(', ')}).`,
        'UNKNOWN_TOPIC',
      );
    }
    const record = this.#collector.append(topic, key, value, timestamp, headers);
    const r = task.processRecord(record);
    if (r !== undefined && isPromise(r)) return r.then(() => this.#afterRecord());
    return this.#afterRecord();
  }

  #afterRecord(): MaybePromise<void> {
    const feedback = this.#collector.feedback;
    while (feedback.length > 0 || this.#hasStores) {
      if (feedback.length === 0) {
        // commit: flush caches, which may forward and produce more feedback
        return this.#commit().then(() => (feedback.length ? this.#afterRecord() : undefined));
      }
      const next = feedback.shift() as ConsumedRecord;
      const r = this.#taskFor(next.topic)!.processRecord(next);
      if (r !== undefined && isPromise(r)) return r.then(() => this.#afterRecord());
    }
  }

  async #commit(): Promise<void> {
    for (const task of this.#tasks) {
      await task.flushState();
      // persist the stores' writes (the real runtime does this in checkpoint.ts after the changelog sends)
      for (const restorer of task.restorers.values()) await restorer.commit(undefined);
      task.markCommitted();
    }
  }

  #taskFor(topic: string): StreamTask | undefined {
    const task = this.#taskByTopic.get(topic);
    if (task !== undefined || this.#patternTasks.length === 0) return task;
    for (const { pattern, task: t } of this.#patternTasks) {
      if (pattern.test(topic)) {
        this.#taskByTopic.set(topic, t);
        return t;
      }
    }
    return undefined;
  }

  /** Advance wall-clock time and fire due WALL_CLOCK_TIME punctuators. */
  async advanceWallClockTime(ms: number): Promise<void> {
    if (this.#ready) await this.#ready;
    this.#wallClock += ms;
    for (const task of this.#tasks) await task.punctuate(PunctuationType.WALL_CLOCK_TIME, this.#wallClock);
    const drained = this.#afterRecord();
    if (drained) await drained;
  }

  getStateStore<S extends StateStore = StateStore>(name: string): S | undefined {
    if (this.#ready && (this.#tasks.some((t) => t.subtopology.stores.includes(name)) || this.#global?.storeNames.includes(name))) {
      // stores open asynchronously: until they are, hand out a view whose calls wait for them
      return deferredStore(this.#ready, () => this.getStateStore(name)) as S;
    }
    for (const t of this.#tasks) {
      const s = t.stores.get(name);
      if (s) return s as S;
    }
    const g = this.#global?.stores.get(name);
    if (g) return g as S;
    return undefined;
  }

  /** The key-value store `name` (undefined if the topology has none by that name). */
  getKeyValueStore<S = any>(name: string): S {
    return this.getStateStore(name) as S;
  }

  getWindowStore<S = any>(name: string): S {
    return this.getStateStore(name) as S;
  }

  getSessionStore<S = any>(name: string): S {
    return this.getStateStore(name) as S;
  }

  /** Metrics of the driver's tasks (processed, skipped, dropped late...). */
  metrics(): { processedRecords: number; skippedRecords: number; droppedLateRecords: number } {
    let processedRecords = 0;
    let skippedRecords = 0;
    let droppedLateRecords = 0;
    for (const t of this.#tasks) {
      processedRecords += t.metrics.processedRecords;
      skippedRecords += t.metrics.skippedRecords;
      droppedLateRecords += t.metrics.droppedLateRecords;
    }
    return { processedRecords, skippedRecords, droppedLateRecords };
  }

  producedTopicNames(): string[] {
    return [...this.#collector.topics.keys()];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#ready) await this.#ready.catch(() => undefined);
    if (this.#tasks.every((t) => t.state === 'RUNNING')) await this.#commit();
    for (const t of this.#tasks) await t.close();
    await this.#global?.close();
    this.#closed = true;
  }
}

/**
 * A store view for the time before the driver finished opening its stores: every method call waits for them and
 * answers with a value that is both awaitable (get, approximateNumEntries, ...) and async-iterable (range, all, ...).
 */
function deferredStore(ready: Promise<void>, resolve: () => StateStore | undefined): StateStore {
  const call = async (prop: string | symbol, args: unknown[]): Promise<unknown> => {
    await ready;
    const store = resolve() as unknown as Record<string | symbol, unknown> | undefined;
    const member = store?.[prop];
    if (typeof member !== 'function') throw new IllegalStateError(`The state store has no method '${String(prop)}'.`);
    return (member as (...a: unknown[]) => unknown).apply(store, args);
  };
  return new Proxy({} as StateStore, {
    get(_target, prop) {
      if (prop === 'then') return undefined; // the view itself is not a Promise
      return (...args: unknown[]) => {
        const result = call(prop, args);
        return {
          then: (onOk?: (v: unknown) => unknown, onErr?: (e: unknown) => unknown) => result.then(onOk, onErr),
          async *[Symbol.asyncIterator]() {
            yield* (await result) as AsyncIterable<unknown>;
          },
        };
      };
    },
  });
}
