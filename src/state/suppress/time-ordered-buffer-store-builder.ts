import type { StoreBuilder } from '../state-store.js';
import { TimeOrderedBufferStore, type BufferSerdes } from './time-ordered-buffer-store.js';

/**
 * Builds a suppression buffer (Kafka Streams' InMemoryTimeOrderedKeyValueChangeBuffer.Builder): logged by
 * default, never cached (the buffer is itself a cache of sorts). Immutable: every `with*` returns a new builder.
 */
export class TimeOrderedBufferStoreBuilder<K, V> implements StoreBuilder<TimeOrderedBufferStore<K, V>> {
  readonly cachingEnabled = false;

  constructor(
    readonly name: string,
    private readonly serdes: BufferSerdes<K, V>,
    readonly loggingEnabled = true,
    readonly logConfig: Readonly<Record<string, string>> = {},
  ) {
    Object.freeze(this);
  }

  build(): TimeOrderedBufferStore<K, V> {
    return new TimeOrderedBufferStore<K, V>(this.name, this.loggingEnabled, this.serdes);
  }

  /** The buffer is never cached: this returns the builder unchanged. */
  withCachingEnabled(): this {
    return this;
  }

  withCachingDisabled(): this {
    return this;
  }

  withLoggingEnabled(config: Readonly<Record<string, string>> = {}): TimeOrderedBufferStoreBuilder<K, V> {
    return new TimeOrderedBufferStoreBuilder(this.name, this.serdes, true, config);
  }

  withLoggingDisabled(): TimeOrderedBufferStoreBuilder<K, V> {
    return new TimeOrderedBufferStoreBuilder(this.name, this.serdes, false, this.logConfig);
  }
}
