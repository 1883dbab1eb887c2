import { KafkaError, ProducerFencedError, TaskCorruptedError, TaskMigratedError, StreamsError } from '../errors.js';
import { tpKey, type Consumer, type Producer, type TopicPartitionOffset } from '../kafka/client.js';
import type { ProducerCollector } from './producer-collector.js';
import type { StreamTask } from './stream-task.js';

/** The steps of a commit, in order; tests can hook between any two of them. */
export type CommitStep = 'flush-state' | 'flush-producer' | 'commit-offsets' | 'persist-state' | 'done';

export interface CheckpointDeps {
  readonly producer: Producer;
  readonly consumer: Consumer;
  readonly collector: ProducerCollector;
  readonly exactlyOnce: boolean;
  changelogTopic(store: string): string | undefined;
  /** Test hook: runs before each step (a test crashes the instance here). */
  readonly onStep?: (step: CommitStep) => void | Promise<void>;
}

/**
 * Owns the commit order, the one place it is written down (docs/ARCHITECTURE.md#commit-protocol):
 *   1. flush state: caches write down and forward, changelog records are sent;
 *   2. flush the producer: every output and changelog record is acknowledged (changelog offsets now known);
 *   3. commit offsets: in the transaction (sendOffsetsToTransaction + commitTransaction) under exactly-once,
 *      a plain consumer commit under at-least-once;
 *   4. persist state: each store's writes and the changelog offset they reflect, in one atomic batch.
 * A crash before 3 leaves nothing visible (exactly-once: the transaction aborts; local writes were never
 * persisted); a crash between 3 and 4 leaves the local checkpoint behind the changelog, and restoration replays
 * only that tail. Fencing surfaces as TaskMigratedError. A retriable failure before 3 (a send failed) surfaces as
 * TaskCorruptedError: the output is incomplete, so the tasks are closed dirty and reprocess from the committed
 * offsets; a retriable failure of 3 itself is thrown as it is (the commit can simply be retried).
 */
export async function commitTasks(tasks: readonly StreamTask[], deps: CheckpointDeps): Promise<number> {
  const started = Date.now();
  try {
    try {
      await deps.onStep?.('flush-state');
      for (const task of tasks) await task.flushState();
      await deps.onStep?.('flush-producer');
      await deps.collector.flush();
    } catch (e) {
      throw asCorrupted(asMigrated(e), tasks);
    }
    const offsets: TopicPartitionOffset[] = tasks.flatMap((t) => t.committableOffsets());
    await deps.onStep?.('commit-offsets');
    if (deps.exactlyOnce) {
      if (offsets.length) await deps.producer.sendOffsetsToTransaction(offsets, deps.consumer.groupMetadata());
      await deps.producer.commitTransaction();
      await deps.producer.beginTransaction();
    } else if (offsets.length) {
      await deps.consumer.commit(offsets);
    }
    await deps.onStep?.('persist-state');
    const changelogOffsets = deps.collector.offsets();
    for (const task of tasks) {
      for (const [store, restorer] of task.restorers) {
        const topic = deps.changelogTopic(store);
        const written = topic === undefined ? undefined : changelogOffsets.get(tpKey(topic, task.partition));
        // The collector remembers the last offset this thread ever wrote to the partition: stale if the task moved
        // away and came back (restored past it meanwhile). The state reflects whichever is later.
        const restored = restorer.checkpointedOffset();
        const offset = written === undefined ? restored : restored === undefined ? written : Math.max(written, restored);
        await restorer.commit(offset);
      }
      task.markCommitted();
    }
    await deps.onStep?.('done');
    return Date.now() - started;
  } catch (e) {
    const err = asMigrated(e);
    throw isAbortable(err) ? asCorrupted(err, tasks) : err;
  }
}

/** The transaction failed and can only be aborted (a send or an offset commit in it failed). */
function isAbortable(e: unknown): boolean {
  return e instanceof KafkaError && e.kafkaCode === 'TRANSACTION_ABORTABLE';
}

/**
 * A retriable failure while records were processed or sent, or a transaction that can only be aborted: what the
 * tasks did since the last commit is in doubt (Kafka Streams' TaskCorruptedException for a failed send).
 */
export function asCorrupted(e: unknown, tasks: readonly { readonly id: string }[]): unknown {
  if (!(e instanceof StreamsError) || e instanceof TaskMigratedError || e instanceof TaskCorruptedError) return e;
  if (!isAbortable(e) && !e.retriable) return e;
  return new TaskCorruptedError(
    tasks.map((t) => t.id),
    `Tasks ${tasks.map((t) => t.id).join(', ') || '(none)'}: ${e.message} Closing them dirty and reprocessing from the last commit.`,
    { cause: e },
  );
}

/** Fencing and lost membership mean another instance owns the tasks now: the thread is a zombie. */
export function asMigrated(e: unknown): unknown {
  if (e instanceof ProducerFencedError) return new TaskMigratedError(`Tasks migrated: this producer was fenced (${e.message}). Closing tasks dirty and rejoining.`, { cause: e });
  if (e instanceof StreamsError && e.code === 'KAFKA_ERROR') {
    const code = (e as { kafkaCode?: string }).kafkaCode;
    if (code === 'ILLEGAL_GENERATION' || code === 'UNKNOWN_MEMBER_ID' || code === 'REBALANCE_IN_PROGRESS') {
      return new TaskMigratedError(`Tasks migrated: the group moved on (${code}). Closing tasks dirty and rejoining.`, { cause: e });
    }
  }
  return e;
}
