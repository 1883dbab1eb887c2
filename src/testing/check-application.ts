/**
 * checkApplication: property-tests a whole application: several KafkaStreams instances on a fresh
 * EmbeddedKafkaCluster per run, multi-partition inputs, a generated fault schedule (crashes, restarts, wiped state,
 * joins and leaves, retriable faults, fencing, rebalances during restoration, slow restoration), then heal, catch up
 * and compare every output topic, read with read_committed, with the model. Fails with a seed, a path and the shrunk
 * input and schedule; `{ seed, path }` replays that case.
 */
import fc from 'fast-check';
import type { ProcessingGuarantee, StreamsConfig } from '../config.js';
import type { KeyValue } from '../dsl/key-value.js';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { EmbeddedKafkaCluster } from '../kafka/embedded/embedded-kafka-cluster.js';
import type { Serde } from '../serdes/serde.js';
import { Topology } from '../topology/topology.js';
import { AppHarness } from './app-harness.js';
import { compareOutput, stringify, type CompareMode } from './compare-outputs.js';
import { FaultExecutor } from './fault-executor.js';
import { describeSchedule, faultSchedules, type FaultOptions, type FaultSchedule } from './fault-schedule.js';
import { PropertyFailedError, failureHeadline, replayLine, type TopologyInput } from './property-kit.js';
import { produceInputs, readOutput } from './run-io.js';
import type { TestRecord } from './test-record.js';
import { watchProcess } from './process-watch.js';

export interface ApplicationInput<K, V> extends TopologyInput<K, V> {
  /** Default 1. */
  readonly partitions?: number;
}

export interface ApplicationOutput<K, V> {
  readonly topic: string;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  /** Default: the largest input partition count. */
  readonly partitions?: number;
  /** Overrides the spec's `compare` for this topic. */
  readonly compare?: CompareMode;
  /** false: created but not compared (e.g. an output that is not exact under at_least_once). Default true. */
  readonly checked?: boolean;
}

export interface CheckApplicationSpec {
  readonly topology: ((builder: StreamsBuilder) => void) | Topology;
  readonly inputs: readonly ApplicationInput<any, any>[];
  readonly outputs: readonly ApplicationOutput<any, any>[];
  /** Expected records per output topic, for the generated inputs (one record list per input, in `inputs` order). */
  readonly model: (inputs: TestRecord<any, any>[][]) => Readonly<Record<string, readonly KeyValue<any, any>[]>>;
  /** Default 'finalPerKey'. */
  readonly compare?: CompareMode;
  /** Default 'exactly_once_v2'; under 'at_least_once' duplicates are allowed, losses not. */
  readonly guarantee?: ProcessingGuarantee;
  /** Instances started at the beginning (default 2). */
  readonly instances?: number;
  /** Fault kinds in the schedule (default true: all). */
  readonly faults?: boolean | FaultOptions;
  /** At most this many faults per run (default 4). */
  readonly maxFaults?: number;
  /** Merged into every instance's StreamsConfig (after fast defaults: commitIntervalMs 50, sessionTimeoutMs 1000). */
  readonly config?: Partial<StreamsConfig>;
  /** Default 20. */
  readonly numRuns?: number;
  readonly seed?: number;
  /** With `seed`: replay exactly this case (from a failure report). */
  readonly path?: string;
  /** How long the application may take to catch up after the heal (default 10 s). */
  readonly catchUpTimeoutMs?: number;
  /** Stop after this long (shrinking included) and report what was found so far (default: no limit). */
  readonly timeLimitMs?: number;
  /** Called after every run (shrinking runs included) with its report. */
  readonly onRun?: (run: RunReport) => void;
}

export interface RunReport {
  readonly run: number;
  readonly durationMs: number;
  readonly inputRecords: number;
  readonly schedule: readonly string[];
  /** The events as they fired, with time and progress. */
  readonly fired: readonly string[];
  /** Events whose progress was never reached. */
  readonly notReached: readonly string[];
  /** Per output topic: records beyond the model's (at-least-once). */
  readonly duplicates: Readonly<Record<string, number>>;
  /** Per output topic (or 'sanity'): the first difference; empty when the run passed. */
  readonly differences: Readonly<Record<string, string>>;
}

export interface CheckApplicationResult {
  readonly runs: readonly RunReport[];
  readonly totalMs: number;
}

const APPLICATION_ID = 'check-app';
/** No record processed for this long while faults are pending: heal now rather than wait for them. */
const STALL_MS = 3_000;

/** Runs the property; resolves with the per-run reports, rejects with a PropertyFailedError. */
export async function checkApplication(spec: CheckApplicationSpec): Promise<CheckApplicationResult> {
  const started = Date.now();
  const runs: RunReport[] = [];
  const guarantee = spec.guarantee ?? 'exactly_once_v2';
  const schedules = faultSchedules({
    faults: spec.faults ?? true,
    instances: spec.instances ?? 2,
    sendTopics: spec.outputs.map((o) => o.topic),
    exactlyOnce: guarantee === 'exactly_once_v2',
    maxEvents: spec.maxFaults,
  });
  const generated = fc.tuple(fc.tuple(...spec.inputs.map((i) => i.records)), schedules);
  const property = fc.asyncProperty(generated, async ([inputs, schedule]) => {
    const report = await runApplication(spec, inputs as TestRecord<any, any>[][], schedule, runs.length + 1);
    runs.push(report);
    spec.onRun?.(report);
    if (Object.keys(report.differences).length > 0) throw new RunFailed(report);
  });
  const result = await fc.check(property, { numRuns: spec.numRuns ?? 20, seed: spec.seed, path: spec.path, endOnFailure: spec.path !== undefined, interruptAfterTimeLimit: spec.timeLimitMs });
  if (!result.failed) return { runs, totalMs: Date.now() - started };
  const [inputs, schedule] = result.counterexample?.[0] ?? [[], []];
  const failedRun = result.errorInstance instanceof RunFailed ? result.errorInstance.report : undefined;
  const differences = failedRun?.differences ?? { error: String(result.errorInstance) };
  const lines = describeSchedule(schedule, (inputs as TestRecord<any, any>[][]).reduce((n, r) => n + r.length, 0));
  throw new PropertyFailedError(
    [
      failureHeadline('checkApplication', result),
      `Counterexample inputs: ${stringify(inputs)}`,
      `Fault schedule:${lines.length ? `\n  ${lines.join('\n  ')}` : ' none'}`,
      ...(failedRun?.fired.length ? [`Fired:\n  ${failedRun.fired.join('\n  ')}`] : []),
      'First difference per output topic:',
      ...Object.entries(differences).map(([topic, d]) => `  ${topic}: ${d}`),
      replayLine(result),
    ].join('\n'),
    {
      cause: failedRun ? undefined : result.errorInstance,
      failure: { seed: result.seed, path: result.counterexamplePath ?? '', counterexample: { inputs, schedule }, schedule: lines, differences },
    },
  );
}

/** A run's output or sanity check failed (as opposed to the tool itself throwing). */
class RunFailed extends Error {
  constructor(readonly report: RunReport) {
    super(Object.entries(report.differences).map(([t, d]) => `${t}: ${d}`).join('; '));
  }
}

/**
 * One run on a fresh cluster: produce, start the instances, apply the schedule, heal, catch up, compare, close.
 * Exported for the soak, which drives it with its own inputs and schedule.
 */
export async function runApplication(spec: CheckApplicationSpec, inputs: TestRecord<any, any>[][], schedule: FaultSchedule, run: number): Promise<RunReport> {
  const started = Date.now();
  const inputRecords = inputs.reduce((n, r) => n + r.length, 0);
  const watch = watchProcess();
  const cluster = new EmbeddedKafkaCluster();
  const differences: Record<string, string> = {};
  const duplicates: Record<string, number> = {};
  const guarantee = spec.guarantee ?? 'exactly_once_v2';
  const catchUpTimeoutMs = spec.catchUpTimeoutMs ?? 10_000;
  let executor: FaultExecutor | undefined;
  let notReached: string[] = [];
  const harness = new AppHarness({
    cluster,
    applicationId: APPLICATION_ID,
    topology: topologyFactory(spec.topology),
    config: { processingGuarantee: guarantee, ...spec.config },
    inputTopics: spec.inputs.map((i) => i.topic),
    onCommitStep: (slot, step) => executor?.onCommitStep(slot, step),
  });
  try {
    const partitions = Math.max(1, ...spec.inputs.map((i) => i.partitions ?? 1));
    for (const i of spec.inputs) await cluster.createTopic(i.topic, { partitions: i.partitions ?? 1 });
    for (const o of spec.outputs) await cluster.createTopic(o.topic, { partitions: o.partitions ?? partitions });
    await produceInputs(cluster, spec.inputs, inputs);
    executor = new FaultExecutor(harness, schedule, inputRecords, APPLICATION_ID);
    executor.start();
    for (let i = 0; i < (spec.instances ?? 2); i++) await harness.addInstance();
    const ex = executor;
    // the schedule ends when every event fired, the input is processed (what did not fire by then never will), an
    // instance failed, or nothing was processed for a while; the heal comes next, so this is not yet a failure
    const stalled = (): boolean => ex.stalledMs > STALL_MS || harness.failedInstances().length > 0;
    await harness.waitUntil(async () => ex.idle || stalled() || (await harness.lag()) === '', catchUpTimeoutMs);
    notReached = await executor.stop();
  } catch (e) {
    differences.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  } finally {
    executor?.halt();
  }
  const insane: string[] = [];
  try {
    cluster.faults.reset();
    insane.push(...(await harness.heal()));
    if (differences.error === undefined) await harness.waitCaughtUp(catchUpTimeoutMs);
    insane.push(...harness.insaneStates(), ...harness.errors());
    const expected = spec.model(inputs);
    for (const o of spec.outputs) {
      if (o.checked === false) continue;
      const actual = await readOutput(cluster, o);
      const c = compareOutput(actual, expected[o.topic] ?? [], { mode: o.compare ?? spec.compare ?? 'finalPerKey', atLeastOnce: guarantee === 'at_least_once' });
      if (c.difference) differences[o.topic] = c.difference;
      duplicates[o.topic] = c.duplicates;
    }
    insane.push(...(await harness.closeAll()));
  } catch (e) {
    differences.error ??= e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    insane.push(...harness.errors());
    await harness.closeAll().catch(() => undefined); // best effort: the run already failed and says why
  } finally {
    await cluster.close();
  }
  insane.push(...(await watch.stop()));
  if (insane.length) differences.sanity = [...new Set(insane)].join('; ');
  return {
    run,
    durationMs: Date.now() - started,
    inputRecords,
    schedule: describeSchedule(schedule, inputRecords),
    fired: executor?.fired ?? [],
    notReached,
    duplicates,
    differences,
  };
}

/** A fresh Topology per instance from a builder function; a built Topology is shared. */
function topologyFactory(topology: CheckApplicationSpec['topology']): () => Topology {
  if (topology instanceof Topology) return () => topology;
  return () => {
    const builder = new StreamsBuilder();
    topology(builder);
    return builder.build();
  };
}
