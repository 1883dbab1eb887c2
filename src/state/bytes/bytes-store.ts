import type { MaybePromise } from '../../processor/record.js';
import type { RangeOptions } from '../engine/kv-engine.js';
import type { StateStore, StateStoreContext } from '../state-store.js';

/** A key-value store over bytes: the layers below the serdes (change-logging, transactional engine). */
export interface KeyValueBytesStore {
  readonly name: string;
  init(context: StateStoreContext, root: StateStore): Promise<void>;
  get(key: Buffer): MaybePromise<Buffer | undefined>;
  multiGet(keys: readonly Buffer[]): MaybePromise<(Buffer | undefined)[]>;
  /** null deletes. `timestamp` is the record time, for the changelog. */
  put(key: Buffer, value: Buffer | null, timestamp: number): void;
  range(options: RangeOptions): AsyncIterable<[Buffer, Buffer]>;
  approximateNumEntries(): MaybePromise<number>;
  /** Persist everything written so far together with the changelog offset it reflects (one atomic batch). */
  commit(changelogOffset: number | undefined): MaybePromise<void>;
  /** Offset of the changelog record the persisted state reflects; undefined when nothing was persisted. */
  checkpointedOffset(): number | undefined;
  /** Throw away writes since the last commit (task closed dirty). */
  abortUncommitted(): void;
  close(): Promise<void>;
  isOpen(): boolean;
}
