import { readLong, writeLong } from '../../serdes/long-bytes.js';
import type { KeyValueBytesStore } from '../bytes/bytes-store.js';
import type { StateStoreContext, StoreRestorer } from '../state-store.js';

/**
 * The store key of the clock record: shorter than any window key (12 bytes at least) or session key (16), so scans
 * and key schemas never take it for a window or session.
 */
export const CLOCK_KEY = Buffer.from('~clock', 'latin1');

/**
 * Retention of a window or session store, on the store's observed stream time (the largest window start or
 * session end written, as Kafka Streams' window stores track it). A time at or below `observed - retention` is
 * expired: writes to it are skipped and reads never return it.
 *
 * Only processing moves the clock, never the changelog's window records: under at_least_once the changelog also
 * holds writes made after the last commit, and a clock moved by them would judge the records replayed from the
 * committed offsets as late and drop them, so an update whose send failed would never be made again. What a
 * restored store starts from is the committed clock, which the store keeps as a record of its own (CLOCK_KEY,
 * logged, restored and persisted with the other writes): under exactly-once the clock at this flush (its writes
 * become visible only with the commit), under at_least_once the clock at the flush of the last successful commit.
 * Expired entries are deleted (through the changelog, as tombstones) on that same clock, by a purge at flush at
 * most once per segment interval (a purge scans the whole store). So a restored store is consistent: every window
 * a purge deleted is expired on the restored clock (a replayed record cannot re-create it from empty), and no
 * record replayed after the last commit is judged by a clock its first processing had not reached.
 */
export class RetentionClock {
  #observed = -1;
  /** Under at_least_once: observed time at the last flush, committed once that commit succeeds. */
  #flushed = -1;
  #committed = -1;
  /** The clock the store's clock record holds. */
  #written = -1;
  #lastPurge = -Infinity;
  #exactlyOnce = false;

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

  /** A committed clock, read from the store's clock record (local state or changelog). */
  #restore(value: Buffer): void {
    const time = readLong(value, 0, 'RetentionClock');
    this.observe(time);
    this.#flushed = Math.max(this.#flushed, time);
    this.#committed = Math.max(this.#committed, time);
    this.#written = Math.max(this.#written, time);
  }

  /** Reads the committed clock of the local state (call after the store below is initialised). */
  async load(inner: Pick<KeyValueBytesStore, 'get'>): Promise<void> {
    const value = await inner.get(CLOCK_KEY);
    if (value !== undefined) this.#restore(value);
  }

  /**
   * At a store flush (the first step of a commit): writes the committed clock through `inner` (logged) when it
   * moved, before any purge's tombstones, and returns the bound to purge up to when a purge is due.
   */
  flush(inner: Pick<KeyValueBytesStore, 'put'>, timestamp: number): number | undefined {
    const clock = this.#exactlyOnce ? this.#observed : this.#committed;
    this.#flushed = this.#observed;
    if (clock > this.#written) {
      this.#written = clock;
      const value = Buffer.allocUnsafe(8);
      writeLong(value, 0, clock);
      inner.put(CLOCK_KEY, value, timestamp);
    }
    const bound = clock - this.retentionMs;
    if (bound < 0 || bound - this.#lastPurge < this.segmentIntervalMs) return undefined;
    this.#lastPurge = bound;
    return bound;
  }

  /**
   * The context for the bytes stack below: restored clock records set the clock (window records do not), a commit
   * makes the clock of its flush the committed one, and a wipe (before a restore from scratch) forgets the clock, as
   * the store forgets the records it was observed on.
   */
  wrapContext(context: StateStoreContext): StateStoreContext {
    this.#exactlyOnce = context.exactlyOnce;
    const wrapped = Object.create(context) as StateStoreContext & { register: StateStoreContext['register'] };
    wrapped.register = (store, restorer: StoreRestorer) =>
      context.register(store, {
        restore: (records, lastOffset) => {
          for (const r of records) if (r.value !== null && r.key.equals(CLOCK_KEY)) this.#restore(r.value);
          return restorer.restore(records, lastOffset);
        },
        checkpointedOffset: () => restorer.checkpointedOffset(),
        wipe: () => {
          this.#observed = this.#flushed = this.#committed = this.#written = -1;
          this.#lastPurge = -Infinity;
          return restorer.wipe();
        },
        commit: (offset) => {
          this.#committed = Math.max(this.#committed, this.#flushed);
          return restorer.commit(offset);
        },
        abortUncommitted: () => restorer.abortUncommitted(),
      });
    return wrapped;
  }
}
