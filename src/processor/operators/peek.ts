import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../record.js';

/** KStream#peek (forwards) and #foreach (terminal): run an action per record. */
export function peekSupplier<K, V>(action: (key: K, value: V) => void, forward: boolean): ProcessorSupplier<K, V> {
  return () => {
    let ctx!: ProcessorContext<K, V>;
    return {
      init(c) {
        ctx = c;
      },
      process(record: StreamRecord<K, V>) {
        action(record.key, record.value);
        if (forward) return ctx.forward(record);
      },
    };
  };
}
