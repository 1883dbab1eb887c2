import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../record.js';

/**
 * KStream#split: sends each record to the first branch whose predicate holds (a predicate of `undefined`
 * is the default branch, which takes everything); records matching no branch are dropped.
 */
export function branchSupplier<K, V>(
  predicates: readonly ((key: K, value: V) => boolean)[],
  childNames: readonly string[],
): ProcessorSupplier<K, V> {
  return () => {
    let ctx!: ProcessorContext<K, V>;
    return {
      init(c) {
        ctx = c;
      },
      process(record: StreamRecord<K, V>) {
        for (let i = 0; i < predicates.length; i++) {
          if (predicates[i]!(record.key, record.value)) return ctx.forward(record, childNames[i]);
        }
      },
    };
  };
}
