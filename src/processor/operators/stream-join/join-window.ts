import type { JoinBufferStore } from '../../../state/join/join-buffer-store.js';
import type { ProcessorContext, ProcessorSupplier } from '../../processor.js';
import { isPromise, type StreamRecord } from '../../record.js';
import type { JoinTimeTrackers, JoinTimeTracker } from './join-time-tracker.js';

export interface JoinWindowSpec {
  readonly bufferStore: string;
  /** How long after a record of this side other records may still join it: its window closes at ts + lookAhead + grace. */
  readonly lookAheadMs: number;
  readonly graceMs: number;
  readonly trackers: JoinTimeTrackers;
}

/**
 * KSTREAM-WINDOWED: forwards each record to its side's join processor, then buffers it (Kafka Streams'
 * KStreamJoinWindow) unless it has no key or value or arrived after its window closed (the join processor drops
 * and counts those). Every `lookAhead + grace` of stream time it purges buffered records whose window has closed.
 */
export function joinWindowSupplier<K, V>(spec: JoinWindowSpec): ProcessorSupplier<K, V, K, V> {
  return () => {
    let ctx!: ProcessorContext<K, V>;
    let buffer!: JoinBufferStore<K, V>;
    let time!: JoinTimeTracker;
    const interval = Math.max(1, spec.lookAheadMs + spec.graceMs);
    const buffered = (record: StreamRecord<K, V>): void | Promise<void> => {
      if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) return;
      const cutoff = time.streamTime - spec.lookAheadMs - spec.graceMs; // records before it have a closed window
      if (record.timestamp < cutoff) return;
      buffer.put(buffer.keyBytes(record.key), record.timestamp, record.value);
      const last = time.lastPurge.get(spec.bufferStore) ?? -1;
      if (time.streamTime - last >= interval) {
        time.lastPurge.set(spec.bufferStore, time.streamTime);
        return buffer.purgeBefore(cutoff).then(() => undefined);
      }
    };
    return {
      init(c: ProcessorContext<K, V>) {
        ctx = c;
        buffer = c.getStateStore<JoinBufferStore<K, V>>(spec.bufferStore);
        time = spec.trackers.acquire(c.taskId);
      },
      process(record: StreamRecord<K, V>) {
        const r = ctx.forward(record);
        if (r !== undefined && isPromise(r)) return r.then(() => buffered(record));
        return buffered(record);
      },
      close() {
        spec.trackers.release(ctx.taskId);
      },
    };
  };
}
