import type { Serde } from '../../serdes/serde.js';

/** A KTable update: the new value and the value it replaced (null = absent), as Kafka Streams' Change. */
export interface Change<V> {
  readonly newValue: V | null;
  readonly oldValue: V | null;
}

/**
 * Serde of a Change through a repartition topic (KTable.groupBy): [flags][4-byte new length][new][old].
 * flags bit 0 = has new value, bit 1 = has old value.
 */
export function changeSerde<V>(inner: Serde<V>): Serde<Change<V>> {
  return Object.freeze({
    serialize(topic: string, change: Change<V> | null): Buffer | null {
      if (change === null) return null;
      const n = change.newValue === null ? null : inner.serialize(topic, change.newValue);
      const o = change.oldValue === null ? null : inner.serialize(topic, change.oldValue);
      const out = Buffer.allocUnsafe(5 + (n?.length ?? 0) + (o?.length ?? 0));
      out[0] = (n ? 1 : 0) | (o ? 2 : 0);
      out.writeUInt32BE(n?.length ?? 0, 1);
      if (n) n.copy(out, 5);
      if (o) o.copy(out, 5 + (n?.length ?? 0));
      return out;
    },
    deserialize(topic: string, data: Buffer | null): Change<V> | null {
      if (data === null) return null;
      if (data.length < 5) throw new Error(`A KTable change needs at least 5 bytes, got ${data.length}`);
      const flags = data[0]!;
      const nLen = data.readUInt32BE(1);
      const newValue = flags & 1 ? inner.deserialize(topic, data.subarray(5, 5 + nLen)) : null;
      const oldValue = flags & 2 ? inner.deserialize(topic, data.subarray(5 + nLen)) : null;
      return { newValue, oldValue };
    },
  });
}

/** A serde completed at task creation with the config's default serde (for Change records of unknown type). */
export interface DeferredSerde<T> extends Serde<T> {
  withDefault(fallback: Serde<unknown> | undefined): Serde<T> | undefined;
}

export function isDeferredSerde(s: unknown): s is DeferredSerde<unknown> {
  return typeof s === 'object' && s !== null && typeof (s as { withDefault?: unknown }).withDefault === 'function';
}

/** changeSerde over `inner`, or over the default value serde when `inner` is not known at build time. */
export function changeSerdeOrDeferred<V>(inner: Serde<V> | undefined): Serde<Change<V>> {
  if (inner) return changeSerde(inner);
  const fail = (): never => {
    throw new Error('internal: deferred serde used before resolution');
  };
  return { serialize: fail, deserialize: fail, withDefault: (d: Serde<unknown> | undefined) => (d ? changeSerde(d as Serde<V>) : undefined) } as DeferredSerde<Change<V>>;
}
