import type { MeteredKeyValueStore } from '../../state/metered/metered-key-value-store.js';
import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import { EMPTY_HEADERS, isPromise, type StreamRecord } from '../record.js';
import type { Change } from './change.js';

/**
 * Turns a stream of upserts into a KTable (builder.table, KStream.toTable): the store holds the latest value per
 * key, a null value is a tombstone that deletes it, and each update is forwarded with the value it replaced.
 */
export function tableSourceSupplier<K, V>(storeName: string): ProcessorSupplier<K, V, K, Change<V>> {
  return () => {
    let ctx!: ProcessorContext<K, Change<V>>;
    let store!: MeteredKeyValueStore<K, V>;
    let cached = false;
    const update = (record: StreamRecord<K, V>, old: V | null): void | Promise<void> => {
      const value = record.value === undefined ? null : record.value;
      if (value === null && old === null) return; // deleting nothing changes nothing
      store.put(record.key, value);
      if (!cached) return ctx.forward({ key: record.key, value: { newValue: value, oldValue: old }, timestamp: record.timestamp, headers: record.headers });
    };
    return {
      init(c: ProcessorContext<K, Change<V>>) {
        ctx = c;
        store = c.getStateStore<MeteredKeyValueStore<K, V>>(storeName);
        cached = store.setFlushListener((key, newValue, oldValue, timestamp) =>
          ctx.forward({ key, value: { newValue, oldValue }, timestamp, headers: EMPTY_HEADERS }),
        );
      },
      process(record: StreamRecord<K, V>) {
        if (record.key === null || record.key === undefined) return; // a table row needs a key
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
  };
}
