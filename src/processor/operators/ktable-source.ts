import type { ProcessorSupplier } from '../processor.js';
import type { Change } from './change.js';
import { keyedStoreUpdateSupplier, NO_CHANGE } from './keyed-store-update.js';

/**
 * Turns a stream of upserts into a KTable (builder.table, KStream.toTable): the store holds the latest value per
 * key, a null value is a tombstone that deletes it, and each update is forwarded with the value it replaced.
 */
export function tableSourceSupplier<K, V>(storeName: string): ProcessorSupplier<K, V, K, Change<V>> {
  return keyedStoreUpdateSupplier<K, V, V>({
    storeName,
    accepts: (record) => record.key !== null && record.key !== undefined, // a table row needs a key
    update: (record, old) => {
      const value = record.value === undefined ? null : record.value;
      return value === null && old === null ? NO_CHANGE : value; // deleting nothing changes nothing
    },
  });
}
