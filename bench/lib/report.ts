import type { Measurement, Result } from '../types.js';

/** What one workload run (warm-up + repeats, in its own process) reports back to the runner. */
export interface WorkloadReport {
  readonly name: string;
  readonly description: string;
  readonly target?: string;
  readonly records: number;
  /** Median over the measured passes. */
  readonly sluiceRecordsPerSec: number;
  readonly baselineRecordsPerSec?: number;
  /** baseline / sluice: how many times faster the hand-written loop is. */
  readonly ratio?: number;
  readonly outputRecords: number;
  /** Medians of input records per CPU-second (see Measurement.recordsPerCpuSec). */
  readonly sluiceRecordsPerCpuSec?: number;
  readonly baselineRecordsPerCpuSec?: number;
  /** Median share of the timed region spent in GC pauses (0..1), when the workload measures it. */
  readonly sluiceGcShare?: number;
  readonly baselineGcShare?: number;
  readonly peakRssBytes: number;
  readonly targetMet?: boolean;
  readonly notes: readonly string[];
  readonly passes: readonly Result[];
  readonly error?: string;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const rate = (x: number | undefined): string => (x === undefined ? '-' : x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(0)}k`);
const pct = (x: number | undefined): string => (x === undefined ? '-' : `${Math.round(x * 100)}`);
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;

export function formatTable(reports: readonly WorkloadReport[]): string {
  const header = ['workload', 'records', 'sluice rec/s', 'baseline rec/s', 'ratio', 'rec/cpu-s s/b', 'GC% s/b', 'peak RSS', 'target'];
  const rows = reports.map((r) =>
    r.error
      ? [r.name, '-', 'ERROR', '-', '-', '-', '-', '-', r.error.split('\n')[0]!]
      : [
          r.name,
          String(r.records),
          rate(r.sluiceRecordsPerSec),
          rate(r.baselineRecordsPerSec),
          r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}x`,
          `${rate(r.sluiceRecordsPerCpuSec)}/${rate(r.baselineRecordsPerCpuSec)}`,
          `${pct(r.sluiceGcShare)}/${pct(r.baselineGcShare)}`,
          mib(r.peakRssBytes),
          r.targetMet === undefined ? (r.target ?? '-') : `${r.targetMet ? 'MET' : 'MISSED'} (${r.target})`,
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function summarize(m: readonly Measurement[]): number {
  return median(m.map((x) => x.recordsPerSec));
}

/** Median GC share over measurements that report GC time; undefined when none does. */
export function gcShare(m: readonly Measurement[]): number | undefined {
  const xs = m.filter((x) => x.gcMs !== undefined && x.ms > 0).map((x) => x.gcMs! / x.ms);
  return xs.length ? median(xs) : undefined;
}

/** Median of input records per CPU-second over measurements that report CPU time. */
export function cpuRate(m: readonly Measurement[]): number | undefined {
  const xs = m.filter((x) => x.recordsPerCpuSec !== undefined).map((x) => x.recordsPerCpuSec!);
  return xs.length ? median(xs) : undefined;
}
