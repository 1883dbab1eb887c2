import type { JoinBufferStore } from '../../../state/join/join-buffer-store.js';
import type { JoinSide, OuterJoinStore } from '../../../state/join/outer-join-store.js';
import type { ProcessorContext, ProcessorSupplier } from '../../processor.js';
import type { StreamRecord } from '../../record.js';
import { recordDroppedLate, recordSkipped } from '../dropped-records.js';
import type { JoinTimeTracker, JoinTimeTrackers } from './join-time-tracker.js';

export interface StreamJoinSideSpec<K, VThis, VOther, VR> {
  readonly side: JoinSide;
  /** The other side's buffer. */
  readonly otherBufferStore: string;
  /** Store of unmatched records (left and outer joins). */
  readonly outerStore: string | undefined;
  /** Whether this side's unmatched records are emitted with null (left side of a left join, both sides of an outer join). */
  readonly outer: boolean;
  /** The window seen from this side: a record at t joins other records in [t - beforeMs, t + afterMs]. */
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly graceMs: number;
  /** The joiner with this side's value first. */
  readonly joiner: (key: K, value: VThis, other: VOther | null) => VR;
  /** The user's joiner (left value, right value), for unmatched records of either side. */
  readonly outerJoiner: (key: K, left: unknown, right: unknown) => VR;
  readonly trackers: JoinTimeTrackers;
}

/**
 * One side of a stream-stream join (Kafka Streams' KStreamKStreamJoin with the KIP-633 spurious-result fix). A
 * record joins the other side's buffered records of its key in its window whose own window is still open; a record
 * of an outer side without a match waits in the shared store of unmatched records and is emitted with null only
 * when its window has closed (stream time > ts + after + grace). Records arriving after that are late: dropped
 * and counted. Unmatched records are emitted, oldest first, when a record at the current stream time arrives.
 */
export function kstreamKStreamJoinSupplier<K, VThis, VOther, VR>(spec: StreamJoinSideSpec<K, VThis, VOther, VR>): ProcessorSupplier<K, VThis, K, VR> {
  // window of a buffered other-side record: it joins records up to `beforeMs` after it
  const otherLookAhead = spec.beforeMs;
  const lookAhead = (side: JoinSide): number => (side === spec.side ? spec.afterMs : otherLookAhead);
  const minLookAhead = Math.min(spec.afterMs, otherLookAhead);
  return () => {
    let ctx!: ProcessorContext<K, VR>;
    let other!: JoinBufferStore<K, VOther>;
    let unmatched: OuterJoinStore<K, unknown, unknown> | undefined;
    let time!: JoinTimeTracker;

    const emitClosed = async (trigger: StreamRecord<K, VThis>): Promise<void> => {
      const store = unmatched!;
      if (time.minUnmatchedTime + minLookAhead + spec.graceMs >= time.streamTime) return; // nothing can have closed
      let min = Number.POSITIVE_INFINITY;
      for (const r of await store.scan()) {
        if (r.timestamp + minLookAhead + spec.graceMs >= time.streamTime) {
          min = Math.min(min, r.timestamp); // this and every later record are still open
          break;
        }
        if (r.timestamp + lookAhead(r.side) + spec.graceMs >= time.streamTime) {
          min = Math.min(min, r.timestamp);
          continue;
        }
        const value = r.side === 'left' ? spec.outerJoiner(r.key, r.value, null) : spec.outerJoiner(r.key, null, r.value);
        store.delete(r.storeKey);
        await ctx.forward({ key: r.key, value, timestamp: r.timestamp, headers: trigger.headers });
      }
      time.minUnmatchedTime = min;
    };

    const join = async (record: StreamRecord<K, VThis>): Promise<void> => {
      const ts = record.timestamp;
      if (unmatched && ts === time.streamTime) await emitClosed(record);
      const keyBytes = other.keyBytes(record.key);
      // only other records whose own window is still open: one already emitted as unmatched must not match now
      const from = Math.max(ts - spec.beforeMs, time.streamTime - otherLookAhead - spec.graceMs);
      const matches = await other.fetch(keyBytes, from, ts + spec.afterMs);
      for (const m of matches) {
        if (unmatched) await unmatched.deleteMatched(spec.side === 'left' ? 'right' : 'left', keyBytes, m.timestamp);
        await ctx.forward({
          key: record.key,
          value: spec.joiner(record.key, record.value, m.value),
          timestamp: Math.max(ts, m.timestamp),
          headers: record.headers,
        });
      }
      if (matches.length === 0 && spec.outer && unmatched) {
        unmatched.put(spec.side, keyBytes, ts, record.value);
        time.minUnmatchedTime = Math.min(time.minUnmatchedTime, ts);
      }
    };

    return {
      init(c: ProcessorContext<K, VR>) {
        ctx = c;
        other = c.getStateStore<JoinBufferStore<K, VOther>>(spec.otherBufferStore);
        unmatched = spec.outerStore ? c.getStateStore<OuterJoinStore<K, unknown, unknown>>(spec.outerStore) : undefined;
        time = spec.trackers.acquire(c.taskId);
      },
      process(record: StreamRecord<K, VThis>) {
        time.advance(record.timestamp);
        const noKey = record.key === null || record.key === undefined;
        const noValue = record.value === null || record.value === undefined;
        if (noKey && !noValue && spec.outer) {
          // cannot join, but an outer side still reports it (Kafka Streams, KIP-962)
          return ctx.forward({ ...record, value: spec.joiner(record.key, record.value, null) });
        }
        if (noKey || noValue) {
          recordSkipped(ctx);
          return;
        }
        if (record.timestamp + spec.afterMs + spec.graceMs < time.streamTime) {
          recordDroppedLate(ctx);
          return;
        }
        return join(record);
      },
      close() {
        spec.trackers.release(ctx.taskId);
      },
    };
  };
}
