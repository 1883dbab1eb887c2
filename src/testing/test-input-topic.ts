import { EMPTY_HEADERS, isPromise, type MaybePromise } from '../processor/record.js';
import type { KeyValue } from '../dsl/key-value.js';
import type { Serde } from '../serdes/serde.js';
import type { TestRecordInput } from './test-record.js';
import type { TopologyTestDriver } from './topology-test-driver.js';

/** Pipes records into one input topic of the test driver (Kafka Streams' TestInputTopic). */
export class TestInputTopic<K, V> {
  #time: number;

  constructor(
    private readonly driver: TopologyTestDriver,
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    startTimestampMs: number,
    private readonly autoAdvanceMs: number,
  ) {
    this.#time = startTimestampMs;
  }

  /** (value) | (key, value) | (key, value, timestampMs) | (TestRecord) */
  pipeInput(value: V): MaybePromise<void>;
  pipeInput(key: K, value: V, timestampMs?: number): MaybePromise<void>;
  pipeInput(record: TestRecordInput<K, V>): MaybePromise<void>;
  pipeInput(...args: unknown[]): MaybePromise<void> {
    if (args.length === 1) {
      const a = args[0];
      if (isTestRecord(a)) return this.#pipe(a.key ?? null, a.value, a.timestamp, a.headers);
      return this.#pipe(null, a as V, undefined);
    }
    return this.#pipe(args[0] as K, args[1] as V, args[2] as number | undefined);
  }

  async pipeKeyValueList(list: readonly KeyValue<K, V>[]): Promise<void> {
    for (const kv of list) await this.#pipe(kv.key, kv.value, undefined);
  }

  async pipeValueList(list: readonly V[]): Promise<void> {
    for (const v of list) await this.#pipe(null, v, undefined);
  }

  async pipeRecordList(list: readonly TestRecordInput<K, V>[]): Promise<void> {
    for (const r of list) await this.#pipe(r.key ?? null, r.value, r.timestamp, r.headers);
  }

  /** Advance this topic's time, used for records piped without a timestamp. */
  advanceTime(ms: number): void {
    this.#time += ms;
  }

  #pipe(key: K | null, value: V | null, timestamp: number | undefined, headers = EMPTY_HEADERS): MaybePromise<void> {
    let ts = timestamp;
    if (ts === undefined) {
      ts = this.#time;
      this.#time += this.autoAdvanceMs;
    }
    const r = this.driver.pipeRaw(
      this.topic,
      this.keySerde.serialize(this.topic, key),
      this.valueSerde.serialize(this.topic, value),
      ts,
      headers,
    );
    return r !== undefined && isPromise(r) ? r : undefined;
  }
}

function isTestRecord(a: unknown): a is TestRecordInput<any, any> {
  return typeof a === 'object' && a !== null && !Buffer.isBuffer(a) && 'value' in a && ('timestamp' in a || 'key' in a || 'headers' in a);
}
