import type { Serde } from '../../serdes/serde.js';
import type { TimestampExtractor } from '../../topology/node-defs.js';

/** How a source topic is read (Kafka Streams' Consumed). Immutable: every `with*` returns a copy. */
export class Consumed<K, V> {
  private constructor(
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly timestampExtractor: TimestampExtractor | undefined,
    readonly offsetReset: 'earliest' | 'latest' | undefined,
    readonly processorName: string | undefined,
  ) {
    Object.freeze(this);
  }

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Consumed<K, V> {
    return new Consumed(keySerde, valueSerde, undefined, undefined, undefined);
  }

  static as<K = unknown, V = unknown>(processorName: string): Consumed<K, V> {
    return new Consumed<K, V>(undefined, undefined, undefined, undefined, processorName);
  }

  static withTimestampExtractor<K = unknown, V = unknown>(extractor: TimestampExtractor): Consumed<K, V> {
    return new Consumed<K, V>(undefined, undefined, extractor, undefined, undefined);
  }

  withKeySerde<K2>(serde: Serde<K2>): Consumed<K2, V> {
    return new Consumed(serde, this.valueSerde, this.timestampExtractor, this.offsetReset, this.processorName);
  }

  withValueSerde<V2>(serde: Serde<V2>): Consumed<K, V2> {
    return new Consumed(this.keySerde, serde, this.timestampExtractor, this.offsetReset, this.processorName);
  }

  withTimestampExtractor(extractor: TimestampExtractor): Consumed<K, V> {
    return new Consumed(this.keySerde, this.valueSerde, extractor, this.offsetReset, this.processorName);
  }

  withOffsetResetPolicy(policy: 'earliest' | 'latest'): Consumed<K, V> {
    return new Consumed(this.keySerde, this.valueSerde, this.timestampExtractor, policy, this.processorName);
  }

  withName(processorName: string): Consumed<K, V> {
    return new Consumed(this.keySerde, this.valueSerde, this.timestampExtractor, this.offsetReset, processorName);
  }
}
