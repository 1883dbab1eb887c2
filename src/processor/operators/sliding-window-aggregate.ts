import type { SlidingWindows } from '../../dsl/options/sliding-windows.js';
import type { Windowed } from '../../serdes/windowed-serdes.js';
import type { MeteredWindowStore } from '../../state/window/metered-window-store.js';
import type { TimestampedValue } from '../../state/window/window-store.js';
import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import { EMPTY_HEADERS, type StreamRecord } from '../record.js';
import type { Change } from './change.js';
import { recordDroppedLate } from './dropped-records.js';
import { WindowCloseEmitter, streamTime } from './window-emit.js';

export interface SlidingWindowAggregateSpec<K, V, VA> {
  readonly storeName: string;
  readonly windows: SlidingWindows;
  readonly initializer: () => VA;
  readonly aggregator: (key: K, value: V, aggregate: VA) => VA;
  readonly emitOnWindowClose: boolean;
}

type Stored<VA> = { start: number; value: TimestampedValue<VA> };

/**
 * Sliding-window aggregation (Kafka Streams' KStreamSlidingWindowAggregate). Windows [start, start + d] (both ends
 * included) exist only where records make them distinct: each record has a left window ending at it and a right
 * window starting just after it (created once a later record falls into it). A record updates every existing
 * window containing it, creates its left window from the aggregate of the latest window ending before it, and
 * creates the right windows of itself and of the previous record when they hold records. Stored values carry the
 * timestamp of their newest record, which tells whether a window holds records after a given time. Records whose
 * right window is already closed are dropped as late (stream time includes what the store has seen, see
 * streamTime); records before time d share the window [0, d].
 */
export function slidingWindowAggregateSupplier<K, V, VA>(spec: SlidingWindowAggregateSpec<K, V, VA>): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  const { initializer, aggregator } = spec;
  const td = spec.windows.timeDifferenceMs;
  const grace = spec.windows.graceMs;
  return () => {
    let ctx!: ProcessorContext<Windowed<K>, Change<VA>>;
    let store!: MeteredWindowStore<K, VA>;
    let cached = false;
    const emitter = spec.emitOnWindowClose ? new WindowCloseEmitter<K, VA>(td, true) : undefined;

    /** Aggregates the record into the window at `start` on top of `base`; `stored` is what the store held there. */
    const updateWindow = (record: StreamRecord<K, V>, start: number, base: TimestampedValue<VA> | null, stored: VA | null, closeTime: number) => {
      const end = start + td;
      // sliding windows include their end, so a window ending exactly at the close time is still open; one the store
      // has expired is closed (its write would be skipped): an update is forwarded only if stored
      if (end < closeTime || store.retention.isExpired(start)) {
        recordDroppedLate(ctx);
        return;
      }
      const agg = aggregator(record.key, record.value, base === null ? initializer() : base.value);
      const timestamp = base === null ? record.timestamp : Math.max(record.timestamp, base.timestamp);
      store.putTimestamped(record.key, agg, timestamp, start, { value: stored });
      return forward(record, start, agg, stored, timestamp);
    };

    const forward = (record: StreamRecord<K, V>, start: number, value: VA, old: VA | null, timestamp: number) => {
      if (cached || emitter) return;
      return ctx.forward({ key: { key: record.key, window: { start, end: start + td } }, value: { newValue: value, oldValue: old }, timestamp, headers: record.headers });
    };

    /** The current record's right window (t, t + d]: the records after t of the window found to the right. */
    const createRightWindow = (record: StreamRecord<K, V>, rightAgg: TimestampedValue<VA>) => {
      const start = record.timestamp + 1;
      store.putTimestamped(record.key, rightAgg.value, rightAgg.timestamp, start, { value: null });
      return forward(record, start, rightAgg.value, null, rightAgg.timestamp);
    };

    const fetch = async (key: K, from: number, to: number): Promise<Stored<VA>[]> => {
      const out: Stored<VA>[] = [];
      for await (const e of store.fetchTimestampedRange(key, from, to)) out.push(e);
      return out;
    };

    const processInOrder = async (record: StreamRecord<K, V>, closeTime: number): Promise<void> => {
      const t = record.timestamp;
      const starts = new Set<number>();
      let leftAgg: TimestampedValue<VA> | null = null;
      let rightAgg: TimestampedValue<VA> | null = null;
      let leftCreated = false;
      let rightCreated = false;
      let previous: number | null = null;
      for (const w of await fetch(record.key, Math.max(0, t - 2 * td), t + 1)) {
        starts.add(w.start);
        const end = w.start + td;
        if (end < t) {
          leftAgg = w.value;
          previous = w.value.timestamp;
        } else if (end === t) {
          leftCreated = true;
          if (w.value.timestamp < t) previous = w.value.timestamp;
          await updateWindow(record, w.start, w.value, w.value.value, closeTime);
        } else if (w.start <= t) {
          rightAgg = w.value;
          await updateWindow(record, w.start, w.value, w.value.value, closeTime);
        } else if (w.start === t + 1) {
          rightCreated = true;
        }
      }
      // the previous record's right window, when it does not exist yet and this record falls into it
      if (previous !== null && !starts.has(previous + 1) && previous + 1 + td >= t) {
        await updateWindow(record, previous + 1, null, null, closeTime);
      }
      if (!leftCreated) {
        const leftNotEmpty = previous !== null && t - td <= previous && leftAgg !== null;
        await updateWindow(record, t - td, leftNotEmpty ? { value: leftAgg!.value, timestamp: t } : null, null, closeTime);
      }
      if (!rightCreated && rightAgg !== null && rightAgg.timestamp > t) await createRightWindow(record, rightAgg);
    };

    /** Records before time d: one combined window [0, d] holds them all. */
    const processEarly = async (record: StreamRecord<K, V>, closeTime: number): Promise<void> => {
      const t = record.timestamp;
      const starts = new Set<number>();
      let combined: Stored<VA> | null = null;
      let rightAgg: TimestampedValue<VA> | null = null;
      let rightCreated = false;
      let previous: number | null = null;
      for (const w of await fetch(record.key, 0, t + 1)) {
        starts.add(w.start);
        if (w.start === 0) {
          combined = w;
          if (w.value.timestamp < t) previous = w.value.timestamp;
        } else if (w.start <= t) {
          rightAgg = w.value;
          await updateWindow(record, w.start, w.value, w.value.value, closeTime);
        } else if (w.start === t + 1) {
          rightCreated = true;
        }
      }
      // without a right window found, the combined window holds only records after t when its newest is after t
      if (rightAgg === null && combined !== null && combined.value.timestamp > t) rightAgg = combined.value;
      if (!rightCreated && rightAgg !== null && rightAgg.timestamp > t) await createRightWindow(record, rightAgg);
      if (previous !== null && !starts.has(previous + 1)) await updateWindow(record, previous + 1, null, null, closeTime);
      if (combined === null) await updateWindow(record, 0, null, null, closeTime);
      else await updateWindow(record, 0, combined.value, combined.value.value, closeTime);
    };

    return {
      init(c: ProcessorContext<Windowed<K>, Change<VA>>) {
        ctx = c;
        store = c.getStateStore<MeteredWindowStore<K, VA>>(spec.storeName);
        if (!emitter) {
          cached = store.setFlushListener((key, newValue, oldValue, timestamp) => ctx.forward({ key, value: { newValue, oldValue }, timestamp, headers: EMPTY_HEADERS }));
        }
      },
      async process(record: StreamRecord<K, V>) {
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) return;
        const closeTime = streamTime(ctx, store) - grace;
        const t = record.timestamp;
        if (t + 1 + td <= closeTime) {
          recordDroppedLate(ctx); // even the record's right window is closed
          return;
        }
        // emit first: closed windows are final, and this record's writes must not expire them unemitted
        if (emitter) await emitter.maybeEmit(ctx, closeTime, record.headers, (from, to) => store.fetchAllTimestamped(from, to));
        if (t < td) await processEarly(record, closeTime);
        else await processInOrder(record, closeTime);
      },
    };
  };
}
