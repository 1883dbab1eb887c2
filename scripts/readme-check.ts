import fc from 'fast-check';
import { checkApplication, recordStreams, Consumed, Grouped, KeyValue, Produced, Serdes } from '../src/index.js';

const S = Serdes.String();
const result = await checkApplication({
  topology: (b) => b.stream('text', Consumed.with(S, S)).flatMapValues((line) => line.split(' '))
    .groupBy((_k, word) => word, Grouped.with(S, S)).count().toStream().to('counts', Produced.with(S, Serdes.Long())),
  inputs: [{ topic: 'text', partitions: 4, keySerde: S, valueSerde: S,
             records: recordStreams({ keys: fc.constantFrom('a', 'b'), values: fc.constantFrom('x y', 'y z'), maxLength: 100 }) }],
  outputs: [{ topic: 'counts', keySerde: S, valueSerde: Serdes.Long() }],
  model: ([text]) => { const n = new Map<string, number>();
    return { counts: text!.flatMap((r) => String(r.value).split(' ').map((w) => KeyValue.pair(w, n.set(w, (n.get(w) ?? 0) + 1).get(w)!))) }; },
  compare: 'finalPerKey',            // | 'sequencePerKey' | 'set'; at_least_once allows duplicates, not losses
  guarantee: 'exactly_once_v2',
  instances: 3,
  faults: { restart: true },         // or true (every kind) / false; see FaultOptions
  numRuns: 3, seed: 42,
});
console.log(result.runs.map((r) => `${r.durationMs} ms: ${r.schedule.join('; ') || 'no faults'}`));
