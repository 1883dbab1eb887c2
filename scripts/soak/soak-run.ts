/**
 * One soak run: the smoke application on three instances, with a seeded fault schedule, through checkApplication's
 * machinery (runApplication: the same schedule generator, fault executor, heal and per-key checker).
 */
import fc from 'fast-check';
import { faultSchedules, type FaultOptions, type ProcessingGuarantee, type RunReport } from '../../src/index.js';
import { runApplication, type CheckApplicationSpec } from '../../src/testing/check-application.js';
import { PARTITIONS, smokeInputs, smokeModel, smokeOutputs, smokeTopology, type SmokeRecord } from './smoke-app.js';
import { Serdes, type TestRecord } from '../../src/index.js';

export interface SoakOptions {
  readonly seed: number;
  /** About how long the run processes (sets the input size); default 10. */
  readonly seconds?: number;
  readonly guarantee?: ProcessingGuarantee;
  readonly faults?: boolean | FaultOptions;
  /** Data records per second of run time (default 1000: about what three instances on a shared 2-core machine keep up with). */
  readonly recordsPerSecond?: number;
}

export interface SoakResult {
  readonly seed: number;
  readonly guarantee: ProcessingGuarantee;
  readonly report: RunReport;
}

export async function soakOnce(o: SoakOptions): Promise<SoakResult> {
  const guarantee = o.guarantee ?? 'exactly_once_v2';
  const seconds = o.seconds ?? 10;
  const outputs = smokeOutputs(guarantee === 'exactly_once_v2');
  const data = smokeInputs(o.seed, Math.max(1, Math.round(seconds * (o.recordsPerSecond ?? 1000))), 100);
  const schedule = fc.sample(
    faultSchedules({
      faults: o.faults ?? true,
      instances: 3,
      sendTopics: outputs.map((t) => t.topic),
      exactlyOnce: guarantee === 'exactly_once_v2',
      maxEvents: Math.max(3, Math.round(seconds / 2)),
    }),
    { seed: o.seed, numRuns: 1 },
  )[0]!;
  const never = fc.constant<TestRecord<string, never>[]>([]);
  const spec: CheckApplicationSpec = {
    topology: smokeTopology,
    inputs: [
      { topic: 'data', partitions: PARTITIONS, keySerde: Serdes.String(), valueSerde: Serdes.Long(), records: never },
    ],
    outputs,
    model: ([d]) => smokeModel(d as SmokeRecord[]),
    guarantee,
    instances: 3,
    catchUpTimeoutMs: 20_000 + seconds * 1_000,
    // bigger polls than checkApplication's default: the soak's inputs are large
    config: { maxPollRecords: 200 },
  };
  const report = await runApplication(spec, [data], schedule, o.seed);
  return { seed: o.seed, guarantee, report };
}
