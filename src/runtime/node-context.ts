import { IllegalStateError, TopologyError } from '../errors.js';
import type { Cancellable, ProcessorContext, PunctuationType, Punctuator } from '../processor/processor.js';
import { isPromise, type MaybePromise, type RecordMetadata, type StreamRecord } from '../processor/record.js';
import { forwardTo, type Node } from './processor-node.js';

/** The task services a node context delegates to. */
export interface TaskServices {
  readonly applicationId: string;
  readonly taskId: string;
  recordMetadata(): RecordMetadata | undefined;
  streamTime(): number;
  wallClock(): number;
  schedule(nodeName: string, intervalMs: number, type: PunctuationType, callback: Punctuator): Cancellable;
  store(name: string): unknown;
  isGlobalStore(name: string): boolean;
  requestCommit(): void;
  trackPending(p: Promise<unknown>): void;
  currentContext(): import('../topology/node-defs.js').RecordContextInfo | undefined;
}

/** One ProcessorContext per node: it knows the node's children, so forward needs no "current node" tracking. */
export class NodeContext implements ProcessorContext<any, any> {
  constructor(
    private readonly node: Node,
    private readonly task: TaskServices,
    private readonly storeNames: ReadonlySet<string>,
  ) {}

  get applicationId(): string {
    return this.task.applicationId;
  }

  get taskId(): string {
    return this.task.taskId;
  }

  forward(record: StreamRecord<any, any>, childName?: string): MaybePromise<void> {
    if (record === null || typeof record !== 'object') {
      throw new IllegalStateError(`Processor '${this.node.name}' forwarded ${String(record)}; forward a { key, value, timestamp, headers } record.`);
    }
    const rec = record;
    let result: MaybePromise<void>;
    if (childName !== undefined) {
      const child = this.node.childByName.get(childName);
      if (!child) {
        throw new TopologyError(
          `Processor '${this.node.name}' forwarded to '${childName}', which is not one of its children (${[...this.node.childByName.keys()].join(', ') || 'none'}).`,
        );
      }
      result = child.process(rec);
    } else {
      result = forwardTo(this.node.children, rec, this.task);
    }
    if (result !== undefined && isPromise(result)) this.task.trackPending(result);
    return result;
  }

  schedule(intervalMs: number, type: PunctuationType, callback: Punctuator): Cancellable {
    if (!(intervalMs >= 1)) throw new IllegalStateError(`Punctuation interval must be at least 1 ms, got ${intervalMs}.`);
    return this.task.schedule(this.node.name, intervalMs, type, callback);
  }

  getStateStore<S = unknown>(name: string): S {
    if (!this.storeNames.has(name) && !this.task.isGlobalStore(name)) {
      throw new TopologyError(
        `Processor '${this.node.name}' has no access to state store '${name}': connect it (addStateStore(builder, '${this.node.name}') or process(supplier, '${name}')).`,
      );
    }
    return this.task.store(name) as S;
  }

  recordMetadata(): RecordMetadata | undefined {
    return this.task.recordMetadata();
  }

  currentStreamTimeMs(): number {
    return this.task.streamTime();
  }

  currentSystemTimeMs(): number {
    return this.task.wallClock();
  }

  commit(): void {
    this.task.requestCommit();
  }

  /** Internal: the task's counters, for operators that drop records (see processor/operators/dropped-records.ts). */
  get taskMetrics(): import('./task-metrics.js').TaskMetrics | undefined {
    return (this.task as { metrics?: import('./task-metrics.js').TaskMetrics }).metrics;
  }
}
