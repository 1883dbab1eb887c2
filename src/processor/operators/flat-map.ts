import type { KeyValue } from '../../dsl/key-value.js';
import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import { isPromise, type StreamRecord } from '../record.js';
import { statelessOperator } from './stateless.js';

/** KStream#flatMap: zero or more records per input, in order; each keeps the input's timestamp and headers. */
export function flatMapSupplier<K, V, KR, VR>(mapper: (key: K, value: V) => Iterable<KeyValue<KR, VR>>): ProcessorSupplier<K, V, KR, VR> {
  return statelessOperator<K, V, KR, VR>((record, ctx) =>
    forwardAll(ctx, mapper(record.key, record.value), (kv) => ({ key: kv.key, value: kv.value, timestamp: record.timestamp, headers: record.headers })),
  );
}

/** Forward each mapped element in order; waits for a downstream Promise before the next element. */
export function forwardAll<T, KR, VR>(
  ctx: ProcessorContext<KR, VR>,
  items: Iterable<T>,
  toRecord: (item: T) => StreamRecord<KR, VR>,
): void | Promise<void> {
  if (items == null || typeof (items as Iterable<T>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`flatMap/flatMapValues must return an iterable (an array, for example), got ${String(items)}`);
  }
  if (Array.isArray(items)) {
    for (let i = 0; i < items.length; i++) {
      const r = ctx.forward(toRecord(items[i] as T));
      if (r !== undefined && isPromise(r)) return continueAsync(r, ctx, items.slice(i + 1), toRecord);
    }
    return;
  }
  const rest: T[] = [];
  let pending: Promise<void> | undefined;
  for (const item of items) {
    if (pending) rest.push(item);
    else {
      const r = ctx.forward(toRecord(item));
      if (r !== undefined && isPromise(r)) pending = r;
    }
  }
  return pending ? continueAsync(pending, ctx, rest, toRecord) : undefined;
}

export async function continueAsync<T, KR, VR>(
  first: Promise<void>,
  ctx: ProcessorContext<KR, VR>,
  rest: readonly T[],
  toRecord: (item: T) => StreamRecord<KR, VR>,
): Promise<void> {
  await first;
  for (const item of rest) await ctx.forward(toRecord(item));
}
