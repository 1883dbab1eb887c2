import { TopologyError } from '../../errors.js';
import type { InternalStreamsBuilder } from '../../graph/internal-builder.js';
import type { Serde } from '../../serdes/serde.js';
import type { StoreBuilder, StateStore } from '../../state/state-store.js';
import { SessionStoreBuilder, WindowStoreBuilder, sessionStoreSupplier, windowStoreSupplier } from '../../state/window/window-store-builder.js';
import type { Materialized } from '../options/materialized.js';

/** What a windowed aggregation needs stored: windows of a size (retention >= minRetention), or sessions. */
export type WindowedStoreSpec =
  | { readonly kind: 'window'; readonly windowSizeMs: number; readonly minRetentionMs: number; readonly retentionRule: string }
  | { readonly kind: 'session'; readonly minRetentionMs: number; readonly graceMs: number; readonly retentionRule: string };

/**
 * Default retention of a session store: 2 x gap + grace + 1 (Kafka Streams: gap + grace). Its retention is exact
 * (not per segment), and an out-of-order record at t >= stream time - grace - gap is still merged with sessions
 * ending at t - gap, which a store keeping only gap + grace of session ends may already have expired.
 */
function defaultRetention(spec: WindowedStoreSpec): number {
  return spec.kind === 'session' ? spec.minRetentionMs + (spec.minRetentionMs - spec.graceMs) + 1 : spec.minRetentionMs;
}

/**
 * Resolves a Materialized into a window or session store builder, naming the store as Kafka Streams does
 * (`<prefix>STATE-STORE-<index>`). Retention defaults to the smallest the windows allow; window stores of
 * aggregations keep each window's newest record timestamp (Kafka Streams' timestamped window store).
 */
export function materializeWindowed<K, V>(
  builder: InternalStreamsBuilder,
  materialized: Materialized<K, V> | undefined,
  prefix: string,
  defaults: { keySerde?: Serde<K>; valueSerde?: Serde<V> },
  spec: WindowedStoreSpec,
): { storeName: string; queryable: boolean; storeBuilder: StoreBuilder<StateStore> } {
  if (materialized?.storeSupplier) {
    throw new TopologyError(
      `Materialized.as(supplier) gives a key-value store ('${materialized.storeSupplier.name}'), which cannot hold a windowed aggregation: ` +
        `use Materialized.as(name) with withStoreType(...) and withRetention(...).`,
    );
  }
  const storeName = materialized?.storeName ?? builder.newStoreName(prefix);
  const retention = materialized?.retentionMs ?? defaultRetention(spec);
  if (retention < spec.minRetentionMs) {
    throw new TopologyError(
      `The retention period of the ${spec.kind} store ${storeName} must be no smaller than ${spec.retentionRule}. Got retention=[${retention}], ` +
        `needed at least [${spec.minRetentionMs}]: raise Materialized.withRetention(...) or shorten the windows.`,
    );
  }
  const keySerde = (materialized?.keySerde ?? defaults.keySerde) as Serde<K>;
  const valueSerde = (materialized?.valueSerde ?? defaults.valueSerde) as Serde<V>;
  const kind = materialized?.storeType === 'in_memory' ? 'in_memory' : 'rocksdb';
  let storeBuilder: WindowStoreBuilder<K, V> | SessionStoreBuilder<K, V> =
    spec.kind === 'window'
      ? new WindowStoreBuilder<K, V>(windowStoreSupplier(storeName, kind, retention, spec.windowSizeMs, false, true), keySerde, valueSerde)
      : new SessionStoreBuilder<K, V>(sessionStoreSupplier(storeName, kind, retention), keySerde, valueSerde);
  if (materialized?.cachingEnabled ?? true) storeBuilder = storeBuilder.withCachingEnabled();
  if (materialized && !materialized.loggingEnabled) storeBuilder = storeBuilder.withLoggingDisabled();
  return { storeName, queryable: materialized?.storeName !== undefined, storeBuilder: storeBuilder as StoreBuilder<StateStore> };
}
