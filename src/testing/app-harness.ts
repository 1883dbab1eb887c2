/**
 * The instances of one application under test on one EmbeddedKafkaCluster: each slot is one instance with its own
 * state dir (under one temp dir, removed at the end), which may be crashed, closed, wiped and restarted, and
 * healed at the end; then the harness waits until every instance has caught up with every source topic.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StreamsConfig } from '../config.js';
import { StreamsError } from '../errors.js';
import type { EmbeddedKafkaCluster } from '../kafka/embedded/embedded-kafka-cluster.js';
import type { CommitStep } from '../runtime/checkpoint.js';
import { KafkaStreams } from '../runtime/kafka-streams.js';
import type { StreamTask } from '../runtime/stream-task.js';
import type { Topology } from '../topology/topology.js';

export interface AppHarnessOptions {
  readonly cluster: EmbeddedKafkaCluster;
  readonly topology: () => Topology;
  readonly applicationId: string;
  /** Merged into every instance's config (after the harness's fast defaults). */
  readonly config?: Partial<StreamsConfig>;
  /** Source topics the application reads from (the harness adds its repartition topics). */
  readonly inputTopics: readonly string[];
  /** Installed as every instance's commitStepHook. */
  readonly onCommitStep?: (slot: number, step: CommitStep) => void | Promise<void>;
}

/**
 * Fast defaults: short commits and sessions, so a run takes about a second, not a minute; small polls, so faults
 * land between batches of a few records rather than after a whole small input was processed in one go.
 */
export const FAST_CONFIG: Partial<StreamsConfig> = { commitIntervalMs: 50, sessionTimeoutMs: 1_000, heartbeatIntervalMs: 100, pollMs: 20, maxPollRecords: 5 };

interface Slot {
  readonly index: number;
  readonly dir: string;
  app: KafkaStreams | undefined;
  /** Crashed or closed: down until restarted. */
  down: boolean;
  /** Errors the instance's threads reported (sane instances report none). */
  readonly errors: string[];
  /** A crashed instance's threads have stopped (its loops may still be finishing a store write when it crashes). */
  stopped: Promise<void>;
}

export class AppHarness {
  readonly #slots: Slot[] = [];
  readonly #root = mkdtempSync(join(tmpdir(), 'sluice-check-app-'));
  readonly logs: string[] = [];
  /** One instance of the topology, for its topic names. */
  #topology: Topology | undefined;

  constructor(private readonly options: AppHarnessOptions) {}

  get cluster(): EmbeddedKafkaCluster {
    return this.options.cluster;
  }

  get size(): number {
    return this.#slots.length;
  }

  /** The live instance of a slot (undefined while down). */
  app(slot: number): KafkaStreams | undefined {
    const s = this.#slots[slot];
    return s && !s.down ? s.app : undefined;
  }

  /** Adds a slot and starts its instance; returns the slot index. */
  async addInstance(): Promise<number> {
    const index = this.#slots.length;
    const slot: Slot = { index, dir: join(this.#root, `instance-${index}`), app: undefined, down: true, errors: [], stopped: Promise.resolve() };
    this.#slots.push(slot);
    await this.start(index);
    return index;
  }

  async start(index: number): Promise<void> {
    const slot = this.#slot(index);
    const log = (level: string) => (m: string) => void this.logs.push(`[instance ${index} ${level}] ${m}`);
    const app = new KafkaStreams(this.options.topology(), {
      ...FAST_CONFIG,
      ...this.options.config,
      applicationId: this.options.applicationId,
      cluster: this.options.cluster,
      stateDir: slot.dir,
      logger: { info: () => undefined, warn: log('warn'), error: log('error') },
      commitStepHook: this.options.onCommitStep ? (step) => this.options.onCommitStep!(index, step) : undefined,
    });
    app.on('error', (e) => void slot.errors.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e)));
    slot.app = app;
    slot.down = false;
    await app.start();
  }

  /** `cluster.crash`: no commit, no flush, no leave group. The instance is abandoned (never closed). */
  async crash(index: number): Promise<void> {
    const slot = this.#slot(index);
    if (slot.down || !slot.app) return;
    slot.down = true;
    const app = slot.app;
    await this.options.cluster.crash(app);
    // not awaited here: a crash from inside a commit step would wait for itself
    slot.stopped = Promise.all(app.threads.map((t) => t.join())).then(() => undefined);
  }

  /** A clean close. */
  async close(index: number): Promise<void> {
    const slot = this.#slot(index);
    if (slot.down || !slot.app) return;
    slot.down = true;
    await slot.app.close();
  }

  /** Deletes the slot's local state (only while down). */
  async wipe(index: number): Promise<void> {
    const slot = this.#slot(index);
    if (!slot.down) throw new StreamsError(`instance ${index} is running: close or crash it before wiping its state`, 'ILLEGAL_STATE');
    await slot.stopped;
    // retries: a crashed instance's store may still be letting go of its files (as a dead process's would be)
    await rm(slot.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
  }

  /** Every live instance's active tasks (for progress counting). */
  *activeTasks(): Iterable<StreamTask> {
    for (const s of this.#slots) {
      if (s.down || !s.app) continue;
      for (const t of s.app.threads) yield* t.tasks.active.values();
    }
  }

  /**
   * Heal: restart every instance that is down, and replace one that ended in ERROR (closed, then started again on
   * its state dir). Returns the instances found in ERROR, with their errors, for the sanity report.
   */
  async heal(): Promise<string[]> {
    const insane: string[] = [];
    for (const s of this.#slots) {
      if (!s.down && s.app && s.app.state !== 'RUNNING' && s.app.state !== 'REBALANCING') {
        insane.push(`instance ${s.index} was ${s.app.state}${s.errors.length ? `: ${s.errors.join('; ')}` : ''}`);
        await this.close(s.index);
      }
      if (s.down) await this.start(s.index);
    }
    return insane;
  }

  /**
   * Waits until every instance is RUNNING with no lag: the group's committed offset of every partition of every
   * source topic (inputs and repartition topics) is past its last committed record, and `metrics()` shows no
   * buffered or unfetched record. Rejects with the lag seen last after `timeoutMs`.
   */
  async waitCaughtUp(timeoutMs: number): Promise<void> {
    let last = '';
    const caughtUp = await this.waitUntil(async () => (last = await this.lag()) === '', timeoutMs);
    if (!caughtUp) throw new StreamsError(`the application did not catch up within ${timeoutMs} ms: ${last}`, 'TIMEOUT');
  }

  /** Polls `condition` until it holds (true) or `timeoutMs` passed (false). */
  async waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const started = Date.now();
      if (await condition()) return true;
      if (Date.now() > deadline) return false;
      // a poll, not a sleep: back off in proportion to what the check costs, so it does not starve the instances
      await new Promise((r) => setTimeout(r, Math.max(10, 2 * (Date.now() - started))));
    }
  }

  /** '' when caught up, else what is behind. */
  async lag(): Promise<string> {
    const live = this.#slots.filter((s) => !s.down && s.app);
    const notRunning = live.filter((s) => s.app!.state !== 'RUNNING');
    if (notRunning.length) return notRunning.map((s) => `instance ${s.index} is ${s.app!.state}`).join(', ');
    const group = this.cluster.describeGroup(this.options.applicationId);
    if (!group || group.state !== 'Stable') return `group is ${group?.state ?? 'unknown'}`;
    const sources = this.#sourceTopics();
    const behind: string[] = [];
    const admin = this.cluster.admin();
    try {
      for (const topic of sources) {
        const partitions = Array.from({ length: this.cluster.partitionCount(topic) }, (_, partition) => ({ topic, partition }));
        const ends = await admin.listOffsets(partitions, 'latest');
        const lastRecord = new Map<number, number>();
        for (const { partition } of partitions) {
          const committed = group.offsets.get(`${topic}:${partition}`) ?? 0;
          if (committed >= (ends.get(`${topic}:${partition}`) ?? 0)) continue;
          // the gap may hold only transaction markers and aborted records: look at what read_committed delivers
          if (lastRecord.size === 0) for (const r of await this.cluster.readAll(topic, { isolationLevel: 'read_committed' })) lastRecord.set(r.partition, r.offset);
          const last = lastRecord.get(partition);
          if (last !== undefined && last >= committed) behind.push(`${topic}:${partition} committed ${committed}, last record ${last}`);
        }
      }
    } finally {
      await admin.close();
    }
    for (const s of live) {
      const m = await s.app!.metrics();
      for (const [task, lag] of Object.entries(m.lagPerTask)) if (lag > 0) behind.push(`instance ${s.index} task ${task} lag ${lag}`);
    }
    return behind.join(', ');
  }

  /**
   * The topics the group consumes: the inputs except those of global tables (read by each instance's global
   * thread, never committed by the group) and the internal topics between sub-topologies (repartition topics and a
   * foreign-key join's subscription and response topics) once the application created them.
   */
  #sourceTopics(): string[] {
    const topology = (this.#topology ??= this.options.topology());
    const globals = new Set([...topology.globalStores.values()].map((g) => g.topic));
    const existing = new Set(this.cluster.topics());
    const internal = [...topology.internalTopics.values()].filter((d) => d.kind === 'repartition').map((d) => `${this.options.applicationId}-${d.name}`);
    return [...this.options.inputTopics.filter((t) => !globals.has(t)), ...internal.filter((t) => existing.has(t))];
  }

  /** Live instances that stopped in error (ERROR or on their way there). */
  failedInstances(): number[] {
    return this.#slots.filter((s) => !s.down && s.app && (s.app.state === 'ERROR' || s.app.state === 'PENDING_ERROR')).map((s) => s.index);
  }

  /** States of the live instances that are not RUNNING (sanity check after catch-up). */
  insaneStates(): string[] {
    return this.#slots.filter((s) => !s.down && s.app && s.app.state !== 'RUNNING').map((s) => `instance ${s.index} is ${s.app!.state}`);
  }

  /** Errors reported by instances that are still live (a retriable fault must not surface as one). */
  errors(): string[] {
    return this.#slots.flatMap((s) => s.errors.map((e) => `instance ${s.index}: ${e}`));
  }

  /** Closes every live instance (each must end NOT_RUNNING) and removes the state dirs; returns what was not sane. */
  async closeAll(): Promise<string[]> {
    const insane: string[] = [];
    for (const s of this.#slots) {
      if (s.down || !s.app) continue;
      s.down = true;
      await s.app.close();
      if (s.app.state !== 'NOT_RUNNING') insane.push(`instance ${s.index} ended ${s.app.state} after close()`);
    }
    await rm(this.#root, { recursive: true, force: true });
    return insane;
  }

  #slot(index: number): Slot {
    const s = this.#slots[index];
    if (!s) throw new StreamsError(`no instance ${index} (there are ${this.#slots.length})`, 'ILLEGAL_ARGUMENT');
    return s;
  }
}
