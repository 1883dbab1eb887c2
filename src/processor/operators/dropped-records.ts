import type { ProcessorContext } from '../processor.js';

interface WithTaskMetrics {
  readonly taskMetrics?: { droppedLateRecords: number; skippedRecords: number };
}

/**
 * Counts a record dropped because it arrived after its window's grace period (Kafka Streams' dropped-records
 * sensor); shows in `driver.metrics()` / `streams.metrics()` as droppedLateRecords. A context without task
 * counters (a hand-made test context) counts nothing.
 */
export function recordDroppedLate(ctx: ProcessorContext<any, any>): void {
  const m = (ctx as WithTaskMetrics).taskMetrics;
  if (m) m.droppedLateRecords++;
}

/** Counts a record an operator skipped as invalid (null key or value where one is needed). */
export function recordSkipped(ctx: ProcessorContext<any, any>): void {
  const m = (ctx as WithTaskMetrics).taskMetrics;
  if (m) m.skippedRecords++;
}
