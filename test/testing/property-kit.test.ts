import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed, KeyValue, Produced, PropertyFailedError, Serdes, checkTopology, recordStreams, type TestRecord } from '../../src/index.js';

const S = Serdes.String();
const L = Serdes.Long();

const countTopology = (builder: import('../../src/index.js').StreamsBuilder): void => {
  builder.stream('in', Consumed.with(S, L)).groupByKey().count().toStream().to('out', Produced.with(S, L));
};

/** Reference: running count per key, one update per non-null input. */
function countModel(inputs: TestRecord<string, number | null>[][]): KeyValue<string, number>[] {
  const counts = new Map<string, number>();
  const out: KeyValue<string, number>[] = [];
  for (const r of inputs[0]!) {
    if (r.value === null) continue;
    const n = (counts.get(r.key) ?? 0) + 1;
    counts.set(r.key, n);
    out.push(KeyValue.pair(r.key, n));
  }
  return out;
}

describe('property-testing kit', () => {
  it('recordStreams yields records with forward-moving timestamps unless out-of-order is asked for', () => {
    fc.assert(
      fc.property(recordStreams({ keys: fc.constantFrom('a', 'b'), values: fc.integer(), maxLength: 30 }), (records) => {
        for (let i = 1; i < records.length; i++) expect(records[i]!.timestamp).toBeGreaterThanOrEqual(records[i - 1]!.timestamp);
      }),
    );
    const sample = fc.sample(recordStreams({ keys: fc.constant('k'), values: fc.integer(), minLength: 30, maxLength: 30, outOfOrder: true, tombstones: true }), 20).flat();
    expect(sample.some((r, i) => i > 0 && r.timestamp < sample[i - 1]!.timestamp)).toBe(true);
    expect(sample.some((r) => r.value === null)).toBe(true);
  });

  it('resolves when the topology agrees with the model', async () => {
    await checkTopology({
      topology: countTopology,
      inputs: [{ topic: 'in', keySerde: S, valueSerde: L, records: recordStreams({ keys: fc.constantFrom('a', 'b', 'c'), values: fc.integer({ min: 0, max: 9 }), maxLength: 30, tombstones: true }) }],
      output: { topic: 'out', keySerde: S, valueSerde: L },
      model: countModel,
      compare: 'sequence',
      numRuns: 50,
      seed: 42,
    });
  });

  it('rejects with the seed and a shrunk counterexample when the model disagrees', async () => {
    const wrongModel = (inputs: TestRecord<string, number | null>[][]): KeyValue<string, number>[] =>
      countModel(inputs).map((kv) => KeyValue.pair(kv.key, kv.value === 2 ? 3 : kv.value)); // off by one at the second update
    const error = await checkTopology({
      topology: countTopology,
      inputs: [{ topic: 'in', keySerde: S, valueSerde: L, records: recordStreams({ keys: fc.constantFrom('a', 'b'), values: fc.integer({ min: 0, max: 9 }), maxLength: 20 }) }],
      output: { topic: 'out', keySerde: S, valueSerde: L },
      model: wrongModel,
      numRuns: 100,
      seed: 7,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PropertyFailedError);
    const message = (error as Error).message;
    expect(message).toMatch(/seed 7/);
    expect(message).toMatch(/Counterexample inputs: \[\[/);
    // shrinking leaves the smallest failing input: two records of one key
    expect(message).toMatch(/expected \{"key":"[ab]","value":3\}, got \{"key":"[ab]","value":2\}/);
  });

  it('finalPerKey compares only the last value per key', async () => {
    await checkTopology({
      topology: countTopology,
      inputs: [{ topic: 'in', keySerde: S, valueSerde: L, records: recordStreams({ keys: fc.constantFrom('x', 'y'), values: fc.integer(), maxLength: 20 }) }],
      output: { topic: 'out', keySerde: S, valueSerde: L },
      model: (inputs) => {
        const last = new Map<string, number>();
        for (const kv of countModel(inputs as TestRecord<string, number | null>[][])) last.set(kv.key, kv.value);
        return [...last].map(([k, v]) => KeyValue.pair(k, v));
      },
      compare: 'finalPerKey',
      numRuns: 30,
    });
  });
});
