import type { BufferConfig } from '../../dsl/options/suppressed.js';
import { StreamsError } from '../../errors.js';
import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import type { Headers, MaybePromise, StreamRecord } from '../record.js';
import type { Change } from './change.js';
import { sequence } from './window-emit.js';

export interface SuppressSpec<K> {
  readonly name: string;
  /** Buffer time of a record: its window end (untilWindowCloses) or its timestamp (untilTimeLimit). */
  readonly bufferTime: (key: K, timestamp: number) => number;
  /** A record is emitted once buffer time + delay <= stream time (grace, or the time limit). */
  readonly delayMs: number;
  readonly buffer: BufferConfig;
  /** Final results: a deletion of a window that was never emitted need not be emitted (Kafka Streams). */
  readonly dropTombstones: boolean;
}

interface Buffered<K, V> {
  readonly id: string;
  readonly time: number;
  readonly seq: number;
  key: K;
  newValue: V | null;
  readonly priorValue: V | null;
  timestamp: number;
  headers: Headers;
  size: number;
}

/**
 * KTable.suppress (Kafka Streams' KTableSuppressProcessor): updates wait in a buffer, one entry per key holding
 * the latest value and the value before the first buffered update; an entry keeps the buffer time of its first
 * update. Entries leave in buffer-time order once buffer time + delay <= the task's stream time, or early when a
 * bounded buffer is over capacity (emitEarlyWhenFull; shutDownWhenFull fails instead).
 *
 * The buffer lives in memory only and is not logged: after a restart or a task migration, updates that were
 * buffered but not yet emitted are lost (a window's final result is still emitted if it gets another update
 * before it closes). Byte sizes for maxBytes are estimates of the in-memory entries.
 */
export function suppressSupplier<K, V>(spec: SuppressSpec<K>): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  const { maxRecords, maxBytes, fullStrategy } = spec.buffer;
  return () => {
    let ctx!: ProcessorContext<K, Change<V>>;
    const index = new Map<string, Buffered<K, V>>();
    /** Entries sorted by (time, seq); evicted from `head`. */
    let sorted: Buffered<K, V>[] = [];
    let head = 0;
    let seq = 0;
    let bytes = 0;

    const insert = (e: Buffered<K, V>): void => {
      let lo = head;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const m = sorted[mid]!;
        if (m.time < e.time || (m.time === e.time && m.seq < e.seq)) lo = mid + 1;
        else hi = mid;
      }
      sorted.splice(lo, 0, e);
    };

    const takeOldest = (): Buffered<K, V> => {
      const e = sorted[head++]!;
      if (head > 1024 && head * 2 > sorted.length) {
        sorted = sorted.slice(head);
        head = 0;
      }
      index.delete(e.id);
      bytes -= e.size;
      return e;
    };

    const emit = (e: Buffered<K, V>): MaybePromise<void> => {
      if (e.newValue === null && spec.dropTombstones) return;
      return ctx.forward({ key: e.key, value: { newValue: e.newValue, oldValue: e.priorValue }, timestamp: e.timestamp, headers: e.headers });
    };

    const overCapacity = (): boolean => index.size > maxRecords || bytes > maxBytes;

    return {
      init(c: ProcessorContext<K, Change<V>>) {
        ctx = c;
      },
      process(record: StreamRecord<K, Change<V>>) {
        const id = identity(record.key);
        const existing = index.get(id);
        const size = estimateSize(record.key) + estimateSize(record.value.newValue) + estimateSize(record.value.oldValue) + 64;
        if (existing) {
          bytes += size - existing.size;
          existing.key = record.key;
          existing.newValue = record.value.newValue;
          existing.timestamp = record.timestamp;
          existing.headers = record.headers;
          existing.size = size;
        } else {
          const e: Buffered<K, V> = {
            id,
            time: spec.bufferTime(record.key, record.timestamp),
            seq: seq++,
            key: record.key,
            newValue: record.value.newValue,
            priorValue: record.value.oldValue,
            timestamp: record.timestamp,
            headers: record.headers,
            size,
          };
          index.set(id, e);
          insert(e);
          bytes += size;
        }
        const expiry = ctx.currentStreamTimeMs() - spec.delayMs;
        const out: Buffered<K, V>[] = [];
        while (head < sorted.length && sorted[head]!.time <= expiry) out.push(takeOldest());
        if (overCapacity()) {
          if (fullStrategy === 'SHUT_DOWN') {
            throw new StreamsError(
              `Suppression buffer of ${spec.name} exceeded its max capacity: ${index.size}/${maxRecords} records and about ${bytes}/${maxBytes} bytes. ` +
                `Raise the BufferConfig bounds, or use emitEarlyWhenFull() if early (non-final) results are acceptable.`,
              'SUPPRESSION_BUFFER_FULL',
            );
          }
          while (overCapacity() && head < sorted.length) out.push(takeOldest());
        }
        if (out.length === 0) return;
        return sequence(out.map((e) => () => emit(e)));
      },
    };
  };
}

/** A key's identity in the buffer: primitives by type and value, other keys (Windowed, objects) by their JSON. */
function identity(key: unknown): string {
  const t = typeof key;
  if (t === 'string') return `s${key as string}`;
  if (t === 'number' || t === 'bigint' || t === 'boolean') return `${t[0]}${String(key)}`;
  return `j${JSON.stringify(key, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;
}

function estimateSize(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'string') return 2 * v.length;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return 8;
  if (Buffer.isBuffer(v)) return v.length;
  try {
    return 2 * (JSON.stringify(v)?.length ?? 0);
  } catch {
    return 64;
  }
}
