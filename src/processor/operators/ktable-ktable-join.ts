import type { MeteredKeyValueStore } from '../../state/metered/metered-key-value-store.js';
import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import { EMPTY_HEADERS, isPromise, type MaybePromise, type StreamRecord } from '../record.js';
import type { Change } from './change.js';

export type TableJoinKind = 'inner' | 'left' | 'outer';

export interface TableJoinSideSpec<K, VThis, VOther, VR> {
  readonly kind: TableJoinKind;
  /** Whether this processor handles the updates of the left table (the one join() was called on). */
  readonly thisIsLeft: boolean;
  /** The other table's current value (its value getter). */
  readonly other: (key: K, ctx: ProcessorContext<any, any>) => MaybePromise<VOther | null>;
  /** The user's joiner, with this side's value first. */
  readonly joiner: (value: VThis | null, other: VOther | null) => VR;
}

/**
 * One side of a KTable-KTable join (Kafka Streams' KTableKTableInnerJoin / LeftJoin / RightJoin / OuterJoin): an
 * update of this table looks up the other table's current value and forwards the join result before and after
 * the update, so a result that disappears becomes a tombstone downstream.
 */
export function tableTableJoinSupplier<K, VThis, VOther, VR>(spec: TableJoinSideSpec<K, VThis, VOther, VR>): ProcessorSupplier<K, Change<VThis>, K, Change<VR>> {
  // which side must be present for a result: inner both, left join the left table, outer either
  const thisRequired = spec.kind === 'inner' || (spec.kind === 'left' && spec.thisIsLeft);
  const otherRequired = spec.kind === 'inner' || (spec.kind === 'left' && !spec.thisIsLeft);
  const result = (mine: VThis | null, other: VOther | null): VR | null => {
    if ((mine === null && (thisRequired || other === null)) || (other === null && otherRequired)) return null;
    return spec.joiner(mine, other);
  };
  return () => {
    let ctx!: ProcessorContext<K, Change<VR>>;
    const emit = (record: StreamRecord<K, Change<VThis>>, other: VOther | null): MaybePromise<void> => {
      const newValue = result(record.value.newValue, other);
      const oldValue = result(record.value.oldValue, other);
      if (newValue === null && oldValue === null) return; // no result before nor after
      return ctx.forward({ key: record.key, value: { newValue, oldValue }, timestamp: record.timestamp, headers: record.headers });
    };
    return {
      init(c: ProcessorContext<K, Change<VR>>) {
        ctx = c;
      },
      process(record: StreamRecord<K, Change<VThis>>) {
        if (record.key === null || record.key === undefined) return;
        const other = spec.other(record.key, ctx);
        return isPromise<VOther | null>(other) ? other.then((o) => emit(record, o)) : emit(record, other);
      },
    };
  };
}

/**
 * KTABLE-MERGE of a table-table join: forwards both sides' results; when the result is materialized it stores
 * them and forwards the stored value as the old value (through the record cache when caching is on).
 */
export function tableJoinMergeSupplier<K, VR>(storeName: string | undefined): ProcessorSupplier<K, Change<VR>, K, Change<VR>> {
  return () => {
    let ctx!: ProcessorContext<K, Change<VR>>;
    let store: MeteredKeyValueStore<K, VR> | undefined;
    let cached = false;
    const update = (record: StreamRecord<K, Change<VR>>, old: VR | null): MaybePromise<void> => {
      const newValue = record.value.newValue;
      if (newValue === null && old === null) return;
      store!.put(record.key, newValue);
      if (!cached) return ctx.forward({ ...record, value: { newValue, oldValue: old } });
    };
    return {
      init(c: ProcessorContext<K, Change<VR>>) {
        ctx = c;
        if (!storeName) return;
        store = c.getStateStore<MeteredKeyValueStore<K, VR>>(storeName);
        cached = store.setFlushListener((key, newValue, oldValue, timestamp) => ctx.forward({ key, value: { newValue, oldValue }, timestamp, headers: EMPTY_HEADERS }));
      },
      process(record: StreamRecord<K, Change<VR>>) {
        if (!store) return ctx.forward(record);
        const old = store.get(record.key);
        return isPromise<VR | null>(old) ? old.then((o) => update(record, o)) : update(record, old);
      },
    };
  };
}
