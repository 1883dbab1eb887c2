import fc from 'fast-check';
import type { KeyValue } from '../dsl/key-value.js';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { StreamsError } from '../errors.js';
import type { Serde } from '../serdes/serde.js';
import { compareOutput, stringify } from './compare-outputs.js';
import type { TestRecord } from './test-record.js';
import { TopologyTestDriver, type TestDriverConfig } from './topology-test-driver.js';

export interface RecordStreamsOptions<K, V> {
  readonly keys: fc.Arbitrary<K>;
  readonly values: fc.Arbitrary<V>;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly startTimestamp?: number;
  /** Largest step between consecutive timestamps (default 1000 ms). */
  readonly maxGapMs?: number;
  /** Let timestamps go backwards by up to `maxGapMs` (out-of-order records). */
  readonly outOfOrder?: boolean;
  /** Occasionally jump far back in time (late records, beyond typical grace periods). */
  readonly late?: boolean;
  /** Some values are null (tombstones). */
  readonly tombstones?: boolean;
  /** fast-check's size of the list (default: its global default, 'small'); 'medium' or 'large' for longer inputs. */
  readonly size?: fc.SizeForArbitrary;
}

/** Arbitrary lists of test records with timestamps that move forward, optionally out of order, late, or deleting. */
export function recordStreams<K, V>(options: RecordStreamsOptions<K, V>): fc.Arbitrary<TestRecord<K, V | null>[]> {
  const gap = options.maxGapMs ?? 1000;
  const start = options.startTimestamp ?? 1_000_000;
  const value: fc.Arbitrary<V | null> = options.tombstones ? fc.option(options.values, { freq: 5, nil: null }) : options.values;
  const step = fc.oneof(
    { weight: 10, arbitrary: fc.integer({ min: options.outOfOrder ? -gap : 0, max: gap }) },
    { weight: options.late ? 1 : 0, arbitrary: fc.integer({ min: -50 * gap, max: -10 * gap }) },
  );
  return fc
    .array(fc.tuple(options.keys, value, step), { minLength: options.minLength ?? 0, maxLength: options.maxLength ?? 50, size: options.size })
    .map((items) => {
      let ts = start;
      return items.map(([key, v, d]) => {
        ts = Math.max(0, ts + d);
        return { key, value: v, timestamp: ts, headers: {} };
      });
    });
}

export interface TopologyInput<K, V> {
  readonly topic: string;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  readonly records: fc.Arbitrary<TestRecord<K, V | null>[]>;
}

export interface CheckTopologySpec<KO, VO> {
  readonly topology: (builder: StreamsBuilder) => void;
  readonly inputs: readonly TopologyInput<any, any>[];
  readonly output: { readonly topic: string; readonly keySerde: Serde<KO>; readonly valueSerde: Serde<VO> };
  /** The expected output for the generated inputs (one record list per input, in `inputs` order). */
  readonly model: (inputs: TestRecord<any, any>[][]) => KeyValue<KO, VO | null>[];
  /** 'sequence': exactly the model's records in order; 'finalPerKey': the last value per key agrees. */
  readonly compare?: 'sequence' | 'finalPerKey';
  readonly numRuns?: number;
  readonly seed?: number;
  readonly driverConfig?: TestDriverConfig;
}

/** What a failed property found, for tools and tests (the message says the same in words). */
export interface PropertyFailure {
  readonly seed: number;
  /** fast-check's path to the shrunk case: `{ seed, path }` replays exactly that case. */
  readonly path: string;
  /** The shrunk generated value (the inputs, and for checkApplication the fault schedule too). */
  readonly counterexample: unknown;
  /** checkApplication: the shrunk fault schedule, one readable line per event. */
  readonly schedule?: readonly string[];
  /** The first difference per output topic (or 'sanity' / 'error'). */
  readonly differences?: Readonly<Record<string, string>>;
}

/** A property failed: the message names the seed, the path and the shrunk counterexample. */
export class PropertyFailedError extends StreamsError {
  readonly failure: PropertyFailure | undefined;
  constructor(message: string, options: { cause?: unknown; failure?: PropertyFailure }) {
    super(message, 'PROPERTY_FAILED', options);
    this.failure = options.failure;
  }
}

/** The parts of fast-check's result a failure report needs. */
export interface FailedRun {
  readonly numRuns: number;
  readonly numShrinks: number;
  readonly seed: number;
  readonly counterexamplePath: string | null;
}

/** The first line of a failure report: which tool, after how many runs, and how to replay it. */
export function failureHeadline(tool: string, result: FailedRun): string {
  return `${tool} failed after ${result.numRuns} run(s) and ${result.numShrinks} shrink(s) (seed ${result.seed}, path "${result.counterexamplePath ?? ''}").`;
}

/** The last line: the exact options that replay the shrunk case. */
export function replayLine(result: FailedRun): string {
  return `Replay with { seed: ${result.seed}, path: "${result.counterexamplePath ?? ''}" }.`;
}

/**
 * Property-tests a topology on the TopologyTestDriver: for generated inputs (interleaved across input topics by
 * timestamp), the output must equal the model's. Resolves when the property holds; rejects with the seed and
 * the shrunk counterexample (inputs and the first differing output) when it does not.
 */
export async function checkTopology<KO, VO>(spec: CheckTopologySpec<KO, VO>): Promise<void> {
  const compare = spec.compare ?? 'sequence';
  /** Runs the topology on one input set; '' when it agrees with the model, else the first difference. */
  const runOnce = async (inputs: TestRecord<any, any>[][]): Promise<string> => {
    const builder = new StreamsBuilder();
    spec.topology(builder);
    const driver = new TopologyTestDriver(builder.build(), spec.driverConfig);
    try {
      const topics = spec.inputs.map((i) => driver.createInputTopic(i.topic, i.keySerde, i.valueSerde));
      const merged = inputs.flatMap((records, i) => records.map((r, j) => ({ r, i, j }))).sort((a, b) => a.r.timestamp - b.r.timestamp || a.i - b.i || a.j - b.j);
      for (const { r, i } of merged) await topics[i]!.pipeInput({ key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers });
      const actual = driver.createOutputTopic(spec.output.topic, spec.output.keySerde, spec.output.valueSerde).readKeyValuesToList();
      const expected = spec.model(inputs);
      return compare === 'sequence' ? firstSequenceDiff(actual, expected) : compareOutput(actual, expected, { mode: 'finalPerKey', atLeastOnce: false }).difference;
    } finally {
      await driver.close();
    }
  };
  const property = fc.asyncProperty(fc.tuple(...spec.inputs.map((i) => i.records)), async (generated) => {
    const diff = await runOnce(generated as TestRecord<any, any>[][]);
    if (diff) throw new OutputMismatch(diff);
  });
  const result = await fc.check(property, { numRuns: spec.numRuns ?? 100, seed: spec.seed });
  if (!result.failed) return;
  const mismatch = result.errorInstance instanceof OutputMismatch ? result.errorInstance.message : undefined;
  const path = result.counterexamplePath ?? '';
  throw new PropertyFailedError(
    `${failureHeadline('checkTopology', result)}\n` +
      `Counterexample inputs: ${stringify(result.counterexample?.[0])}\n` +
      (mismatch !== undefined ? `First difference: ${mismatch}\n` : `Error: ${String(result.errorInstance)}\n`) +
      `Re-run with seed ${result.seed} to reproduce. ${replayLine(result)}`,
    {
      cause: mismatch === undefined ? result.errorInstance : undefined,
      failure: { seed: result.seed, path, counterexample: result.counterexample?.[0], differences: { [spec.output.topic]: mismatch ?? String(result.errorInstance) } },
    },
  );
}

/** The output differed from the model (as opposed to the topology throwing). */
class OutputMismatch extends Error {}

function firstSequenceDiff(actual: KeyValue<unknown, unknown>[], expected: KeyValue<unknown, unknown>[]): string {
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (stringify(actual[i]) !== stringify(expected[i])) {
      return `output #${i}: expected ${stringify(expected[i])}, got ${stringify(actual[i])} (${actual.length} records, model ${expected.length})`;
    }
  }
  return '';
}
