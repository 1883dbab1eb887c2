import type { MeteredKeyValueStore } from '../../state/metered/metered-key-value-store.js';
import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import { EMPTY_HEADERS, isPromise, type StreamRecord } from '../record.js';
import type { Change } from './change.js';

/** Counters an operator can bump (dropped records); the task provides them. */
export interface DropCounter {
  dropped(reason: string): void;
}

/** Marks processors whose store key is the input record key, so the task can prefetch a batch of keys. */
export interface Prefetching<K> {
  prefetch(keys: readonly K[]): void | Promise<void>;
}

/**
 * KGroupedStream count/reduce/aggregate: agg = aggregator(key, value, stored ?? initializer()). With a record
 * cache the store forwards deduplicated updates on flush; without one every update is forwarded at once.
 * Records with a null key or value are dropped, as Kafka Streams does.
 */
export function streamAggregateSupplier<K, V, VA>(
  storeName: string,
  initializer: () => VA,
  aggregator: (key: K, value: V, aggregate: VA) => VA,
): ProcessorSupplier<K, V, K, Change<VA>> {
  return () => {
    let ctx!: ProcessorContext<K, Change<VA>>;
    let store!: MeteredKeyValueStore<K, VA>;
    let cached = false;
    const update = (record: StreamRecord<K, V>, old: VA | null): void | Promise<void> => {
      const agg = aggregator(record.key, record.value, old ?? initializer());
      store.put(record.key, agg);
      if (!cached) return ctx.forward({ key: record.key, value: { newValue: agg, oldValue: old }, timestamp: record.timestamp, headers: record.headers });
    };
    const processor = {
      init(c: ProcessorContext<K, Change<VA>>) {
        ctx = c;
        store = c.getStateStore<MeteredKeyValueStore<K, VA>>(storeName);
        cached = store.setFlushListener((key, newValue, oldValue, timestamp) =>
          ctx.forward({ key, value: { newValue, oldValue }, timestamp, headers: EMPTY_HEADERS }),
        );
      },
      process(record: StreamRecord<K, V>) {
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
          (ctx as unknown as { dropped?: (r: string) => void }).dropped?.('null key or value');
          return;
        }
        const old = store.get(record.key);
        if (isPromise(old)) return old.then((o) => update(record, o));
        return update(record, old);
      },
      prefetch(keys: readonly K[]) {
        return store.prefetch(keys);
      },
      prefetchWanted() {
        return store.prefetchWanted !== false;
      },
    };
    return processor;
  };
}
