import type { Serde } from '../../serdes/serde.js';
import type { KeyValueStoreBuilder } from '../stores.js';
import type { StateStoreContext } from '../state-store.js';
import { BytesBackedStore, collect, resolveSerde } from './bytes-backed-store.js';

const SUFFIX = 12; // 8-byte big-endian timestamp + 4-byte sequence number

/**
 * One side's buffer of a stream-stream join: every record by key and timestamp, duplicates kept, under the byte
 * layout of Kafka Streams' window stores with duplicates: `[key bytes][8-byte BE timestamp][4-byte seq]`.
 * A fetch scans the key's timestamp range and checks the key bytes (a longer key may share the prefix).
 */
export class JoinBufferStore<K, V> extends BytesBackedStore {
  #keySerde: Serde<K> | undefined;
  #valueSerde: Serde<V> | undefined;
  #seq = 0;

  constructor(bytes: KeyValueStoreBuilder<Buffer, Buffer>, keySerde: Serde<K> | undefined, valueSerde: Serde<V> | undefined) {
    super(bytes);
    this.#keySerde = keySerde;
    this.#valueSerde = valueSerde;
  }

  protected resolveSerdes(context: StateStoreContext): void {
    this.#keySerde = resolveSerde(this.#keySerde, context.defaultKeySerde, this.name, 'key');
    this.#valueSerde = resolveSerde(this.#valueSerde, context.defaultValueSerde, this.name, 'value');
  }

  keyBytes(key: K): Buffer {
    const b = this.#keySerde!.serialize(this.name, key);
    if (b === null) throw new Error(`the key serde of join store '${this.name}' turned a key into null`);
    return b;
  }

  put(keyBytes: Buffer, timestamp: number, value: V): void {
    const k = Buffer.allocUnsafe(keyBytes.length + SUFFIX);
    keyBytes.copy(k, 0);
    k.writeBigInt64BE(BigInt(timestamp), keyBytes.length);
    k.writeUInt32BE(this.#seq, keyBytes.length + 8);
    this.#seq = (this.#seq + 1) >>> 0;
    this.bytes.put(k, this.#valueSerde!.serialize(this.name, value));
  }

  /** The key's records with from <= timestamp <= to, by timestamp then arrival. */
  async fetch(keyBytes: Buffer, from: number, to: number): Promise<{ timestamp: number; value: V }[]> {
    if (from > to) return [];
    const lo = bound(keyBytes, Math.max(0, from), 0);
    const hi = bound(keyBytes, Math.max(0, to), 0xffffffff);
    const out: { timestamp: number; value: V }[] = [];
    for await (const { key, value } of this.bytes.range(lo, hi)) {
      if (key.length !== keyBytes.length + SUFFIX || key.compare(keyBytes, 0, keyBytes.length, 0, keyBytes.length) !== 0) continue;
      out.push({ timestamp: Number(key.readBigInt64BE(keyBytes.length)), value: this.#valueSerde!.deserialize(this.name, value) as V });
    }
    return out;
  }

  /** Deletes every record with a timestamp before `cutoff` (its join window has closed). Returns how many. */
  async purgeBefore(cutoff: number): Promise<number> {
    const expired = (await collect(this.bytes.all())).filter(({ key }) => key.length >= SUFFIX && Number(key.readBigInt64BE(key.length - SUFFIX)) < cutoff);
    for (const { key } of expired) this.bytes.put(key, null);
    return expired.length;
  }
}

function bound(keyBytes: Buffer, timestamp: number, seq: number): Buffer {
  const b = Buffer.allocUnsafe(keyBytes.length + SUFFIX);
  keyBytes.copy(b, 0);
  b.writeBigInt64BE(BigInt(timestamp), keyBytes.length);
  b.writeUInt32BE(seq, keyBytes.length + 8);
  return b;
}
