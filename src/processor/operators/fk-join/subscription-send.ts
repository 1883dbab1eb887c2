import type { Serde } from '../../../serdes/serde.js';
import type { ProcessorContext, ProcessorSupplier } from '../../processor.js';
import type { MaybePromise, StreamRecord } from '../../record.js';
import type { Change } from '../change.js';
import { Instruction, type SubscriptionKey, type SubscriptionValue } from './subscription.js';
import { sameKey, valueHash } from './value-hash.js';

export interface SubscriptionSendSpec<K, V, KO, VO, VR> {
  readonly foreignKeyExtractor: (value: V) => KO | null;
  readonly joiner: (value: V, foreignValue: VO | null) => VR;
  readonly leftJoin: boolean;
  /** Serdes known at build time (hash bytes and foreign-key comparison; canonical forms otherwise). */
  readonly valueSerde: Serde<V> | undefined;
  readonly foreignKeySerde: Serde<KO> | undefined;
  readonly hashTopic: string;
  /** Child names: the subscription topic's sink and the join's output table. */
  readonly subscriptionSink: string;
  readonly output: string;
}

/**
 * KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION (Kafka Streams' SubscriptionSendProcessorSupplier): for each update of
 * a left row, unsubscribes from the foreign key it left and subscribes, with the hash of its new value, to the one
 * it points at now. A row that points at no foreign key (deleted, or a null foreign key) gets its result at once:
 * a tombstone, or for a left join the row joined with null.
 */
export function subscriptionSendSupplier<K, V, KO, VO, VR>(
  spec: SubscriptionSendSpec<K, V, KO, VO, VR>,
): ProcessorSupplier<K, Change<V>, SubscriptionKey<KO, K> | K, SubscriptionValue | VR | null> {
  return () => {
    let ctx!: ProcessorContext<SubscriptionKey<KO, K> | K, SubscriptionValue | VR | null>;
    return {
      init(c: ProcessorContext<SubscriptionKey<KO, K> | K, SubscriptionValue | VR | null>) {
        ctx = c;
      },
      async process(record: StreamRecord<K, Change<V>>) {
        if (record.key === null || record.key === undefined) return;
        const { newValue, oldValue } = record.value;
        const fk = (v: V | null): KO | null => {
          if (v === null) return null;
          const k = spec.foreignKeyExtractor(v);
          return k === undefined ? null : k;
        };
        const oldFk = fk(oldValue);
        const newFk = fk(newValue);
        const send = (foreignKey: KO, value: SubscriptionValue): MaybePromise<void> =>
          ctx.forward({ key: { foreignKey, primaryKey: record.key }, value, timestamp: record.timestamp, headers: record.headers }, spec.subscriptionSink);
        if (oldFk !== null && (newFk === null || !sameKey(oldFk, newFk, spec.foreignKeySerde as Serde<unknown> | undefined, spec.hashTopic))) {
          await send(oldFk, { instruction: Instruction.DELETE_KEY_NO_PROPAGATE, hash: Buffer.alloc(0) });
        }
        if (newFk !== null) {
          const hash = valueHash(newValue, spec.valueSerde as Serde<unknown> | undefined, spec.hashTopic);
          await send(newFk, { instruction: Instruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE, hash });
          return;
        }
        const result = newValue !== null && spec.leftJoin ? spec.joiner(newValue, null) : null;
        await ctx.forward({ key: record.key, value: result, timestamp: record.timestamp, headers: record.headers }, spec.output);
      },
    };
  };
}
