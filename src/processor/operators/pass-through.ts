import type { ProcessorSupplier } from '../processor.js';
import { statelessOperator } from './stateless.js';

/** Forwards every record unchanged (merge nodes, branch children). */
export function passThroughSupplier<K, V>(): ProcessorSupplier<K, V> {
  return statelessOperator<K, V, K, V>((record, ctx) => ctx.forward(record));
}
