import type { DeferredSerde } from '../change.js';
import { defaultPartition } from '../../../kafka/partitioner.js';
import type { Serde } from '../../../serdes/serde.js';
import type { StreamPartitioner } from '../../../topology/node-defs.js';


/** Key of a subscription record: the foreign key it subscribes to and the primary key of the subscribing row. */
export interface SubscriptionKey<KO, K> {
  readonly foreignKey: KO;
  readonly primaryKey: K;
}

/** Kafka Streams' SubscriptionWrapper instructions (same byte codes). */
export const Instruction = Object.freeze({
  /** The row left this foreign key: forget the subscription, no response. */
  DELETE_KEY_NO_PROPAGATE: 1,
  /** Subscribe (or refresh) and respond with the foreign row, null if there is none. */
  PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE: 2,
} as const);
export type Instruction = (typeof Instruction)[keyof typeof Instruction];

export interface SubscriptionValue {
  readonly instruction: Instruction;
  /** Hash of the subscribing row's value (see value-hash.ts). */
  readonly hash: Buffer;
}

/** A response to a subscription: the hash it was made for and the foreign row (null = none). */
export interface SubscriptionResponse<VO> {
  readonly hash: Buffer;
  readonly foreignValue: VO | null;
}

const foreignKeyBytes = new WeakMap<object, Buffer>();

/**
 * Serde of subscription keys: `[4-byte BE foreign key length][foreign key][primary key]` (Kafka's CombinedKey
 * layout). Serdes unknown at build time are the config's default key serde (it is a key serde, so the runtime
 * resolves it with the default key serde). Remembers each key's foreign-key bytes for `subscriptionPartitioner`.
 */
export function subscriptionKeySerde<KO, K>(fkSerde: Serde<KO> | undefined, pkSerde: Serde<K> | undefined): Serde<SubscriptionKey<KO, K>> {
  const make = (fk: Serde<KO>, pk: Serde<K>): Serde<SubscriptionKey<KO, K>> =>
    Object.freeze({
      serialize(topic: string, key: SubscriptionKey<KO, K> | null): Buffer | null {
        if (key === null) return null;
        const f = fk.serialize(`${topic}-fk`, key.foreignKey) ?? Buffer.alloc(0);
        const p = pk.serialize(`${topic}-pk`, key.primaryKey) ?? Buffer.alloc(0);
        const out = Buffer.allocUnsafe(4 + f.length + p.length);
        out.writeUInt32BE(f.length, 0);
        f.copy(out, 4);
        p.copy(out, 4 + f.length);
        if (typeof key === 'object') foreignKeyBytes.set(key, f);
        return out;
      },
      deserialize(topic: string, data: Buffer | null): SubscriptionKey<KO, K> | null {
        if (data === null) return null;
        const n = data.readUInt32BE(0);
        return {
          foreignKey: fk.deserialize(`${topic}-fk`, data.subarray(4, 4 + n)) as KO,
          primaryKey: pk.deserialize(`${topic}-pk`, data.subarray(4 + n)) as K,
        };
      },
    });
  if (fkSerde && pkSerde) return make(fkSerde, pkSerde);
  const fail = (): never => {
    throw new Error('internal: deferred subscription key serde used before resolution');
  };
  return {
    serialize: fail,
    deserialize: fail,
    withDefault: (d: Serde<unknown> | undefined) => (d || (fkSerde && pkSerde) ? make(fkSerde ?? (d as Serde<KO>), pkSerde ?? (d as Serde<K>)) : undefined),
  } as DeferredSerde<SubscriptionKey<KO, K>>;
}

/** Partitions subscriptions by the foreign key alone, so they reach the task holding that row of the other table. */
export function subscriptionPartitioner<KO, K>(): StreamPartitioner<SubscriptionKey<KO, K>, unknown> {
  return (_topic, key, _value, numPartitions) => {
    const f = typeof key === 'object' && key !== null ? foreignKeyBytes.get(key) : undefined;
    return f === undefined ? undefined : defaultPartition(f, numPartitions);
  };
}

/** `[instruction][16-byte hash]`. */
export const subscriptionValueSerde: Serde<SubscriptionValue> = Object.freeze({
  serialize(_topic: string, v: SubscriptionValue | null): Buffer | null {
    if (v === null) return null;
    return Buffer.concat([Buffer.from([v.instruction]), v.hash]);
  },
  deserialize(_topic: string, data: Buffer | null): SubscriptionValue | null {
    if (data === null) return null;
    return { instruction: data[0] as Instruction, hash: Buffer.from(data.subarray(1)) };
  },
});

/** `[1-byte hash length][hash][foreign value bytes, absent = null]`; the value serde defaults to the config's. */
export function subscriptionResponseSerde<VO>(valueSerde: Serde<VO> | undefined): Serde<SubscriptionResponse<VO>> {
  const make = (inner: Serde<VO>): Serde<SubscriptionResponse<VO>> =>
    Object.freeze({
      serialize(topic: string, r: SubscriptionResponse<VO> | null): Buffer | null {
        if (r === null) return null;
        const v = r.foreignValue === null ? null : inner.serialize(topic, r.foreignValue);
        return Buffer.concat([Buffer.from([r.hash.length, v === null ? 0 : 1]), r.hash, v ?? Buffer.alloc(0)]);
      },
      deserialize(topic: string, data: Buffer | null): SubscriptionResponse<VO> | null {
        if (data === null) return null;
        const n = data[0]!;
        const hash = Buffer.from(data.subarray(2, 2 + n));
        return { hash, foreignValue: data[1] === 1 ? inner.deserialize(topic, data.subarray(2 + n)) : null };
      },
    });
  if (valueSerde) return make(valueSerde);
  const fail = (): never => {
    throw new Error('internal: deferred subscription response serde used before resolution');
  };
  return { serialize: fail, deserialize: fail, withDefault: (d: Serde<unknown> | undefined) => (d ? make(d as Serde<VO>) : undefined) } as DeferredSerde<SubscriptionResponse<VO>>;
}
