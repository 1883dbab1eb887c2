import type { ConsumedRecord } from '../kafka/client.js';

/**
 * The input queues of a task, one per partition. `poll` picks the head with the smallest timestamp across
 * partitions (Kafka Streams' PartitionGroup), so a task processes its inputs in time order where it can.
 */
export class PartitionGroup {
  readonly #queues = new Map<string, { records: ConsumedRecord[]; head: number }>();
  #size = 0;

  add(records: readonly ConsumedRecord[]): void {
    // a batch is usually one partition: look its queue up once per run of records, not per record
    let topic: string | undefined;
    let partition = -1;
    let q: { records: ConsumedRecord[]; head: number } | undefined;
    for (const r of records) {
      if (r.topic !== topic || r.partition !== partition || !q) {
        topic = r.topic;
        partition = r.partition;
        const k = `${r.topic}:${r.partition}`;
        q = this.#queues.get(k);
        if (!q) this.#queues.set(k, (q = { records: [], head: 0 }));
      }
      q.records.push(r);
    }
    this.#size += records.length;
  }

  get size(): number {
    return this.#size;
  }

  poll(): ConsumedRecord | undefined {
    if (this.#size === 0) return undefined;
    let best: { records: ConsumedRecord[]; head: number } | undefined;
    for (const q of this.#queues.values()) {
      if (q.head >= q.records.length) continue;
      if (!best || q.records[q.head]!.timestamp < best.records[best.head]!.timestamp) best = q;
    }
    if (!best) return undefined;
    const r = best.records[best.head++]!;
    if (best.head === best.records.length) {
      best.records = [];
      best.head = 0;
    } else if (best.head > 4096) {
      best.records = best.records.slice(best.head);
      best.head = 0;
    }
    this.#size--;
    return r;
  }

  /** Up to `max` buffered records after the first `skip`, without removing them (for prefetching store keys). */
  peek(max: number, skip = 0): ConsumedRecord[] {
    const out: ConsumedRecord[] = [];
    let toSkip = skip;
    for (const q of this.#queues.values()) {
      let i = q.head;
      const available = q.records.length - i;
      if (toSkip >= available) {
        toSkip -= available;
        continue;
      }
      i += toSkip;
      toSkip = 0;
      for (; i < q.records.length && out.length < max; i++) out.push(q.records[i]!);
      if (out.length >= max) break;
    }
    return out;
  }

  /** Drop everything buffered (task closed dirty or partitions revoked). */
  clear(): void {
    this.#queues.clear();
    this.#size = 0;
  }
}
