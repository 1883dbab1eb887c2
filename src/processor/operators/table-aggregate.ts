import type { MeteredKeyValueStore } from '../../state/metered/metered-key-value-store.js';
import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import { EMPTY_HEADERS, isPromise, type StreamRecord } from '../record.js';
import type { Change } from './change.js';

/**
 * KGroupedTable count/reduce/aggregate: the subtractor removes an old row's value, the adder adds a new
 * one (Kafka Streams' KTableAggregate). A reduce whose group becomes empty... keeps the subtracted value,
 * as Kafka Streams does; a null aggregate deletes the row.
 */
export function tableAggregateSupplier<K, V, VA>(
  storeName: string,
  initializer: () => VA,
  adder: (key: K, value: V, aggregate: VA) => VA,
  subtractor: (key: K, value: V, aggregate: VA) => VA,
): ProcessorSupplier<K, Change<V>, K, Change<VA>> {
  return () => {
    let ctx!: ProcessorContext<K, Change<VA>>;
    let store!: MeteredKeyValueStore<K, VA>;
    let cached = false;
    const update = (record: StreamRecord<K, Change<V>>, old: VA | null): void | Promise<void> => {
      // as Kafka Streams' KTableAggregate: subtract only from an existing aggregate, initialize only to add
      let agg: VA | null = old;
      if (record.value.oldValue !== null && agg !== null) agg = subtractor(record.key, record.value.oldValue, agg);
      if (record.value.newValue !== null) agg = adder(record.key, record.value.newValue, agg ?? initializer());
      if (agg === null && old === null) return; // nothing to withdraw from, nothing added
      store.put(record.key, agg);
      if (!cached) return ctx.forward({ key: record.key, value: { newValue: agg, oldValue: old }, timestamp: record.timestamp, headers: record.headers });
    };
    return {
      init(c: ProcessorContext<K, Change<VA>>) {
        ctx = c;
        store = c.getStateStore<MeteredKeyValueStore<K, VA>>(storeName);
        cached = store.setFlushListener((key, newValue, oldValue, timestamp) =>
          ctx.forward({ key, value: { newValue, oldValue }, timestamp, headers: EMPTY_HEADERS }),
        );
      },
      process(record: StreamRecord<K, Change<V>>) {
        if (record.key === null || record.key === undefined || record.value === null) return;
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
