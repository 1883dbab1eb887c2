/**
 * Wake-up for waiting polls: a poll with nothing to return waits until new data, a rebalance step or a crash
 * notifies it, or until its own timer ends. One notify per flush, not per record.
 */
export class Signal {
  private waiters = new Set<() => void>();

  /** Resolves on the next notify() or after `ms`, whichever comes first. */
  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      // The timer stays ref'd: it is bounded by ms, and an app awaiting a poll must keep the process alive.
      const timer = setTimeout(done, Math.max(0, ms));
      const waiters = this.waiters;
      function done(): void {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      }
      waiters.add(done);
    });
  }

  notify(): void {
    if (this.waiters.size === 0) return;
    const all = [...this.waiters];
    for (const w of all) w();
  }

  get waiting(): number {
    return this.waiters.size;
  }
}

/** A ref'd sleep; the fault hooks use it for injected delays. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
