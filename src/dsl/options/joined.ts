import type { Serde } from '../../serdes/serde.js';

/** Serdes and name of a stream-table join (Kafka Streams' Joined). Immutable. */
export class Joined<K, V, VO> {
  private constructor(
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly otherValueSerde: Serde<VO> | undefined,
    readonly name: string | undefined,
  ) {
    Object.freeze(this);
  }

  static with<K, V, VO>(keySerde: Serde<K>, valueSerde: Serde<V>, otherValueSerde?: Serde<VO>): Joined<K, V, VO> {
    return new Joined(keySerde, valueSerde, otherValueSerde, undefined);
  }

  static as<K = any, V = any, VO = any>(name: string): Joined<K, V, VO> {
    return new Joined<K, V, VO>(undefined, undefined, undefined, name);
  }

  withName(name: string): Joined<K, V, VO> {
    return new Joined(this.keySerde, this.valueSerde, this.otherValueSerde, name);
  }
}
