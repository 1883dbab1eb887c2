import type { Serde } from '../../serdes/serde.js';
import type { StreamPartitioner } from '../../topology/node-defs.js';

/** Options of an explicit repartition (Kafka Streams' Repartitioned). Immutable. */
export class Repartitioned<K, V> {
  private constructor(
    readonly name: string | undefined,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly numberOfPartitions: number | undefined,
    readonly partitioner: StreamPartitioner<K, V> | undefined,
  ) {
    Object.freeze(this);
  }

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Repartitioned<K, V> {
    return new Repartitioned(undefined, keySerde, valueSerde, undefined, undefined);
  }

  static as<K = unknown, V = unknown>(name: string): Repartitioned<K, V> {
    return new Repartitioned<K, V>(name, undefined, undefined, undefined, undefined);
  }

  static numberOfPartitions<K = unknown, V = unknown>(n: number): Repartitioned<K, V> {
    return new Repartitioned<K, V>(undefined, undefined, undefined, n, undefined);
  }

  withName(name: string): Repartitioned<K, V> {
    return new Repartitioned(name, this.keySerde, this.valueSerde, this.numberOfPartitions, this.partitioner);
  }

  withKeySerde<K2>(serde: Serde<K2>): Repartitioned<K2, V> {
    return new Repartitioned(this.name, serde, this.valueSerde, this.numberOfPartitions, this.partitioner as never);
  }

  withValueSerde<V2>(serde: Serde<V2>): Repartitioned<K, V2> {
    return new Repartitioned(this.name, this.keySerde, serde, this.numberOfPartitions, this.partitioner as never);
  }

  withNumberOfPartitions(n: number): Repartitioned<K, V> {
    return new Repartitioned(this.name, this.keySerde, this.valueSerde, n, this.partitioner);
  }

  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return new Repartitioned(this.name, this.keySerde, this.valueSerde, this.numberOfPartitions, partitioner);
  }
}
