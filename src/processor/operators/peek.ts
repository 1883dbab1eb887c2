import type { ProcessorSupplier } from '../processor.js';
import { withStep } from './fusable-step.js';
import { statelessOperator } from './stateless.js';

/** KStream#peek (forwards) and #foreach (terminal): run an action per record. */
export function peekSupplier<K, V>(action: (key: K, value: V) => void, forward: boolean): ProcessorSupplier<K, V> {
  const supplier = statelessOperator<K, V, K, V>((record, ctx) => {
    action(record.key, record.value);
    if (forward) return ctx.forward(record);
  });
  return forward ? withStep(supplier, { kind: 'peek', action }) : supplier;
}
