import type { ProcessorSupplier } from '../processor.js';
import type { Change } from './change.js';
import { keyedStoreUpdateSupplier, NO_CHANGE } from './keyed-store-update.js';

/**
 * KGroupedTable count/reduce/aggregate (Kafka Streams' KTableAggregate): the subtractor withdraws an old row's
 * value from an existing aggregate, the adder adds a new row's value (initializing the aggregate if needed).
 */
export function tableAggregateSupplier<K, V, VA>(
  storeName: string,
  initializer: () => VA,
  adder: (key: K, value: V, aggregate: VA) => VA,
  subtractor: (key: K, value: V, aggregate: VA) => VA,
): ProcessorSupplier<K, Change<V>, K, Change<VA>> {
  return keyedStoreUpdateSupplier<K, Change<V>, VA>({
    storeName,
    accepts: (record) => record.key !== null && record.key !== undefined && record.value !== null,
    update: (record, old) => {
      let agg: VA | null = old;
      if (record.value.oldValue !== null && agg !== null) agg = subtractor(record.key, record.value.oldValue, agg);
      if (record.value.newValue !== null) agg = adder(record.key, record.value.newValue, agg ?? initializer());
      return agg === null && old === null ? NO_CHANGE : agg; // nothing to withdraw from, nothing added
    },
  });
}
