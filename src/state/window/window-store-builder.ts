import { TopologyError } from '../../errors.js';
import type { Serde } from '../../serdes/serde.js';
import type { KeyValueBytesStore } from '../bytes/bytes-store.js';
import { TransactionalBytesStore, type EngineKind } from '../bytes/transactional-bytes-store.js';
import { ChangeLoggingBytesStore } from '../logging/change-logging-bytes-store.js';
import type { StoreBuilder } from '../state-store.js';
import { MeteredSessionStore } from './metered-session-store.js';
import { MeteredWindowStore } from './metered-window-store.js';

/** Supplies the bytes store of a window store (Kafka Streams' WindowBytesStoreSupplier). */
export interface WindowBytesStoreSupplier {
  readonly name: string;
  readonly kind: EngineKind;
  readonly retentionPeriod: number;
  readonly windowSize: number;
  readonly retainDuplicates: boolean;
  /** How far observed stream time advances between two purges of expired windows. */
  readonly segmentIntervalMs: number;
  /** Values stored with the timestamp of their newest record (Kafka Streams' timestamped window stores). */
  readonly timestamped: boolean;
  get(): KeyValueBytesStore;
}

/** Supplies the bytes store of a session store (Kafka Streams' SessionBytesStoreSupplier). */
export interface SessionBytesStoreSupplier {
  readonly name: string;
  readonly kind: EngineKind;
  readonly retentionPeriod: number;
  readonly segmentIntervalMs: number;
  get(): KeyValueBytesStore;
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new TopologyError(`Store name '${name}' is illegal: use characters from [a-zA-Z0-9._-] (it is part of the changelog topic name).`);
  }
}

function checkDuration(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new TopologyError(`${what} must be a whole number of milliseconds, got ${String(value)}.`);
  if (value < 0) throw new TopologyError(`${what} cannot be negative, got ${value}.`);
}

/** Kafka Streams' default segment interval: half the retention, at least a minute. */
function segmentInterval(retention: number): number {
  return Math.max(Math.floor(retention / 2), 60_000);
}

export function windowStoreSupplier(name: string, kind: EngineKind, retentionMs: number, windowSizeMs: number, retainDuplicates: boolean, timestamped: boolean): WindowBytesStoreSupplier {
  checkName(name);
  checkDuration(retentionMs, 'retentionPeriod');
  checkDuration(windowSizeMs, 'windowSize');
  if (windowSizeMs > retentionMs) {
    throw new TopologyError(
      `The retention period of the window store ${name} must be no smaller than its window size. Got size=[${windowSizeMs}], retention=[${retentionMs}].`,
    );
  }
  return Object.freeze({
    name,
    kind,
    retentionPeriod: retentionMs,
    windowSize: windowSizeMs,
    retainDuplicates,
    segmentIntervalMs: segmentInterval(retentionMs),
    timestamped,
    get: () => new TransactionalBytesStore(name, kind),
  });
}

export function sessionStoreSupplier(name: string, kind: EngineKind, retentionMs: number): SessionBytesStoreSupplier {
  checkName(name);
  checkDuration(retentionMs, 'retentionPeriod');
  return Object.freeze({ name, kind, retentionPeriod: retentionMs, segmentIntervalMs: segmentInterval(retentionMs), get: () => new TransactionalBytesStore(name, kind) });
}

/**
 * Builds a window store stack: metered(caching) -> change-logging -> transactional engine store. Immutable.
 * Defaults as Kafka Streams: logging on, caching off; caching is ignored when duplicates are retained.
 */
export class WindowStoreBuilder<K, V> implements StoreBuilder<MeteredWindowStore<K, V>> {
  constructor(
    readonly supplier: WindowBytesStoreSupplier,
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

  build(): MeteredWindowStore<K, V> {
    const s = this.supplier;
    const engine = s.get();
    return new MeteredWindowStore(this.name, this.loggingEnabled ? new ChangeLoggingBytesStore(engine) : engine, this.keySerde, this.valueSerde, {
      windowSizeMs: s.windowSize,
      retentionMs: s.retentionPeriod,
      segmentIntervalMs: s.segmentIntervalMs,
      retainDuplicates: s.retainDuplicates,
      timestamped: s.timestamped,
      cachingEnabled: this.cachingEnabled && !s.retainDuplicates,
      persistent: s.kind === 'rocksdb',
    });
  }

  withCachingEnabled(): WindowStoreBuilder<K, V> {
    return new WindowStoreBuilder(this.supplier, this.keySerde, this.valueSerde, true, this.loggingEnabled, this.logConfig);
  }

  withCachingDisabled(): WindowStoreBuilder<K, V> {
    return new WindowStoreBuilder(this.supplier, this.keySerde, this.valueSerde, false, this.loggingEnabled, this.logConfig);
  }

  withLoggingEnabled(config: Readonly<Record<string, string>> = {}): WindowStoreBuilder<K, V> {
    return new WindowStoreBuilder(this.supplier, this.keySerde, this.valueSerde, this.cachingEnabled, true, config);
  }

  withLoggingDisabled(): WindowStoreBuilder<K, V> {
    return new WindowStoreBuilder(this.supplier, this.keySerde, this.valueSerde, this.cachingEnabled, false, this.logConfig);
  }
}

/** Builds a session store stack, as WindowStoreBuilder. */
export class SessionStoreBuilder<K, AGG> implements StoreBuilder<MeteredSessionStore<K, AGG>> {
  constructor(
    readonly supplier: SessionBytesStoreSupplier,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<AGG>,
    readonly cachingEnabled = false,
    readonly loggingEnabled = true,
    readonly logConfig: Readonly<Record<string, string>> = {},
  ) {
    Object.freeze(this);
  }

  get name(): string {
    return this.supplier.name;
  }

  build(): MeteredSessionStore<K, AGG> {
    const s = this.supplier;
    const engine = s.get();
    return new MeteredSessionStore(this.name, this.loggingEnabled ? new ChangeLoggingBytesStore(engine) : engine, this.keySerde, this.valueSerde, {
      retentionMs: s.retentionPeriod,
      segmentIntervalMs: s.segmentIntervalMs,
      cachingEnabled: this.cachingEnabled,
      persistent: s.kind === 'rocksdb',
    });
  }

  withCachingEnabled(): SessionStoreBuilder<K, AGG> {
    return new SessionStoreBuilder(this.supplier, this.keySerde, this.valueSerde, true, this.loggingEnabled, this.logConfig);
  }

  withCachingDisabled(): SessionStoreBuilder<K, AGG> {
    return new SessionStoreBuilder(this.supplier, this.keySerde, this.valueSerde, false, this.loggingEnabled, this.logConfig);
  }

  withLoggingEnabled(config: Readonly<Record<string, string>> = {}): SessionStoreBuilder<K, AGG> {
    return new SessionStoreBuilder(this.supplier, this.keySerde, this.valueSerde, this.cachingEnabled, true, config);
  }

  withLoggingDisabled(): SessionStoreBuilder<K, AGG> {
    return new SessionStoreBuilder(this.supplier, this.keySerde, this.valueSerde, this.cachingEnabled, false, this.logConfig);
  }
}
