import type { MessageHeaders } from '../kafka/client.js';

/**
 * Where a task's output goes (sinks and changelogs). The stream thread's collector writes to a producer;
 * the test driver's writes to its captured topics. Sends are synchronous; `flush` waits for acknowledgement.
 */
export interface RecordCollector {
  send(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: MessageHeaders,
    partition: number | undefined,
    /**
     * Called once the record is acknowledged (no argument) or has failed (the error), as a Kafka producer's send
     * callback; dead letters log from it. A collector that writes synchronously may call it at once.
     */
    onDelivery?: (failure?: Error) => void,
  ): void;
  /** Partition count of a topic when known (needed by custom stream partitioners); undefined when unknown. */
  partitionsFor(topic: string): number | undefined;
  flush(): Promise<void>;
  /** Last offset written per partition (key: tpKey) since the collector was created. */
  offsets(): ReadonlyMap<string, number>;
}
