import type { Headers } from '../processor/record.js';

/** A record piped into or read from the test driver (Kafka Streams' TestRecord). */
export interface TestRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;
}

export type TestRecordInput<K, V> = { key?: K; value: V; timestamp?: number; headers?: Headers };
