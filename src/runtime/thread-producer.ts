import type { FlushResult, GroupMetadata, Producer, ProducerRecord, TopicPartitionOffset } from '../kafka/client.js';

/**
 * The stream thread's producer, replaceable: a fenced transactional producer is unusable for good, so Kafka Streams
 * creates a new one with the same transactional id (its initTransactions fences the old epoch and aborts what the
 * old one left open). Everything holding the thread's producer (the record collector, the commit) keeps this object.
 */
export class ThreadProducer implements Producer {
  #current: Producer;

  constructor(private readonly create: () => Producer) {
    this.#current = create();
  }

  /** Close the current producer and continue with a new one, connected and (transactional) initialised. */
  async replace(): Promise<void> {
    const old = this.#current;
    this.#current = this.create();
    // best effort: the old producer is fenced or broken; the new one's initTransactions aborts its open transaction
    await old.close().catch(() => undefined);
    await this.#current.connect();
    await this.#current.initTransactions();
  }

  connect(): Promise<void> {
    return this.#current.connect();
  }

  send(record: ProducerRecord): void {
    this.#current.send(record);
  }

  flush(): Promise<FlushResult> {
    return this.#current.flush();
  }

  initTransactions(): Promise<void> {
    return this.#current.initTransactions();
  }

  beginTransaction(): Promise<void> {
    return this.#current.beginTransaction();
  }

  sendOffsetsToTransaction(offsets: readonly TopicPartitionOffset[], group: GroupMetadata): Promise<void> {
    return this.#current.sendOffsetsToTransaction(offsets, group);
  }

  commitTransaction(): Promise<void> {
    return this.#current.commitTransaction();
  }

  abortTransaction(): Promise<void> {
    return this.#current.abortTransaction();
  }

  close(): Promise<void> {
    return this.#current.close();
  }
}
