/**
 * The transaction coordinator: producer ids and epochs per transactional id, the open transaction of each (its
 * partitions and pending group offsets), commit/abort markers, fencing of older epochs, and transaction timeouts.
 */
import type { TopicPartitionOffset } from '../client.js';
import { tpKey } from '../client.js';
import { ProducerFencedError } from '../../errors.js';
import type { ConsumerGroup } from './consumer-group.js';
import type { PartitionLog } from './partition-log.js';

export interface TxnContext {
  /** The group, created if unknown (offsets may be committed for a group with no members). */
  group(groupId: string): ConsumerGroup;
  notify(): void;
}

export interface OpenTxn {
  /** Partitions this transaction wrote to (each gets a marker when it ends). */
  readonly partitions: Set<PartitionLog>;
  /** groupId -> tpKey -> offset, committed to the group when the transaction commits. */
  readonly offsets: Map<string, Map<string, TopicPartitionOffset>>;
  timer: NodeJS.Timeout | null;
}

interface TxnEntry {
  readonly transactionalId: string;
  readonly producerId: number;
  epoch: number;
  timeoutMs: number;
  open: OpenTxn | null;
  /** Why the current epoch replaced older ones, for the message older producers get. */
  fenceReason: string;
}

export interface ProducerIdentity {
  readonly producerId: number;
  readonly epoch: number;
}

export class TransactionCoordinator {
  private readonly entries = new Map<string, TxnEntry>();
  private nextProducerId = 1000;

  constructor(private readonly ctx: TxnContext) {}

  /** A producer id for an idempotent, non-transactional producer. */
  allocateProducerId(): number {
    return this.nextProducerId++;
  }

  /**
   * initTransactions: the first call for an id allocates a producer id; later calls bump the epoch, which fences
   * every older producer with that id, and abort the transaction the older producer left open.
   */
  initProducer(transactionalId: string, timeoutMs: number): ProducerIdentity {
    let entry = this.entries.get(transactionalId);
    if (!entry) {
      entry = { transactionalId, producerId: this.nextProducerId++, epoch: 0, timeoutMs, open: null, fenceReason: '' };
      this.entries.set(transactionalId, entry);
    } else {
      if (entry.open) this.complete(entry, false);
      entry.epoch++;
      entry.fenceReason = 'a newer producer with the same transactional id called initTransactions';
    }
    entry.timeoutMs = timeoutMs;
    return { producerId: entry.producerId, epoch: entry.epoch };
  }

  /** Throws ProducerFencedError if `epoch` is no longer the current epoch of the id. */
  checkEpoch(transactionalId: string, epoch: number): void {
    const entry = this.entries.get(transactionalId);
    if (entry && entry.epoch === epoch) return;
    throw new ProducerFencedError(
      `Producer with transactional id '${transactionalId}' (epoch ${epoch}) was fenced: ` +
        `${entry?.fenceReason || 'its epoch is stale'}. ` +
        `Its open transaction was aborted; close this producer and create a new one (Kafka Streams: the task migrated).`,
    );
  }

  /** The open transaction of the id, started now if none (which starts its timeout). */
  openTransaction(transactionalId: string, epoch: number): OpenTxn {
    this.checkEpoch(transactionalId, epoch);
    const entry = this.entries.get(transactionalId)!;
    if (entry.open) return entry.open;
    const txn: OpenTxn = { partitions: new Set(), offsets: new Map(), timer: null };
    entry.open = txn;
    txn.timer = setTimeout(() => {
      if (entry.open !== txn) return;
      this.complete(entry, false);
      // Kafka bumps the epoch when it aborts a timed-out transaction, so the late producer cannot commit.
      entry.epoch++;
      entry.fenceReason = `its transaction was open longer than transactionTimeoutMs (${entry.timeoutMs} ms) and was aborted`;
      this.ctx.notify();
    }, entry.timeoutMs);
    txn.timer.unref();
    return txn;
  }

  hasOpenTransaction(transactionalId: string): boolean {
    return this.entries.get(transactionalId)?.open != null;
  }

  /**
   * sendOffsetsToTransaction: validates the member's generation (a stale one is fenced) and records the offsets as
   * pending; they become the group's committed offsets when the transaction commits.
   */
  addOffsets(
    transactionalId: string,
    epoch: number,
    groupId: string,
    offsets: readonly TopicPartitionOffset[],
    generationId: number,
    memberId: string,
  ): void {
    this.checkEpoch(transactionalId, epoch);
    const group = this.ctx.group(groupId);
    const stale = group.validateTxnCommit(memberId, generationId);
    if (stale) throw stale;
    const txn = this.openTransaction(transactionalId, epoch);
    const producerId = this.entries.get(transactionalId)!.producerId;
    let pending = txn.offsets.get(groupId);
    if (!pending) txn.offsets.set(groupId, (pending = new Map()));
    for (const o of offsets) {
      const key = tpKey(o.topic, o.partition);
      pending.set(key, o);
      group.pendingTxnOffsets.set(key, producerId);
    }
  }

  /** Commits or aborts the open transaction of the id (a no-op if nothing was sent in it). */
  endTransaction(transactionalId: string, epoch: number, commit: boolean): void {
    this.checkEpoch(transactionalId, epoch);
    const entry = this.entries.get(transactionalId)!;
    if (entry.open) this.complete(entry, commit);
  }

  /** Aborts the open transaction if `epoch` is still current (a crashed or closing producer). */
  abortIfCurrent(transactionalId: string, epoch: number): void {
    const entry = this.entries.get(transactionalId);
    if (entry && entry.epoch === epoch && entry.open) this.complete(entry, false);
  }

  private complete(entry: TxnEntry, commit: boolean): void {
    const txn = entry.open!;
    entry.open = null;
    if (txn.timer) clearTimeout(txn.timer);
    const now = Date.now();
    for (const log of txn.partitions) log.endTransaction(entry.producerId, commit, now);
    for (const [groupId, offsets] of txn.offsets) {
      const group = this.ctx.group(groupId);
      for (const [key, o] of offsets) {
        if (group.pendingTxnOffsets.get(key) === entry.producerId) group.pendingTxnOffsets.delete(key);
        if (commit) group.commitOffset(o.topic, o.partition, o.offset);
      }
    }
    this.ctx.notify();
  }

  close(): void {
    for (const entry of this.entries.values()) {
      if (entry.open?.timer) clearTimeout(entry.open.timer);
    }
  }
}
