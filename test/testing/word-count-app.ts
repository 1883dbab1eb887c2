/** A word count checked with checkApplication, shared by the tests (and an off-by-one model to catch). */
import fc from 'fast-check';
import { Consumed, Grouped, KeyValue, Materialized, Produced, Serdes, recordStreams, type CheckApplicationSpec, type StreamsBuilder, type TestRecord } from '../../src/index.js';

const S = Serdes.String();
const L = Serdes.Long();

/** Per word, its running count, in input order. */
export function wordCounts(text: readonly TestRecord<unknown, unknown>[], offByOneOn?: string): KeyValue<string, number>[] {
  const counts = new Map<string, number>();
  const out: KeyValue<string, number>[] = [];
  for (const r of text) {
    for (const w of String(r.value).split(' ')) {
      const n = (counts.get(w) ?? (w === offByOneOn ? 1 : 0)) + 1;
      counts.set(w, n);
      out.push(KeyValue.pair(w, n));
    }
  }
  return out;
}

/** text -> flatMapValues -> groupBy word (repartition) -> count -> counts; `onLine` sees every line first. */
export function wordCountTopology(b: StreamsBuilder, options: { caching?: boolean; onLine?: (line: string) => void } = {}): void {
  let m = Materialized.as<string, number>('word-counts');
  if (options.caching === false) m = m.withCachingDisabled();
  const onLine = options.onLine;
  let text = b.stream('text', Consumed.with(S, S));
  if (onLine) text = text.peek((_k, line) => onLine(line));
  text
    .flatMapValues((line) => line.split(' '))
    .groupBy((_k, w) => w, Grouped.with(S, S))
    .count(m)
    .toStream()
    .to('counts', Produced.with(S, L));
}

/** The word count over 4 partitions and 3 instances, checked per key against its final counts. */
export function wordCountSpec(overrides: Partial<CheckApplicationSpec> & { offByOneOn?: string; caching?: boolean } = {}): CheckApplicationSpec {
  return {
    topology: (b) => wordCountTopology(b, { caching: overrides.caching }),
    inputs: [
      {
        topic: 'text',
        partitions: 4,
        keySerde: S,
        valueSerde: S,
        records: recordStreams({
          keys: fc.constantFrom('a', 'b', 'c', 'd'),
          values: fc.array(fc.constantFrom('x', 'y', 'z'), { minLength: 1, maxLength: 3 }).map((ws) => ws.join(' ')),
          minLength: 1,
          maxLength: 200,
          // longer than fast-check's small default: faults land between polls, not after the whole input
          size: 'medium',
        }),
      },
    ],
    outputs: [{ topic: 'counts', keySerde: S, valueSerde: L }],
    model: ([text]) => ({ counts: wordCounts(text ?? [], overrides.offByOneOn) }),
    compare: 'finalPerKey',
    instances: 3,
    numRuns: 10,
    ...overrides,
  };
}
