import type { TimeWindows } from '../../dsl/options/time-windows.js';
import type { Window } from '../../dsl/options/window-duration.js';
import type { Windowed } from '../../serdes/windowed-serdes.js';
import type { MeteredWindowStore } from '../../state/window/metered-window-store.js';
import type { TimestampedValue } from '../../state/window/window-store.js';
import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import { EMPTY_HEADERS, isPromise, type MaybePromise, type StreamRecord } from '../record.js';
import type { Change } from './change.js';
import { recordDroppedLate } from './dropped-records.js';
import { WindowCloseEmitter, andThen, streamTime } from './window-emit.js';

export interface WindowAggregateSpec<K, V, VA> {
  readonly storeName: string;
  readonly windows: TimeWindows;
  readonly initializer: () => VA;
  readonly aggregator: (key: K, value: V, aggregate: VA) => VA;
  readonly emitOnWindowClose: boolean;
}

/**
 * Time-window aggregation (Kafka Streams' KStreamWindowAggregate): each record updates every window containing
 * it that is still open (end > stream time - grace); for a closed window it is dropped and counted as late. Stream
 * time includes the store's committed clock (see streamTime): after a restore, windows a commit purged stay closed.
 * Updates carry the timestamp of the window's newest record. With emit-on-window-close, nothing is forwarded per
 * update; each window's final value is forwarded once it closes.
 */
export function windowAggregateSupplier<K, V, VA>(spec: WindowAggregateSpec<K, V, VA>): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  const { windows, initializer, aggregator } = spec;
  return () => {
    let ctx!: ProcessorContext<Windowed<K>, Change<VA>>;
    let store!: MeteredWindowStore<K, VA>;
    let cached = false;
    const emitter = spec.emitOnWindowClose ? new WindowCloseEmitter<K, VA>(windows.sizeMs) : undefined;

    const update = (record: StreamRecord<K, V>, window: Window, old: TimestampedValue<VA> | null): MaybePromise<void> => {
      const oldAgg = old === null ? null : old.value;
      const agg = aggregator(record.key, record.value, oldAgg ?? initializer());
      const timestamp = old === null ? record.timestamp : Math.max(record.timestamp, old.timestamp);
      store.putTimestamped(record.key, agg, timestamp, window.start, { value: oldAgg });
      if (cached || emitter) return;
      return ctx.forward({ key: { key: record.key, window: { start: window.start, end: window.end } }, value: { newValue: agg, oldValue: oldAgg }, timestamp, headers: record.headers });
    };

    /** Updates `open[i..]` one after another, staying synchronous while the store is. */
    const updateFrom = (record: StreamRecord<K, V>, open: readonly Window[], i: number): MaybePromise<void> => {
      while (i < open.length) {
        const window = open[i++]!;
        const old = store.fetchTimestamped(record.key, window.start);
        const r = isPromise<TimestampedValue<VA> | null>(old) ? old.then((o) => update(record, window, o)) : update(record, window, old);
        if (r !== undefined && isPromise(r)) {
          const next = i;
          return r.then(() => updateFrom(record, open, next));
        }
      }
    };

    return {
      init(c: ProcessorContext<Windowed<K>, Change<VA>>) {
        ctx = c;
        store = c.getStateStore<MeteredWindowStore<K, VA>>(spec.storeName);
        if (!emitter) {
          cached = store.setFlushListener((key, newValue, oldValue, timestamp) => ctx.forward({ key, value: { newValue, oldValue }, timestamp, headers: EMPTY_HEADERS }));
        }
      },
      process(record: StreamRecord<K, V>) {
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) return;
        const closeTime = streamTime(ctx, store) - windows.graceMs;
        // the windows still open, in place (windowsFor returns a fresh array); late drops are counted up front
        const open = windows.windowsFor(record.timestamp);
        let n = 0;
        for (let i = 0; i < open.length; i++) {
          const window = open[i]!;
          // Kafka Streams counts a drop per closed window the record belonged to. A window the store has expired is
          // closed too (its write would be skipped): an update is forwarded only if it is stored.
          if (window.end <= closeTime || store.retention.isExpired(window.start)) recordDroppedLate(ctx);
          else open[n++] = window;
        }
        open.length = n;
        if (!emitter) return updateFrom(record, open, 0);
        // emit before updating: the windows closed by now are final, and the store has not yet advanced its
        // retention past them on this record's writes
        const emitted = emitter.maybeEmit(ctx, closeTime, record.headers, (from, to) => store.fetchAllTimestamped(from, to));
        return andThen(emitted, () => updateFrom(record, open, 0));
      },
    };
  };
}
