import type { ProcessorSupplier } from '../processor.js';
import { isPromise, type StreamRecord } from '../record.js';
import { continueAsync, forwardAll } from './flat-map.js';
import { withStep } from './fusable-step.js';
import { statelessOperator } from './stateless.js';

/** KStream#flatMapValues: zero or more values per input, same key, timestamp and headers. */
export function flatMapValuesSupplier<K, V, VR>(mapper: (value: V, key: K) => Iterable<VR>): ProcessorSupplier<K, V, K, VR> {
  return withStep(
    statelessOperator<K, V, K, VR>((record, ctx) => {
      const values = mapper(record.value, record.key);
      if (!Array.isArray(values)) return forwardAll(ctx, values, (value) => withValue(record, value));
      // arrays (the usual case) are forwarded without a per-record closure
      for (let i = 0; i < values.length; i++) {
        const r = ctx.forward(withValue(record, values[i] as VR));
        if (r !== undefined && isPromise(r)) return continueAsync(r, ctx, values.slice(i + 1) as VR[], (value) => withValue(record, value));
      }
    }),
    { kind: 'flatMapValues', mapper },
  );
}

function withValue<K, V, VR>(record: StreamRecord<K, V>, value: VR): StreamRecord<K, VR> {
  return { key: record.key, value, timestamp: record.timestamp, headers: record.headers };
}
