import type { MaybePromise, RecordMetadata, StreamRecord } from './record.js';

export const PunctuationType = Object.freeze({
  /** Fires when stream time (max record timestamp seen by the task) passes the next interval boundary. */
  STREAM_TIME: 'STREAM_TIME',
  /** Fires on wall-clock time, checked by the stream thread between records. */
  WALL_CLOCK_TIME: 'WALL_CLOCK_TIME',
} as const);
export type PunctuationType = (typeof PunctuationType)[keyof typeof PunctuationType];

export type Punctuator = (timestampMs: number) => MaybePromise<void>;

export interface Cancellable {
  cancel(): void;
}

/** What a processor sees of its task: forwarding, scheduling, stores and the current record's metadata. */
export interface ProcessorContext<KForward = unknown, VForward = unknown> {
  readonly applicationId: string;
  readonly taskId: string;
  /** Forward to all children, or only to the named child. Returns a Promise only if a downstream step is async. */
  forward<K extends KForward, V extends VForward>(record: StreamRecord<K, V>, childName?: string): MaybePromise<void>;
  schedule(intervalMs: number, type: PunctuationType, callback: Punctuator): Cancellable;
  getStateStore<S = unknown>(name: string): S;
  /** Topic, partition and offset of the record being processed; undefined inside punctuators. */
  recordMetadata(): RecordMetadata | undefined;
  currentStreamTimeMs(): number;
  currentSystemTimeMs(): number;
  /** Ask for a commit as soon as possible (after the current record). */
  commit(): void;
}

export interface Processor<KIn, VIn, KOut = KIn, VOut = VIn> {
  init?(context: ProcessorContext<KOut, VOut>): MaybePromise<void>;
  process(record: StreamRecord<KIn, VIn>): MaybePromise<void>;
  close?(): MaybePromise<void>;
}

/** Creates a fresh processor for every task (processors hold per-task state). */
export type ProcessorSupplier<KIn, VIn, KOut = KIn, VOut = VIn> = () => Processor<KIn, VIn, KOut, VOut>;

/**
 * A processor that may change the value but not the key (Kafka Streams' FixedKeyProcessor): `processValues`
 * needs no repartition downstream. Forwarded records keep the input key whatever the processor sets.
 */
export type FixedKeyProcessor<K, VIn, VOut> = Processor<K, VIn, K, VOut>;
export type FixedKeyProcessorSupplier<K, VIn, VOut> = () => FixedKeyProcessor<K, VIn, VOut>;
