import type { BufferConfig } from '../../dsl/options/suppressed.js';
import { StreamsError } from '../../errors.js';
import type { Eviction, TimeOrderedBufferStore } from '../../state/suppress/time-ordered-buffer-store.js';
import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import type { MaybePromise, StreamRecord } from '../record.js';
import type { Change } from './change.js';
import { sequence } from './window-emit.js';

export interface SuppressSpec<K> {
  readonly name: string;
  /** The buffer store (TimeOrderedBufferStore) registered for this processor. */
  readonly storeName: string;
  /** Buffer time of a record: its window end (untilWindowCloses) or its timestamp (untilTimeLimit). */
  readonly bufferTime: (key: K, timestamp: number) => number;
  /** A record is emitted once buffer time + delay <= observed stream time (grace, or the time limit). */
  readonly delayMs: number;
  readonly buffer: BufferConfig;
  /** Final results: a deletion of a window that was never emitted need not be emitted (Kafka Streams). */
  readonly dropTombstones: boolean;
}

/**
 * KTable.suppress (Kafka Streams' KTableSuppressProcessor): updates wait in a buffer store, one entry per key
 * holding the latest value and the value before the first buffered update; an entry keeps the buffer time of its
 * first update. Entries leave by buffer time, then serialized key, once buffer time + delay <= the newest
 * timestamp the processor saw (Kafka Streams' observed stream time; it starts afresh after a restart), or early
 * when a bounded buffer is over capacity (emitEarlyWhenFull; shutDownWhenFull fails instead). An emitted update
 * carries the value before the first buffered update as its old value (what downstream last saw), and the
 * timestamp and headers of the latest update. The buffer is logged and restored (see TimeOrderedBufferStore), so
 * restarts and task moves keep what it holds.
 */
export function suppressSupplier<K, V>(spec: SuppressSpec<K>): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  const { maxRecords, maxBytes, fullStrategy } = spec.buffer;
  return () => {
    let ctx!: ProcessorContext<K, Change<V>>;
    let buffer!: TimeOrderedBufferStore<K, V>;
    /**
     * The newest timestamp this processor saw, not the task's stream time: a cached upstream store forwards its
     * updates at commit, after the task's stream time may have moved past them (records of a later window
     * processed meanwhile), and judging the buffered updates by that would emit them before the cached ones arrive.
     */
    let observedStreamTime = -1;
    const overCapacity = (): boolean => buffer.numRecords() > maxRecords || buffer.bufferSize() > maxBytes;

    const emit = (e: Eviction<K, V>): MaybePromise<void> => {
      if (e.value.newValue === null && spec.dropTombstones) return;
      return ctx.forward({ key: e.key, value: e.value, timestamp: e.timestamp, headers: e.headers });
    };

    return {
      init(c: ProcessorContext<K, Change<V>>) {
        ctx = c;
        buffer = c.getStateStore<TimeOrderedBufferStore<K, V>>(spec.storeName);
      },
      process(record: StreamRecord<K, Change<V>>) {
        observedStreamTime = Math.max(observedStreamTime, record.timestamp);
        buffer.put(spec.bufferTime(record.key, record.timestamp), record, ctx.recordMetadata());
        const expiry = observedStreamTime - spec.delayMs;
        const out = buffer.evictWhile(() => buffer.minTimestamp() <= expiry);
        if (overCapacity()) {
          if (fullStrategy === 'SHUT_DOWN') {
            throw new StreamsError(
              `Suppression buffer of ${spec.name} exceeded its max capacity: ${buffer.numRecords()}/${maxRecords} records and ${buffer.bufferSize()}/${maxBytes} bytes. ` +
                `Raise the BufferConfig bounds, or use emitEarlyWhenFull() if early (non-final) results are acceptable.`,
              'SUPPRESSION_BUFFER_FULL',
            );
          }
          out.push(...buffer.evictWhile(overCapacity));
        }
        if (out.length === 0) return;
        return sequence(out.map((e) => () => emit(e)));
      },
    };
  };
}
