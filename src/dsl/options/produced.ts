import type { Serde } from '../../serdes/serde.js';
import type { StreamPartitioner } from '../../topology/node-defs.js';

/** How records are written to a topic (Kafka Streams' Produced). Immutable. */
export class Produced<K, V> {
  private constructor(
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly partitioner: StreamPartitioner<K, V> | undefined,
    readonly processorName: string | undefined,
  ) {
    Object.freeze(this);
  }

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>, partitioner?: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced(keySerde, valueSerde, partitioner, undefined);
  }

  static as<K = unknown, V = unknown>(processorName: string): Produced<K, V> {
    return new Produced<K, V>(undefined, undefined, undefined, processorName);
  }

  withKeySerde<K2>(serde: Serde<K2>): Produced<K2, V> {
    return new Produced(serde, this.valueSerde, this.partitioner as never, this.processorName);
  }

  withValueSerde<V2>(serde: Serde<V2>): Produced<K, V2> {
    return new Produced(this.keySerde, serde, this.partitioner as never, this.processorName);
  }

  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced(this.keySerde, this.valueSerde, partitioner, this.processorName);
  }

  withName(processorName: string): Produced<K, V> {
    return new Produced(this.keySerde, this.valueSerde, this.partitioner, processorName);
  }
}
