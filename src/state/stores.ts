import { TopologyError } from '../errors.js';
import type { Serde } from '../serdes/serde.js';
import type { KeyValueBytesStore } from './bytes/bytes-store.js';
import { TransactionalBytesStore, type EngineKind } from './bytes/transactional-bytes-store.js';
import { MeteredKeyValueStore } from './metered/metered-key-value-store.js';
import { LayeredStoreBuilder } from './layered-store-builder.js';
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

/** Builds the key-value store stack: metered(caching) -> change-logging -> transactional engine store. */
export class KeyValueStoreBuilder<K, V> extends LayeredStoreBuilder<MeteredKeyValueStore<K, V>, KeyValueBytesStoreSupplier, K, V> {
  build(): MeteredKeyValueStore<K, V> {
    return new MeteredKeyValueStore(this.name, this.bytesStack(), this.keySerde, this.valueSerde, this.cachingEnabled, this.supplier.kind === 'rocksdb');
  }

  protected copy(caching: boolean, logging: boolean, config: Readonly<Record<string, string>>): this {
    return new KeyValueStoreBuilder(this.supplier, this.keySerde, this.valueSerde, caching, logging, config) as this;
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
