import type { SessionWindows } from '../../dsl/options/session-windows.js';
import type { KeyValue } from '../../dsl/key-value.js';
import type { Windowed } from '../../serdes/windowed-serdes.js';
import type { MeteredSessionStore } from '../../state/window/metered-session-store.js';
import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import { EMPTY_HEADERS, type Headers, type StreamRecord } from '../record.js';
import type { Change } from './change.js';
import { recordDroppedLate } from './dropped-records.js';
import { streamTime } from './window-emit.js';

export interface SessionWindowAggregateSpec<K, V, VA> {
  readonly storeName: string;
  readonly windows: SessionWindows;
  readonly initializer: () => VA;
  readonly aggregator: (key: K, value: V, aggregate: VA) => VA;
  readonly merger: (key: K, aggregate1: VA, aggregate2: VA) => VA;
  readonly emitOnWindowClose: boolean;
}

/**
 * Session-window aggregation (Kafka Streams' KStreamSessionWindowAggregate). A record at t joins every session of
 * its key within the inactivity gap (end >= t - gap, start <= t + gap): their aggregates are merged (merger, in
 * session order, starting from the initializer), the merged sessions are removed (each forwarded as a tombstone)
 * and the record is aggregated into the merged session [min start, max end]. Updates carry the session end as
 * timestamp. A session can still grow until stream time passes its end + gap + grace; a record whose merged session
 * ends before that close time is dropped and counted as late (stream time includes what the store has seen, see
 * streamTime). With emit-on-window-close, each session is forwarded once, when it closes.
 */
export function sessionWindowAggregateSupplier<K, V, VA>(spec: SessionWindowAggregateSpec<K, V, VA>): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  const { initializer, aggregator, merger } = spec;
  const gap = spec.windows.gapMs;
  const grace = spec.windows.graceMs;
  return () => {
    let ctx!: ProcessorContext<Windowed<K>, Change<VA>>;
    let store!: MeteredSessionStore<K, VA>;
    let cached = false;
    let lastEmitCloseTime = -1;
    const eager = !spec.emitOnWindowClose;

    const forward = (key: Windowed<K>, newValue: VA | null, oldValue: VA | null, headers: Headers) =>
      ctx.forward({ key, value: { newValue, oldValue }, timestamp: key.window.end, headers });

    /** Sessions ending before the close time that were not emitted yet, each once (Kafka Streams' emit final). */
    const emitClosed = async (closeTime: number, headers: Headers): Promise<void> => {
      if (lastEmitCloseTime !== -1 && closeTime <= lastEmitCloseTime) return;
      const upper = closeTime - 1; // session ends are inclusive
      if (upper < 0) return;
      const lower = Math.max(0, lastEmitCloseTime);
      lastEmitCloseTime = closeTime;
      for await (const s of store.fetchEndedIn(lower, upper)) await ctx.forward({ key: s.key, value: { newValue: s.value, oldValue: null }, timestamp: s.key.window.end, headers });
    };

    return {
      init(c: ProcessorContext<Windowed<K>, Change<VA>>) {
        ctx = c;
        store = c.getStateStore<MeteredSessionStore<K, VA>>(spec.storeName);
        if (eager) cached = store.setFlushListener((key, newValue, oldValue) => ctx.forward({ key, value: { newValue, oldValue }, timestamp: key.window.end, headers: EMPTY_HEADERS }));
      },
      async process(record: StreamRecord<K, V>) {
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) return;
        const t = record.timestamp;
        const closeTime = streamTime(ctx, store) - grace - gap;
        // emit first: closed sessions are final, and this record's writes must not expire them unemitted
        if (!eager) await emitClosed(closeTime, record.headers);
        const merged: KeyValue<Windowed<K>, VA>[] = [];
        let start = t;
        let end = t;
        let agg = initializer();
        for await (const s of store.findSessions(record.key, t - gap, t + gap)) {
          merged.push(s);
          agg = merger(record.key, agg, s.value);
          start = Math.min(start, s.key.window.start);
          end = Math.max(end, s.key.window.end);
        }
        // a session the store has expired is closed too (its write would be skipped): an update is forwarded only if stored
        if (end < closeTime || store.retention.isExpired(end)) {
          recordDroppedLate(ctx);
        } else {
          let old: VA | null = null;
          for (const s of merged) {
            if (start === t && end === t) {
              old = s.value; // the only session found is [t, t] itself: it is updated, not replaced
              continue;
            }
            store.remove(s.key, { value: s.value });
            if (eager && !cached) await forward(s.key, null, s.value, record.headers);
          }
          agg = aggregator(record.key, record.value, agg);
          const sessionKey: Windowed<K> = { key: record.key, window: { start, end } };
          store.put(sessionKey, agg, { value: old });
          if (eager && !cached) await forward(sessionKey, agg, old, record.headers);
        }
      },
    };
  };
}
