import type { Windowed } from '../../serdes/windowed-serdes.js';
import type { RetentionClock } from '../../state/window/retention-clock.js';
import type { ProcessorContext } from '../processor.js';
import { isPromise, type Headers, type MaybePromise } from '../record.js';
import type { Change } from './change.js';

/**
 * The stream time a windowed aggregation closes windows by: the task's, or the store's observed time when that is
 * later. They differ only after a restore: the task's stream time starts again from the records it replays, while
 * the store starts from its committed clock (see RetentionClock), the clock at the last commit, so windows a commit
 * purged read as closed (dropped and counted), not as empty (re-created from scratch). The clock never includes
 * writes made after the last commit: a record replayed from the committed offsets is judged by a time its first
 * processing had reached, so under at_least_once it is counted again (its first update may have been lost), never
 * dropped. Without a restore the observed time (a window start or session end, never after the stream time at which
 * it was written) is at most the task's stream time, and nothing changes. (Kafka Streams' stores advance their
 * observed time on restore with every restored window, and its aggregations close windows on the task's time
 * alone; here a kept record is always stored, and a replayed one is never judged by a clock from after the commit.)
 */
export function streamTime(ctx: ProcessorContext<any, any>, store: { readonly retention: RetentionClock }): number {
  return Math.max(ctx.currentStreamTimeMs(), store.retention.observed);
}

/** Runs `next` after `r` (synchronously when `r` is not a Promise). */
export function andThen<T>(r: MaybePromise<unknown>, next: () => MaybePromise<T>): MaybePromise<T> {
  return r !== undefined && isPromise(r) ? r.then(next) : next();
}

/** Runs steps one after another, staying synchronous while they are. */
export function sequence(steps: readonly (() => MaybePromise<void>)[]): MaybePromise<void> {
  let i = 0;
  const run = (): MaybePromise<void> => {
    while (i < steps.length) {
      const r = steps[i++]!();
      if (r !== undefined && isPromise(r)) return r.then(run);
    }
  };
  return run();
}

/**
 * Emit-on-window-close bookkeeping of time and sliding windows (Kafka Streams' EmitStrategy.onWindowClose): when
 * the close time (stream time - grace) advances, the windows that closed since the last emit are fetched by start
 * time and each is forwarded once, with the timestamp of its newest record. The last emitted close time is kept in
 * memory: after a restart, windows closed before it but still retained may be emitted again.
 */
export class WindowCloseEmitter<K, VA> {
  #lastCloseTime = -1;

  /** `inclusiveEnd`: sliding windows include their end, so they close only once the close time is past it. */
  constructor(
    private readonly windowSizeMs: number,
    private readonly inclusiveEnd = false,
  ) {}

  maybeEmit(
    ctx: ProcessorContext<Windowed<K>, Change<VA>>,
    closeTime: number,
    headers: Headers,
    fetchAll: (startFrom: number, startTo: number) => AsyncIterable<{ key: Windowed<K>; value: { value: VA; timestamp: number } }>,
  ): MaybePromise<void> {
    if (this.#lastCloseTime !== -1 && closeTime <= this.#lastCloseTime) return;
    const shift = this.inclusiveEnd ? 1 : 0;
    const upper = closeTime - this.windowSizeMs - shift; // windows starting at or before it are closed
    if (upper < 0) return;
    const lower = this.#lastCloseTime === -1 ? 0 : Math.max(0, this.#lastCloseTime - this.windowSizeMs + 1 - shift);
    this.#lastCloseTime = closeTime;
    if (lower > upper) return;
    return (async () => {
      for await (const e of fetchAll(lower, upper)) {
        await ctx.forward({ key: e.key, value: { newValue: e.value.value, oldValue: null }, timestamp: e.value.timestamp, headers });
      }
    })();
  }
}
