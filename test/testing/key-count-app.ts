/**
 * A count per key straight from a 4-partition input (no repartition), checked with checkApplication. Caching is off,
 * so each task's changelog holds a record per input record: a store takes as many restore polls as it counted.
 */
import fc from 'fast-check';
import { Consumed, KeyValue, Materialized, Produced, Serdes, recordStreams, type CheckApplicationSpec } from '../../src/index.js';

const S = Serdes.String();
const L = Serdes.Long();

export function keyCountSpec(overrides: Partial<CheckApplicationSpec> = {}): CheckApplicationSpec {
  return {
    topology: (b) =>
      b
        .stream('events', Consumed.with(S, S))
        .groupByKey()
        .count(Materialized.as<string, number>('key-counts').withCachingDisabled())
        .toStream()
        .to('counts', Produced.with(S, L)),
    inputs: [
      {
        topic: 'events',
        partitions: 4,
        keySerde: S,
        valueSerde: S,
        records: recordStreams({ keys: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), values: fc.constant('v'), minLength: 1, maxLength: 200, size: 'medium' }),
      },
    ],
    outputs: [{ topic: 'counts', keySerde: S, valueSerde: L }],
    model: ([events]) => {
      const counts = new Map<string, number>();
      const out: KeyValue<string, number>[] = [];
      for (const r of events ?? []) {
        const n = (counts.get(String(r.key)) ?? 0) + 1;
        counts.set(String(r.key), n);
        out.push(KeyValue.pair(String(r.key), n));
      }
      return { counts: out };
    },
    compare: 'finalPerKey',
    instances: 3,
    ...overrides,
  };
}
