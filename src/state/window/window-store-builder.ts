import { TopologyError } from '../../errors.js';
import type { Serde } from '../../serdes/serde.js';
import type { KeyValueBytesStore } from '../bytes/bytes-store.js';
import { TransactionalBytesStore, type EngineKind } from '../bytes/transactional-bytes-store.js';
import { LayeredStoreBuilder } from '../layered-store-builder.js';
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

/** Builds a window store stack: metered(caching) -> change-logging -> transactional engine store. Caching is ignored when duplicates are retained. */
export class WindowStoreBuilder<K, V> extends LayeredStoreBuilder<MeteredWindowStore<K, V>, WindowBytesStoreSupplier, K, V> {
  build(): MeteredWindowStore<K, V> {
    const s = this.supplier;
    return new MeteredWindowStore(this.name, this.bytesStack(), this.keySerde, this.valueSerde, {
      windowSizeMs: s.windowSize,
      retentionMs: s.retentionPeriod,
      segmentIntervalMs: s.segmentIntervalMs,
      retainDuplicates: s.retainDuplicates,
      timestamped: s.timestamped,
      cachingEnabled: this.cachingEnabled && !s.retainDuplicates,
      persistent: s.kind === 'rocksdb',
    });
  }

  protected copy(caching: boolean, logging: boolean, config: Readonly<Record<string, string>>): this {
    return new WindowStoreBuilder(this.supplier, this.keySerde, this.valueSerde, caching, logging, config) as this;
  }
}

/** Builds a session store stack, as WindowStoreBuilder. */
export class SessionStoreBuilder<K, AGG> extends LayeredStoreBuilder<MeteredSessionStore<K, AGG>, SessionBytesStoreSupplier, K, AGG> {
  build(): MeteredSessionStore<K, AGG> {
    const s = this.supplier;
    return new MeteredSessionStore(this.name, this.bytesStack(), this.keySerde, this.valueSerde, {
      retentionMs: s.retentionPeriod,
      segmentIntervalMs: s.segmentIntervalMs,
      cachingEnabled: this.cachingEnabled,
      persistent: s.kind === 'rocksdb',
    });
  }

  protected copy(caching: boolean, logging: boolean, config: Readonly<Record<string, string>>): this {
    return new SessionStoreBuilder(this.supplier, this.keySerde, this.valueSerde, caching, logging, config) as this;
  }
}
