/**
 * Stream time shared by the processors of one stream-stream join in one task (Kafka Streams' TimeTracker): the
 * largest timestamp either side has seen, and a lower bound of the timestamps in the store of unmatched records
 * (so a record that cannot close anything skips the scan). Lives as long as a processor of the task holds it.
 */
export class JoinTimeTracker {
  streamTime = -1;
  /** Lower bound of the unmatched records' timestamps; -Infinity = unknown (after a restart: scan once). */
  minUnmatchedTime = Number.NEGATIVE_INFINITY;
  /** Stream time of the last purge of each buffer. */
  readonly lastPurge = new Map<string, number>();

  advance(timestamp: number): void {
    if (timestamp > this.streamTime) this.streamTime = timestamp;
  }
}

/** Hands the processors of each task one shared tracker (reference-counted, dropped when the task's processors close). */
export class JoinTimeTrackers {
  readonly #byTask = new Map<string, { tracker: JoinTimeTracker; refs: number }>();

  acquire(taskId: string): JoinTimeTracker {
    let entry = this.#byTask.get(taskId);
    if (!entry) this.#byTask.set(taskId, (entry = { tracker: new JoinTimeTracker(), refs: 0 }));
    entry.refs++;
    return entry.tracker;
  }

  release(taskId: string): void {
    const entry = this.#byTask.get(taskId);
    if (entry && --entry.refs <= 0) this.#byTask.delete(taskId);
  }
}
