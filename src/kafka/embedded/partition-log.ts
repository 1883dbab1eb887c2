/**
 * One partition: an append-only log with offsets, the transactional bookkeeping Kafka keeps per partition (open
 * transactions, last stable offset, aborted ranges), reads at either isolation level, and log compaction.
 */
import type { ConsumedRecord, IsolationLevel, MessageHeaders } from '../client.js';

/** Data record, or a control marker that ends a transaction (takes an offset, never delivered). */
export const RecordKind = { Data: 0, CommitMarker: 1, AbortMarker: 2 } as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

export interface StoredRecord {
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: MessageHeaders | undefined;
  /** Producer id of a transactional record; -1 for records written outside a transaction. */
  readonly producerId: number;
  readonly kind: RecordKind;
}

/** Offsets [first, last] written by one aborted transaction of one producer (last = its abort marker). */
interface AbortedRange {
  readonly first: number;
  readonly last: number;
}

export interface CompactOptions {
  /** Also drop tombstones that are the latest record of their key (as Kafka does after delete.retention.ms). */
  readonly removeTombstones?: boolean;
}

export class PartitionLog {
  /** Sorted by offset; offsets may have gaps after compaction. */
  private records: StoredRecord[] = [];
  private nextOffset = 0;
  private readonly logStart = 0;
  /** producerId -> first offset of its open transaction in this partition. */
  private readonly openTxns = new Map<number, number>();
  /** producerId -> its aborted ranges, ascending. Kafka keeps the same index to filter aborted data on fetch. */
  private readonly aborted = new Map<number, AbortedRange[]>();
  private lso = 0;
  /** Records appended since the last compaction (the log cleaner's "dirty" part). */
  private dirty = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    /** Background compaction, as Kafka's log cleaner: when the dirty part reaches this ratio of the log. */
    private readonly autoCompaction?: { readonly minDirtyRatio: number; readonly minDirtyRecords: number },
  ) {}

  /** The log end offset: the offset the next record gets. */
  get endOffset(): number {
    return this.nextOffset;
  }

  get startOffset(): number {
    return this.logStart;
  }

  /** Offsets below this are decided (no open transaction); read_committed consumers never read past it. */
  get lastStableOffset(): number {
    return this.openTxns.size === 0 ? this.nextOffset : this.lso;
  }

  /** Number of stored records (markers included); shrinks on compaction. */
  get size(): number {
    return this.records.length;
  }

  append(
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: MessageHeaders | undefined,
    producerId: number,
  ): number {
    const offset = this.nextOffset++;
    if (producerId >= 0 && !this.openTxns.has(producerId)) {
      this.openTxns.set(producerId, offset);
      if (this.openTxns.size === 1) this.lso = offset;
    }
    this.records.push({ offset, key, value, timestamp, headers, producerId, kind: RecordKind.Data });
    if (this.autoCompaction && ++this.dirty >= this.autoCompaction.minDirtyRecords && this.dirty >= this.records.length * this.autoCompaction.minDirtyRatio) {
      // amortized O(1) per record: the log at least halves its dirty part each time
      this.compact();
    }
    return offset;
  }

  hasOpenTransaction(producerId: number): boolean {
    return this.openTxns.has(producerId);
  }

  /** Writes the commit or abort marker of the producer's open transaction here (no-op if it wrote nothing here). */
  endTransaction(producerId: number, commit: boolean, timestamp: number): void {
    const first = this.openTxns.get(producerId);
    if (first === undefined) return;
    const offset = this.nextOffset++;
    this.records.push({
      offset,
      key: null,
      value: null,
      timestamp,
      headers: undefined,
      producerId,
      kind: commit ? RecordKind.CommitMarker : RecordKind.AbortMarker,
    });
    if (!commit) {
      let ranges = this.aborted.get(producerId);
      if (!ranges) this.aborted.set(producerId, (ranges = []));
      ranges.push({ first, last: offset });
    }
    this.openTxns.delete(producerId);
    if (this.openTxns.size > 0) this.lso = Math.min(...this.openTxns.values());
  }

  /** Whether the transactional record at `offset` of `producerId` belongs to an aborted transaction. */
  isAborted(producerId: number, offset: number): boolean {
    const ranges = this.aborted.get(producerId);
    if (!ranges) return false;
    // First range ending at or after offset; ranges of one producer never overlap.
    let lo = 0;
    let hi = ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ranges[mid]!.last < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo < ranges.length && ranges[lo]!.first <= offset;
  }

  /** Index of the first stored record with offset >= `offset`. */
  private indexOf(offset: number): number {
    const recs = this.records;
    const guess = offset - (recs.length ? recs[0]!.offset : 0);
    // Without compaction gaps the index is just the offset delta.
    if (guess >= 0 && guess < recs.length && recs[guess]!.offset === offset) return guess;
    let lo = 0;
    let hi = recs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (recs[mid]!.offset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Appends up to `max` deliverable records from `position` to `out` and returns the next fetch position, which
   * moves past markers, aborted records (read_committed) and compaction gaps, but never past the last stable
   * offset (read_committed) or the log end.
   */
  read(position: number, max: number, isolation: IsolationLevel, out: ConsumedRecord[]): number {
    const committed = isolation === 'read_committed';
    const limit = committed ? this.lastStableOffset : this.nextOffset;
    if (position >= limit || max <= 0) return position;
    const recs = this.records;
    let i = this.indexOf(position);
    let pos = position;
    let taken = 0;
    while (i < recs.length && taken < max) {
      const r = recs[i++]!;
      if (r.offset >= limit) break;
      pos = r.offset + 1;
      if (r.kind !== RecordKind.Data) continue;
      if (committed && r.producerId >= 0 && this.isAborted(r.producerId, r.offset)) continue;
      out.push({
        topic: this.topic,
        partition: this.partition,
        offset: r.offset,
        key: r.key,
        value: r.value,
        timestamp: r.timestamp,
        headers: r.headers ?? {},
      });
      taken++;
    }
    // Everything up to the limit was scanned: skip the gap (markers, compacted offsets) up to it.
    return taken < max ? limit : pos;
  }

  /**
   * Keeps the latest record per key below the last stable offset, drops aborted records, control markers and
   * null-key records there; records at or above it (undecided transactions) are left alone. Offsets do not change.
   * Returns the number of records removed.
   */
  compact(options: CompactOptions = {}): number {
    this.dirty = 0;
    const stable = this.lastStableOffset;
    const latest = new Map<string, number>();
    const live = (r: StoredRecord): boolean =>
      r.kind === RecordKind.Data && r.key !== null && !(r.producerId >= 0 && this.isAborted(r.producerId, r.offset));
    for (const r of this.records) {
      if (r.offset >= stable) break;
      // latin1 maps each byte to one char, so distinct keys stay distinct.
      if (live(r)) latest.set(r.key!.toString('latin1'), r.offset);
    }
    const before = this.records.length;
    this.records = this.records.filter((r) => {
      if (r.offset >= stable) return true;
      if (!live(r) || latest.get(r.key!.toString('latin1')) !== r.offset) return false;
      return !(options.removeTombstones && r.value === null);
    });
    // Aborted ranges below the stable offset describe records that are gone now.
    for (const [pid, ranges] of this.aborted) {
      const kept = ranges.filter((range) => range.last >= stable);
      if (kept.length) this.aborted.set(pid, kept);
      else this.aborted.delete(pid);
    }
    return before - this.records.length;
  }
}
