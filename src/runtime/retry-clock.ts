/**
 * Retries with exponential backoff (bounded), and a deadline counted from the first failure since the last success
 * (Kafka Streams' task.timeout.ms). The backoff sleeps on a timer, so a retry loop never starves the event loop;
 * `interrupt` ends the current sleep and every later one at once (the thread is stopping).
 */
export class RetryClock {
  #since: number | undefined;
  #attempt = 0;
  #interrupted = false;
  #wake: (() => void) | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly initialMs = 100,
    private readonly maxMs = 1_000,
  ) {}

  /** Progress was made: the next failure starts a new deadline and the shortest backoff. */
  succeeded(): void {
    this.#since = undefined;
    this.#attempt = 0;
  }

  /** Counts a failure; true once failures have lasted `timeoutMs` without a success in between. */
  expired(now = Date.now()): boolean {
    this.#since ??= now;
    return now - this.#since >= this.timeoutMs;
  }

  /** Waits the next backoff delay: initialMs, doubling up to maxMs. */
  backoff(): Promise<void> {
    if (this.#interrupted) return Promise.resolve();
    const ms = Math.min(this.maxMs, this.initialMs * 2 ** this.#attempt);
    this.#attempt++;
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }

  interrupt(): void {
    this.#interrupted = true;
    this.#wake?.();
  }
}
