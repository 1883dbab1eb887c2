import type { Serde } from '../../serdes/serde.js';
import type { KeyValueBytesStoreSupplier } from '../../state/stores.js';

export type StoreType = 'in_memory' | 'rocksdb';

/** How a KTable or aggregation is stored (Kafka Streams' Materialized). Immutable. Caching and logging default on. */
export class Materialized<K, V> {
  private constructor(
    readonly storeName: string | undefined,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly cachingEnabled: boolean,
    readonly loggingEnabled: boolean,
    readonly retentionMs: number | undefined,
    readonly storeType: StoreType | undefined,
    readonly storeSupplier: KeyValueBytesStoreSupplier | undefined,
  ) {
    Object.freeze(this);
  }

  static as<K = any, V = any>(storeNameOrSupplier: string | KeyValueBytesStoreSupplier): Materialized<K, V> {
    return typeof storeNameOrSupplier === 'string'
      ? new Materialized<K, V>(storeNameOrSupplier, undefined, undefined, true, true, undefined, undefined, undefined)
      : new Materialized<K, V>(storeNameOrSupplier.name, undefined, undefined, true, true, undefined, storeNameOrSupplier.kind, storeNameOrSupplier);
  }

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Materialized<K, V> {
    return new Materialized(undefined, keySerde, valueSerde, true, true, undefined, undefined, undefined);
  }

  #copy<K2, V2>(patch: Partial<{ [P in keyof Materialized<K2, V2>]: Materialized<K2, V2>[P] }>): Materialized<K2, V2> {
    const m = { ...this.#fields(), ...patch } as Materialized<K2, V2>;
    return new Materialized<K2, V2>(m.storeName, m.keySerde, m.valueSerde, m.cachingEnabled, m.loggingEnabled, m.retentionMs, m.storeType, m.storeSupplier);
  }

  #fields(): Record<string, unknown> {
    return {
      storeName: this.storeName,
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      cachingEnabled: this.cachingEnabled,
      loggingEnabled: this.loggingEnabled,
      retentionMs: this.retentionMs,
      storeType: this.storeType,
      storeSupplier: this.storeSupplier,
    };
  }

  withKeySerde<K2>(serde: Serde<K2>): Materialized<K2, V> {
    return this.#copy<K2, V>({ keySerde: serde });
  }

  withValueSerde<V2>(serde: Serde<V2>): Materialized<K, V2> {
    return this.#copy<K, V2>({ valueSerde: serde });
  }

  withCachingEnabled(): Materialized<K, V> {
    return this.#copy<K, V>({ cachingEnabled: true });
  }

  withCachingDisabled(): Materialized<K, V> {
    return this.#copy<K, V>({ cachingEnabled: false });
  }

  withLoggingEnabled(): Materialized<K, V> {
    return this.#copy<K, V>({ loggingEnabled: true });
  }

  withLoggingDisabled(): Materialized<K, V> {
    return this.#copy<K, V>({ loggingEnabled: false });
  }

  withRetention(ms: number): Materialized<K, V> {
    return this.#copy<K, V>({ retentionMs: ms });
  }

  withStoreType(type: StoreType): Materialized<K, V> {
    return this.#copy<K, V>({ storeType: type });
  }
}
