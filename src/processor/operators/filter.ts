import type { ProcessorSupplier } from '../processor.js';
import { withStep } from './fusable-step.js';
import { statelessOperator } from './stateless.js';

/** KStream#filter / filterNot: forwards records whose predicate result differs from `not`. */
export function filterSupplier<K, V>(predicate: (key: K, value: V) => boolean, not: boolean): ProcessorSupplier<K, V> {
  return withStep(
    statelessOperator<K, V, K, V>((record, ctx) => {
      if (predicate(record.key, record.value) !== not) return ctx.forward(record);
    }),
    { kind: 'filter', predicate, not },
  );
}
