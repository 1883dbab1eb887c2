import type { SubscriptionStore } from '../../../state/join/subscription-store.js';
import type { ProcessorContext, ProcessorSupplier } from '../../processor.js';
import type { MaybePromise, StreamRecord } from '../../record.js';
import { Instruction, type SubscriptionKey, type SubscriptionResponse, type SubscriptionValue } from './subscription.js';

/**
 * KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR, receiving side (Kafka Streams' SubscriptionReceiveProcessorSupplier):
 * records or forgets a left row's subscription to a foreign key; subscriptions that want an answer go on to
 * the join with the foreign table.
 */
export function subscriptionReceiveSupplier<KO, K>(storeName: string): ProcessorSupplier<SubscriptionKey<KO, K>, SubscriptionValue> {
  return () => {
    let ctx!: ProcessorContext<SubscriptionKey<KO, K>, SubscriptionValue>;
    let store!: SubscriptionStore<KO, K>;
    return {
      init(c: ProcessorContext<SubscriptionKey<KO, K>, SubscriptionValue>) {
        ctx = c;
        store = c.getStateStore<SubscriptionStore<KO, K>>(storeName);
      },
      process(record: StreamRecord<SubscriptionKey<KO, K>, SubscriptionValue>) {
        if (record.key === null || record.value === null) return;
        const { foreignKey, primaryKey } = record.key;
        if (record.value.instruction === Instruction.DELETE_KEY_NO_PROPAGATE) {
          store.delete(foreignKey, primaryKey);
          return;
        }
        store.put(foreignKey, primaryKey, record.value.hash);
        return ctx.forward(record);
      },
    };
  };
}

/**
 * KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR, join side (Kafka Streams' SubscriptionJoinProcessorSupplier): answers a
 * subscription with the foreign table's current row (null if none), keyed by the subscriber's primary key.
 */
export function subscriptionJoinSupplier<KO, K, VO>(
  foreignValue: (key: KO, ctx: ProcessorContext<any, any>) => MaybePromise<VO | null>,
): ProcessorSupplier<SubscriptionKey<KO, K>, SubscriptionValue, K, SubscriptionResponse<VO>> {
  return () => {
    let ctx!: ProcessorContext<K, SubscriptionResponse<VO>>;
    return {
      init(c: ProcessorContext<K, SubscriptionResponse<VO>>) {
        ctx = c;
      },
      async process(record: StreamRecord<SubscriptionKey<KO, K>, SubscriptionValue>) {
        const value = await foreignValue(record.key.foreignKey, ctx);
        await ctx.forward({ key: record.key.primaryKey, value: { hash: record.value.hash, foreignValue: value }, timestamp: record.timestamp, headers: record.headers });
      },
    };
  };
}
