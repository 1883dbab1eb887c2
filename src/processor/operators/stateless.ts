import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import type { MaybePromise, StreamRecord } from '../record.js';

/**
 * A stateless operator from one function of (record, context): the supplier gives every task a fresh processor
 * that keeps its context from init. Shared by filter, map, peek, branch and the other one-record operators.
 */
export function statelessOperator<K, V, KR, VR>(
  process: (record: StreamRecord<K, V>, ctx: ProcessorContext<KR, VR>) => MaybePromise<void>,
): ProcessorSupplier<K, V, KR, VR> {
  return () => {
    let ctx!: ProcessorContext<KR, VR>;
    return {
      init(c: ProcessorContext<KR, VR>) {
        ctx = c;
      },
      process(record: StreamRecord<K, V>) {
        return process(record, ctx);
      },
    };
  };
}
