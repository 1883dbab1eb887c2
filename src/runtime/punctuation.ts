import type { Cancellable, PunctuationType, Punctuator } from '../processor/processor.js';

export interface PunctuationSchedule {
  readonly nodeName: string;
  readonly type: PunctuationType;
  readonly interval: number;
  next: number;
  cancelled: boolean;
  readonly callback: Punctuator;
}

/**
 * Scheduled punctuators of one task and one time type. Firing follows Kafka Streams' PunctuationSchedule:
 * missed intervals are skipped (next = first boundary after now), the callback gets the current time.
 */
export class PunctuationQueue {
  readonly #schedules: PunctuationSchedule[] = [];

  schedule(s: Omit<PunctuationSchedule, 'cancelled'>): Cancellable {
    const entry: PunctuationSchedule = { ...s, cancelled: false };
    this.#schedules.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
        const i = this.#schedules.indexOf(entry);
        if (i >= 0) this.#schedules.splice(i, 1);
      },
    };
  }

  get size(): number {
    return this.#schedules.length;
  }

  /** Schedules due at `now`, advanced to their next time; the caller runs them in order. */
  due(now: number): PunctuationSchedule[] {
    if (this.#schedules.length === 0) return [];
    const out: PunctuationSchedule[] = [];
    for (const s of this.#schedules) {
      if (s.cancelled || s.next > now) continue;
      out.push(s);
      const nextTime = s.next + s.interval;
      s.next = now >= nextTime ? s.next + (Math.floor((now - s.next) / s.interval) + 1) * s.interval : nextTime;
    }
    return out;
  }
}
