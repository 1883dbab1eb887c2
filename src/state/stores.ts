import { TopologyError } from '../errors.js';
import type { Serde } from '../serdes/serde.js';
import type { KeyValueBytesStore } from './bytes/bytes-store.js';
import { TransactionalBytesStore, type EngineKind } from './bytes/transactional-bytes-store.js';
import type { KeyValueStore } from './key-value-store.js';
import { ChangeLoggingBytesStore } from './logging/change-logging-bytes-store.js';
import { MeteredKeyValueStore } from './metered/metered-key-value-store.js';
import type { StoreBuilder } from './state-store.js';
import {
  SessionStoreBuilder,
  WindowStoreBuilder,
  sessionStoreSupplier,
  windowStoreSupplier,
  type SessionBytesStoreSupplier,
  type WindowBytesStoreSupplier,
} from './window/window-store-builder.js';

/** Supplies the bytes engine store of a key-value store (Kafka Streams' KeyValueBytesStoreSupplier). */
export interface KeyValueBytesStoreSupplier {
  readonly name: string;
  readonly kind: EngineKind;
  get(): KeyValueBytesStore;
}

function supplier(name: string, kind: EngineKind): KeyValueBytesStoreSupplier {
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new TopologyError(`Store name '${name}' is illegal: use characters from [a-zA-Z0-9._-] (it is part of the changelog topic name).`);
  }
  return Object.freeze({ name, kind, get: () => new TransactionalBytesStore(name, kind) });
}

/**
 * Builds the store stack: metered(caching) -> change-logging -> transactional engine store.
 * Immutable: every `with*` returns a new builder. Defaults as Kafka Streams: logging on, caching off.
 */
export class KeyValueStoreBuilder<K, V> implements StoreBuilder<KeyValueStore<K, V>> {
  constructor(
    readonly supplier: KeyValueBytesStoreSupplier,
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

  build(): MeteredKeyValueStore<K, V> {
    const engine = this.supplier.get();
    const inner = this.loggingEnabled ? new ChangeLoggingBytesStore(engine) : engine;
    return new MeteredKeyValueStore(this.name, inner, this.keySerde, this.valueSerde, this.cachingEnabled, this.supplier.kind === 'rocksdb');
  }

  withCachingEnabled(): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder(this.supplier, this.keySerde, this.valueSerde, true, this.loggingEnabled, this.logConfig);
  }

  withCachingDisabled(): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder(this.supplier, this.keySerde, this.valueSerde, false, this.loggingEnabled, this.logConfig);
  }

  withLoggingEnabled(config: Readonly<Record<string, string>> = {}): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder(this.supplier, this.keySerde, this.valueSerde, this.cachingEnabled, true, config);
  }

  withLoggingDisabled(): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder(this.supplier, this.keySerde, this.valueSerde, this.cachingEnabled, false, this.logConfig);
  }
}

/** Store factories (Kafka Streams' Stores). */
export const Stores = Object.freeze({
  /** RocksDB-backed (rocksdb-native) under `<stateDir>/<taskId>/<name>`. */
  persistentKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    return supplier(name, 'rocksdb');
  },
  inMemoryKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    return supplier(name, 'in_memory');
  },
  keyValueStoreBuilder<K, V>(s: KeyValueBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder(s, keySerde, valueSerde);
  },
  /**
   * RocksDB-backed window store; `retainDuplicates` keeps every put (stream-stream joins) instead of one value per
   * window. Windows older than `retentionMs` of observed stream time are dropped (Kafka Streams' Stores).
   */
  persistentWindowStore(name: string, retentionMs: number, windowSizeMs: number, retainDuplicates = false): WindowBytesStoreSupplier {
    return windowStoreSupplier(name, 'rocksdb', retentionMs, windowSizeMs, retainDuplicates, false);
  },
  /** As persistentWindowStore, storing each value with the timestamp of its newest record. */
  persistentTimestampedWindowStore(name: string, retentionMs: number, windowSizeMs: number, retainDuplicates = false): WindowBytesStoreSupplier {
    return windowStoreSupplier(name, 'rocksdb', retentionMs, windowSizeMs, retainDuplicates, true);
  },
  inMemoryWindowStore(name: string, retentionMs: number, windowSizeMs: number, retainDuplicates = false): WindowBytesStoreSupplier {
    return windowStoreSupplier(name, 'in_memory', retentionMs, windowSizeMs, retainDuplicates, false);
  },
  persistentSessionStore(name: string, retentionMs: number): SessionBytesStoreSupplier {
    return sessionStoreSupplier(name, 'rocksdb', retentionMs);
  },
  inMemorySessionStore(name: string, retentionMs: number): SessionBytesStoreSupplier {
    return sessionStoreSupplier(name, 'in_memory', retentionMs);
  },
  windowStoreBuilder<K, V>(s: WindowBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): WindowStoreBuilder<K, V> {
    return new WindowStoreBuilder(s, keySerde, valueSerde);
  },
  sessionStoreBuilder<K, AGG>(s: SessionBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<AGG>): SessionStoreBuilder<K, AGG> {
    return new SessionStoreBuilder(s, keySerde, valueSerde);
  },
});
