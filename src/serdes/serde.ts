/**
 * The serde contract: bytes in and out of Kafka. `null` always maps to `null` in both directions, as in Kafka
 * (a null value is a tombstone), so every serde must pass null through untouched.
 */
export interface Serde<T> {
  serialize(topic: string, data: T | null): Buffer | null;
  deserialize(topic: string, data: Buffer | null): T | null;
}

export type Serializer<T> = (topic: string, data: T | null) => Buffer | null;
export type Deserializer<T> = (topic: string, data: Buffer | null) => T | null;

/**
 * Builds a Serde from two functions, like Kafka's `Serdes.serdeFrom`. The functions only ever see non-null input:
 * null is passed through here so user code cannot break the null-stays-null rule.
 */
export function serdeFrom<T>(
  serializer: (topic: string, data: T) => Buffer | null,
  deserializer: (topic: string, data: Buffer) => T | null,
): Serde<T> {
  return Object.freeze({
    serialize: (topic: string, data: T | null): Buffer | null => (data === null ? null : serializer(topic, data)),
    deserialize: (topic: string, data: Buffer | null): T | null => (data === null ? null : deserializer(topic, data)),
  });
}
