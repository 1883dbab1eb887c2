import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../record.js';

/** KStream#mapValues: a new value, same key, timestamp and headers. */
export function mapValuesSupplier<K, V, VR>(mapper: (value: V, key: K) => VR): ProcessorSupplier<K, V, K, VR> {
  return () => {
    let ctx!: ProcessorContext<K, VR>;
    return {
      init(c) {
        ctx = c;
      },
      process(record: StreamRecord<K, V>) {
        return ctx.forward({ key: record.key, value: mapper(record.value, record.key), timestamp: record.timestamp, headers: record.headers });
      },
    };
  };
}
