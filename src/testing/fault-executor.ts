/**
 * Applies a fault schedule to the instances of an AppHarness while they process. Progress is the number of records
 * the application processed (summed over every instance's tasks, read synchronously from the task metrics) and is
 * sampled inside every commit step, at every poll of a main consumer and on a short timer; an event fires once
 * progress reaches its `afterRecords`, a crash or fence with a commit step only inside that instance's commit, just
 * before that step.
 */
import type { CommitStep } from '../runtime/checkpoint.js';
import type { StreamTask } from '../runtime/stream-task.js';
import type { AppHarness } from './app-harness.js';
import { describeEvent, resolveSchedule, type Fault, type FaultSchedule, type ResolvedFaultEvent, type RetriableFault } from './fault-schedule.js';

/** Faults that hit the cluster, not an instance: they fire whether or not their instance is up. */
const CLUSTER_WIDE: ReadonlySet<Fault['kind']> = new Set(['join', 'retriable', 'slow-restore']);

/** Progress is sampled this often besides the commit steps (a poll for a condition, not a sleep). */
const SAMPLE_MS = 5;

export class FaultExecutor {
  readonly #pending: ResolvedFaultEvent[];
  readonly #seen = new WeakMap<StreamTask, number>();
  /** What fired, when and at what progress: for the run report. */
  readonly fired: string[] = [];
  #processed = 0;
  #progressAt = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Fault actions run one after another (a restart must not overlap a crash of the same instance). */
  #actions: Promise<void> = Promise.resolve();
  #failure: unknown;
  readonly #started = Date.now();

  constructor(
    private readonly harness: AppHarness,
    schedule: FaultSchedule,
    inputRecords: number,
    private readonly transactionalIdPrefix: string,
  ) {
    this.#pending = resolveSchedule(schedule, inputRecords);
  }

  /** Records processed so far by the whole application (monotonic over crashes and task moves). */
  get processed(): number {
    return this.#processed;
  }

  /** Every event fired. */
  get idle(): boolean {
    return this.#pending.length === 0;
  }

  /** Milliseconds since the last record was processed (0 before the first: starting up is not stalling). */
  get stalledMs(): number {
    return this.#processed === 0 ? 0 : Date.now() - this.#progressAt;
  }

  start(): void {
    this.#timer = setInterval(() => this.#fireDue(undefined, undefined), SAMPLE_MS);
    // the timer alone would wait for a pause in processing: events would fire after a small input is done
    this.harness.cluster.faults.observePolls(() => void this.#fireDue(undefined, undefined));
  }

  /** Install as every instance's commitStepHook: fires the events due at this instance and step. */
  async onCommitStep(slot: number, step: CommitStep): Promise<void> {
    const crash = this.#fireDue(slot, step);
    if (crash) await crash;
  }

  /** Stops firing at once (idempotent). */
  halt(): void {
    this.harness.cluster.faults.observePolls(undefined);
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Stops firing, waits for the actions under way; returns the events that never fired (progress not reached). */
  async stop(): Promise<string[]> {
    this.halt();
    await this.#actions;
    if (this.#failure !== undefined) throw this.#failure;
    return this.#pending.splice(0).map((e) => `${describeEvent(e)} (not reached: ${this.#processed} records processed)`);
  }

  #sample(): void {
    for (const task of this.harness.activeTasks()) {
      const n = task.metrics.processedRecords;
      const delta = n - (this.#seen.get(task) ?? 0);
      if (delta > 0) (this.#processed += delta), (this.#progressAt = Date.now());
      this.#seen.set(task, n);
    }
  }

  /** Fires what is due; inside a commit step returns the crash to await there (so it lands before the step). */
  #fireDue(slot: number | undefined, step: CommitStep | undefined): Promise<void> | undefined {
    if (this.#timer === undefined) return undefined;
    this.#sample();
    let inline: Promise<void> | undefined;
    for (let i = 0; i < this.#pending.length; i++) {
      const e = this.#pending[i]!;
      if (e.afterRecords > this.#processed) break;
      if (e.atStep !== undefined && (e.instance !== slot || e.atStep !== step)) continue;
      this.#pending.splice(i--, 1);
      const down = !CLUSTER_WIDE.has(e.fault.kind) && this.harness.app(e.instance) === undefined;
      this.fired.push(`+${Date.now() - this.#started} ms, ${this.#processed} processed: ${describeEvent(e)}${down ? ' (skipped: instance is down)' : ''}`);
      if (down) continue;
      if (e.atStep !== undefined && e.fault.kind === 'crash') inline = this.harness.crash(e.instance);
      this.#enqueue(() => this.#apply(e));
    }
    return inline;
  }

  #enqueue(action: () => Promise<void>): void {
    this.#actions = this.#actions.then(action).catch((e: unknown) => void (this.#failure ??= e));
  }

  async #apply(e: ResolvedFaultEvent): Promise<void> {
    const h = this.harness;
    const f = e.fault;
    switch (f.kind) {
      case 'crash':
        await h.crash(e.instance);
        if (f.then === 'stay-down') return;
        if (f.then === 'restart-wiped') await h.wipe(e.instance);
        return h.start(e.instance);
      case 'restart':
        await h.close(e.instance);
        if (f.wiped) await h.wipe(e.instance);
        return h.start(e.instance);
      case 'join':
        await h.addInstance();
        return;
      case 'leave':
        return h.close(e.instance);
      case 'fence':
        return this.#fence(e.instance);
      case 'rebalance-during-restore':
        await h.close(e.instance);
        await h.wipe(e.instance);
        // start() returns once the threads run, before any store is restored: the join lands mid-restore
        await h.start(e.instance);
        await h.addInstance();
        return;
      case 'slow-restore':
        // until the heal, which resets every fault hook
        return h.cluster.faults.delayRestore(f.ms, f.maxRecords);
      case 'retriable':
        return this.#retriable(f.fault);
    }
  }

  /** Another producer takes over each stream thread's transactional id (as a zombie's successor would). */
  async #fence(slot: number): Promise<void> {
    const app = this.harness.app(slot);
    if (!app) return;
    for (const thread of app.threads) {
      // the stream thread's id: `${applicationId}-${processId}-${threadIndex}` (stream-thread.ts)
      const p = this.harness.cluster.producer({ clientId: 'check-application-fencer', transactionalId: `${this.transactionalIdPrefix}-${app.processId}-${thread.index}`, idempotent: true });
      await p.initTransactions();
      await p.close();
    }
  }

  async #retriable(f: RetriableFault): Promise<void> {
    const faults = this.harness.cluster.faults;
    switch (f.kind) {
      case 'fail-poll':
        return faults.failNextPoll();
      case 'fail-commit':
        return faults.failNextCommit();
      case 'fail-sends':
        return faults.failNextSends(f.topic, f.count);
      case 'delay-poll':
        return faults.delayPoll(f.ms);
      case 'delay-flush':
        return faults.delayFlush(f.ms);
    }
  }
}
