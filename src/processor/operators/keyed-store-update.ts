import type { MeteredKeyValueStore } from '../../state/metered/metered-key-value-store.js';
import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import { EMPTY_HEADERS, isPromise, type StreamRecord } from '../record.js';
import type { Change } from './change.js';

/** Returned by an update function when the record changes nothing (no put, no output). */
export const NO_CHANGE: unique symbol = Symbol('no change');

export interface KeyedStoreUpdate<K, VIn, VS> {
  readonly storeName: string;
  /** False drops the record before the store is read (null keys, for example); `ctx` lets it count the drop. */
  readonly accepts: (record: StreamRecord<K, VIn>, ctx: ProcessorContext<K, Change<VS>>) => boolean;
  /** The key's new stored value (null deletes) from the record and the value stored before. */
  readonly update: (record: StreamRecord<K, VIn>, old: VS | null) => VS | null | typeof NO_CHANGE;
}

/**
 * The shape shared by table sources and aggregations: read the key's stored value, compute the new one, put it,
 * and emit the change with the value it replaced, through the store's record cache on flush (deduplicated) or at
 * once when the store has no cache. The store key is the record key, so the task may prefetch a batch of keys.
 */
export function keyedStoreUpdateSupplier<K, VIn, VS>(spec: KeyedStoreUpdate<K, VIn, VS>): ProcessorSupplier<K, VIn, K, Change<VS>> {
  return () => {
    let ctx!: ProcessorContext<K, Change<VS>>;
    let store!: MeteredKeyValueStore<K, VS>;
    let cached = false;
    const apply = (record: StreamRecord<K, VIn>, old: VS | null): void | Promise<void> => {
      const next = spec.update(record, old);
      if (next === NO_CHANGE) return;
      store.put(record.key, next);
      if (!cached) return ctx.forward({ key: record.key, value: { newValue: next, oldValue: old }, timestamp: record.timestamp, headers: record.headers });
    };
    return {
      init(c: ProcessorContext<K, Change<VS>>) {
        ctx = c;
        store = c.getStateStore<MeteredKeyValueStore<K, VS>>(spec.storeName);
        cached = store.setFlushListener((key, newValue, oldValue, timestamp) =>
          ctx.forward({ key, value: { newValue, oldValue }, timestamp, headers: EMPTY_HEADERS }),
        );
      },
      process(record: StreamRecord<K, VIn>) {
        if (!spec.accepts(record, ctx)) return;
        const old = store.get(record.key);
        if (isPromise(old)) return old.then((o) => apply(record, o));
        return apply(record, old);
      },
      prefetch(keys: readonly K[]) {
        store.prefetch(keys);
      },
      prefetchWanted() {
        return store.prefetchWanted !== false;
      },
    };
  };
}
