import { tpKey, type ConsumedRecord, type MessageHeaders } from '../kafka/client.js';
import type { RecordCollector } from '../runtime/record-collector.js';

/** The driver's record collector: every output is captured per topic; topics read by the topology are fed back. */
export class DriverCollector implements RecordCollector {
  readonly topics = new Map<string, ConsumedRecord[]>();
  readonly #offsets = new Map<string, number>();
  readonly #next = new Map<string, number>();
  readonly feedback: ConsumedRecord[] = [];

  constructor(private readonly isConsumed: (topic: string) => boolean) {}

  send(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: MessageHeaders): void {
    let log = this.topics.get(topic);
    if (!log) this.topics.set(topic, (log = []));
    const record: ConsumedRecord = { topic, partition: 0, offset: this.#nextOffset(topic), key, value, timestamp, headers };
    log.push(record);
    this.#offsets.set(tpKey(topic, 0), record.offset);
    if (this.isConsumed(topic)) this.feedback.push(record);
  }

  /** Offset for a record piped by a test input topic, in the same per-topic sequence. */
  append(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: MessageHeaders): ConsumedRecord {
    // input records are not kept: only their offset sequence matters, and memory stays flat in long runs
    return { topic, partition: 0, offset: this.#nextOffset(topic), key, value, timestamp, headers };
  }

  #nextOffset(topic: string): number {
    const next = this.#next.get(topic) ?? 0;
    this.#next.set(topic, next + 1);
    return next;
  }

  partitionsFor(): number {
    return 1;
  }

  async flush(): Promise<void> {}

  offsets(): ReadonlyMap<string, number> {
    return this.#offsets;
  }
}
