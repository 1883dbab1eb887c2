import type { MaybePromise } from '../../processor/record.js';
import type { KeyValueBytesStore } from '../bytes/bytes-store.js';
import type { RangeOptions } from '../engine/kv-engine.js';
import type { StateStore, StateStoreContext } from '../state-store.js';

/** Every write also goes to the store's changelog topic (`<applicationId>-<store>-changelog`). */
export class ChangeLoggingBytesStore implements KeyValueBytesStore {
  #context: StateStoreContext | undefined;

  constructor(private readonly inner: KeyValueBytesStore) {}

  get name(): string {
    return this.inner.name;
  }

  init(context: StateStoreContext, root: StateStore): Promise<void> {
    this.#context = context;
    return this.inner.init(context, root);
  }

  get(key: Buffer): MaybePromise<Buffer | undefined> {
    return this.inner.get(key);
  }

  multiGet(keys: readonly Buffer[]): MaybePromise<(Buffer | undefined)[]> {
    return this.inner.multiGet(keys);
  }

  put(key: Buffer, value: Buffer | null, timestamp: number): void {
    this.inner.put(key, value, timestamp);
    this.#context!.logChange(this.inner.name, key, value, timestamp);
  }

  range(options: RangeOptions): AsyncIterable<[Buffer, Buffer]> {
    return this.inner.range(options);
  }

  approximateNumEntries(): MaybePromise<number> {
    return this.inner.approximateNumEntries();
  }

  commit(changelogOffset: number | undefined): MaybePromise<void> {
    return this.inner.commit(changelogOffset);
  }

  checkpointedOffset(): number | undefined {
    return this.inner.checkpointedOffset();
  }

  abortUncommitted(): void {
    this.inner.abortUncommitted();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  isOpen(): boolean {
    return this.inner.isOpen();
  }
}
