import type { DeserializationExceptionHandler, Logger, ProcessingExceptionHandler } from '../config.js';
import { describeCause, type StreamsError } from '../errors.js';
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
  collector.send(handler.deadLetterTopic, record.key, record.value, record.timestamp, deadLetterHeaders(error, record), undefined);
  logger.warn(`Sent record to dead-letter topic '${handler.deadLetterTopic}': ${error.message}`);
}
