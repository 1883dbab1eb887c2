/** A table fully replicated on every instance, fed from all partitions of its topic (Kafka Streams' GlobalKTable). */
export interface GlobalKTable<K, V> {
  queryableStoreName(): string | null;
  /** Phantom fields for the key and value types. */
  readonly __key?: K;
  readonly __value?: V;
}
