/**
 * The one errors module. Every error Sluice throws derives from StreamsError and carries a stable `code`
 * and a `retriable` flag, so callers (and the uncaught-exception handler) can decide what to do next.
 * Messages say what was wrong and what to do about it.
 */
export interface StreamsErrorOptions {
  cause?: unknown;
  retriable?: boolean;
}

export class StreamsError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  constructor(message: string, code = 'STREAMS_ERROR', options: StreamsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** An invalid topology or DSL use, detected when the topology is built. */
export class TopologyError extends StreamsError {
  constructor(message: string, options?: StreamsErrorOptions) {
    super(message, 'INVALID_TOPOLOGY', options);
  }
}

/** Invalid configuration given to KafkaStreams or the test driver. */
export class ConfigError extends StreamsError {
  constructor(message: string, options?: StreamsErrorOptions) {
    super(message, 'INVALID_CONFIG', options);
  }
}

/** Where a record came from, carried by errors that concern one record. */
export interface RecordLocation {
  topic?: string;
  partition?: number;
  offset?: number;
}

function at(loc: RecordLocation): string {
  const parts: string[] = [];
  if (loc.topic !== undefined) parts.push(`topic '${loc.topic}'`);
  if (loc.partition !== undefined && loc.partition >= 0) parts.push(`partition ${loc.partition}`);
  if (loc.offset !== undefined && loc.offset >= 0) parts.push(`offset ${loc.offset}`);
  return parts.length ? parts.join(', ') : 'unknown location';
}

/** Which part of a record a serde failed on, named as Kafka's ProductionExceptionHandler.SerializationExceptionOrigin. */
export type SerializationExceptionOrigin = 'KEY' | 'VALUE';

/** A record a sink could not serialize, as the sink had it (Kafka hands the handler the unserialized ProducerRecord). */
export interface UnserializedRecord {
  readonly topic: string;
  readonly key: unknown;
  readonly value: unknown;
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, Buffer>>;
}

/** Where a sink's serialization failure happened: the sink, the record it wrote, and the input record being processed. */
export interface SinkFailure {
  readonly node: string;
  readonly record: UnserializedRecord;
  readonly source: RecordLocation | undefined;
}

/**
 * A serde failed to serialize or deserialize a key or value. Deserializing a source record, it goes to the
 * deserializationExceptionHandler; serializing at a sink (output or repartition topic), to the
 * productionExceptionHandler (KIP-399), with `node` and `record` set.
 */
export class SerdeError extends StreamsError {
  readonly location: RecordLocation;
  readonly part: 'key' | 'value';
  readonly origin: SerializationExceptionOrigin;
  readonly direction: 'serialize' | 'deserialize';
  /** The sink that failed to serialize (serialization errors only). */
  readonly node: string | undefined;
  /** The record the sink failed to serialize (serialization errors only). */
  readonly record: UnserializedRecord | undefined;
  constructor(part: 'key' | 'value', direction: 'serialize' | 'deserialize', location: RecordLocation, cause: unknown, sink?: SinkFailure) {
    super(sink ? sinkMessage(part, location, cause, sink) : sourceMessage(part, direction, location, cause), 'SERDE_ERROR', { cause });
    this.location = location;
    this.part = part;
    this.origin = part === 'key' ? 'KEY' : 'VALUE';
    this.direction = direction;
    this.node = sink?.node;
    this.record = sink?.record;
  }
}

function sourceMessage(part: 'key' | 'value', direction: 'serialize' | 'deserialize', location: RecordLocation, cause: unknown): string {
  return (
    `Failed to ${direction} the record ${part} at ${at(location)}: ${describeCause(cause)}. ` +
    `Check that the ${part} serde matches the data in the topic, or configure a deserializationExceptionHandler ` +
    `('logAndContinue' or a dead-letter topic) to skip bad records.`
  );
}

function sinkMessage(part: 'key' | 'value', location: RecordLocation, cause: unknown, sink: SinkFailure): string {
  return (
    `Sink '${sink.node}' failed to serialize the record ${part} for topic '${location.topic}' ` +
    `(${sink.source ? `input record from ${at(sink.source)}` : 'written by a punctuation'}): ${describeCause(cause).replace(/\.$/, '')}. ` +
    `Fix the sink's ${part} serde (Produced.with, Grouped.with, Repartitioned.with or addSink), or configure a ` +
    `productionExceptionHandler ('logAndContinue', or a function returning 'continue') to drop records that cannot be serialized.`
  );
}

/** A user function (predicate, mapper, aggregator, processor...) threw while processing a record. */
export class ProcessingError extends StreamsError {
  readonly node: string;
  readonly location: RecordLocation;
  constructor(node: string, location: RecordLocation & { timestamp?: number }, cause: unknown) {
    super(
      `Processor '${node}' failed on the record from ${at(location)}` +
        (location.timestamp !== undefined ? ` (timestamp ${location.timestamp})` : '') +
        `: ${describeCause(cause)}. Fix the function or configure a processingExceptionHandler.`,
      'PROCESSING_ERROR',
      { cause },
    );
    this.node = node;
    this.location = location;
  }
}

/** A state store failed, or was used wrongly (unknown, closed, bad stored bytes, corrupt directory). */
export class StateStoreError extends StreamsError {
  readonly store: string;
  constructor(store: string, message: string, options?: StreamsErrorOptions, code = 'STATE_STORE_ERROR') {
    super(`State store '${store}': ${message}`, code, options);
    this.store = store;
  }
}

/**
 * A store directory cannot be read or written (permissions, immutable files, a read-only file system). Fatal: it is
 * not corrupt, so nothing in it is deleted; fix the permissions or point stateDir elsewhere.
 */
export class StateDirectoryAccessError extends StateStoreError {
  readonly directory: string;
  constructor(store: string, directory: string, message: string, options?: StreamsErrorOptions) {
    super(store, message, { ...options, retriable: false }, 'STATE_DIR_ACCESS');
    this.directory = directory;
  }
}

/** A store was queried while it is not available (rebalancing, migrated, not yet restored). Retry later. */
export class InvalidStateStoreError extends StreamsError {
  constructor(message: string, options?: StreamsErrorOptions) {
    super(message, 'INVALID_STATE_STORE', { retriable: true, ...options });
  }
}

/**
 * The thread lost ownership of its tasks (fenced producer, rebalanced away): it is a zombie. Tasks are closed
 * dirty and the member rejoins the group; nothing it wrote after the last commit becomes visible.
 */
export class TaskMigratedError extends StreamsError {
  constructor(message: string, options?: StreamsErrorOptions) {
    super(message, 'TASK_MIGRATED', { retriable: true, ...options });
  }
}

/**
 * Local state or output of a task cannot be trusted (Kafka's TaskCorruptedException): its state is wiped and
 * restored, and it resumes from its last committed offsets. Empty `taskIds`: every active task of the thread that
 * raised it (a retriable send failure: the thread's producer is shared by its tasks).
 */
export class TaskCorruptedError extends StreamsError {
  readonly taskIds: readonly string[];
  constructor(taskIds: readonly string[], message: string, options?: StreamsErrorOptions) {
    super(message, 'TASK_CORRUPTED', { retriable: true, ...options });
    this.taskIds = taskIds;
  }
}

/**
 * Retriable errors (a failed poll, send or commit) kept a stream thread from making progress for longer than
 * `taskTimeoutMs` (Kafka Streams' task.timeout.ms): it gives up; the uncaught-exception handler decides what next.
 */
export class TaskTimeoutError extends StreamsError {
  constructor(timeoutMs: number, cause: unknown) {
    super(
      `Retriable errors kept the stream thread from making progress for more than taskTimeoutMs (${timeoutMs} ms); ` +
        `last error: ${describeCause(cause)}. Check the brokers, or raise taskTimeoutMs to wait longer.`,
      'TASK_TIMEOUT',
      { cause },
    );
  }
}

/** A call was made in a lifecycle state that does not allow it (state machines reject it). */
export class IllegalStateError extends StreamsError {
  constructor(message: string, options?: StreamsErrorOptions) {
    super(message, 'ILLEGAL_STATE', options);
  }
}

/** A broker or client error from the Kafka layer. `retriable` follows the broker's classification. */
export class KafkaError extends StreamsError {
  readonly kafkaCode: string | undefined;
  constructor(message: string, options: StreamsErrorOptions & { kafkaCode?: string } = {}) {
    super(message, 'KAFKA_ERROR', options);
    this.kafkaCode = options.kafkaCode;
  }
}

/** A producer was fenced by a newer instance with the same transactional id. */
export class ProducerFencedError extends KafkaError {
  constructor(message: string, options?: StreamsErrorOptions) {
    super(message, { ...options, kafkaCode: 'PRODUCER_FENCED', retriable: false });
  }
}

/** Sending a record to Kafka failed and the production exception handler chose to fail. */
export class ProductionError extends StreamsError {
  constructor(topic: string, cause: unknown) {
    super(`Failed to produce a record to topic '${topic}': ${describeCause(cause)}`, 'PRODUCTION_ERROR', { cause });
  }
}

export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}
