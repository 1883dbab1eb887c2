/** Getting a run's records in and out of the cluster: inputs produced with the default partitioner, outputs read read_committed. */
import type { KeyValue } from '../dsl/key-value.js';
import type { EmbeddedKafkaCluster } from '../kafka/embedded/embedded-kafka-cluster.js';
import type { Serde } from '../serdes/serde.js';
import type { TestRecord } from './test-record.js';

interface TopicSerdes {
  readonly topic: string;
  readonly keySerde: Serde<any>;
  readonly valueSerde: Serde<any>;
}

/** Produces each input's records to its topic, keyed (Kafka's murmur2 partitioner), with their timestamps. */
export async function produceInputs(cluster: EmbeddedKafkaCluster, topics: readonly TopicSerdes[], inputs: readonly (readonly TestRecord<any, any>[])[]): Promise<void> {
  for (const [i, t] of topics.entries()) {
    const records = inputs[i] ?? [];
    if (records.length === 0) continue;
    await cluster.produce(
      t.topic,
      records.map((r) => ({ key: t.keySerde.serialize(t.topic, r.key), value: t.valueSerde.serialize(t.topic, r.value), timestamp: r.timestamp })),
    );
  }
}

/** Every committed record of an output topic, by partition then offset (so per key in the order written). */
export async function readOutput(cluster: EmbeddedKafkaCluster, t: TopicSerdes): Promise<KeyValue<unknown, unknown>[]> {
  const records = await cluster.readAll(t.topic, { isolationLevel: 'read_committed' });
  return records.map((r) => ({ key: t.keySerde.deserialize(t.topic, r.key), value: t.valueSerde.deserialize(t.topic, r.value) }));
}
