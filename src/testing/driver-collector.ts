import { tpKey, type ConsumedRecord, type MessageHeaders } from '../kafka/client.js';
import type { RecordCollector } from '../runtime/record-collector.js';

interface TopicState {
  /** Next offset of the topic's single partition (piped inputs and outputs share the sequence). */
  next: number;
  readonly tpKey: string;
  /** Whether a task reads the topic (outputs are fed back); fixed once the driver is built, so asked once. */
  consumed: boolean | undefined;
  /** Offset of the last record the topology wrote to the topic (-1: none). */
  lastSent: number;
}

/**
 * One captured output topic: a queue that TestOutputTopic reads consume, shared by every reader of the topic
 * (as in Kafka Streams' driver), so read records can be dropped and memory stays flat in long tests.
 */
export class CapturedTopic {
  #records: ConsumedRecord[] = [];
  #head = 0;

  push(record: ConsumedRecord): void {
    this.#records.push(record);
  }

  get size(): number {
    return this.#records.length - this.#head;
  }

  peek(): ConsumedRecord | undefined {
    return this.#records[this.#head];
  }

  shift(): ConsumedRecord | undefined {
    const r = this.#records[this.#head];
    if (r === undefined) return undefined;
    this.#head++;
    if (this.#head === this.#records.length) {
      this.#records = [];
      this.#head = 0;
    } else if (this.#head >= 4096 && this.#head * 2 >= this.#records.length) {
      this.#records = this.#records.slice(this.#head);
      this.#head = 0;
    }
    return r;
  }
}

/** The driver's record collector: every output is captured per topic; topics read by the topology are fed back. */
export class DriverCollector implements RecordCollector {
  readonly topics = new Map<string, CapturedTopic>();
  /** Per-topic offset sequence and cached facts: one Map lookup per record instead of four, no key string built. */
  readonly #state = new Map<string, TopicState>();
  #lastTopic: string | undefined;
  #last: TopicState | undefined;
  readonly feedback: ConsumedRecord[] = [];

  constructor(private readonly isConsumed: (topic: string) => boolean) {}

  send(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: MessageHeaders,
    _partition?: number,
    onDelivery?: (failure?: Error) => void,
  ): void {
    let log = this.topics.get(topic);
    if (!log) this.topics.set(topic, (log = new CapturedTopic()));
    const state = this.#stateOf(topic);
    const record: ConsumedRecord = { topic, partition: 0, offset: state.next++, key, value, timestamp, headers };
    log.push(record);
    state.lastSent = record.offset;
    if ((state.consumed ??= this.isConsumed(topic))) this.feedback.push(record);
    onDelivery?.(); // captured at once: acknowledged
  }

  /** Offset for a record piped by a test input topic, in the same per-topic sequence. */
  append(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: MessageHeaders): ConsumedRecord {
    // input records are not kept: only their offset sequence matters, and memory stays flat in long runs
    return { topic, partition: 0, offset: this.#stateOf(topic).next++, key, value, timestamp, headers };
  }

  #stateOf(topic: string): TopicState {
    if (topic === this.#lastTopic) return this.#last!;
    let state = this.#state.get(topic);
    if (!state) this.#state.set(topic, (state = { next: 0, tpKey: tpKey(topic, 0), consumed: undefined, lastSent: -1 }));
    this.#lastTopic = topic;
    this.#last = state;
    return state;
  }

  partitionsFor(): number {
    return 1;
  }

  async flush(): Promise<void> {}

  /** Built on demand (commits and tests ask for it), so a send costs no Map update. */
  offsets(): ReadonlyMap<string, number> {
    const out = new Map<string, number>();
    for (const st of this.#state.values()) if (st.lastSent >= 0) out.set(st.tpKey, st.lastSent);
    return out;
  }
}
