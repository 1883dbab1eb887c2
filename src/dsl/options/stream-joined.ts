import type { Serde } from '../../serdes/serde.js';
import type { StoreType } from './materialized.js';

/**
 * Serdes, names and stores of a stream-stream join (Kafka Streams' StreamJoined). Immutable. The store name,
 * when given, names the join buffers `<storeName>-this-join-store` / `<storeName>-other-join-store` (with
 * `-outer-this-join` / `-outer-other-join` for outer sides, as Kafka Streams) and the shared store of unmatched
 * records `<storeName>-outer-shared-join-store`; the name names the processors (`<name>-this-join`, `<name>-merge`...).
 */
export class StreamJoined<K, V, VO> {
  private constructor(
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly otherValueSerde: Serde<VO> | undefined,
    readonly name: string | undefined,
    readonly storeName: string | undefined,
    readonly loggingEnabled: boolean,
    readonly storeType: StoreType | undefined,
  ) {
    Object.freeze(this);
  }

  static with<K, V, VO>(keySerde: Serde<K>, valueSerde: Serde<V>, otherValueSerde: Serde<VO>): StreamJoined<K, V, VO> {
    return new StreamJoined(keySerde, valueSerde, otherValueSerde, undefined, undefined, true, undefined);
  }

  static as<K = any, V = any, VO = any>(storeName: string): StreamJoined<K, V, VO> {
    return new StreamJoined<K, V, VO>(undefined, undefined, undefined, undefined, storeName, true, undefined);
  }

  #copy(patch: Partial<{ -readonly [P in keyof StreamJoined<K, V, VO>]: StreamJoined<K, V, VO>[P] }>): StreamJoined<K, V, VO> {
    const m = { ...this.#fields(), ...patch };
    return new StreamJoined(m.keySerde, m.valueSerde, m.otherValueSerde, m.name, m.storeName, m.loggingEnabled, m.storeType);
  }

  #fields() {
    return {
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      otherValueSerde: this.otherValueSerde,
      name: this.name,
      storeName: this.storeName,
      loggingEnabled: this.loggingEnabled,
      storeType: this.storeType,
    };
  }

  withName(name: string): StreamJoined<K, V, VO> {
    return this.#copy({ name });
  }

  withStoreName(storeName: string): StreamJoined<K, V, VO> {
    return this.#copy({ storeName });
  }

  withKeySerde(keySerde: Serde<K>): StreamJoined<K, V, VO> {
    return this.#copy({ keySerde });
  }

  withValueSerde(valueSerde: Serde<V>): StreamJoined<K, V, VO> {
    return this.#copy({ valueSerde });
  }

  withOtherValueSerde(otherValueSerde: Serde<VO>): StreamJoined<K, V, VO> {
    return this.#copy({ otherValueSerde });
  }

  withLoggingEnabled(): StreamJoined<K, V, VO> {
    return this.#copy({ loggingEnabled: true });
  }

  withLoggingDisabled(): StreamJoined<K, V, VO> {
    return this.#copy({ loggingEnabled: false });
  }

  /** Engine of the join buffers; default RocksDB ('rocksdb'), as Kafka Streams' persistent window stores. */
  withStoreType(storeType: StoreType): StreamJoined<K, V, VO> {
    return this.#copy({ storeType });
  }
}
