import type { FixedKeyProcessorSupplier, ProcessorContext, ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../record.js';

/**
 * KStream#processValues: runs a user processor but pins forwarded keys to the input key, so no repartition
 * is needed downstream (Kafka Streams' FixedKeyProcessor contract).
 */
export function processValuesSupplier<K, V, VR>(supplier: FixedKeyProcessorSupplier<K, V, VR>): ProcessorSupplier<K, V, K, VR> {
  return () => {
    const inner = supplier();
    let currentKey: K;
    return {
      init(ctx: ProcessorContext<K, VR>) {
        const fixed: ProcessorContext<K, VR> = Object.create(ctx);
        fixed.forward = (record: StreamRecord<any, any>, childName?: string) =>
          ctx.forward({ ...record, key: currentKey }, childName);
        return inner.init?.(fixed);
      },
      process(record: StreamRecord<K, V>) {
        currentKey = record.key;
        return inner.process(record);
      },
      close() {
        return inner.close?.();
      },
    };
  };
}
