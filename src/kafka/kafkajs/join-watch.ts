/**
 * Tracks kafkajs' group joins for the consumer adapter, so a commit can wait for a rejoin in progress (kafkajs
 * announces it with REBALANCING and completes it with GROUP_JOIN) and tell whether a join happened meanwhile.
 */
export class JoinWatch {
  private count = 0;
  private rejoining = false;
  private waiters: (() => void)[] = [];

  /** Group joins completed so far. */
  get joins(): number {
    return this.count;
  }

  /** kafkajs announced a rejoin (REBALANCING) that has not completed yet. */
  get isRejoining(): boolean {
    return this.rejoining;
  }

  rejoinStarted(): void {
    this.rejoining = true;
  }

  joined(): void {
    this.count++;
    this.rejoining = false;
    this.wake();
  }

  /** kafkajs crashed or the consumer stopped: no join is coming for the waiters. */
  ended(): void {
    this.rejoining = false;
    this.wake();
  }

  /** Resolves at the next join or end, or after `ms`. */
  next(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref?.();
      this.waiters.push(done);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
