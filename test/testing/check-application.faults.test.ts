/**
 * checkApplication over the operators where restarts and rebalances matter, with faults (issue 9). These find the
 * runtime bugs of issue 8 and are expected to fail until their fixes land; they pass once the runtime is right.
 * A failing property stops shrinking after `timeLimitMs` and reports what it found so far.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BufferConfig,
  Consumed,
  KeyValue,
  Materialized,
  Produced,
  Serdes,
  Suppressed,
  TimeWindows,
  checkApplication,
  recordStreams,
  type CheckApplicationSpec,
} from '../../src/index.js';
import { wordCountSpec } from './word-count-app.js';

const S = Serdes.String();
const L = Serdes.Long();
const LIMITS = { numRuns: 15, timeLimitMs: 60_000 } as const;

async function passes(spec: CheckApplicationSpec): Promise<void> {
  const result = await checkApplication(spec);
  expect(result.runs.length).toBeGreaterThan(0);
}

describe('checkApplication with faults (expected to fail until the issue 8 fixes land)', () => {
  it('word count, exactly_once_v2: retriable faults never take an instance to ERROR', () => passes(wordCountSpec({ faults: { retriable: true }, seed: 1, ...LIMITS })), 120_000);

  it('word count, exactly_once_v2: crashes, restarts and wiped state count every word exactly once', () =>
    passes(wordCountSpec({ faults: { crash: true, restart: true, wipeState: true }, seed: 2, ...LIMITS })), 120_000);

  it('word count, exactly_once_v2: a rebalance during restoration counts nothing twice', () =>
    passes(wordCountSpec({ faults: { rebalanceDuringRestore: true, joinLeave: true }, seed: 3, ...LIMITS })), 120_000);

  it('word count, exactly_once_v2: a fenced producer recovers and the app catches up', () => passes(wordCountSpec({ faults: { fence: true }, seed: 4, ...LIMITS })), 120_000);

  it('word count, at_least_once, caching on: every fault, nothing lost', () =>
    passes(wordCountSpec({ guarantee: 'at_least_once', faults: true, seed: 5, ...LIMITS })), 120_000);

  it('suppressed windowed count, exactly_once_v2: one final result per window across restarts and joins', () => {
    const window = 10_000;
    return passes({
      topology: (b) =>
        b
          .stream('events', Consumed.with(S, L))
          .groupByKey()
          .windowedBy(TimeWindows.ofSizeWithNoGrace(window))
          .count(Materialized.as('windowed-counts'))
          .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
          .toStream()
          .map((k, v) => KeyValue.pair(`${k.key}@${k.window.start}`, v))
          .to('finals', Produced.with(S, L)),
      // one partition: stream time, and so which windows closed, is the same for every key
      inputs: [{ topic: 'events', partitions: 1, keySerde: S, valueSerde: L, records: recordStreams({ keys: fc.constantFrom('a', 'b', 'c'), values: fc.nat(9), minLength: 1, maxLength: 200, maxGapMs: 2_000, size: 'medium' }) }],
      outputs: [{ topic: 'finals', keySerde: S, valueSerde: L }],
      model: ([events]) => {
        const counts = new Map<string, number>();
        let streamTime = 0;
        for (const r of events ?? []) {
          streamTime = Math.max(streamTime, r.timestamp);
          const start = r.timestamp - (r.timestamp % window);
          counts.set(`${String(r.key)}@${start}`, (counts.get(`${String(r.key)}@${start}`) ?? 0) + 1);
        }
        const finals = [...counts].filter(([k]) => Number(k.split('@')[1]) + window <= streamTime);
        return { finals: finals.map(([k, n]) => KeyValue.pair(k, n)) };
      },
      compare: 'sequencePerKey',
      instances: 2,
      faults: { restart: true, joinLeave: true },
      seed: 6,
      ...LIMITS,
    });
  }, 120_000);
});
