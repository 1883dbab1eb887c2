/** The contract between bench/run.ts and a workload module (bench/workloads/<name>.ts). */

/** One timed pass of one implementation (Sluice or the hand-written baseline). */
export interface Measurement {
  /** Wall-clock time of the timed region, in milliseconds. */
  readonly ms: number;
  /** Input records per second over the timed region. */
  readonly recordsPerSec: number;
  /** Records produced (after filtering and fan-out). */
  readonly outputRecords: number;
  /** Cheap checksum of the produced bytes, so Sluice and the baseline can be checked to do the same work. */
  readonly checksum: number;
  /** CPU time (user + system, all threads of the process, GC helpers included) over the timed region, in ms. */
  readonly cpuMs?: number;
  /** Input records per CPU-second: steadier than recordsPerSec when other processes compete for the cores. */
  readonly recordsPerCpuSec?: number;
  /** Garbage-collection pause time inside the timed region, in milliseconds (when measured). */
  readonly gcMs?: number;
}

export interface Result {
  /** Input records processed per pass. */
  readonly records: number;
  readonly sluice: Measurement;
  /** The hand-written loop doing the same work in the same run; absent for workloads without one. */
  readonly baseline?: Measurement;
  /** Free-form facts worth printing (input path used, fan-out...). */
  readonly notes?: readonly string[];
}

export interface RunOptions {
  /** Override the workload's default number of input records. */
  readonly records?: number;
}

export interface Workload {
  readonly name: string;
  readonly description: string;
  /** The performance target (bench/RESULTS.md), as text. */
  readonly target?: string;
  /** Whether a result meets the target (omit when there is no machine-checkable target). */
  meetsTarget?(result: Result): boolean;
  run(options?: RunOptions): Promise<Result>;
}
