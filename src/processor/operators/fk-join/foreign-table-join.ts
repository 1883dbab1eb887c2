import type { SubscriptionStore } from '../../../state/join/subscription-store.js';
import type { ProcessorContext, ProcessorSupplier } from '../../processor.js';
import type { StreamRecord } from '../../record.js';
import type { Change } from '../change.js';
import type { SubscriptionResponse } from './subscription.js';

/**
 * KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR on the foreign table (Kafka Streams' ForeignTableJoinProcessorSupplier):
 * an update of a foreign row answers every subscriber of its key with the new row (null when deleted).
 */
export function foreignTableJoinSupplier<KO, K, VO>(storeName: string): ProcessorSupplier<KO, Change<VO>, K, SubscriptionResponse<VO>> {
  return () => {
    let ctx!: ProcessorContext<K, SubscriptionResponse<VO>>;
    let store!: SubscriptionStore<KO, K>;
    return {
      init(c: ProcessorContext<K, SubscriptionResponse<VO>>) {
        ctx = c;
        store = c.getStateStore<SubscriptionStore<KO, K>>(storeName);
      },
      async process(record: StreamRecord<KO, Change<VO>>) {
        if (record.key === null || record.key === undefined) return;
        const { newValue, oldValue } = record.value;
        if (newValue === null && oldValue === null) return;
        for (const s of await store.subscribers(record.key)) {
          await ctx.forward({ key: s.primaryKey, value: { hash: s.hash, foreignValue: newValue }, timestamp: record.timestamp, headers: record.headers });
        }
      },
    };
  };
}
