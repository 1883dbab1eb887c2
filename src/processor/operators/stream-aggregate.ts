import type { ProcessorSupplier } from '../processor.js';
import type { Change } from './change.js';
import { recordSkipped } from './dropped-records.js';
import { keyedStoreUpdateSupplier } from './keyed-store-update.js';

/**
 * KGroupedStream count/reduce/aggregate: agg = aggregator(key, value, stored ?? initializer()). Records with a
 * null key or value are dropped and counted, as Kafka Streams does.
 */
export function streamAggregateSupplier<K, V, VA>(
  storeName: string,
  initializer: () => VA,
  aggregator: (key: K, value: V, aggregate: VA) => VA,
): ProcessorSupplier<K, V, K, Change<VA>> {
  return keyedStoreUpdateSupplier<K, V, VA>({
    storeName,
    accepts: (record, ctx) => {
      const ok = record.key !== null && record.key !== undefined && record.value !== null && record.value !== undefined;
      if (!ok) recordSkipped(ctx);
      return ok;
    },
    update: (record, old) => aggregator(record.key, record.value, old ?? initializer()),
  });
}
