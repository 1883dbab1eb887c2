import type { ProcessorSupplier } from '../processor.js';
import { withStep } from './fusable-step.js';
import { statelessOperator } from './stateless.js';

/** KStream#mapValues: a new value, same key, timestamp and headers. */
export function mapValuesSupplier<K, V, VR>(mapper: (value: V, key: K) => VR): ProcessorSupplier<K, V, K, VR> {
  return withStep(
    statelessOperator<K, V, K, VR>((record, ctx) =>
      ctx.forward({ key: record.key, value: mapper(record.value, record.key), timestamp: record.timestamp, headers: record.headers }),
    ),
    { kind: 'mapValues', mapper },
  );
}
