import { ConfigError } from '../../errors.js';
import type { MaybePromise } from '../../processor/record.js';
import { Serdes } from '../../serdes/serdes.js';
import type { Serde } from '../../serdes/serde.js';
import type { MeteredKeyValueStore } from '../metered/metered-key-value-store.js';
import { KeyValueStoreBuilder, type KeyValueBytesStoreSupplier } from '../stores.js';
import type { StateStore, StateStoreContext, StoreBuilder } from '../state-store.js';

/**
 * A join's internal store: a logged key-value store over composite byte keys (the usual store stack below, with
 * Buffer serdes), whose typed serdes are completed from the config's default serdes when the store opens, since
 * processors have no access to the config. Registered, logged and restored like any key-value store.
 */
export abstract class BytesBackedStore implements StateStore {
  protected readonly bytes: MeteredKeyValueStore<Buffer, Buffer>;

  constructor(builder: KeyValueStoreBuilder<Buffer, Buffer>) {
    this.bytes = builder.build();
  }

  get name(): string {
    return this.bytes.name;
  }

  get persistent(): boolean {
    return this.bytes.persistent;
  }

  async init(context: StateStoreContext): Promise<void> {
    this.resolveSerdes(context);
    await this.bytes.init(context);
  }

  /** Complete the typed serdes (explicit ones win over the config defaults); throw a ConfigError if one is missing. */
  protected abstract resolveSerdes(context: StateStoreContext): void;

  flush(): MaybePromise<void> {
    return this.bytes.flush();
  }

  close(): MaybePromise<void> {
    return this.bytes.close();
  }

  isOpen(): boolean {
    return this.bytes.isOpen();
  }
}

export function resolveSerde<T>(explicit: Serde<T> | undefined, fallback: Serde<unknown> | undefined, store: string, what: string): Serde<T> {
  const serde = explicit ?? (fallback as Serde<T> | undefined);
  if (!serde) {
    throw new ConfigError(`Join store '${store}' has no ${what} serde: pass serdes (StreamJoined.with / Consumed.with / Materialized.with) or set the default serdes in the config.`);
  }
  return serde;
}

/** Builder of a BytesBackedStore: caching is never used (joins read their own writes in order); logging on by default. */
export class BytesBackedStoreBuilder<S extends BytesBackedStore> implements StoreBuilder<S> {
  readonly cachingEnabled = false;

  constructor(
    readonly supplier: KeyValueBytesStoreSupplier,
    private readonly create: (bytes: KeyValueStoreBuilder<Buffer, Buffer>) => S,
    readonly loggingEnabled = true,
  ) {
    Object.freeze(this);
  }

  get name(): string {
    return this.supplier.name;
  }

  build(): S {
    const bytes = new KeyValueStoreBuilder<Buffer, Buffer>(this.supplier, Serdes.Buffer(), Serdes.Buffer());
    return this.create(this.loggingEnabled ? bytes : bytes.withLoggingDisabled());
  }

  /** Join stores are never cached: this returns the builder unchanged. */
  withCachingEnabled(): BytesBackedStoreBuilder<S> {
    return this;
  }

  withCachingDisabled(): BytesBackedStoreBuilder<S> {
    return this;
  }

  withLoggingEnabled(): BytesBackedStoreBuilder<S> {
    return new BytesBackedStoreBuilder(this.supplier, this.create, true);
  }

  withLoggingDisabled(): BytesBackedStoreBuilder<S> {
    return new BytesBackedStoreBuilder(this.supplier, this.create, false);
  }
}

/** Collects the entries of a scan (join stores delete while they scan, so they read first). */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
