// The public surface of Sluice: explicit named exports only.
export {
  StreamsError,
  TopologyError,
  ConfigError,
  SerdeError,
  ProcessingError,
  StateStoreError,
  StateDirectoryAccessError,
  InvalidStateStoreError,
  TaskMigratedError,
  TaskCorruptedError,
  TaskTimeoutError,
  IllegalStateError,
  KafkaError,
  ProducerFencedError,
  ProductionError,
} from './errors.js';
export type { SerializationExceptionOrigin, UnserializedRecord } from './errors.js';
export type { StreamsConfig, ProcessingGuarantee, DeserializationExceptionHandler, ProcessingExceptionHandler, ProductionExceptionHandler, ProductionRecord, Logger } from './config.js';

export type { Serde, Serializer, Deserializer } from './serdes/serde.js';
export { serdeFrom } from './serdes/serde.js';
export { Serdes } from './serdes/serdes.js';
export { WindowedSerdes, type Windowed } from './serdes/windowed-serdes.js';

export { StreamsBuilder } from './dsl/streams-builder.js';
export type { KStream, BranchedKStream } from './dsl/kstream.js';
export { KeyValue } from './dsl/key-value.js';
export { Consumed } from './dsl/options/consumed.js';
export { Produced } from './dsl/options/produced.js';
export { Repartitioned } from './dsl/options/repartitioned.js';
export { Named } from './dsl/options/named.js';
export { Branched } from './dsl/options/branched.js';
export { Grouped } from './dsl/options/grouped.js';
export { Joined } from './dsl/options/joined.js';
export { JoinWindows } from './dsl/options/join-windows.js';
export { StreamJoined } from './dsl/options/stream-joined.js';
export type { GlobalKTable } from './dsl/global-ktable.js';
export { Materialized, type StoreType } from './dsl/options/materialized.js';
export type { KTable, KGroupedStream, KGroupedTable, CogroupedKStream } from './dsl/ktable.js';
export type { TimeWindowedKStream, SessionWindowedKStream } from './dsl/windowed-kstream.js';
export { TimeWindows } from './dsl/options/time-windows.js';
export { SlidingWindows } from './dsl/options/sliding-windows.js';
export { SessionWindows } from './dsl/options/session-windows.js';
export type { Window } from './dsl/options/window-duration.js';
export { EmitStrategy } from './dsl/options/emit-strategy.js';
export { Suppressed, BufferConfig, type BufferFullStrategy } from './dsl/options/suppressed.js';
export type { Change } from './processor/operators/change.js';

export { Topology, type SourceOptions, type SinkOptions } from './topology/topology.js';
export type { TopologyDescription, SubtopologyDescription, NodeDescription } from './topology/describe.js';
export type { TimestampExtractor, TopicNameExtractor, StreamPartitioner, RecordContextInfo } from './topology/node-defs.js';

export { PunctuationType } from './processor/processor.js';
export type {
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  FixedKeyProcessor,
  FixedKeyProcessorSupplier,
  Punctuator,
  Cancellable,
} from './processor/processor.js';
export type { StreamRecord, StreamRecord as Record, RecordMetadata, Headers } from './processor/record.js';

export type { StateStore, StoreBuilder } from './state/state-store.js';
export type { KeyValueStore, ReadOnlyKeyValueStore } from './state/key-value-store.js';
export { toArray } from './state/key-value-store.js';
export { Stores, KeyValueStoreBuilder, type KeyValueBytesStoreSupplier } from './state/stores.js';
export type { WindowStore, ReadOnlyWindowStore, SessionStore, ReadOnlySessionStore, TimestampedValue } from './state/window/window-store.js';
export {
  WindowStoreBuilder,
  SessionStoreBuilder,
  type WindowBytesStoreSupplier,
  type SessionBytesStoreSupplier,
} from './state/window/window-store-builder.js';

export { EmbeddedKafkaCluster, CRASH } from './kafka/embedded/embedded-kafka-cluster.js';
export { KafkaStreams, type KafkaStreamsOptions, type StreamsMetrics } from './runtime/kafka-streams.js';
export type { KafkaStreamsState, StreamThreadExceptionResponse } from './runtime/kafka-streams-state.js';
export { QueryableStoreTypes, type StoreQueryParameters, type QueryableStoreType } from './runtime/queryable-stores.js';
export type { CommitStep } from './runtime/checkpoint.js';
export type { KafkaClient, Consumer, Producer, Admin } from './kafka/client.js';
export { KafkajsClient, type KafkajsClientOptions } from './kafka/kafkajs/kafkajs-client.js';

export { TopologyTestDriver, type TestDriverConfig } from './testing/topology-test-driver.js';
export { TestInputTopic } from './testing/test-input-topic.js';
export { TestOutputTopic } from './testing/test-output-topic.js';
export type { TestRecord } from './testing/test-record.js';
export {
  checkTopology,
  recordStreams,
  PropertyFailedError,
  type CheckTopologySpec,
  type RecordStreamsOptions,
  type TopologyInput,
} from './testing/property-kit.js';
export {
  checkApplication,
  type CheckApplicationSpec,
  type CheckApplicationResult,
  type ApplicationInput,
  type ApplicationOutput,
  type RunReport,
} from './testing/check-application.js';
export { faultSchedules, describeSchedule, type FaultSchedule, type FaultEvent, type Fault, type FaultOptions } from './testing/fault-schedule.js';
export type { CompareMode } from './testing/compare-outputs.js';
export type { PropertyFailure } from './testing/property-kit.js';
