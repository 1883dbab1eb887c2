/** A key and a value (Kafka Streams' KeyValue). */
export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
}

export const KeyValue = Object.freeze({
  pair<K, V>(key: K, value: V): KeyValue<K, V> {
    return { key, value };
  },
});
