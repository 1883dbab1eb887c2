import type { MessageHeaders } from '../kafka/client.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import type { Serde } from '../serdes/serde.js';
import type { StoreBuilder } from '../state/state-store.js';

/** Kafka Streams' TimestampExtractor: the record's event time, given the partition's current time. */
export type TimestampExtractor = (
  record: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
    readonly key: unknown;
    readonly value: unknown;
    readonly timestamp: number;
    readonly headers: MessageHeaders;
  },
  partitionTimeMs: number,
) => number;

export interface RecordContextInfo {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly headers: MessageHeaders;
}

/** Chooses a sink's topic per record (Kafka Streams' TopicNameExtractor). */
export type TopicNameExtractor<K, V> = (key: K, value: V, context: RecordContextInfo) => string;

/** Chooses the partition of an output record; undefined falls back to the default (murmur2 of the key bytes). */
export type StreamPartitioner<K, V> = (topic: string, key: K, value: V, numPartitions: number) => number | undefined;

/** Frozen definitions of the physical nodes; the runtime instantiates them once per task. */
export interface SourceDef {
  readonly kind: 'source';
  readonly name: string;
  readonly topics: readonly string[];
  readonly pattern: RegExp | undefined;
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly timestampExtractor: TimestampExtractor | undefined;
  readonly offsetReset: 'earliest' | 'latest' | undefined;
}

export interface ProcessorDef {
  readonly kind: 'processor';
  readonly name: string;
  readonly supplier: ProcessorSupplier<any, any, any, any>;
  readonly parents: readonly string[];
}

export interface SinkDef {
  readonly kind: 'sink';
  readonly name: string;
  readonly topic: string | TopicNameExtractor<any, any>;
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly partitioner: StreamPartitioner<any, any> | undefined;
  readonly parents: readonly string[];
}

export type NodeDef = SourceDef | ProcessorDef | SinkDef;

export interface StoreDef {
  readonly builder: StoreBuilder;
  readonly processors: Set<string>;
}

/** An internal topic that the runtime creates (named `<applicationId>-<name>`). */
export interface InternalTopicDef {
  readonly name: string;
  readonly kind: 'repartition' | 'changelog';
  /** Fixed partition count; undefined = same as the upstream sub-topology's input (resolved at runtime). */
  readonly partitions: number | undefined;
}

/**
 * A global store: every instance keeps a full copy, fed by `processor` from all partitions of `topic`
 * (the topic is its changelog, so the store itself is not logged). Not part of any task.
 */
export interface GlobalStoreDef {
  readonly builder: StoreBuilder;
  readonly sourceName: string;
  readonly topic: string;
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly processorName: string;
  readonly supplier: ProcessorSupplier<any, any, void, void>;
}
