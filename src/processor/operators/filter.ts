import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../record.js';

/** KStream#filter / filterNot: forwards records whose predicate result differs from `not`. */
export function filterSupplier<K, V>(predicate: (key: K, value: V) => boolean, not: boolean): ProcessorSupplier<K, V> {
  return () => {
    let ctx!: ProcessorContext<K, V>;
    return {
      init(c) {
        ctx = c;
      },
      process(record: StreamRecord<K, V>) {
        if (predicate(record.key, record.value) !== not) return ctx.forward(record);
      },
    };
  };
}
