/**
 * Fault schedules for checkApplication and the soak: a fast-check value (so it shrinks with the input) written in
 * the application's own progress, not in wall-clock time: "crash instance 1 at commit step 'commit-offsets' once
 * 37 records were processed". A seed therefore replays the same schedule.
 */
import fc from 'fast-check';
import type { CommitStep } from '../runtime/checkpoint.js';

/** Which kinds of faults a schedule may contain; `true` means all of them. */
export interface FaultOptions {
  /** `cluster.crash(app)`, then restart on the same or a wiped state dir, or stay down until the heal. */
  readonly crash?: boolean;
  /** A clean `close()` and `start()` of a new instance on the same state dir. */
  readonly restart?: boolean;
  /** A restart on a wiped state dir (every store restored from its changelog). */
  readonly wipeState?: boolean;
  /** An extra instance joins; an instance leaves (clean close) until the heal. */
  readonly joinLeave?: boolean;
  /** failNextPoll, failNextSends, failNextCommit, delayPoll, delayFlush. */
  readonly retriable?: boolean;
  /** Another producer with a stream thread's transactional id calls initTransactions (exactly_once_v2 only). */
  readonly fence?: boolean;
  /** An instance restarts on a wiped state dir and another one joins while it restores. */
  readonly rebalanceDuringRestore?: boolean;
  /**
   * From then on every restore consumer's poll waits and returns only a few records (`cluster.faults.delayRestore`)
   * until the heal: restoration takes many polls, so rebalances and other faults land while tasks restore.
   */
  readonly slowRestore?: boolean;
}

export type RetriableFault =
  | { readonly kind: 'fail-poll' }
  | { readonly kind: 'fail-commit' }
  | { readonly kind: 'fail-sends'; readonly topic: string; readonly count: number }
  | { readonly kind: 'delay-poll'; readonly ms: number }
  | { readonly kind: 'delay-flush'; readonly ms: number };

export type Fault =
  | { readonly kind: 'crash'; readonly then: 'restart' | 'restart-wiped' | 'stay-down' }
  | { readonly kind: 'restart'; readonly wiped: boolean }
  | { readonly kind: 'join' }
  | { readonly kind: 'leave' }
  | { readonly kind: 'fence' }
  | { readonly kind: 'rebalance-during-restore' }
  | { readonly kind: 'slow-restore'; readonly ms: number; readonly maxRecords: number }
  | { readonly kind: 'retriable'; readonly fault: RetriableFault };

/**
 * One scheduled fault: fires once the whole application processed `permille`/1000 of the run's input records
 * (a share, so every fault is reached whatever the input's size; `resolveSchedule` turns it into a count).
 */
export interface FaultEvent {
  /** The instance the fault hits (ignored by 'join', 'slow-restore' and retriable faults, which hit the cluster). */
  readonly instance: number;
  /** 0..999. */
  readonly permille: number;
  /** Crash and fence only: fire inside that instance's next commit, just before this step. */
  readonly atStep?: CommitStep;
  readonly fault: Fault;
}

export type FaultSchedule = readonly FaultEvent[];

/** An event of a schedule resolved against a run's input size. */
export interface ResolvedFaultEvent extends FaultEvent {
  /** Fires once the application processed this many records (all sub-topologies counted). */
  readonly afterRecords: number;
}

export interface FaultScheduleOptions {
  readonly faults: boolean | FaultOptions;
  /** Instances started at the beginning (faults hit one of them). */
  readonly instances: number;
  /** Topics a failed send may hit (the application's outputs). */
  readonly sendTopics: readonly string[];
  readonly exactlyOnce: boolean;
  /** Default 4. */
  readonly maxEvents?: number;
}

const STEPS: readonly CommitStep[] = ['flush-state', 'flush-producer', 'commit-offsets', 'persist-state', 'done'];

/** Resolves `true`/`false`/partial options into the kinds that are on. */
export function enabledFaults(faults: boolean | FaultOptions, exactlyOnce: boolean): Required<FaultOptions> {
  const all = faults === true;
  const o: FaultOptions = typeof faults === 'object' ? faults : {};
  const on = (k: keyof FaultOptions): boolean => all || o[k] === true;
  return {
    crash: on('crash'),
    restart: on('restart'),
    wipeState: on('wipeState'),
    joinLeave: on('joinLeave'),
    retriable: on('retriable'),
    // fencing a transactional id needs one: there is none under at_least_once
    fence: on('fence') && exactlyOnce,
    rebalanceDuringRestore: on('rebalanceDuringRestore'),
    slowRestore: on('slowRestore'),
  };
}

/** Arbitrary fault schedules; empty when no fault kind is on. Shrinks to fewer, earlier and simpler faults. */
export function faultSchedules(options: FaultScheduleOptions): fc.Arbitrary<FaultSchedule> {
  const on = enabledFaults(options.faults, options.exactlyOnce);
  const faults: fc.Arbitrary<Fault>[] = [];
  if (on.crash) {
    const then = fc.constantFrom<('restart' | 'restart-wiped' | 'stay-down')[]>(...(on.wipeState ? (['restart', 'restart-wiped', 'stay-down'] as const) : (['restart', 'stay-down'] as const)));
    faults.push(then.map((t) => ({ kind: 'crash', then: t }) as const));
  }
  if (on.restart) faults.push(fc.constant({ kind: 'restart', wiped: false } as const));
  if (on.wipeState) faults.push(fc.constant({ kind: 'restart', wiped: true } as const));
  if (on.joinLeave) faults.push(fc.constantFrom<Fault[]>({ kind: 'join' }, { kind: 'leave' }));
  if (on.fence) faults.push(fc.constant({ kind: 'fence' } as const));
  if (on.rebalanceDuringRestore) faults.push(fc.constant({ kind: 'rebalance-during-restore' } as const));
  if (on.slowRestore) faults.push(slowRestores);
  if (on.retriable) faults.push(retriableFaults(options.sendTopics).map((fault) => ({ kind: 'retriable', fault }) as const));
  if (faults.length === 0) return fc.constant([]);
  const event = fc
    .record({
      instance: fc.nat({ max: Math.max(0, options.instances - 1) }),
      permille: fc.nat({ max: 999 }),
      step: fc.option(fc.constantFrom(...STEPS), { nil: undefined }),
      fault: fc.oneof(...faults),
    })
    .map(({ instance, permille, step, fault }): FaultEvent => {
      const stepped = fault.kind === 'crash' || fault.kind === 'fence';
      return stepped && step !== undefined ? { instance, permille, atStep: step, fault } : { instance, permille, fault };
    });
  return fc.array(event, { maxLength: options.maxEvents ?? 4 });
}

/** Shrinks to shorter waits and smaller batches (a slower restoration): the smaller the numbers, the simpler to read. */
const slowRestores: fc.Arbitrary<Fault> = fc
  .record({ ms: fc.integer({ min: 10, max: 100 }), maxRecords: fc.integer({ min: 1, max: 10 }) })
  .map(({ ms, maxRecords }) => ({ kind: 'slow-restore', ms, maxRecords }) as const);

function retriableFaults(sendTopics: readonly string[]): fc.Arbitrary<RetriableFault> {
  const kinds: fc.Arbitrary<RetriableFault>[] = [
    fc.constant({ kind: 'fail-poll' } as const),
    fc.constant({ kind: 'fail-commit' } as const),
    fc.integer({ min: 10, max: 200 }).map((ms) => ({ kind: 'delay-poll', ms }) as const),
    fc.integer({ min: 10, max: 200 }).map((ms) => ({ kind: 'delay-flush', ms }) as const),
  ];
  if (sendTopics.length > 0) {
    kinds.push(fc.record({ topic: fc.constantFrom(...sendTopics), count: fc.integer({ min: 1, max: 3 }) }).map(({ topic, count }) => ({ kind: 'fail-sends', topic, count }) as const));
  }
  return fc.oneof(...kinds);
}

/** The events in firing order (by progress, then as generated), each with its record count for this input size. */
export function resolveSchedule(schedule: FaultSchedule, inputRecords: number): ResolvedFaultEvent[] {
  return schedule
    .map((e, i) => ({ e: { ...e, afterRecords: Math.floor((e.permille * inputRecords) / 1000) }, i }))
    .sort((a, b) => a.e.afterRecords - b.e.afterRecords || a.i - b.i)
    .map(({ e }) => e);
}

/** One line per event, in firing order: "crash instance 1 at commit step 'commit-offsets' after 37 records, then ...". */
export function describeSchedule(schedule: FaultSchedule, inputRecords: number): string[] {
  return resolveSchedule(schedule, inputRecords).map(describeEvent);
}

export function describeEvent(e: ResolvedFaultEvent): string {
  const at = e.atStep !== undefined ? ` at commit step '${e.atStep}'` : '';
  const after = ` after ${e.afterRecords} records`;
  const f = e.fault;
  switch (f.kind) {
    case 'crash': {
      const then = f.then === 'restart' ? 'restart on the same state dir' : f.then === 'restart-wiped' ? 'restart on a wiped state dir' : 'stay down until the heal';
      return `crash instance ${e.instance}${at}${after}, then ${then}`;
    }
    case 'restart':
      return `close instance ${e.instance}${after} and restart it on ${f.wiped ? 'a wiped' : 'the same'} state dir`;
    case 'join':
      return `a new instance joins${after}`;
    case 'leave':
      return `instance ${e.instance} leaves (clean close)${after} until the heal`;
    case 'fence':
      return `fence instance ${e.instance}'s producers${at}${after}`;
    case 'rebalance-during-restore':
      return `instance ${e.instance} restarts on a wiped state dir${after} and a new instance joins while it restores`;
    case 'slow-restore':
      return `slow restoration (${f.ms} ms per poll, ${f.maxRecords} record${f.maxRecords === 1 ? '' : 's'}) from ${e.afterRecords} records on`;
    case 'retriable':
      return `${describeRetriable(f.fault)}${after}`;
  }
}

function describeRetriable(f: RetriableFault): string {
  switch (f.kind) {
    case 'fail-poll':
      return 'fail the next poll';
    case 'fail-commit':
      return 'fail the next commit';
    case 'fail-sends':
      return `fail the next ${f.count} send(s) to '${f.topic}'`;
    case 'delay-poll':
      return `delay every poll by ${f.ms} ms`;
    case 'delay-flush':
      return `delay every flush by ${f.ms} ms`;
  }
}
