import type { KeyValue } from '../../dsl/key-value.js';
import type { ProcessorSupplier } from '../processor.js';
import { withStep } from './fusable-step.js';
import { statelessOperator } from './stateless.js';

/** KStream#map: a new key and value per record; timestamp and headers are kept. */
export function mapSupplier<K, V, KR, VR>(mapper: (key: K, value: V) => KeyValue<KR, VR>): ProcessorSupplier<K, V, KR, VR> {
  return withStep(
    statelessOperator<K, V, KR, VR>((record, ctx) => {
      const kv = mapper(record.key, record.value);
      if (kv === null || typeof kv !== 'object') {
        throw new TypeError(`map() must return a KeyValue ({ key, value }), got ${String(kv)}`);
      }
      return ctx.forward({ key: kv.key, value: kv.value, timestamp: record.timestamp, headers: record.headers });
    }),
    { kind: 'map', mapper },
  );
}
