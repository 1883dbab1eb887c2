import type { ProductionExceptionHandler, Logger } from '../config.js';
import { ProductionError, StreamsError } from '../errors.js';
import type { MessageHeaders, Producer } from '../kafka/client.js';
import type { RecordCollector } from './record-collector.js';

/**
 * The stream thread's record collector: sinks and changelogs go to its producer (transactional under
 * exactly-once). `flush` waits for the acknowledgements, applies the production exception handler to failed
 * records, and remembers the last offset per partition (changelog offsets for store checkpoints).
 */
export class ProducerCollector implements RecordCollector {
  readonly #offsets = new Map<string, number>();
  sent = 0;

  constructor(
    private readonly producer: Producer,
    private readonly partitionCounts: (topic: string) => number | undefined,
    private readonly handler: ProductionExceptionHandler,
    private readonly logger: Logger,
    /** Under exactly-once every failure fails the transaction, whatever the handler says. */
    private readonly exactlyOnce: boolean,
  ) {}

  send(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: MessageHeaders, partition: number | undefined): void {
    this.producer.send({ topic, partition, key, value, timestamp, headers });
    this.sent++;
  }

  partitionsFor(topic: string): number | undefined {
    return this.partitionCounts(topic);
  }

  async flush(): Promise<void> {
    const result = await this.producer.flush();
    for (const [k, o] of result.lastOffsets) this.#offsets.set(k, o);
    for (const { record, error } of result.failures) {
      // a retriable failure is not the handler's to judge: the thread reprocesses from the last commit (KIP-399)
      if (error instanceof StreamsError && error.retriable) throw error;
      if (this.exactlyOnce || this.handler === 'logAndFail') throw error instanceof StreamsError ? error : new ProductionError(record.topic, error);
      if (this.handler === 'logAndContinue') {
        this.logger.warn(`Dropping a record for '${record.topic}' after a send failure: ${error.message}`);
        continue;
      }
      if (this.handler(error, record) === 'fail') throw new ProductionError(record.topic, error);
    }
  }

  offsets(): ReadonlyMap<string, number> {
    return this.#offsets;
  }
}
