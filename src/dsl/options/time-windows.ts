import { TopologyError } from '../../errors.js';
import { checkMillis, type Window } from './window-duration.js';

/**
 * Fixed-size windows [start, start + size) aligned to the epoch (Kafka Streams' TimeWindows): tumbling when
 * advance = size, hopping with `advanceBy(advance)` when advance < size. Immutable.
 */
export class TimeWindows {
  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
  ) {
    Object.freeze(this);
  }

  /** Tumbling windows of `sizeMs` whose records are late as soon as the window ends (grace 0). */
  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return TimeWindows.ofSizeAndGrace(sizeMs, 0);
  }

  /** Tumbling windows of `sizeMs` that still accept out-of-order records until `graceMs` after their end. */
  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    checkMillis(sizeMs, 'Window size (sizeMs)');
    checkMillis(graceMs, 'Grace period (graceMs)');
    if (sizeMs <= 0) throw new TopologyError(`Window size (sizeMs) must be larger than zero, got ${sizeMs}.`);
    if (graceMs < 0) throw new TopologyError(`Grace period must not be negative, got ${graceMs}.`);
    return new TimeWindows(sizeMs, sizeMs, graceMs);
  }

  /** Hopping windows: a new window every `advanceMs` (0 < advance <= size). */
  advanceBy(advanceMs: number): TimeWindows {
    checkMillis(advanceMs, 'Window advancement interval (advanceMs)');
    if (advanceMs <= 0 || advanceMs > this.sizeMs) {
      throw new TopologyError(
        `Window advancement interval should be more than zero and less than window duration which is ${this.sizeMs} ms, ` +
          `but given advancement interval is: ${advanceMs} ms.`,
      );
    }
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  /** Size of every window (also what WindowedSerdes.timeWindowedSerdeFrom needs). */
  size(): number {
    return this.sizeMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }

  /** All windows containing `timestamp`, ascending by start: start aligned to the advance, start >= 0. */
  windowsFor(timestamp: number): Window[] {
    const out: Window[] = [];
    let start = Math.floor(Math.max(0, timestamp - this.sizeMs + this.advanceMs) / this.advanceMs) * this.advanceMs;
    for (; start <= timestamp; start += this.advanceMs) out.push({ start, end: start + this.sizeMs });
    return out;
  }
}
