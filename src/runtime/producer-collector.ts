import type { ProductionExceptionHandler, Logger } from '../config.js';
import { ProductionError, StreamsError, TaskCorruptedError } from '../errors.js';
import type { MessageHeaders, Producer, ProducerRecord } from '../kafka/client.js';
import { productionHandlerContinues } from './error-handling.js';
import type { RecordCollector } from './record-collector.js';

type Delivery = (failure?: Error) => void;

/**
 * The stream thread's record collector: sinks and changelogs go to its producer (transactional under
 * exactly-once). `flush` waits for the acknowledgements, reports each record that asked for it (dead letters),
 * applies the production exception handler to records that failed for good, and remembers the last offset per
 * partition (changelog offsets for store checkpoints).
 */
export class ProducerCollector implements RecordCollector {
  readonly #offsets = new Map<string, number>();
  /** Records sent since the last flush that wait for their delivery report. */
  #awaitingDelivery: { record: ProducerRecord; onDelivery: Delivery }[] = [];
  sent = 0;

  constructor(
    private readonly producer: Producer,
    private readonly partitionCounts: (topic: string) => number | undefined,
    private readonly handler: ProductionExceptionHandler,
    private readonly logger: Logger,
    /** Under exactly-once every failure fails the transaction, whatever the handler says. */
    private readonly exactlyOnce: boolean,
  ) {}

  send(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: MessageHeaders,
    partition: number | undefined,
    onDelivery?: Delivery,
  ): void {
    const record: ProducerRecord = { topic, partition, key, value, timestamp, headers };
    this.producer.send(record);
    if (onDelivery) this.#awaitingDelivery.push({ record, onDelivery });
    this.sent++;
  }

  partitionsFor(topic: string): number | undefined {
    return this.partitionCounts(topic);
  }

  async flush(): Promise<void> {
    const awaiting = this.#awaitingDelivery;
    this.#awaitingDelivery = [];
    let result: Awaited<ReturnType<Producer['flush']>>;
    try {
      result = await this.producer.flush();
    } catch (e) {
      for (const { onDelivery } of awaiting) onDelivery(e instanceof Error ? e : new Error(String(e)));
      throw e;
    }
    for (const [k, o] of result.lastOffsets) this.#offsets.set(k, o);
    if (awaiting.length) {
      const failed = new Map(result.failures.map((f) => [f.record, f.error]));
      for (const { record, onDelivery } of awaiting) onDelivery(failed.get(record));
    }
    for (const { record, error } of result.failures) {
      if (error instanceof StreamsError && error.retriable) {
        // Not the handler's business (Kafka asks it only about fatal errors, or retries): the record is lost from
        // the producer's buffer, so the tasks must resume from their last committed offsets, as Kafka's
        // RecordCollectorImpl does with TaskCorruptedException.
        throw new TaskCorruptedError(
          [],
          `Sending a record to topic '${record.topic}' failed with a retriable error (${error.message}); ` +
            `the thread's tasks resume from their last committed offsets.`,
          { cause: error },
        );
      }
      if (this.exactlyOnce) throw error instanceof StreamsError ? error : new ProductionError(record.topic, error);
      if (!productionHandlerContinues(this.handler, error, record)) throw new ProductionError(record.topic, error);
      this.logger.warn(`Dropping a record for '${record.topic}' after a send failure (productionExceptionHandler said continue): ${error.message}`);
    }
  }

  offsets(): ReadonlyMap<string, number> {
    return this.#offsets;
  }
}
