import { TopologyError } from '../../errors.js';
import { checkMillis } from './window-duration.js';

/**
 * Windows defined by the records themselves (Kafka Streams' SlidingWindows): two records fall into a common
 * window when their timestamps differ by at most `timeDifferenceMs`; each window [start, start + timeDifference]
 * includes both bounds. Immutable.
 */
export class SlidingWindows {
  private constructor(
    readonly timeDifferenceMs: number,
    readonly graceMs: number,
  ) {
    Object.freeze(this);
  }

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    checkMillis(timeDifferenceMs, 'Window time difference (timeDifferenceMs)');
    checkMillis(graceMs, 'Window grace period (graceMs)');
    if (timeDifferenceMs < 0) throw new TopologyError(`Window time difference must not be negative, got ${timeDifferenceMs}.`);
    if (graceMs < 0) throw new TopologyError(`Window grace period must not be negative, got ${graceMs}.`);
    return new SlidingWindows(timeDifferenceMs, graceMs);
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }
}
