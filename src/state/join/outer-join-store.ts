import type { Serde } from '../../serdes/serde.js';
import type { KeyValueStoreBuilder } from '../stores.js';
import type { StateStoreContext } from '../state-store.js';
import { BytesBackedStore, collect, resolveSerde } from './bytes-backed-store.js';

/** Which input of a stream-stream join a record came from. */
export type JoinSide = 'left' | 'right';

export interface UnmatchedRecord<K> {
  readonly storeKey: Buffer;
  readonly timestamp: number;
  readonly side: JoinSide;
  readonly key: K;
  readonly value: unknown;
}

/**
 * The shared store of a left/outer stream-stream join holding both sides' records that have not found a match
 * yet (Kafka Streams' outer-join store, KIP-633 spurious-result fix). Layout as Kafka's TimestampedKeyAndJoinSide:
 * `[8-byte BE timestamp][side: 1 = left, 0 = right][key bytes][4-byte seq]`, so a scan visits the oldest first.
 */
export class OuterJoinStore<K, VL, VR> extends BytesBackedStore {
  #keySerde: Serde<K> | undefined;
  #leftSerde: Serde<VL> | undefined;
  #rightSerde: Serde<VR> | undefined;
  #seq = 0;

  constructor(
    bytes: KeyValueStoreBuilder<Buffer, Buffer>,
    keySerde: Serde<K> | undefined,
    leftSerde: Serde<VL> | undefined,
    rightSerde: Serde<VR> | undefined,
  ) {
    super(bytes);
    this.#keySerde = keySerde;
    this.#leftSerde = leftSerde;
    this.#rightSerde = rightSerde;
  }

  protected resolveSerdes(context: StateStoreContext): void {
    this.#keySerde = resolveSerde(this.#keySerde, context.defaultKeySerde, this.name, 'key');
    this.#leftSerde = resolveSerde(this.#leftSerde, context.defaultValueSerde, this.name, 'value');
    this.#rightSerde = resolveSerde(this.#rightSerde, context.defaultValueSerde, this.name, 'other value');
  }

  put(side: JoinSide, keyBytes: Buffer, timestamp: number, value: VL | VR): void {
    const k = encode(side, keyBytes, timestamp, this.#seq);
    this.#seq = (this.#seq + 1) >>> 0;
    const serde = (side === 'left' ? this.#leftSerde : this.#rightSerde) as Serde<VL | VR>;
    this.bytes.put(k, serde.serialize(this.name, value));
  }

  /** Forgets the unmatched records of one side, key and timestamp (they found a match). */
  async deleteMatched(side: JoinSide, keyBytes: Buffer, timestamp: number): Promise<void> {
    const lo = encode(side, keyBytes, timestamp, 0);
    const hi = encode(side, keyBytes, timestamp, 0xffffffff);
    for (const { key } of await collect(this.bytes.range(lo, hi))) {
      if (key.length === lo.length) this.bytes.put(key, null);
    }
  }

  /** All unmatched records, oldest first (then right before left, then by key bytes, then arrival). */
  async scan(): Promise<UnmatchedRecord<K>[]> {
    const out: UnmatchedRecord<K>[] = [];
    for (const { key, value } of await collect(this.bytes.all())) {
      const side: JoinSide = key[8] === 1 ? 'left' : 'right';
      const serde = (side === 'left' ? this.#leftSerde : this.#rightSerde) as Serde<unknown>;
      out.push({
        storeKey: key,
        timestamp: Number(key.readBigInt64BE(0)),
        side,
        key: this.#keySerde!.deserialize(this.name, key.subarray(9, key.length - 4)) as K,
        value: serde.deserialize(this.name, value),
      });
    }
    return out;
  }

  delete(storeKey: Buffer): void {
    this.bytes.put(storeKey, null);
  }
}

function encode(side: JoinSide, keyBytes: Buffer, timestamp: number, seq: number): Buffer {
  const b = Buffer.allocUnsafe(13 + keyBytes.length);
  b.writeBigInt64BE(BigInt(timestamp), 0);
  b[8] = side === 'left' ? 1 : 0;
  keyBytes.copy(b, 9);
  b.writeUInt32BE(seq, 9 + keyBytes.length);
  return b;
}
