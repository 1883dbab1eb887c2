import type { DeserializationExceptionHandler, Logger, ProcessingExceptionHandler, ProductionExceptionHandler, ProductionRecord } from '../config.js';
import { describeCause, StreamsError } from '../errors.js';
import type { ConsumedRecord, MessageHeaders } from '../kafka/client.js';
import type { RecordCollector } from './record-collector.js';

/** Header names of a dead-letter record, as Kafka Streams 4.x (KIP-1034) writes them. */
export const DLQ_HEADERS = Object.freeze({
  exception: '__streams.errors.exception',
  message: '__streams.errors.message',
  stacktrace: '__streams.errors.stacktrace',
  topic: '__streams.errors.topic',
  partition: '__streams.errors.partition',
  offset: '__streams.errors.offset',
});

export function deadLetterHeaders(error: Error, record: ConsumedRecord): MessageHeaders {
  const cause = (error as { cause?: unknown }).cause;
  const root = cause instanceof Error ? cause : error;
  return {
    ...record.headers,
    [DLQ_HEADERS.exception]: Buffer.from(root.name),
    [DLQ_HEADERS.message]: Buffer.from(error.message),
    [DLQ_HEADERS.stacktrace]: Buffer.from(root.stack ?? ''),
    [DLQ_HEADERS.topic]: Buffer.from(record.topic),
    [DLQ_HEADERS.partition]: Buffer.from(String(record.partition)),
    [DLQ_HEADERS.offset]: Buffer.from(String(record.offset)),
  };
}

/**
 * Applies a deserialization or processing handler: returns normally when the record is to be skipped
 * (logged, or sent to the dead-letter topic), throws the error when the handler says fail.
 */
export function handleRecordError(
  handler: DeserializationExceptionHandler | ProcessingExceptionHandler,
  error: StreamsError,
  record: ConsumedRecord,
  collector: RecordCollector,
  logger: Logger,
): void {
  if (handler === 'logAndFail') {
    logger.error(error.message);
    throw error;
  }
  if (handler === 'logAndContinue') {
    logger.warn(`Skipping record: ${error.message}`);
    return;
  }
  if (typeof handler === 'function') {
    const response = (handler as (e: StreamsError, r: ConsumedRecord) => 'continue' | 'fail')(error, record);
    if (response === 'fail') throw error;
    logger.warn(`Skipping record (handler said continue): ${describeCause(error)}`);
    return;
  }
  // KIP-1034: the dead letter goes through the task's collector like any output, so it is written (and, under
  // exactly-once, committed) with the task's other records; only its acknowledgement says it was sent.
  const topic = handler.deadLetterTopic;
  const what = `the record from topic '${record.topic}', partition ${record.partition}, offset ${record.offset}`;
  logger.warn(`Skipping ${what}, queued for dead-letter topic '${topic}': ${error.message}`);
  collector.send(topic, record.key, record.value, record.timestamp, deadLetterHeaders(error, record), undefined, (failure) => {
    if (failure) logger.error(`Failed to write ${what} to dead-letter topic '${topic}': ${describeCause(failure)}`);
    else logger.info(`Sent ${what} to dead-letter topic '${topic}'.`);
  });
}

/**
 * Asks the production exception handler about a fatal, record-specific failure (a sink's serde failed, or the
 * broker rejected the record): true when the record is to be dropped, false when the thread must fail. Retriable
 * send errors never get here (they are retried). A handler that throws or answers neither 'continue' nor 'fail'
 * is itself a fatal error, as Kafka's "Fatal user code error in production error callback".
 */
export function productionHandlerContinues(handler: ProductionExceptionHandler, error: Error, record: ProductionRecord): boolean {
  if (handler === 'logAndContinue') return true;
  if (handler === 'logAndFail') return false;
  let response: unknown;
  try {
    response = handler(error, record);
  } catch (e) {
    throw new StreamsError(
      `The productionExceptionHandler threw while handling a failed record for topic '${record.topic}': ${describeCause(e)}. ` +
        `The record's error was: ${error.message}`,
      'PRODUCTION_HANDLER_FAILED',
      { cause: e },
    );
  }
  if (response === 'continue') return true;
  if (response === 'fail') return false;
  throw new StreamsError(
    `The productionExceptionHandler must return 'continue' or 'fail', but returned ${String(response)} for a record for topic '${record.topic}'. ` +
      `The record's error was: ${error.message}`,
    'PRODUCTION_HANDLER_FAILED',
    { cause: error },
  );
}
