import type { ProcessorSupplier } from '../processor.js';
import { withStep } from './fusable-step.js';
import { statelessOperator } from './stateless.js';

/** KStream#selectKey: a new key, same value, timestamp and headers. */
export function selectKeySupplier<K, V, KR>(selector: (key: K, value: V) => KR): ProcessorSupplier<K, V, KR, V> {
  return withStep(
    statelessOperator<K, V, KR, V>((record, ctx) =>
      ctx.forward({ key: selector(record.key, record.value), value: record.value, timestamp: record.timestamp, headers: record.headers }),
    ),
    { kind: 'selectKey', selector },
  );
}
