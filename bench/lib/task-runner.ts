/**
 * Runs a topology on StreamTasks directly, the way a stream thread does (src/runtime/stream-thread.ts), without a
 * Kafka client in between: one task per sub-topology on partition 0; input goes in batches through
 * `task.addRecords(batch)`, `task.prefetch(batch)` (starts store reads ahead, no waiting), then `task.processNext()` until the batch is done.
 * Records sent to a topic that another task reads (repartition topics) are queued for that task and processed in
 * the same round, as the stream thread does after its consumer fetched them. Every `commitEvery` input records the
 * runner commits like checkpoint.ts does (flush state, then each store's restorer.commit(changelog offset)).
 * Sink and changelog records are counted and checksummed, not kept, so memory is the library's, not the harness's.
 */
import { resolveConfig, silentLogger, type StreamsConfig } from '../../src/config.js';
import { tpKey, type ConsumedRecord, type MessageHeaders } from '../../src/kafka/client.js';
import { EMPTY_HEADERS } from '../../src/processor/record.js';
import type { RecordCollector } from '../../src/runtime/record-collector.js';
import { StreamTask } from '../../src/runtime/stream-task.js';
import type { Topology } from '../../src/topology/topology.js';
import { join } from 'node:path';
import { bufferDigest } from './measure.js';

/** Batches a generated input is made ahead of processing (see runGenerated). */
const FETCH_AHEAD = 4;

export interface RunnerStats {
  /** Checksum over the bytes of records sent to `checksumTopic`. */
  checksum: number;
  commits: number;
}

interface TopicState {
  count: number;
  readonly tp: string;
  readonly route: ConsumedRecord[] | undefined;
  readonly checksum: boolean;
}

class BenchCollector implements RecordCollector {
  readonly #offsets = new Map<string, number>();
  readonly #topics = new Map<string, TopicState>();
  readonly stats: RunnerStats = { checksum: 0, commits: 0 };
  /** Per topic: the queue of the task that reads it, if any. */
  readonly routes = new Map<string, ConsumedRecord[]>();

  constructor(private readonly checksumTopic: string | undefined) {}

  send(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: MessageHeaders): void {
    let s = this.#topics.get(topic);
    if (!s) this.#topics.set(topic, (s = { count: 0, tp: tpKey(topic, 0), route: this.routes.get(topic), checksum: topic === this.checksumTopic }));
    const offset = s.count++;
    this.#offsets.set(s.tp, offset);
    if (s.route) s.route.push({ topic, partition: 0, offset, key, value, timestamp, headers });
    else if (s.checksum) this.stats.checksum = (this.stats.checksum + bufferDigest(key) * 3 + bufferDigest(value)) | 0;
  }

  /** Records sent per topic. */
  sentPerTopic(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [t, s] of this.#topics) out.set(t, s.count);
    return out;
  }

  partitionsFor(): number {
    return 1;
  }

  async flush(): Promise<void> {}

  offsets(): ReadonlyMap<string, number> {
    return this.#offsets;
  }
}

export interface TaskRunnerOptions {
  readonly config?: Partial<StreamsConfig>;
  /** Persistent stores live under `<stateDir>/<subtopology>_0` (RocksDB); without it they run in memory. */
  readonly stateDir?: string;
  /** Records handed to a task per round (the stream thread's BATCH_PER_TASK is 1000). */
  readonly batch?: number;
  /** Commit after this many input records (the stream thread commits every commitIntervalMs). */
  readonly commitEvery?: number;
  /** Output topic whose records are checksummed. */
  readonly checksumTopic?: string;
}

export class TaskRunner {
  readonly tasks: StreamTask[] = [];
  readonly #collector: BenchCollector;
  readonly #queues: { task: StreamTask; queue: ConsumedRecord[] }[] = [];
  readonly #batch: number;
  readonly #commitEvery: number;
  readonly #topicName: (name: string) => string;
  readonly #appId: string;
  prefetchCalls = 0;

  constructor(topology: Topology, options: TaskRunnerOptions = {}) {
    topology.validate();
    const config = resolveConfig({ applicationId: 'bench', logger: silentLogger, ...options.config } as StreamsConfig);
    const appId = config.applicationId;
    this.#appId = appId;
    this.#topicName = (name: string): string => (topology.internalTopics.has(name) ? `${appId}-${name}` : name);
    this.#batch = options.batch ?? 1000;
    this.#commitEvery = options.commitEvery ?? 100_000;
    this.#collector = new BenchCollector(options.checksumTopic);
    for (const sub of topology.subtopologies()) {
      const task = new StreamTask(sub, 0, topology, {
        config,
        collector: this.#collector,
        clock: { now: () => Date.now() },
        topicName: this.#topicName,
        stateDir: options.stateDir === undefined ? undefined : join(options.stateDir, `${sub.id}_0`),
      });
      this.tasks.push(task);
      const queue: ConsumedRecord[] = [];
      this.#queues.push({ task, queue });
      for (const t of sub.sourceTopics) this.#collector.routes.set(this.#topicName(t), queue);
    }
  }

  get stats(): RunnerStats {
    return this.#collector.stats;
  }

  /** Records sent per topic (sinks, repartition topics, changelogs). */
  sent(): Map<string, number> {
    return this.#collector.sentPerTopic();
  }

  topicName(name: string): string {
    return this.#topicName(name);
  }

  async init(): Promise<void> {
    for (const t of this.tasks) {
      await t.initializeStores();
      await t.completeRestoration();
    }
  }

  /** Processes `input` (records of source topics) in batches, committing every `commitEvery` input records. */
  async run(input: readonly ConsumedRecord[]): Promise<void> {
    const n = input.length;
    const batch = this.#batch;
    let sinceCommit = 0;
    for (let i = 0; i < n; i += batch) {
      const end = Math.min(n, i + batch);
      const first = this.#queues.find((q) => this.#collector.routes.get(input[i]!.topic) === q.queue)!;
      first.queue.push(...input.slice(i, end));
      await this.#drain();
      sinceCommit += end - i;
      if (sinceCommit >= this.#commitEvery) {
        sinceCommit = 0;
        await this.commit();
      }
    }
  }

  /**
   * Like `run`, but the input is made batch by batch by `make` (so a large input never sits in memory): the time
   * spent making batches is measured and returned, so callers can leave it out. Batches are made ahead of
   * processing, up to FETCH_AHEAD of them, as a consumer's fetches run ahead of a busy stream thread (this is what
   * lets the task read the next batches' store keys while it processes this one). Samples RSS every 16 batches.
   */
  async runGenerated(batches: number, make: (batch: number) => ConsumedRecord[]): Promise<{ genMs: number; genCpuMs: number; peakRss: number; peakHeap: number }> {
    let genMs = 0;
    let genCpuUs = 0;
    let peakRss = 0;
    let peakHeap = 0;
    const first = this.#queues[0]!;
    const ahead = FETCH_AHEAD * this.#batch;
    const perCommit = Math.max(1, Math.ceil(this.#commitEvery / this.#batch));
    let b = 0;
    const generate = (limit: number): void => {
      while (b < limit && first.queue.length < ahead) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const records = make(b);
        genMs += performance.now() - t0;
        const c = process.cpuUsage(c0);
        genCpuUs += c.user + c.system;
        for (const r of records) first.queue.push(r);
        if ((b & 15) === 0) {
          const m = process.memoryUsage();
          if (m.rss > peakRss) peakRss = m.rss;
          if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
        }
        b++;
      }
    };
    while (b < batches) {
      // one commit interval at a time: the records of the interval are made while it is processed
      const limit = Math.min(batches, b + perCommit);
      const refill = (): void => generate(limit);
      refill();
      await this.#drain(refill);
      if (limit % perCommit === 0) await this.commit();
    }
    return { genMs, genCpuMs: genCpuUs / 1000, peakRss, peakHeap };
  }

  /** Feeds every queued record to its task (in sub-topology order, repeated while tasks feed each other). */
  async #drain(refill?: () => void): Promise<void> {
    const batch = this.#batch;
    for (let more = true; more; ) {
      more = false;
      for (const { task, queue } of this.#queues) {
        while (queue.length > 0) {
          more = true;
          const chunk = queue.length <= batch ? queue.splice(0) : queue.splice(0, batch);
          task.addRecords(chunk);
          while (task.bufferedRecords() > 0) {
            // a loaded stream thread has fetched ahead of processing: keep four batches buffered so the task can
            // read the next batches' store keys while it processes this one
            refill?.();
            while (task.bufferedRecords() < 4 * batch && queue.length > 0) task.addRecords(queue.length <= batch ? queue.splice(0) : queue.splice(0, batch));
            this.prefetchCalls++;
            task.prefetch(batch);
            for (let k = 0; k < batch; k++) {
              const r = task.processNext();
              if (r === false) break;
              if (r !== true && !(await r)) break;
            }
          }
        }
      }
    }
  }

  /** checkpoint.ts order: flush state (caches write down, forward; changelog sends), then persist with offsets. */
  async commit(): Promise<void> {
    for (let flushed = false; !flushed; ) {
      for (const t of this.tasks) await t.flushState();
      flushed = this.#queues.every((q) => q.queue.length === 0);
      if (!flushed) await this.#drain();
    }
    const offsets = this.#collector.offsets();
    for (const t of this.tasks) {
      for (const [store, restorer] of t.restorers) {
        const offset = offsets.get(tpKey(`${this.#appId}-${store}-changelog`, 0));
        await restorer.commit(offset);
      }
      t.markCommitted();
    }
    this.stats.commits++;
  }

  async close(): Promise<void> {
    await this.commit();
    for (const t of this.tasks) await t.close();
  }
}

/** Input records of one source topic, as a consumer would hand them over. */
export function consumedRecords(topic: string, keys: readonly (Buffer | null)[], values: readonly Buffer[], t0 = 1_700_000_000_000): ConsumedRecord[] {
  const out: ConsumedRecord[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = { topic, partition: 0, offset: i, key: keys[i] ?? null, value: values[i]!, timestamp: t0 + i, headers: EMPTY_HEADERS };
  }
  return out;
}
