import type { ReadOnlyKeyValueStore } from '../../state/key-value-store.js';
import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import { isPromise, type MaybePromise, type StreamRecord } from '../record.js';

export interface StreamTableJoinSpec<K, V, KT, VT, VR> {
  readonly storeName: string;
  /** The table key to look up for a stream record (the stream key for a KTable, a selector for a GlobalKTable). */
  readonly lookupKey: (key: K, value: V) => KT | null;
  /** Turns the stored bytes-decoded value into the table's value (filter/mapValues upstream of the store). */
  readonly getter: (key: KT, stored: unknown) => VT | null;
  readonly joiner: (value: V, tableValue: VT | null, key: K) => VR;
  readonly left: boolean;
  /** Reads the table value instead of `storeName` + `getter` (a table computed from several stores). */
  readonly read?: (key: KT, store: (name: string) => ReadOnlyKeyValueStore<unknown, unknown>) => MaybePromise<VT | null>;
}

/**
 * KStream-KTable and KStream-GlobalKTable joins: each stream record looks up the table's current value; an
 * inner join drops records without a match, a left join calls the joiner with null. Table updates trigger nothing.
 */
export function streamTableJoinSupplier<K, V, KT, VT, VR>(spec: StreamTableJoinSpec<K, V, KT, VT, VR>): ProcessorSupplier<K, V, K, VR> {
  return () => {
    let ctx!: ProcessorContext<K, VR>;
    let store!: ReadOnlyKeyValueStore<KT, unknown>;
    const emit = (record: StreamRecord<K, V>, tk: KT | null, stored: unknown): void | Promise<void> =>
      emitValue(record, stored === null || stored === undefined || tk === null ? null : spec.getter(tk, stored));
    const emitValue = (record: StreamRecord<K, V>, tableValue: VT | null): void | Promise<void> => {
      if (tableValue === null && !spec.left) return;
      return ctx.forward({ key: record.key, value: spec.joiner(record.value, tableValue, record.key), timestamp: record.timestamp, headers: record.headers });
    };
    return {
      init(c: ProcessorContext<K, VR>) {
        ctx = c;
        if (!spec.read) store = c.getStateStore<ReadOnlyKeyValueStore<KT, unknown>>(spec.storeName);
      },
      process(record: StreamRecord<K, V>) {
        if (record.value === null || record.value === undefined) return; // Kafka Streams drops null values
        const tk = spec.lookupKey(record.key, record.value);
        if (tk === null || tk === undefined) return spec.left ? emit(record, null, null) : undefined;
        if (spec.read) {
          const v = spec.read(tk, (name) => ctx.getStateStore(name));
          return isPromise<VT | null>(v) ? v.then((value) => emitValue(record, value)) : emitValue(record, v);
        }
        const stored = store.get(tk);
        if (isPromise(stored)) return stored.then((v) => emit(record, tk, v));
        return emit(record, tk, stored);
      },
    };
  };
}
