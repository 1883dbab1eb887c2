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
  /** Register the store with the state manager: restoration reads its changelog into `restore`. */
  register(store: StateStore, restore: RestoreCallback): void;
}

/** Applies a batch of changelog records (null value = delete) during restoration. */
export type RestoreCallback = (records: readonly { key: Buffer; value: Buffer | null }[]) => MaybePromise<void>;

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
