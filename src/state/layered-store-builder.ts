import type { Serde } from '../serdes/serde.js';
import type { KeyValueBytesStore } from './bytes/bytes-store.js';
import { ChangeLoggingBytesStore } from './logging/change-logging-bytes-store.js';
import type { StateStore, StoreBuilder } from './state-store.js';

/** Supplies the engine store at the bottom of a stack (the key-value, window and session suppliers all do). */
export interface BytesStoreSupplier {
  readonly name: string;
  readonly kind: 'in_memory' | 'rocksdb';
  get(): KeyValueBytesStore;
}

/**
 * What every store builder shares: serdes, caching and logging flags (defaults as Kafka Streams: logging on,
 * caching off) and the bytes stack under the typed store, change-logging over the supplier's engine store.
 * Immutable: every `with*` returns a new builder.
 */
export abstract class LayeredStoreBuilder<S extends StateStore, Sup extends BytesStoreSupplier, K, V> implements StoreBuilder<S> {
  constructor(
    readonly supplier: Sup,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
    readonly cachingEnabled = false,
    readonly loggingEnabled = true,
    readonly logConfig: Readonly<Record<string, string>> = {},
  ) {
    Object.freeze(this);
  }

  get name(): string {
    return this.supplier.name;
  }

  abstract build(): S;

  /** The same builder with other flags (each subclass constructs its own kind). */
  protected abstract copy(cachingEnabled: boolean, loggingEnabled: boolean, logConfig: Readonly<Record<string, string>>): this;

  /** The bytes stack below the typed store. */
  protected bytesStack(): KeyValueBytesStore {
    const engine = this.supplier.get();
    return this.loggingEnabled ? new ChangeLoggingBytesStore(engine) : engine;
  }

  withCachingEnabled(): this {
    return this.copy(true, this.loggingEnabled, this.logConfig);
  }

  withCachingDisabled(): this {
    return this.copy(false, this.loggingEnabled, this.logConfig);
  }

  withLoggingEnabled(config: Readonly<Record<string, string>> = {}): this {
    return this.copy(this.cachingEnabled, true, config);
  }

  withLoggingDisabled(): this {
    return this.copy(this.cachingEnabled, false, this.logConfig);
  }
}
