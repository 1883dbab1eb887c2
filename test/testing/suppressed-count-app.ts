/** A suppressed windowed count checked with checkApplication: one final count per key and window. */
import fc from 'fast-check';
import { BufferConfig, Consumed, KeyValue, Materialized, Produced, Serdes, Suppressed, TimeWindows, recordStreams, type CheckApplicationSpec } from '../../src/index.js';

const S = Serdes.String();
const L = Serdes.Long();
const WINDOW_MS = 10_000;

/**
 * events -> count per key in 10 s tumbling windows -> suppress until the window closes -> finals ("key@start").
 * One input partition: stream time, and so which windows closed, is the same for every key.
 */
export function suppressedCountSpec(overrides: Partial<CheckApplicationSpec> = {}): CheckApplicationSpec {
  return {
    topology: (b) =>
      b
        .stream('events', Consumed.with(S, L))
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW_MS))
        .count(Materialized.as('windowed-counts'))
        .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
        .toStream()
        .map((k, v) => KeyValue.pair(`${k.key}@${k.window.start}`, v))
        .to('finals', Produced.with(S, L)),
    inputs: [{ topic: 'events', partitions: 1, keySerde: S, valueSerde: L, records: recordStreams({ keys: fc.constantFrom('a', 'b', 'c'), values: fc.nat(9), minLength: 1, maxLength: 200, maxGapMs: 2_000, size: 'medium' }) }],
    outputs: [{ topic: 'finals', keySerde: S, valueSerde: L }],
    model: ([events]) => {
      const counts = new Map<string, number>();
      let streamTime = 0;
      for (const r of events ?? []) {
        streamTime = Math.max(streamTime, r.timestamp);
        const start = r.timestamp - (r.timestamp % WINDOW_MS);
        counts.set(`${String(r.key)}@${start}`, (counts.get(`${String(r.key)}@${start}`) ?? 0) + 1);
      }
      const finals = [...counts].filter(([k]) => Number(k.split('@')[1]) + WINDOW_MS <= streamTime);
      return { finals: finals.map(([k, n]) => KeyValue.pair(k, n)) };
    },
    compare: 'sequencePerKey',
    instances: 2,
    ...overrides,
  };
}
