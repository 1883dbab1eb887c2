import { silentLogger, type Logger } from '../config.js';
import { tpKey, type Admin, type Consumer } from '../kafka/client.js';
import type { StoreRestorer } from '../state/state-store.js';

export interface ChangelogPartition {
  readonly taskId: string;
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  readonly restorer: StoreRestorer;
  /** Standby copies keep reading forever; active ones finish at the end offset. */
  readonly standby: boolean;
}

/**
 * Restores stores from their changelogs with one group-less consumer per thread (read_committed under
 * exactly-once): from the store's checkpointed offset + 1 (or from scratch after a wipe) to the end offset
 * seen when restoration started. Standby copies are kept warm by the same consumer.
 *
 * A checkpoint is trusted only while the changelog still holds every record after it: a checkpoint at or past the
 * changelog's end (a new cluster, or a changelog deleted and re-created) or before its log-start offset (the
 * records after it were deleted) means the local store reflects a history the changelog no longer has. Kafka
 * Streams reads that as OffsetOutOfRange and marks the task corrupted (TaskCorruptedException): the store is
 * wiped and restored from the changelog's start. So is it here, for active and standby copies alike.
 */
export class ChangelogReader {
  readonly #partitions = new Map<string, ChangelogPartition & { end: number; next: number; done: boolean }>();
  #assigned = '';
  /** Changelog records applied to active tasks' stores (restoration). */
  restoredRecords = 0;
  /** Changelog records applied to standby copies (keeping them warm). */
  standbyUpdatedRecords = 0;
  /** Restored records per active task (standby updates not included). */
  readonly restoredPerTask = new Map<string, number>();

  constructor(
    private readonly consumer: Consumer,
    private readonly admin: Admin,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** Registers changelog partitions to restore; wipes stores that have no checkpoint the changelog still backs. */
  async add(parts: readonly ChangelogPartition[]): Promise<void> {
    if (!parts.length) return;
    const [starts, ends] = await Promise.all([this.admin.listOffsets(parts, 'earliest'), this.admin.listOffsets(parts, 'latest')]);
    for (const p of parts) {
      const k = tpKey(p.topic, p.partition);
      const end = ends.get(k) ?? 0;
      const next = await this.#startOffset(p, starts.get(k) ?? 0, end);
      this.#partitions.set(k, { ...p, end, next, done: !p.standby && next >= end });
    }
    await this.#reassign();
  }

  /** The offset restoring `p` starts at: after its checkpoint if the changelog still has all that follows, else its start (after a wipe). */
  async #startOffset(p: ChangelogPartition, start: number, end: number): Promise<number> {
    const cp = p.restorer.checkpointedOffset();
    // a checkpoint names a record of the changelog, so a valid one is below the end offset
    if (cp !== undefined && cp < end && cp + 1 >= start) return cp + 1;
    if (cp !== undefined) {
      this.logger.warn(
        `Store '${p.store}' of task ${p.taskId} has a local checkpoint at offset ${cp}, but changelog ${p.topic}-${p.partition} ` +
          `holds offsets [${start}, ${end}) (a new cluster, a re-created changelog, or deleted records): the local state is ` +
          `corrupted, wiping it and restoring ${p.standby ? 'the standby copy' : 'the store'} from the changelog.`,
      );
    }
    await p.restorer.wipe();
    return start;
  }

  /** Stop reading partitions of these tasks (closed, or standby promoted: re-added as active). */
  async remove(taskIds: ReadonlySet<string>): Promise<void> {
    for (const [k, p] of this.#partitions) if (taskIds.has(p.taskId)) this.#partitions.delete(k);
    await this.#reassign();
  }

  /** Active partitions still restoring, per task. */
  restoringTasks(): Set<string> {
    const out = new Set<string>();
    for (const p of this.#partitions.values()) if (!p.standby && !p.done) out.add(p.taskId);
    return out;
  }

  /** Standby changelog partitions with the next offset each will read (for standby lag). */
  standbyPositions(): { taskId: string; topic: string; partition: number; next: number }[] {
    return [...this.#partitions.values()].filter((p) => p.standby).map((p) => ({ taskId: p.taskId, topic: p.topic, partition: p.partition, next: p.next }));
  }

  hasWork(): boolean {
    for (const p of this.#partitions.values()) if (p.standby || !p.done) return true;
    return false;
  }

  /** One poll: apply what arrived; marks active partitions done at their end offset. */
  async step(maxWaitMs: number): Promise<void> {
    const reading = [...this.#partitions.values()].filter((p) => p.standby || !p.done);
    if (!reading.length) return;
    const records = await this.consumer.poll(maxWaitMs);
    const batches = new Map<string, { key: Buffer; value: Buffer | null }[]>();
    const last = new Map<string, number>();
    for (const r of records) {
      const k = tpKey(r.topic, r.partition);
      const p = this.#partitions.get(k);
      if (!p || r.offset < p.next) continue;
      if (r.key === null) continue; // a changelog record always has a key; skip anything else
      let b = batches.get(k);
      if (!b) batches.set(k, (b = []));
      b.push({ key: r.key, value: r.value });
      last.set(k, r.offset);
    }
    for (const [k, batch] of batches) {
      const p = this.#partitions.get(k)!;
      await p.restorer.restore(batch, last.get(k)!);
      p.next = last.get(k)! + 1;
      if (p.standby) this.standbyUpdatedRecords += batch.length;
      else {
        this.restoredRecords += batch.length;
        this.restoredPerTask.set(p.taskId, (this.restoredPerTask.get(p.taskId) ?? 0) + batch.length);
      }
    }
    for (const [k, p] of this.#partitions) {
      if (p.done) continue;
      // the position moves past transaction markers and aborted records, which never come as records
      const position = this.consumer.position?.({ topic: p.topic, partition: p.partition });
      if (position !== undefined) p.next = Math.max(p.next, position);
      if (p.standby) continue;
      if (p.next >= p.end || (records.length === 0 && position === undefined && !batches.has(k))) p.done = true;
    }
    await this.#reassign();
  }

  async #reassign(): Promise<void> {
    const wanted = [...this.#partitions.values()].filter((p) => p.standby || !p.done);
    const sig = wanted.map((p) => `${p.topic}:${p.partition}`).sort().join(',');
    if (sig === this.#assigned) return;
    this.#assigned = sig;
    await this.consumer.assign(wanted.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.next })));
  }

  async close(): Promise<void> {
    this.#partitions.clear();
    await this.consumer.close();
  }
}
