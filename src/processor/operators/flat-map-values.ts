import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../record.js';
import { forwardAll } from './flat-map.js';

/** KStream#flatMapValues: zero or more values per input, same key, timestamp and headers. */
export function flatMapValuesSupplier<K, V, VR>(mapper: (value: V, key: K) => Iterable<VR>): ProcessorSupplier<K, V, K, VR> {
  return () => {
    let ctx!: ProcessorContext<K, VR>;
    return {
      init(c) {
        ctx = c;
      },
      process(record: StreamRecord<K, V>) {
        return forwardAll(ctx, mapper(record.value, record.key), (value) => ({
          key: record.key,
          value,
          timestamp: record.timestamp,
          headers: record.headers,
        }));
      },
    };
  };
}
