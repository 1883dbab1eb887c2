import type { Serde } from '../../../serdes/serde.js';
import type { ProcessorContext, ProcessorSupplier } from '../../processor.js';
import type { MaybePromise, StreamRecord } from '../../record.js';
import type { SubscriptionResponse } from './subscription.js';
import { valueHash } from './value-hash.js';

export interface ResponseResolverSpec<K, V, VO, VR> {
  /** The left table's current value (its value getter). */
  readonly current: (key: K, ctx: ProcessorContext<any, any>) => MaybePromise<V | null>;
  readonly joiner: (value: V, foreignValue: VO | null) => VR;
  readonly leftJoin: boolean;
  readonly valueSerde: Serde<V> | undefined;
  readonly hashTopic: string;
}

/**
 * KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR (Kafka Streams' ResponseJoinProcessorSupplier): joins a
 * response with the left row's current value, unless the row changed since it subscribed (hash mismatch: a newer
 * response is on its way, or the row is gone). No foreign row: a tombstone, or for a left join the row with null.
 */
export function responseResolverSupplier<K, V, VO, VR>(spec: ResponseResolverSpec<K, V, VO, VR>): ProcessorSupplier<K, SubscriptionResponse<VO>, K, VR | null> {
  return () => {
    let ctx!: ProcessorContext<K, VR | null>;
    return {
      init(c: ProcessorContext<K, VR | null>) {
        ctx = c;
      },
      async process(record: StreamRecord<K, SubscriptionResponse<VO>>) {
        if (record.key === null || record.key === undefined || record.value === null) return;
        const current = await spec.current(record.key, ctx);
        if (current === null) return; // the row was deleted: its tombstone was already sent
        if (!valueHash(current, spec.valueSerde as Serde<unknown> | undefined, spec.hashTopic).equals(record.value.hash)) return; // stale
        const foreign = record.value.foreignValue;
        const result = foreign !== null ? spec.joiner(current, foreign) : spec.leftJoin ? spec.joiner(current, null) : null;
        await ctx.forward({ key: record.key, value: result, timestamp: record.timestamp, headers: record.headers });
      },
    };
  };
}
