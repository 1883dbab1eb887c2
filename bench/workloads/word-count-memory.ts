/**
 * Word count with an in-memory store, run on StreamTasks the way a stream thread runs them (bench/lib/task-runner.ts):
 *   stream('text-lines') -> flatMapValues(split ' ') -> groupBy(word) [repartition topic] -> count(in_memory, cached)
 *   -> toStream -> to('word-counts', String/Long)
 * against a hand-written loop doing the same deserialize + split + Map count + (per commit) serialize of the changed
 * counts, with the same serdes.
 *
 * Input: 1M lines of 1-8 words (avg 4.5) drawn by Zipf's law (s = 1) from 10k words. Records = INPUT LINES (as Kafka
 * Streams' process rate of the source task counts them); words/s are in the notes. Commit every 100k lines: caches
 * flush (one update per changed word to the changelog and the output topic), as a stream thread's commit does.
 * The driver is not used: it commits after every record when the topology has stores, which measures the driver.
 */
import { Consumed, Grouped, Materialized, Produced, Serdes, StreamsBuilder } from '../../src/index.js';
import { assertSameWork, bufferDigest, gcTimer, measurement, settle, timer } from '../lib/measure.js';
import { lcg, vocabulary, zipf } from '../lib/inputs.js';
import { TaskRunner, consumedRecords } from '../lib/task-runner.js';
import type { ConsumedRecord } from '../../src/kafka/client.js';
import type { Measurement, Result, RunOptions, Workload } from '../types.js';

const DEFAULT_RECORDS = 1_000_000;
const VOCABULARY = 10_000;
const COMMIT_EVERY = 100_000;
const INPUT = 'text-lines';
const OUTPUT = 'word-counts';
const STORE = 'word-count-store';

const split = (line: string): string[] => line.split(' ');

interface Input {
  readonly records: ConsumedRecord[];
  readonly words: number;
}

let cached: Input | undefined;

function input(n: number): Input {
  if (cached && cached.records.length === n) return cached;
  const rand = lcg(7);
  const vocab = vocabulary(VOCABULARY);
  const pick = zipf(VOCABULARY, 1, rand);
  const serde = Serdes.String();
  const keys: Buffer[] = new Array(n);
  const values: Buffer[] = new Array(n);
  let words = 0;
  for (let i = 0; i < n; i++) {
    const len = 1 + ((rand() * 8) | 0);
    words += len;
    let line = vocab[pick()]!;
    for (let j = 1; j < len; j++) line += ` ${vocab[pick()]!}`;
    keys[i] = serde.serialize(INPUT, `doc-${i % 1000}`)!;
    values[i] = serde.serialize(INPUT, line)!;
  }
  cached = { records: consumedRecords(INPUT, keys, values), words };
  return cached;
}

async function runSluice(data: Input): Promise<{ m: Measurement; notes: string[] }> {
  const builder = new StreamsBuilder();
  builder
    .stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
    .flatMapValues(split)
    .groupBy((_k, word) => word, Grouped.with(Serdes.String(), Serdes.String()))
    .count(Materialized.as<string, number>(STORE).withStoreType('in_memory'))
    .toStream()
    .to(OUTPUT, Produced.with(Serdes.String(), Serdes.Long()));
  const runner = new TaskRunner(builder.build(), { commitEvery: COMMIT_EVERY, checksumTopic: OUTPUT });
  await runner.init();
  const n = data.records.length;
  settle();
  const gc = gcTimer();
  const t = timer();
  await runner.run(data.records);
  await runner.commit();
  const { start, end, cpuMs } = t.stop();
  const gcMs = await gc.stop(start, end);
  const sent = runner.sent();
  await runner.close();
  const outputRecords = sent.get(OUTPUT) ?? 0;
  const ms = end - start;
  const notes = [
    `run on StreamTasks (bench/lib/task-runner.ts: addRecords, prefetch, processNext; commit every ${COMMIT_EVERY} lines)`,
    `${data.words} words (${(data.words / n).toFixed(2)} per line): ${((data.words * 1000) / ms / 1e6).toFixed(2)}M words/s`,
    `repartition records ${[...sent].filter(([k]) => k.endsWith('-repartition')).map(([, v]) => v)[0]}, changelog records ${sent.get(`bench-${STORE}-changelog`) ?? 0}, commits ${runner.stats.commits}`,
  ];
  return { m: measurement(n, ms, outputRecords, runner.stats.checksum, gcMs, cpuMs), notes };
}

async function runBaseline(data: Input): Promise<Measurement> {
  const str = Serdes.String();
  const long = Serdes.Long();
  const { records } = data;
  const n = records.length;
  const counts = new Map<string, number>();
  const dirty = new Set<string>();
  let outputRecords = 0;
  let checksum = 0;
  const flush = (): void => {
    for (const w of dirty) {
      const k = str.serialize(OUTPUT, w);
      const v = long.serialize(OUTPUT, counts.get(w)!);
      checksum = (checksum + bufferDigest(k) * 3 + bufferDigest(v)) | 0;
      outputRecords++;
    }
    dirty.clear();
  };
  settle();
  const gc = gcTimer();
  const t = timer();
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    str.deserialize(INPUT, r.key);
    const words = split(str.deserialize(INPUT, r.value)!);
    for (let j = 0; j < words.length; j++) {
      const w = words[j]!;
      counts.set(w, (counts.get(w) ?? 0) + 1);
      dirty.add(w);
    }
    if ((i + 1) % COMMIT_EVERY === 0) flush();
  }
  flush();
  const { start, end, cpuMs } = t.stop();
  const gcMs = await gc.stop(start, end);
  return measurement(n, end - start, outputRecords, checksum, gcMs, cpuMs);
}

export const workload: Workload = {
  name: 'word-count-memory',
  description: 'word count (flatMapValues split -> groupBy word -> count, in-memory store, cached) on StreamTasks; records = input lines',
  target: '>= 1M records/s (input lines)',
  meetsTarget: (r: Result) => r.sluice.recordsPerSec >= 1_000_000,
  async run(options: RunOptions = {}): Promise<Result> {
    const data = input(options.records ?? DEFAULT_RECORDS);
    const baseline = await runBaseline(data);
    const { m: sluice, notes } = await runSluice(data);
    assertSameWork('word-count-memory', sluice, baseline);
    return { records: data.records.length, sluice, baseline, notes };
  },
};
