import type { ProcessorSupplier } from '../processor.js';
import { statelessOperator } from './stateless.js';

/** KStream#peek (forwards) and #foreach (terminal): run an action per record. */
export function peekSupplier<K, V>(action: (key: K, value: V) => void, forward: boolean): ProcessorSupplier<K, V> {
  return statelessOperator<K, V, K, V>((record, ctx) => {
    action(record.key, record.value);
    if (forward) return ctx.forward(record);
  });
}
