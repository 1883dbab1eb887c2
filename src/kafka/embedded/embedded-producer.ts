/**
 * Producer of the embedded cluster: idempotent (a producer id; nothing is ever duplicated in memory) and
 * transactional (epochs, fencing, markers, offsets in transactions). `send` only buffers; `flush` appends.
 */
import type { FlushResult, GroupMetadata, Producer, ProducerOptions, ProducerRecord, TopicPartitionOffset } from '../client.js';
import { IllegalStateError, KafkaError, ProducerFencedError } from '../../errors.js';
import type { Broker } from './broker.js';
import { ClientLife } from './client-life.js';
import type { OwnedClient } from './crash.js';
import { invalidRecord, unknownPartition, unknownTopic } from './kafka-errors.js';
import type { Topic } from './topic.js';
import { sleep } from './signal.js';
import { TransactionStateMachine } from './transaction-state.js';

const EMPTY_RESULT: FlushResult = { lastOffsets: new Map(), failures: [] };
const DEFAULT_TRANSACTION_TIMEOUT_MS = 60_000;

type Failure = FlushResult['failures'][number];

export class EmbeddedProducer implements Producer, OwnedClient {
  private buffer: ProducerRecord[] = [];
  private readonly life: ClientLife;
  private readonly txnId: string | undefined;
  private readonly txn: TransactionStateMachine | null;
  private epoch = -1;
  private producerId = -1;

  constructor(
    private readonly broker: Broker,
    readonly options: ProducerOptions,
    private readonly onClose: () => void = () => {},
  ) {
    this.life = new ClientLife('producer', broker);
    this.txnId = options.transactionalId;
    this.txn = this.txnId === undefined ? null : new TransactionStateMachine(this.txnId);
    if (!this.txn) this.producerId = broker.txns.allocateProducerId();
  }

  /** Transaction state (UNINITIALIZED... for transactional producers, null otherwise); for tests and diagnostics. */
  get transactionState(): string | null {
    return this.txn?.state ?? null;
  }

  async connect(): Promise<void> {
    this.life.ensureUsable();
  }

  send(record: ProducerRecord): void {
    this.life.ensureUsable();
    if (this.txn) {
      const s = this.txn.state;
      // A programming error (no transaction), unlike broker errors, which flush reports.
      if (s === 'UNINITIALIZED' || s === 'READY' || s === 'CLOSED') this.txn.require(['IN_TRANSACTION'], 'send');
    }
    this.buffer.push(record);
  }

  async flush(): Promise<FlushResult> {
    this.life.ensureUsable();
    this.checkFenced();
    const delay = this.broker.faults.flushDelayMs;
    if (delay > 0) {
      await sleep(delay);
      this.life.ensureUsable();
      this.checkFenced();
    }
    const batch = this.buffer;
    if (batch.length === 0) return EMPTY_RESULT;
    this.buffer = [];
    const result = this.append(batch);
    if (result.failures.length > 0 && this.txn?.state === 'IN_TRANSACTION') {
      this.txn.transition('ABORTABLE_ERROR', 'continue after failed sends');
    }
    return result;
  }

  private append(batch: readonly ProducerRecord[]): FlushResult {
    const broker = this.broker;
    const faults = broker.faults;
    const checkFaults = faults.hasSendFailures;
    const openTxn = this.txn && this.txnId !== undefined ? broker.txns.openTransaction(this.txnId, this.epoch) : null;
    const pid = openTxn ? this.producerId : -1;
    const lastOffsets = new Map<string, number>();
    const failures: Failure[] = [];
    let topic: Topic | undefined;
    for (const rec of batch) {
      if (topic === undefined || topic.name !== rec.topic) topic = broker.topics.get(rec.topic);
      if (topic === undefined) {
        failures.push({ record: rec, error: unknownTopic(rec.topic) });
        continue;
      }
      if (checkFaults) {
        const injected = faults.takeSendFailure(rec.topic);
        if (injected) {
          failures.push({ record: rec, error: injected });
          continue;
        }
      }
      const p = rec.partition ?? topic.partitionFor(rec.key);
      if (!(p >= 0 && p < topic.partitionCount) || !Number.isInteger(p)) {
        failures.push({ record: rec, error: unknownPartition(rec.topic, p, topic.partitionCount) });
        continue;
      }
      if (rec.key === null && topic.compacted) {
        failures.push({ record: rec, error: invalidRecord(rec.topic, 'compacted topics do not accept records with a null key') });
        continue;
      }
      const log = topic.partitions[p]!;
      if (openTxn) openTxn.partitions.add(log);
      lastOffsets.set(topic.keys[p]!, log.append(rec.key, rec.value, rec.timestamp, rec.headers, pid));
    }
    if (lastOffsets.size > 0) broker.notify();
    return { lastOffsets, failures };
  }

  async initTransactions(): Promise<void> {
    this.life.ensureUsable();
    const txn = this.requireTransactional('initTransactions');
    txn.require(['UNINITIALIZED'], 'initTransactions');
    const id = this.broker.txns.initProducer(this.txnId!, this.options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS);
    this.producerId = id.producerId;
    this.epoch = id.epoch;
    txn.transition('READY', 'initTransactions');
  }

  async beginTransaction(): Promise<void> {
    this.life.ensureUsable();
    const txn = this.requireTransactional('beginTransaction');
    this.checkFenced();
    txn.transition('IN_TRANSACTION', 'beginTransaction');
  }

  async sendOffsetsToTransaction(offsets: readonly TopicPartitionOffset[], group: GroupMetadata): Promise<void> {
    this.life.ensureUsable();
    const txn = this.requireTransactional('sendOffsetsToTransaction');
    this.checkFenced();
    txn.require(['IN_TRANSACTION'], 'sendOffsetsToTransaction');
    try {
      this.broker.txns.addOffsets(this.txnId!, this.epoch, group.groupId, offsets, group.generationId, group.memberId);
    } catch (err) {
      // A stale group generation makes this transaction abortable only; the producer itself stays usable.
      if (err instanceof ProducerFencedError && txn.state === 'IN_TRANSACTION' && this.isCurrentEpoch()) {
        txn.transition('ABORTABLE_ERROR', 'sendOffsetsToTransaction');
      }
      throw err;
    }
  }

  async commitTransaction(): Promise<void> {
    this.life.ensureUsable();
    const txn = this.requireTransactional('commitTransaction');
    this.checkFenced();
    if (txn.state === 'ABORTABLE_ERROR') {
      throw new KafkaError(
        `Transactional producer '${this.txnId}': cannot commit, a send or offset commit of this transaction failed; ` +
          `call abortTransaction().`,
        { kafkaCode: 'TRANSACTION_ABORTABLE' },
      );
    }
    txn.transition('COMMITTING', 'commitTransaction');
    let flushed: FlushResult;
    try {
      flushed = await this.flush();
    } catch (err) {
      this.afterFailedCommit(err);
      throw err;
    }
    if (flushed.failures.length > 0) {
      txn.transition('ABORTABLE_ERROR', 'commitTransaction');
      const first = flushed.failures[0]!;
      throw new KafkaError(
        `Transactional producer '${this.txnId}': ${flushed.failures.length} record(s) failed while committing ` +
          `(first: ${first.error.message}); the transaction must be aborted.`,
        { kafkaCode: 'TRANSACTION_ABORTABLE', cause: first.error },
      );
    }
    const injected = this.broker.faults.takeCommitFailure();
    try {
      if (injected) throw injected;
      this.broker.txns.endTransaction(this.txnId!, this.epoch, true);
    } catch (err) {
      this.afterFailedCommit(err);
      throw err;
    }
    txn.transition('READY', 'commitTransaction');
  }

  async abortTransaction(): Promise<void> {
    this.life.ensureUsable();
    const txn = this.requireTransactional('abortTransaction');
    this.checkFenced();
    txn.transition('ABORTING', 'abortTransaction');
    // Unsent records of an aborted transaction are discarded, as the Java producer does.
    this.buffer = [];
    this.broker.txns.endTransaction(this.txnId!, this.epoch, false);
    txn.transition('READY', 'abortTransaction');
  }

  /** Flushes pending records (a transactional producer instead aborts its open transaction), then closes. */
  async close(): Promise<void> {
    if (this.life.state !== 'open') return;
    if (!this.broker.closed) {
      if (this.txn) {
        this.buffer = [];
        if (this.txnId !== undefined && this.epoch >= 0) this.broker.txns.abortIfCurrent(this.txnId, this.epoch);
      } else if (this.buffer.length > 0) {
        await this.flush();
      }
    }
    this.txn?.force('CLOSED');
    this.life.state = 'closed';
    this.onClose();
  }

  crashNow(): void {
    if (this.life.state !== 'open') return;
    this.life.state = 'crashed';
    this.buffer = [];
    if (this.txnId !== undefined && this.epoch >= 0) this.broker.txns.abortIfCurrent(this.txnId, this.epoch);
  }

  private requireTransactional(operation: string): TransactionStateMachine {
    if (!this.txn) {
      throw new IllegalStateError(`Cannot ${operation}: this producer has no transactionalId. Pass one in the producer options.`);
    }
    return this.txn;
  }

  private isCurrentEpoch(): boolean {
    try {
      this.broker.txns.checkEpoch(this.txnId!, this.epoch);
      return true;
    } catch {
      return false;
    }
  }

  /** A fenced producer fails every call after it learns so (and drops what it buffered). */
  private checkFenced(): void {
    if (!this.txn || this.epoch < 0) return;
    try {
      this.broker.txns.checkEpoch(this.txnId!, this.epoch);
    } catch (err) {
      this.txn.force('FENCED');
      this.buffer = [];
      throw err;
    }
  }

  private afterFailedCommit(err: unknown): void {
    const txn = this.txn!;
    if (err instanceof ProducerFencedError) {
      // Fenced: the coordinator aborts the transaction; the producer is unusable.
      this.broker.txns.abortIfCurrent(this.txnId!, this.epoch);
      txn.force('FENCED');
      this.buffer = [];
    } else if (txn.state === 'COMMITTING') {
      txn.transition('IN_TRANSACTION', 'retry the commit');
    }
  }
}
