import { PerformanceObserver } from 'node:perf_hooks';
import type { Measurement } from '../types.js';

/** Collect garbage before a timed region when node runs with --expose-gc, so one pass does not pay for the last. */
export function settle(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

export function measurement(
  records: number,
  ms: number,
  outputRecords: number,
  checksum: number,
  gcMs?: number,
  cpuMs?: number,
): Measurement {
  const recordsPerCpuSec = cpuMs === undefined ? undefined : cpuMs > 0 ? (records * 1000) / cpuMs : Infinity;
  return { ms, recordsPerSec: ms > 0 ? (records * 1000) / ms : Infinity, outputRecords, checksum, gcMs, cpuMs, recordsPerCpuSec };
}

/** Wall-clock and CPU time of a region: `const t = timer(); ...; const { start, end, cpuMs } = t.stop();` */
export function timer(): { readonly start: number; stop(): { start: number; end: number; cpuMs: number } } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  return {
    start,
    stop() {
      const end = performance.now();
      const d = process.cpuUsage(cpu);
      return { start, end, cpuMs: (d.user + d.system) / 1000 };
    },
  };
}

/**
 * Sums GC pauses between `start` and `end` (performance.now() times). Start before the timed region; `stop` after it,
 * once, outside it (GC entries are delivered on a later turn of the event loop, so stop awaits one).
 */
export function gcTimer(): { stop(start: number, end: number): Promise<number> } {
  const observer = new PerformanceObserver(() => {});
  observer.observe({ entryTypes: ['gc'] });
  return {
    async stop(start, end) {
      await new Promise((resolve) => setImmediate(resolve));
      let ms = 0;
      for (const e of observer.takeRecords()) if (e.startTime >= start && e.startTime < end) ms += e.duration;
      observer.disconnect();
      return ms;
    },
  };
}

/** FNV-style mix over a buffer's length and first/last bytes: cheap, order-insensitive when summed. */
export function bufferDigest(b: Buffer | null): number {
  if (b === null) return 7;
  const n = b.length;
  return n === 0 ? 11 : (n * 31 + b[0]! * 17 + b[n - 1]! * 13 + b[n >> 1]!) | 0;
}

/** Both sides must have done the same work (same output count and checksum), or the comparison means nothing. */
export function assertSameWork(workload: string, sluice: Measurement, baseline: Measurement): void {
  if (sluice.outputRecords !== baseline.outputRecords || sluice.checksum !== baseline.checksum) {
    throw new Error(
      `${workload}: Sluice and the baseline disagree (${sluice.outputRecords} vs ${baseline.outputRecords} records, checksum ${sluice.checksum} vs ${baseline.checksum})`,
    );
  }
}
