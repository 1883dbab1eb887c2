import { TopologyError } from '../../errors.js';

const check = (what: string, ms: number): number => {
  if (!Number.isFinite(ms) || !Number.isInteger(ms) || ms < 0) {
    throw new TopologyError(`JoinWindows ${what} must be a non-negative integer number of milliseconds, got ${String(ms)}.`);
  }
  return ms;
};

/**
 * The window of a stream-stream join (Kafka Streams' JoinWindows): a record of this stream at `t` joins records
 * of the other stream with timestamps in `[t - before, t + after]`; `grace` is how long after a window closed
 * out-of-order records are still accepted. Immutable.
 */
export class JoinWindows {
  private constructor(
    readonly beforeMs: number,
    readonly afterMs: number,
    readonly graceMs: number,
  ) {
    Object.freeze(this);
  }

  /** Records join when their timestamps differ by at most `timeDifferenceMs`; later out-of-order records are dropped. */
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    const d = check('time difference', timeDifferenceMs);
    return new JoinWindows(d, d, 0);
  }

  /** As ofTimeDifferenceWithNoGrace, accepting records up to `graceMs` after their window closed. */
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    const d = check('time difference', timeDifferenceMs);
    return new JoinWindows(d, d, check('grace', graceMs));
  }

  /** Join other-stream records up to `ms` earlier than this stream's record (may be negative: then `after` must cover it). */
  before(ms: number): JoinWindows {
    if (!Number.isInteger(ms) || ms + this.afterMs < 0) {
      throw new TopologyError(`JoinWindows before(${ms}): the window [t - before, t + after] must not be empty (after = ${this.afterMs}).`);
    }
    return new JoinWindows(ms, this.afterMs, this.graceMs);
  }

  /** Join other-stream records up to `ms` later than this stream's record. */
  after(ms: number): JoinWindows {
    if (!Number.isInteger(ms) || ms + this.beforeMs < 0) {
      throw new TopologyError(`JoinWindows after(${ms}): the window [t - before, t + after] must not be empty (before = ${this.beforeMs}).`);
    }
    return new JoinWindows(this.beforeMs, ms, this.graceMs);
  }

  /** Window size, as Kafka Streams defines it: before + after. */
  size(): number {
    return this.beforeMs + this.afterMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }

  /** How long the join buffers keep records: before + after + grace. */
  retentionMs(): number {
    return this.beforeMs + this.afterMs + this.graceMs;
  }
}
