import type { Serde } from '../../serdes/serde.js';

/** Serdes and repartition-topic name of a grouping (Kafka Streams' Grouped). Immutable. */
export class Grouped<K, V> {
  private constructor(
    readonly name: string | undefined,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
  ) {
    Object.freeze(this);
  }

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Grouped<K, V> {
    return new Grouped(undefined, keySerde, valueSerde);
  }

  static as<K = unknown, V = unknown>(name: string): Grouped<K, V> {
    return new Grouped<K, V>(name, undefined, undefined);
  }

  withName(name: string): Grouped<K, V> {
    return new Grouped(name, this.keySerde, this.valueSerde);
  }

  withKeySerde<K2>(serde: Serde<K2>): Grouped<K2, V> {
    return new Grouped(this.name, serde, this.valueSerde);
  }

  withValueSerde<V2>(serde: Serde<V2>): Grouped<K, V2> {
    return new Grouped(this.name, this.keySerde, serde);
  }
}
