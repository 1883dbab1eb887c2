import { StreamsError } from '../errors.js';
import type { KeyValue } from '../dsl/key-value.js';
import type { Serde } from '../serdes/serde.js';
import type { DriverCollector } from './driver-collector.js';
import type { TestRecord } from './test-record.js';

/** Reads (and consumes) the records the topology wrote to one topic (Kafka Streams' TestOutputTopic). Readers of one topic share its queue. */
export class TestOutputTopic<K, V> {
  constructor(
    private readonly collector: DriverCollector,
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {}

  readRecord(): TestRecord<K | null, V | null> {
    const raw = this.collector.topics.get(this.topic)?.shift();
    if (!raw) throw new StreamsError(`Empty topic: '${this.topic}' has no more records to read.`, 'NO_SUCH_ELEMENT');
    return {
      key: this.keySerde.deserialize(this.topic, raw.key),
      value: this.valueSerde.deserialize(this.topic, raw.value),
      timestamp: raw.timestamp,
      headers: raw.headers,
    };
  }

  readValue(): V | null {
    return this.readRecord().value;
  }

  readKeyValue(): KeyValue<K | null, V | null> {
    const r = this.readRecord();
    return { key: r.key, value: r.value };
  }

  readRecordsToList(): TestRecord<K | null, V | null>[] {
    const out: TestRecord<K | null, V | null>[] = [];
    while (!this.isEmpty()) out.push(this.readRecord());
    return out;
  }

  readValuesToList(): (V | null)[] {
    return this.readRecordsToList().map((r) => r.value);
  }

  readKeyValuesToList(): KeyValue<K | null, V | null>[] {
    return this.readRecordsToList().map((r) => ({ key: r.key, value: r.value }));
  }

  /**
   * Last value per key, as Kafka Streams' TestOutputTopic: a key whose last update is a tombstone stays in the
   * map with a null value; a record without a key cannot be placed in a map and throws.
   */
  readKeyValuesToMap(): Map<K, V | null> {
    const map = new Map<K, V | null>();
    for (const r of this.readRecordsToList()) {
      if (r.key === null || r.key === undefined) {
        throw new StreamsError(`Null keys are not allowed with readKeyValuesToMap (topic '${this.topic}'); use readKeyValuesToList.`, 'ILLEGAL_STATE');
      }
      map.set(r.key, r.value);
    }
    return map;
  }

  getQueueSize(): number {
    return this.collector.topics.get(this.topic)?.size ?? 0;
  }

  isEmpty(): boolean {
    return this.getQueueSize() <= 0;
  }
}
