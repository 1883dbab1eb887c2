import { ConfigError, StateStoreError, describeCause } from '../errors.js';
import type { Serde } from '../serdes/serde.js';
import type { StateStoreContext } from './state-store.js';

/**
 * A store's key and value serdes with the errors every store raises: a failing serde is a StateStoreError that
 * names the store and (when known) the key, and says what to do.
 */
export class StoreSerdes<K, V> {
  private constructor(
    private readonly store: string,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
  ) {}

  /** The store's own serdes, else the config's defaults; neither is a ConfigError naming the builder to fix. */
  static resolve<K, V>(
    what: string,
    store: string,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    context: StateStoreContext,
    builder: string,
  ): StoreSerdes<K, V> {
    const k = keySerde ?? (context.defaultKeySerde as Serde<K> | undefined);
    const v = valueSerde ?? (context.defaultValueSerde as Serde<V> | undefined);
    if (!k || !v) {
      throw new ConfigError(
        `${what} '${store}' has no ${k ? 'value' : 'key'} serde: pass serdes (Materialized.with / Grouped.with / ${builder}) or set defaultKeySerde/defaultValueSerde.`,
      );
    }
    return new StoreSerdes(store, k, v);
  }

  keyBytes(key: K): Buffer {
    let b: Buffer | null;
    try {
      b = this.keySerde.serialize(this.store, key);
    } catch (e) {
      throw new StateStoreError(this.store, `the key serde failed on key ${preview(key)}: ${describeCause(e)}`, { cause: e });
    }
    if (b === null) throw new StateStoreError(this.store, `the key serde turned key ${preview(key)} into null; store keys must serialize to bytes.`);
    return b;
  }

  key(bytes: Buffer): K {
    try {
      return this.keySerde.deserialize(this.store, bytes) as K;
    } catch (e) {
      throw new StateStoreError(this.store, `cannot deserialize a stored key (${bytes.toString('hex')}): ${describeCause(e)}`, { cause: e });
    }
  }

  valueBytes(value: V, key?: K): Buffer {
    let b: Buffer | null;
    try {
      b = this.valueSerde.serialize(this.store, value);
    } catch (e) {
      throw new StateStoreError(this.store, `the value serde failed to serialize the value${ofKey(key)}: ${describeCause(e)}`, { cause: e });
    }
    if (b === null) throw new StateStoreError(this.store, `the value serde serialized the value${ofKey(key)} to null.`);
    return b;
  }

  value(bytes: Buffer, key?: K): V | null {
    try {
      return this.valueSerde.deserialize(this.store, bytes);
    } catch (e) {
      throw new StateStoreError(
        this.store,
        `the value serde failed on the stored value${ofKey(key)}: ${describeCause(e)}. ` +
          `Was the store written with another serde? Use the same serde, or reset the application's state.`,
        { cause: e },
      );
    }
  }
}

const ofKey = (key: unknown): string => (key === undefined ? '' : ` of key ${preview(key)}`);

function preview(key: unknown): string {
  try {
    const s = typeof key === 'string' ? `'${key}'` : JSON.stringify(key);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(key);
  }
}
