import type { StateStoreContext, StoreRestorer } from '../state-store.js';

/**
 * Retention of a window or session store, on the store's observed stream time (the largest window start or
 * session end written, as Kafka Streams' window stores track it). A time at or below `observed - retention` is
 * expired: writes to it are skipped and reads never return it. Expired entries are deleted (through the changelog,
 * as tombstones) by a purge at flush, at most once per segment interval of observed time, since a purge scans the
 * whole store.
 */
export class RetentionClock {
  #observed = -1;
  #lastPurge = -Infinity;

  constructor(
    readonly retentionMs: number,
    readonly segmentIntervalMs: number,
  ) {}

  get observed(): number {
    return this.#observed;
  }

  observe(time: number): void {
    if (time > this.#observed) this.#observed = time;
  }

  /** Times at or below this are expired. */
  get expiredUpTo(): number {
    return this.#observed - this.retentionMs;
  }

  isExpired(time: number): boolean {
    return time <= this.#observed - this.retentionMs;
  }

  /** Whether a purge is due now (and, if so, remember that it ran). */
  takePurge(): boolean {
    const bound = this.expiredUpTo;
    if (bound < 0 || bound - this.#lastPurge < this.segmentIntervalMs) return false;
    this.#lastPurge = bound;
    return true;
  }

  /**
   * The context for the bytes stack below: records restored from the changelog also advance observed time, and a
   * wipe (before a restore from scratch) forgets it, as the store forgets the records it was observed on.
   */
  wrapContext(context: StateStoreContext, timeOf: (storeKey: Buffer) => number | undefined): StateStoreContext {
    const wrapped = Object.create(context) as StateStoreContext & { register: StateStoreContext['register'] };
    wrapped.register = (store, restorer: StoreRestorer) =>
      context.register(store, {
        restore: (records, lastOffset) => {
          for (const r of records) {
            const t = r.value === null ? undefined : timeOf(r.key);
            if (t !== undefined) this.observe(t);
          }
          return restorer.restore(records, lastOffset);
        },
        checkpointedOffset: () => restorer.checkpointedOffset(),
        wipe: () => {
          this.#observed = -1;
          this.#lastPurge = -Infinity;
          return restorer.wipe();
        },
        commit: (offset) => restorer.commit(offset),
        abortUncommitted: () => restorer.abortUncommitted(),
      });
    return wrapped;
  }
}
