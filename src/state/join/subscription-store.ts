import type { Serde } from '../../serdes/serde.js';
import type { KeyValueStoreBuilder } from '../stores.js';
import type { StateStoreContext } from '../state-store.js';
import { BytesBackedStore, collect, resolveSerde } from './bytes-backed-store.js';

/**
 * The subscriptions of a foreign-key join, on the side of the other (foreign) table: which rows of the left
 * table point at each foreign key, and the hash of the value they subscribed with. Keyed as Kafka Streams'
 * CombinedKeySchema, `[4-byte BE foreign key length][foreign key][primary key]`, so a prefix scan finds a
 * foreign key's subscribers.
 */
export class SubscriptionStore<KO, K> extends BytesBackedStore {
  #fkSerde: Serde<KO> | undefined;
  #pkSerde: Serde<K> | undefined;

  constructor(bytes: KeyValueStoreBuilder<Buffer, Buffer>, fkSerde: Serde<KO> | undefined, pkSerde: Serde<K> | undefined) {
    super(bytes);
    this.#fkSerde = fkSerde;
    this.#pkSerde = pkSerde;
  }

  protected resolveSerdes(context: StateStoreContext): void {
    this.#fkSerde = resolveSerde(this.#fkSerde, context.defaultKeySerde, this.name, 'foreign key');
    this.#pkSerde = resolveSerde(this.#pkSerde, context.defaultKeySerde, this.name, 'primary key');
  }

  #prefix(fk: KO): Buffer {
    const f = this.#fkSerde!.serialize(this.name, fk) ?? Buffer.alloc(0);
    const out = Buffer.allocUnsafe(4 + f.length);
    out.writeUInt32BE(f.length, 0);
    f.copy(out, 4);
    return out;
  }

  #key(fk: KO, pk: K): Buffer {
    return Buffer.concat([this.#prefix(fk), this.#pkSerde!.serialize(this.name, pk) ?? Buffer.alloc(0)]);
  }

  put(fk: KO, pk: K, hash: Buffer): void {
    this.bytes.put(this.#key(fk, pk), hash);
  }

  delete(fk: KO, pk: K): void {
    this.bytes.put(this.#key(fk, pk), null);
  }

  /** The subscribers of a foreign key: primary keys and value hashes. */
  async subscribers(fk: KO): Promise<{ primaryKey: K; hash: Buffer }[]> {
    const prefix = this.#prefix(fk);
    const entries = await collect(this.bytes.prefixScan(prefix, { serialize: (_t: string, b: Buffer | null) => b, deserialize: (_t: string, b: Buffer | null) => b }));
    return entries.map(({ key, value }) => ({ primaryKey: this.#pkSerde!.deserialize(this.name, key.subarray(prefix.length)) as K, hash: value }));
  }
}
