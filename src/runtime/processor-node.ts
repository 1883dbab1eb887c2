import type { Logger, ProductionExceptionHandler } from '../config.js';
import { ProcessingError, SerdeError, StreamsError } from '../errors.js';
import type { Processor } from '../processor/processor.js';
import { isPromise, type MaybePromise, type StreamRecord } from '../processor/record.js';
import type { Serde } from '../serdes/serde.js';
import type { RecordContextInfo, StreamPartitioner, TimestampExtractor, TopicNameExtractor } from '../topology/node-defs.js';
import { productionHandlerContinues } from './error-handling.js';
import type { RecordCollector } from './record-collector.js';
import type { TaskMetrics } from './task-metrics.js';

/** The task-side facts a node needs while processing: the current record's origin, for errors and sinks. */
export interface NodeHost {
  currentContext(): RecordContextInfo | undefined;
  trackPending(p: Promise<unknown>): void;
  /** The task's counters: a sink counts the records it drops in skippedRecords (Kafka's dropped-records). */
  readonly metrics: TaskMetrics;
}

/** What a sink needs to decide about a record it cannot serialize. */
export interface SinkErrorPolicy {
  readonly productionExceptionHandler: ProductionExceptionHandler;
  readonly logger: Logger;
}

/** Wraps a user failure into a ProcessingError naming the node and the record; typed errors pass through. */
export function wrapError(error: unknown, nodeName: string, host: NodeHost): StreamsError {
  if (error instanceof StreamsError) return error;
  const ctx = host.currentContext();
  return new ProcessingError(
    nodeName,
    ctx ? { topic: ctx.topic, partition: ctx.partition, offset: ctx.offset, timestamp: ctx.timestamp } : {},
    error,
  );
}

export abstract class Node {
  readonly children: Node[] = [];
  readonly childByName = new Map<string, Node>();
  constructor(
    readonly name: string,
    protected readonly host: NodeHost,
  ) {}

  addChild(child: Node): void {
    this.children.push(child);
    this.childByName.set(child.name, child);
  }

  abstract process(record: StreamRecord<unknown, unknown>): MaybePromise<void>;
}

export class ProcessorNode extends Node {
  constructor(
    name: string,
    host: NodeHost,
    readonly processor: Processor<unknown, unknown, unknown, unknown>,
  ) {
    super(name, host);
  }

  process(record: StreamRecord<unknown, unknown>): MaybePromise<void> {
    let result: MaybePromise<void>;
    try {
      result = this.processor.process(record);
    } catch (e) {
      throw wrapError(e, this.name, this.host);
    }
    if (result !== undefined && isPromise(result)) {
      return result.catch((e: unknown) => {
        throw wrapError(e, this.name, this.host);
      });
    }
  }
}

export class SourceNode extends Node {
  constructor(
    name: string,
    host: NodeHost,
    readonly keySerde: Serde<unknown>,
    readonly valueSerde: Serde<unknown>,
    readonly timestampExtractor: TimestampExtractor | undefined,
  ) {
    super(name, host);
  }

  process(record: StreamRecord<unknown, unknown>): MaybePromise<void> {
    return forwardTo(this.children, record, this.host);
  }
}

export class SinkNode extends Node {
  #resolvedTopic: string | undefined;
  constructor(
    name: string,
    host: NodeHost,
    private readonly topic: string | TopicNameExtractor<unknown, unknown>,
    private readonly resolveTopic: (name: string) => string,
    private readonly keySerde: Serde<unknown>,
    private readonly valueSerde: Serde<unknown>,
    private readonly partitioner: StreamPartitioner<unknown, unknown> | undefined,
    private readonly collector: RecordCollector,
    private readonly errors: SinkErrorPolicy,
  ) {
    super(name, host);
  }

  process(record: StreamRecord<unknown, unknown>): void {
    let topic: string;
    if (typeof this.topic === 'string') {
      // the physical name depends only on the topology, so it is resolved once rather than per record
      topic = this.#resolvedTopic ??= this.resolveTopic(this.topic);
    } else {
      const ctx = this.host.currentContext();
      try {
        topic = this.topic(record.key, record.value, ctx ?? { topic: '', partition: -1, offset: -1, timestamp: record.timestamp, headers: record.headers });
      } catch (e) {
        throw wrapError(e, this.name, this.host);
      }
    }
    let key: Buffer | null;
    let value: Buffer | null;
    try {
      key = this.keySerde.serialize(topic, record.key);
    } catch (e) {
      return this.#serializationFailed('key', topic, record, e);
    }
    try {
      value = this.valueSerde.serialize(topic, record.value);
    } catch (e) {
      return this.#serializationFailed('value', topic, record, e);
    }
    let partition: number | undefined;
    if (this.partitioner) {
      const n = this.collector.partitionsFor(topic);
      if (n !== undefined) partition = this.partitioner(topic, record.key, record.value, n);
    }
    this.collector.send(topic, key, value, record.timestamp, record.headers, partition);
  }

  /**
   * KIP-399, as Kafka's RecordCollectorImpl: a serde failure at a sink (output or repartition topic) goes to the
   * production exception handler with its origin; 'continue' drops this output (counted), 'fail' stops the thread.
   */
  #serializationFailed(part: 'key' | 'value', topic: string, record: StreamRecord<unknown, unknown>, cause: unknown): void {
    const ctx = this.host.currentContext();
    const unserialized = { topic, key: record.key, value: record.value, timestamp: record.timestamp, headers: record.headers };
    const source = ctx ? { topic: ctx.topic, partition: ctx.partition, offset: ctx.offset } : undefined;
    const error = new SerdeError(part, 'serialize', { topic }, cause, { node: this.name, record: unserialized, source });
    if (!productionHandlerContinues(this.errors.productionExceptionHandler, error, unserialized)) throw error;
    this.errors.logger.warn(`Dropping an output record (productionExceptionHandler said continue): ${error.message}`);
    this.host.metrics.skippedRecords++;
  }
}

/** Forward to every child in order; becomes async only if a child is. */
export function forwardTo(children: readonly Node[], record: StreamRecord<unknown, unknown>, host: Pick<NodeHost, 'trackPending'>): MaybePromise<void> {
  const n = children.length;
  if (n === 1) return children[0]!.process(record);
  for (let i = 0; i < n; i++) {
    const r = children[i]!.process(record);
    if (r !== undefined && isPromise(r)) {
      const rest = (async () => {
        await r;
        for (let j = i + 1; j < n; j++) await children[j]!.process(record);
      })();
      host.trackPending(rest);
      return rest;
    }
  }
}
