import fc from 'fast-check';
import { checkApplication, recordStreams, Consumed, Produced, Serdes, KeyValue, Grouped, Materialized } from '../src/index.js';
const S = Serdes.String(), L = Serdes.Long();
const faults = process.argv[2] === 'faults' ? true : false;
const t0 = Date.now();
try {
const r = await checkApplication({
  topology: (b) => { b.stream('text', Consumed.with(S, S)).flatMapValues((v) => v.split(' ')).groupBy((_k, w) => w, Grouped.with(S, S)).count(Materialized.as<string, number>('counts')).toStream().to('counts', Produced.with(S, L)); },
  inputs: [{ topic: 'text', partitions: 4, keySerde: S, valueSerde: S, records: recordStreams({ keys: fc.constantFrom('a','b','c','d','e'), values: fc.array(fc.constantFrom('x','y','z','w'), {minLength:1,maxLength:3}).map((w) => w.join(' ')), minLength: 30, maxLength: 200 }) }],
  outputs: [{ topic: 'counts', keySerde: S, valueSerde: L }],
  model: ([text]) => { const m = new Map<string, number>(); const out: KeyValue<string, number>[] = []; for (const r of text!) for (const w of (r.value as string).split(' ')) { m.set(w, (m.get(w) ?? 0) + 1); out.push(KeyValue.pair(w, m.get(w)!)); } return { counts: out }; },
  instances: 3, faults, numRuns: Number(process.argv[3] ?? 5), seed: Number(process.argv[4] ?? 1),
  onRun: (r) => console.log(`run ${r.run} ${r.durationMs}ms in=${r.inputRecords} sched=${JSON.stringify(r.schedule)} fired=${r.fired.length} diff=${JSON.stringify(r.differences)}`),
});
console.log('ok', Date.now() - t0);
} catch (e) { console.log(String((e as Error).message)); }
