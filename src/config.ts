import { ConfigError, type SerdeError, type ProcessingError } from './errors.js';
import type { ConsumedRecord } from './kafka/client.js';
import type { Serde } from './serdes/serde.js';

/** What to do with a record that failed: skip it, stop, or hand it to a dead-letter topic (then skip). */
export type HandlerResponse = 'continue' | 'fail';

export type DeadLetterOption = { readonly deadLetterTopic: string };

export type DeserializationExceptionHandler =
  | 'logAndFail'
  | 'logAndContinue'
  | DeadLetterOption
  | ((error: SerdeError, record: ConsumedRecord) => HandlerResponse);

export type ProcessingExceptionHandler =
  | 'logAndFail'
  | 'logAndContinue'
  | DeadLetterOption
  | ((error: ProcessingError, record: { topic: string; partition: number; offset: number }) => HandlerResponse);

/**
 * The record a production exception handler is asked about. After a failed send, `key` and `value` are the bytes
 * sent; after a failed serialization at a sink (the error is a SerdeError with `origin` 'KEY' or 'VALUE'), they are
 * the objects the serde rejected (Kafka's handleError / handleSerializationError).
 */
export interface ProductionRecord {
  readonly topic: string;
  readonly partition?: number;
  readonly key: unknown;
  readonly value: unknown;
  readonly timestamp: number;
}

/**
 * Decides about a record that cannot be written for a fatal, record-specific reason: a sink's serde failed
 * (KIP-399) or the broker rejected the record (too large, invalid). 'continue' drops the record (counted in
 * skippedRecords when a sink drops it), 'fail' stops the thread. Retriable send errors never reach it: they are retried.
 */
export type ProductionExceptionHandler = 'logAndFail' | 'logAndContinue' | ((error: Error, record: ProductionRecord) => HandlerResponse);

export type ProcessingGuarantee = 'at_least_once' | 'exactly_once_v2';

/** Kafka Streams' StreamsConfig with TypeScript names; see the README for each option. */
export interface StreamsConfig {
  readonly applicationId: string;
  readonly bootstrapServers?: readonly string[] | string;
  readonly clientId?: string;
  readonly processingGuarantee?: ProcessingGuarantee;
  readonly commitIntervalMs?: number;
  readonly stateDir?: string;
  readonly numStandbyReplicas?: number;
  readonly numStreamThreads?: number;
  readonly cacheMaxBytesBuffering?: number;
  readonly defaultKeySerde?: Serde<any>;
  readonly defaultValueSerde?: Serde<any>;
  readonly deserializationExceptionHandler?: DeserializationExceptionHandler;
  readonly processingExceptionHandler?: ProcessingExceptionHandler;
  readonly productionExceptionHandler?: ProductionExceptionHandler;
  /** What to do with a store directory that is corrupt or from another format: wipe and restore, or refuse. */
  readonly onCorruptStateDir?: 'rebuild' | 'fail';
  readonly maxPollRecords?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly pollMs?: number;
  /**
   * How long (ms) a stream thread keeps retrying retriable errors (failed polls, sends, commits) without making
   * progress before it gives up with a TaskTimeoutError (Kafka Streams' task.timeout.ms). 0: give up at once.
   */
  readonly taskTimeoutMs?: number;
  readonly logger?: Logger;
  /** Passed to the kafkajs adapter as is (ssl, sasl, connectionTimeout, requestTimeout, retry...). */
  readonly kafkajs?: Readonly<Record<string, unknown>>;
}

export interface Logger {
  info(message: string, extra?: object): void;
  warn(message: string, extra?: object): void;
  error(message: string, extra?: object): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
/** The default: problems (warnings, errors) reach stderr, routine information does not. */
export const warningsLogger: Logger = {
  info() {},
  warn: (m, e) => console.warn(`[sluice] ${m}`, e ?? ''),
  error: (m, e) => console.error(`[sluice] ${m}`, e ?? ''),
};

export const consoleLogger: Logger = {
  info: (m, e) => console.info(`[sluice] ${m}`, e ?? ''),
  warn: (m, e) => console.warn(`[sluice] ${m}`, e ?? ''),
  error: (m, e) => console.error(`[sluice] ${m}`, e ?? ''),
};

export type ResolvedConfig = Required<
  Omit<StreamsConfig, 'bootstrapServers' | 'clientId' | 'stateDir' | 'defaultKeySerde' | 'defaultValueSerde' | 'kafkajs'>
> &
  Pick<StreamsConfig, 'bootstrapServers' | 'stateDir' | 'defaultKeySerde' | 'defaultValueSerde' | 'kafkajs'> & {
    readonly clientId: string;
  };

export const CONFIG_DEFAULTS = Object.freeze({
  processingGuarantee: 'at_least_once' as ProcessingGuarantee,
  commitIntervalMs: 30_000,
  eosCommitIntervalMs: 100,
  numStandbyReplicas: 0,
  numStreamThreads: 1,
  cacheMaxBytesBuffering: 10 * 1024 * 1024,
  maxPollRecords: 1000,
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 1000,
  pollMs: 100,
  taskTimeoutMs: 300_000,
});

/** Fills defaults and rejects invalid values with a message that says what to change. */
export function resolveConfig(config: StreamsConfig): ResolvedConfig {
  if (!config || typeof config.applicationId !== 'string' || config.applicationId.length === 0) {
    throw new ConfigError('applicationId is required: it names the consumer group, internal topics and state directories.');
  }
  if (!/^[A-Za-z0-9._-]+$/.test(config.applicationId)) {
    throw new ConfigError(`applicationId '${config.applicationId}' may only contain letters, digits, '.', '_' and '-' (it is part of topic names).`);
  }
  const guarantee = config.processingGuarantee ?? CONFIG_DEFAULTS.processingGuarantee;
  if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once_v2') {
    throw new ConfigError(`processingGuarantee must be 'at_least_once' or 'exactly_once_v2', not '${String(guarantee)}'.`);
  }
  const positive = (name: keyof StreamsConfig, v: number | undefined, min = 1): void => {
    if (v !== undefined && (!Number.isFinite(v) || v < min)) throw new ConfigError(`${name} must be a number >= ${min}, got ${v}.`);
  };
  positive('commitIntervalMs', config.commitIntervalMs);
  positive('numStandbyReplicas', config.numStandbyReplicas, 0);
  positive('numStreamThreads', config.numStreamThreads);
  positive('cacheMaxBytesBuffering', config.cacheMaxBytesBuffering, 0);
  positive('maxPollRecords', config.maxPollRecords);
  positive('taskTimeoutMs', config.taskTimeoutMs, 0);
  return {
    ...config,
    applicationId: config.applicationId,
    clientId: config.clientId ?? config.applicationId,
    processingGuarantee: guarantee,
    commitIntervalMs:
      config.commitIntervalMs ?? (guarantee === 'exactly_once_v2' ? CONFIG_DEFAULTS.eosCommitIntervalMs : CONFIG_DEFAULTS.commitIntervalMs),
    numStandbyReplicas: config.numStandbyReplicas ?? CONFIG_DEFAULTS.numStandbyReplicas,
    numStreamThreads: config.numStreamThreads ?? CONFIG_DEFAULTS.numStreamThreads,
    cacheMaxBytesBuffering: config.cacheMaxBytesBuffering ?? CONFIG_DEFAULTS.cacheMaxBytesBuffering,
    deserializationExceptionHandler: config.deserializationExceptionHandler ?? 'logAndFail',
    processingExceptionHandler: config.processingExceptionHandler ?? 'logAndFail',
    productionExceptionHandler: config.productionExceptionHandler ?? 'logAndFail',
    onCorruptStateDir: config.onCorruptStateDir ?? 'rebuild',
    maxPollRecords: config.maxPollRecords ?? CONFIG_DEFAULTS.maxPollRecords,
    sessionTimeoutMs: config.sessionTimeoutMs ?? CONFIG_DEFAULTS.sessionTimeoutMs,
    heartbeatIntervalMs: config.heartbeatIntervalMs ?? CONFIG_DEFAULTS.heartbeatIntervalMs,
    pollMs: config.pollMs ?? CONFIG_DEFAULTS.pollMs,
    taskTimeoutMs: config.taskTimeoutMs ?? CONFIG_DEFAULTS.taskTimeoutMs,
    logger: config.logger ?? warningsLogger,
  };
}
