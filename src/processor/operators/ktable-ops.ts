import type { KeyValue } from '../../dsl/key-value.js';
import type { MeteredKeyValueStore } from '../../state/metered/metered-key-value-store.js';
import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../record.js';
import type { Change } from './change.js';
import { statelessOperator } from './stateless.js';

/**
 * Stateless KTable operators on Change records. When `storeName` is given the result is materialized too.
 */
function tableTransform<K, V, VR>(
  compute: (key: K, value: V) => VR | null,
  storeName: string | undefined,
): ProcessorSupplier<K, Change<V>, K, Change<VR>> {
  return () => {
    let ctx!: ProcessorContext<K, Change<VR>>;
    let store: MeteredKeyValueStore<K, VR> | undefined;
    return {
      init(c: ProcessorContext<K, Change<VR>>) {
        ctx = c;
        if (storeName) store = c.getStateStore<MeteredKeyValueStore<K, VR>>(storeName);
      },
      process(record: StreamRecord<K, Change<V>>) {
        const { newValue, oldValue } = record.value;
        const n = newValue === null ? null : compute(record.key, newValue);
        const o = oldValue === null ? null : compute(record.key, oldValue);
        if (n === null && o === null) return; // nothing visible changed
        if (store) store.put(record.key, n);
        return ctx.forward({ key: record.key, value: { newValue: n, oldValue: o }, timestamp: record.timestamp, headers: record.headers });
      },
    };
  };
}

export function tableFilterSupplier<K, V>(predicate: (key: K, value: V) => boolean, not: boolean, storeName?: string) {
  return tableTransform<K, V, V>((k, v) => (predicate(k, v) !== not ? v : null), storeName);
}

export function tableMapValuesSupplier<K, V, VR>(mapper: (value: V, key: K) => VR, storeName?: string) {
  return tableTransform<K, V, VR>((k, v) => mapper(v, k), storeName);
}

/** KTable#toStream: each update as a plain record (a deletion becomes a null value). */
export function tableToStreamSupplier<K, V>(): ProcessorSupplier<K, Change<V>, K, V | null> {
  return statelessOperator<K, Change<V>, K, V | null>((record, ctx) =>
    ctx.forward({ key: record.key, value: record.value.newValue, timestamp: record.timestamp, headers: record.headers }),
  );
}

/**
 * KTable#groupBy: the old row is withdrawn from its old group and the new row added to its new group, as two
 * records (old first) carrying one side of the change each, through the repartition topic.
 */
export function tableSelectSupplier<K, V, KR, VR>(selector: (key: K, value: V) => KeyValue<KR, VR>): ProcessorSupplier<K, Change<V>, KR, Change<VR>> {
  return () => {
    let ctx!: ProcessorContext<KR, Change<VR>>;
    return {
      init(c: ProcessorContext<KR, Change<VR>>) {
        ctx = c;
      },
      process(record: StreamRecord<K, Change<V>>) {
        const { newValue, oldValue } = record.value;
        const out: StreamRecord<KR, Change<VR>>[] = [];
        if (oldValue !== null) {
          const kv = selector(record.key, oldValue);
          out.push({ key: kv.key, value: { newValue: null, oldValue: kv.value }, timestamp: record.timestamp, headers: record.headers });
        }
        if (newValue !== null) {
          const kv = selector(record.key, newValue);
          out.push({ key: kv.key, value: { newValue: kv.value, oldValue: null }, timestamp: record.timestamp, headers: record.headers });
        }
        if (out.length === 1) return ctx.forward(out[0]!);
        if (out.length === 2) {
          const r = ctx.forward(out[0]!);
          if (r) return r.then(() => ctx.forward(out[1]!));
          return ctx.forward(out[1]!);
        }
      },
    };
  };
}
