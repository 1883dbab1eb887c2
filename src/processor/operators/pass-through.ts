import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../record.js';

/** Forwards every record unchanged (merge nodes, branch children). */
export function passThroughSupplier<K, V>(): ProcessorSupplier<K, V> {
  return () => {
    let ctx!: ProcessorContext<K, V>;
    return {
      init(c) {
        ctx = c;
      },
      process(record: StreamRecord<K, V>) {
        return ctx.forward(record);
      },
    };
  };
}
