/**
 * kafkajs errors -> Sluice errors. Matching is structural (error `name`, protocol `type`/`code`) rather than
 * `instanceof`, because kafkajs wraps causes several levels deep (KafkaJSNumberOfRetriesExceeded,
 * KafkaJSNonRetriableError with `cause`, KafkaJSAggregateError with `errors`) and the classes are CommonJS.
 */
import { KafkaError, ProducerFencedError, StreamsError, TaskMigratedError } from '../../errors.js';

/** Protocol errors that mean "a newer producer with this transactional id exists": the producer is a zombie. */
const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);
/** Kafka error codes of the same (kafkajs 2.2.4 does not know PRODUCER_FENCED = 90 and reports it as unknown). */
const FENCED_CODES = new Set([47, 90]);
/** Group errors that mean this member no longer owns its partitions (Java maps them to CommitFailed/fenced). */
const MIGRATED_TYPES = new Set(['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'FENCED_INSTANCE_ID']);
const MIGRATED_CODES = new Set([22, 25, 27, 82]);
/** Client-side transport failures: always worth retrying once the cluster is reachable again. */
const CONNECTION_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSLockTimeout',
]);

interface KafkajsLikeError {
  name?: string;
  message?: string;
  type?: string;
  code?: number;
  retriable?: boolean;
  cause?: unknown;
  errors?: unknown[];
}

/** The error and all its causes, outermost first (bounded, in case of cycles). */
export function causeChain(error: unknown): KafkajsLikeError[] {
  const out: KafkajsLikeError[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && out.length < 32) {
    const e = queue.shift();
    if (e === null || typeof e !== 'object' || out.includes(e as KafkajsLikeError)) continue;
    const k = e as KafkajsLikeError;
    out.push(k);
    if (k.cause !== undefined) queue.push(k.cause);
    if (Array.isArray(k.errors)) queue.push(...k.errors);
  }
  return out;
}

/** Kafka error code of a protocol error, recovering codes kafkajs reports as "Unknown error code N". */
function protocolCode(e: KafkajsLikeError): number | undefined {
  if (typeof e.code === 'number' && e.code >= 0) return e.code;
  const m = /Unknown error code (-?\d+)/.exec(e.message ?? '');
  return m ? Number(m[1]) : undefined;
}

function isFenced(e: KafkajsLikeError): boolean {
  if (e.name !== 'KafkaJSProtocolError' && e.type === undefined) return false;
  const code = protocolCode(e);
  return FENCED_TYPES.has(e.type ?? '') || (code !== undefined && FENCED_CODES.has(code));
}

function isMigrated(e: KafkajsLikeError): boolean {
  if (e.name !== 'KafkaJSProtocolError' && e.type === undefined) return false;
  const code = protocolCode(e);
  return MIGRATED_TYPES.has(e.type ?? '') || (code !== undefined && MIGRATED_CODES.has(code));
}

/** The innermost protocol error type (e.g. 'NOT_LEADER_FOR_PARTITION'), if any. */
export function kafkaCodeOf(error: unknown): string | undefined {
  const chain = causeChain(error);
  for (let i = chain.length - 1; i >= 0; i--) {
    const e = chain[i]!;
    if (typeof e.type === 'string') {
      if (e.type === 'KAFKAJS_UNKNOWN_ERROR_CODE') {
        const code = protocolCode(e);
        return code === undefined ? e.type : `UNKNOWN_ERROR_CODE_${code}`;
      }
      return e.type;
    }
  }
  return undefined;
}

/**
 * Map any error thrown by kafkajs to a StreamsError. `what` says what was being done, for the message.
 * StreamsErrors pass through unchanged.
 */
export function mapKafkaError(error: unknown, what: string): StreamsError {
  if (error instanceof StreamsError) return error;
  const chain = causeChain(error);
  const detail = chain.length > 0 ? chain.map((e) => `${e.name ?? 'Error'}: ${e.message ?? ''}`).join(' <- ') : String(error);
  if (chain.some(isFenced)) {
    return new ProducerFencedError(
      `${what}: the producer was fenced by a newer instance with the same transactional id (${detail}). ` +
        `Its tasks have migrated; close them and rejoin.`,
      { cause: error },
    );
  }
  if (chain.some(isMigrated)) {
    return new TaskMigratedError(
      `${what}: this member is no longer part of the current group generation (${detail}). ` +
        `Its partitions were reassigned; close the tasks and rejoin.`,
      { cause: error },
    );
  }
  const kafkaCode = kafkaCodeOf(error);
  const connection = chain.some((e) => CONNECTION_NAMES.has(e.name ?? ''));
  // Retriable when any level is a connection failure, else kafkajs' own classification of the innermost error
  // (KafkaJSNumberOfRetriesExceeded is non-retriable itself but only says "kafkajs gave up for now").
  const innermost = chain[chain.length - 1];
  const retriable = connection || (innermost?.retriable === true);
  return new KafkaError(`${what} failed: ${detail}`, {
    cause: error,
    retriable,
    ...(kafkaCode === undefined ? {} : { kafkaCode }),
  });
}

/** Rethrow helper for async adapter methods. */
export async function wrapKafka<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw mapKafkaError(e, what);
  }
}
