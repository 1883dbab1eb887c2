import type { MaybePromise } from '../processor/record.js';

/** What a store gets from its task when it is initialised. */
export interface StateStoreContext {
  readonly applicationId: string;
  readonly taskId: string;
  /** The input partition of the task: the changelog partition of its stores. */
  readonly partition: number;
  /** Task directory for persistent stores; undefined when running without a state directory. */
  readonly stateDir: string | undefined;
  /** Bytes the task may spend on record caches (cacheMaxBytesBuffering split across tasks and stores). */
  readonly cacheMaxBytes: number;
  /** The changelog topic name of a store (`<applicationId>-<store>-changelog`). */
  changelogTopic(storeName: string): string;
  /** Send a changelog record through the task's record collector. */
  logChange(storeName: string, key: Buffer, value: Buffer | null, timestamp: number): void;
  /** Register the store with the state manager: restoration reads its changelog into `restorer`. */
  register(store: StateStore, restorer: StoreRestorer): void;
  /** Timestamp of the record being processed (changelog records carry it). */
  currentTimestamp(): number;
  /** Under exactly-once, uncommitted writes must never reach persistent local state. */
  readonly exactlyOnce: boolean;
  /** Serdes from the config, for stores declared without their own. */
  readonly defaultKeySerde: import('../serdes/serde.js').Serde<any> | undefined;
  readonly defaultValueSerde: import('../serdes/serde.js').Serde<any> | undefined;
  /** What to do with a corrupt or incompatible store directory. */
  readonly onCorruptStateDir: 'rebuild' | 'fail';
}

/** How the state manager restores a store from its changelog. */
export interface StoreRestorer {
  /** Apply a batch of changelog records (null value = delete); `lastOffset` is the offset of the last one. */
  restore(records: readonly { key: Buffer; value: Buffer | null }[], lastOffset: number): MaybePromise<void>;
  /** The changelog offset the local state already reflects (restore starts after it); undefined = from scratch. */
  checkpointedOffset(): number | undefined;
  /** Drop all local state (before a full restore). */
  wipe(): Promise<void>;
  /** Persist the state together with the changelog offset it reflects (called at commit). */
  commit(changelogOffset: number | undefined): MaybePromise<void>;
  /** Drop writes since the last commit (task closed dirty). */
  abortUncommitted(): void;
}

export interface StateStore {
  readonly name: string;
  readonly persistent: boolean;
  init(context: StateStoreContext): MaybePromise<void>;
  /** Flush caches downstream and write pending state; called by the task's commit. */
  flush(): MaybePromise<void>;
  close(): MaybePromise<void>;
  isOpen(): boolean;
}

export interface StoreBuilder<S extends StateStore = StateStore> {
  readonly name: string;
  readonly loggingEnabled: boolean;
  readonly cachingEnabled: boolean;
  build(): S;
  withCachingEnabled(): StoreBuilder<S>;
  withCachingDisabled(): StoreBuilder<S>;
  withLoggingEnabled(config?: Readonly<Record<string, string>>): StoreBuilder<S>;
  withLoggingDisabled(): StoreBuilder<S>;
}
