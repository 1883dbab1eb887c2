import type { ProcessorSupplier } from '../processor.js';
import { statelessOperator } from './stateless.js';

/**
 * KStream#split: sends each record to the first branch whose predicate holds (the default branch's predicate
 * takes everything); records matching no branch are dropped. The arrays are read when tasks are created, so
 * branches declared after split() are included.
 */
export function branchSupplier<K, V>(
  predicates: readonly ((key: K, value: V) => boolean)[],
  childNames: readonly string[],
): ProcessorSupplier<K, V> {
  return statelessOperator<K, V, K, V>((record, ctx) => {
    for (let i = 0; i < predicates.length; i++) {
      if (predicates[i]!(record.key, record.value)) return ctx.forward(record, childNames[i]);
    }
  });
}
