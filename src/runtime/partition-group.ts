import type { ConsumedRecord } from '../kafka/client.js';

/** The buffered records of one partition: `head` is the next to process, records before `prefetched` were handed out for prefetching. */
interface PartitionQueue {
  records: ConsumedRecord[];
  head: number;
  prefetched: number;
}

/**
 * The input queues of a task, one per partition. `poll` picks the head with the smallest timestamp across
 * partitions (Kafka Streams' PartitionGroup), so a task processes its inputs in time order where it can.
 */
export class PartitionGroup {
  readonly #queues = new Map<string, PartitionQueue>();
  #size = 0;

  add(records: readonly ConsumedRecord[]): void {
    // a batch is usually one partition: look its queue up once per run of records, not per record
    let topic: string | undefined;
    let partition = -1;
    let q: PartitionQueue | undefined;
    for (const r of records) {
      if (r.topic !== topic || r.partition !== partition || !q) {
        topic = r.topic;
        partition = r.partition;
        const k = `${r.topic}:${r.partition}`;
        q = this.#queues.get(k);
        if (!q) this.#queues.set(k, (q = { records: [], head: 0, prefetched: 0 }));
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
    let best: PartitionQueue | undefined;
    for (const q of this.#queues.values()) {
      if (q.head >= q.records.length) continue;
      if (!best || q.records[q.head]!.timestamp < best.records[best.head]!.timestamp) best = q;
    }
    if (!best) return undefined;
    const r = best.records[best.head++]!;
    if (best.head === best.records.length) {
      best.records = [];
      best.head = 0;
      best.prefetched = 0;
    } else if (best.head > 4096) {
      best.records = best.records.slice(best.head);
      best.prefetched = Math.max(0, best.prefetched - best.head);
      best.head = 0;
    }
    this.#size--;
    return r;
  }

  /**
   * Up to `max` buffered records that no earlier call handed out, now marked as handed out: the task reads their
   * store keys ahead of processing, each record once.
   */
  takeForPrefetch(max: number): ConsumedRecord[] {
    const out: ConsumedRecord[] = [];
    for (const q of this.#queues.values()) {
      let i = Math.max(q.head, q.prefetched);
      for (; i < q.records.length && out.length < max; i++) out.push(q.records[i]!);
      q.prefetched = i;
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
