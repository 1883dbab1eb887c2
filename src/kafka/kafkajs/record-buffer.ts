/**
 * The bridge between kafkajs' push-based `eachBatch` and the port's pull-based `poll`. Each kafkajs batch is
 * parked here and its `eachBatch` call waits until `poll` has handed out every record (back-pressure: kafkajs
 * fetches the next batch of a partition only after eachBatch returns, so memory is bounded by what one fetch
 * per broker returns). A batch can also be released early (pause, seek, rebalance, close); its outcome says how
 * far the records were handed out, so the adapter resolves exactly that far in kafkajs and the rest is fetched
 * again later.
 */
import type { ConsumedRecord } from '../client.js';
import { tpKey } from '../client.js';

export interface BatchOutcome {
  /** Offset of the last record handed out to poll, or undefined when none was (or the progress is void). */
  readonly lastTaken: number | undefined;
}

interface Parked {
  readonly key: string;
  readonly records: readonly ConsumedRecord[];
  pos: number;
  readonly done: (o: BatchOutcome) => void;
}

export class RecordBuffer {
  private parked: Parked[] = [];
  private wake: (() => void) | undefined;

  get size(): number {
    return this.parked.length;
  }

  /** Park a batch (records of one partition, in offset order). Resolves once handed out or released. */
  park(records: readonly ConsumedRecord[]): Promise<BatchOutcome> {
    const first = records[0];
    if (!first) return Promise.resolve({ lastTaken: undefined });
    return new Promise<BatchOutcome>((done) => {
      this.parked.push({ key: tpKey(first.topic, first.partition), records, pos: 0, done });
      this.notify();
    });
  }

  /**
   * Up to `max` records from batches whose partition is not skipped, oldest batches first. A fully handed-out
   * batch is finished (its eachBatch resolves the offset and returns).
   */
  take(max: number, skip: (key: string) => boolean): ConsumedRecord[] {
    const out: ConsumedRecord[] = [];
    if (this.parked.length === 0) return out;
    const keep: Parked[] = [];
    for (const b of this.parked) {
      if (out.length < max && !skip(b.key)) {
        const n = Math.min(max - out.length, b.records.length - b.pos);
        for (let i = 0; i < n; i++) out.push(b.records[b.pos + i]!);
        b.pos += n;
      }
      if (b.pos >= b.records.length) b.done({ lastTaken: b.records[b.records.length - 1]!.offset });
      else keep.push(b);
    }
    this.parked = keep;
    return out;
  }

  /**
   * Release parked batches of the matching partitions. With keepProgress the outcome reports how far records
   * were handed out (pause: fetching resumes right after them); without, progress is void (seek, rebalance).
   */
  release(match: (key: string) => boolean, keepProgress: boolean): void {
    const keep: Parked[] = [];
    for (const b of this.parked) {
      if (!match(b.key)) {
        keep.push(b);
        continue;
      }
      const lastTaken = keepProgress && b.pos > 0 ? b.records[b.pos - 1]!.offset : undefined;
      b.done({ lastTaken });
    }
    this.parked = keep;
  }

  releaseAll(): void {
    this.release(() => true, false);
  }

  /** Resolves when a batch is parked, `notify` is called, or after ms. */
  waitForData(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        if (this.wake === done) this.wake = undefined;
        resolve();
      }, ms);
      const prev = this.wake;
      const done = (): void => {
        clearTimeout(timer);
        resolve();
        prev?.();
      };
      this.wake = done;
    });
  }

  /** Wake a waiting poll (new data, or a rebalance event to deliver). */
  notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
