import { TopologyError } from '../../errors.js';
import { checkMillis } from './window-duration.js';

/**
 * Sessions of activity per key (Kafka Streams' SessionWindows): records closer than `inactivityGapMs` to a
 * session join it, and a record can merge two sessions into one. Immutable.
 */
export class SessionWindows {
  private constructor(
    readonly gapMs: number,
    readonly graceMs: number,
  ) {
    Object.freeze(this);
  }

  static ofInactivityGapWithNoGrace(inactivityGapMs: number): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(inactivityGapMs, 0);
  }

  static ofInactivityGapAndGrace(inactivityGapMs: number, graceMs: number): SessionWindows {
    checkMillis(inactivityGapMs, 'Inactivity gap (inactivityGapMs)');
    checkMillis(graceMs, 'Grace period (graceMs)');
    if (inactivityGapMs <= 0) throw new TopologyError(`Gap time cannot be zero or negative, got ${inactivityGapMs}.`);
    if (graceMs < 0) throw new TopologyError(`Grace period must not be negative, got ${graceMs}.`);
    return new SessionWindows(inactivityGapMs, graceMs);
  }

  inactivityGap(): number {
    return this.gapMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }
}
