import type { InternalStreamsBuilder } from '../../graph/internal-builder.js';
import type { Serde } from '../../serdes/serde.js';
import { KeyValueStoreBuilder, Stores } from '../../state/stores.js';
import type { Materialized } from '../options/materialized.js';

/**
 * Resolves a Materialized into a store builder, generating the store name as Kafka Streams does
 * (`<prefix>STATE-STORE-<index>`, which burns an index). Default engine: RocksDB, as Kafka Streams.
 */
export function materialize<K, V>(
  builder: InternalStreamsBuilder,
  materialized: Materialized<K, V> | undefined,
  prefix: string,
  defaults: { keySerde?: Serde<K>; valueSerde?: Serde<V> },
): { storeName: string; queryable: boolean; storeBuilder: KeyValueStoreBuilder<K, V> } {
  const storeName = materialized?.storeName ?? builder.newStoreName(prefix);
  const keySerde = (materialized?.keySerde ?? defaults.keySerde) as Serde<K>;
  const valueSerde = (materialized?.valueSerde ?? defaults.valueSerde) as Serde<V>;
  const supplier =
    materialized?.storeSupplier ??
    (materialized?.storeType === 'in_memory' ? Stores.inMemoryKeyValueStore(storeName) : Stores.persistentKeyValueStore(storeName));
  let storeBuilder = new KeyValueStoreBuilder<K, V>(supplier, keySerde, valueSerde);
  if (materialized?.cachingEnabled ?? true) storeBuilder = storeBuilder.withCachingEnabled();
  if (materialized && !materialized.loggingEnabled) storeBuilder = storeBuilder.withLoggingDisabled();
  return { storeName, queryable: materialized?.storeName !== undefined, storeBuilder };
}
