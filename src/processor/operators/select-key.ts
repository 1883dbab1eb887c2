import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../record.js';

/** KStream#selectKey: a new key, same value, timestamp and headers. */
export function selectKeySupplier<K, V, KR>(selector: (key: K, value: V) => KR): ProcessorSupplier<K, V, KR, V> {
  return () => {
    let ctx!: ProcessorContext<KR, V>;
    return {
      init(c) {
        ctx = c;
      },
      process(record: StreamRecord<K, V>) {
        return ctx.forward({ key: selector(record.key, record.value), value: record.value, timestamp: record.timestamp, headers: record.headers });
      },
    };
  };
}
