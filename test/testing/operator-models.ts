/**
 * Plain models of the operators checked with checkApplication (check-application.operators.test.ts): loops and
 * maps over the generated input records, with Kafka Streams' per-task stream time (one task per input partition),
 * grace and late-drop rules. No stores, serdes or bytes.
 */
import { KeyValue, type TestRecord } from '../../src/index.js';
import { defaultPartition } from '../../src/kafka/partitioner.js';

type Rec<V> = TestRecord<string, V>;

/** The input partition of a string key (the default partitioner on its UTF-8 bytes), i.e. the task that owns it. */
export function partitionOf(key: string, partitions: number): number {
  return defaultPartition(Buffer.from(key, 'utf8'), partitions);
}

/** Per key, the running count (1, 2, 3...) and the running sum of the values, in input order. */
export function runningCountsAndSums(records: readonly Rec<number>[], keyOf: (r: Rec<number>) => string): { counts: KeyValue<string, number>[]; sums: KeyValue<string, number>[] } {
  const count = new Map<string, number>();
  const sum = new Map<string, number>();
  const counts: KeyValue<string, number>[] = [];
  const sums: KeyValue<string, number>[] = [];
  for (const r of records) {
    const k = keyOf(r);
    count.set(k, (count.get(k) ?? 0) + 1);
    sum.set(k, (sum.get(k) ?? 0) + r.value);
    counts.push(KeyValue.pair(k, count.get(k)!));
    sums.push(KeyValue.pair(k, sum.get(k)!));
  }
  return { counts, sums };
}

export interface WindowSpec {
  readonly sizeMs: number;
  /** Equal to sizeMs for tumbling windows. */
  readonly advanceMs: number;
  readonly graceMs: number;
  readonly partitions: number;
}

/**
 * The final result of every window that closed, keyed `${key}@${start}`: the sum (or, with `count`, the number) of
 * the accepted records in it. Each partition is one task with its own stream time; a record is dropped when a
 * window of it ends at or before stream time - grace (its own timestamp included), and a window closes once its
 * end is at or before the task's final stream time - grace.
 */
export function closedWindowResults(records: readonly Rec<number>[], w: WindowSpec, count: boolean): KeyValue<string, number>[] {
  const streamTime = new Array<number>(w.partitions).fill(-1);
  const windows = new Map<string, { value: number; end: number; partition: number }>();
  for (const r of records) {
    const p = partitionOf(r.key, w.partitions);
    streamTime[p] = Math.max(streamTime[p]!, r.timestamp);
    for (let start = r.timestamp - (r.timestamp % w.advanceMs); start > r.timestamp - w.sizeMs && start >= 0; start -= w.advanceMs) {
      const end = start + w.sizeMs;
      if (end <= streamTime[p]! - w.graceMs) continue;
      const id = `${r.key}@${start}`;
      const acc = windows.get(id) ?? { value: 0, end, partition: p };
      acc.value += count ? 1 : r.value;
      windows.set(id, acc);
    }
  }
  return [...windows].filter(([, acc]) => acc.end + w.graceMs <= streamTime[acc.partition]!).map(([id, acc]) => KeyValue.pair(id, acc.value));
}

/** A table's final rows: the last value per key, deleted by a null. */
export function finalTable<V>(records: readonly TestRecord<string, V | null>[]): Map<string, V> {
  const table = new Map<string, V>();
  for (const r of records) {
    if (r.value === null) table.delete(r.key);
    else table.set(r.key, r.value);
  }
  return table;
}
