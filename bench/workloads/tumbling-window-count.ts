/**
 * Tumbling-window count on StreamTasks, the way a stream thread runs them (bench/lib/task-runner.ts):
 *   stream('clicks', String/String) -> groupByKey -> windowedBy(TimeWindows.ofSizeWithNoGrace(60 s))
 *   -> count(Materialized in_memory, caching on, logging on) -> toStream -> to('click-counts', Windowed<String>/Long)
 * against a hand-written loop doing the same deserialization, a Map count keyed by key + window start, and (per
 * commit) serialization of every window changed since the last commit, with the same serdes.
 *
 * Input: 1M records over 10k keys (`user-<n>`, uniform), timestamps advancing 1 ms per record, so a window holds
 * 60k records and about 17 windows open and close over the run (windows close as stream time passes their end; the
 * store drops them after the 60 s retention). Commit every 100k records: the cache flushes one update per changed
 * window to the changelog and the output topic. Records = input records.
 */
import { Consumed, Materialized, Produced, Serdes, StreamsBuilder, TimeWindows, WindowedSerdes, type Windowed } from '../../src/index.js';
import { EMPTY_HEADERS } from '../../src/processor/record.js';
import type { ConsumedRecord } from '../../src/kafka/client.js';
import { assertSameWork, bufferDigest, gcTimer, measurement, settle, timer } from '../lib/measure.js';
import { lcg } from '../lib/inputs.js';
import { TaskRunner } from '../lib/task-runner.js';
import type { Measurement, Result, RunOptions, Workload } from '../types.js';

const DEFAULT_RECORDS = 1_000_000;
const KEYS = 10_000;
const WINDOW_MS = 60_000;
const COMMIT_EVERY = 100_000;
const T0 = 1_700_000_000_000;
const INPUT = 'clicks';
const OUTPUT = 'click-counts';
const STORE = 'click-window-counts';

let cached: ConsumedRecord[] | undefined;

/** Pre-built input (not timed): a fresh key Buffer per record, as a consumer hands them over. */
function input(n: number): ConsumedRecord[] {
  if (cached && cached.length === n) return cached;
  const rand = lcg(0x5eed);
  const out: ConsumedRecord[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const key = Buffer.from(`user-${(rand() * KEYS) | 0}`, 'latin1');
    const value = Buffer.from(`/page/${i & 1023}`, 'latin1');
    out[i] = { topic: INPUT, partition: 0, offset: i, key, value, timestamp: T0 + i, headers: EMPTY_HEADERS };
  }
  cached = out;
  return out;
}

async function runSluice(records: readonly ConsumedRecord[]): Promise<{ m: Measurement; notes: string[] }> {
  const builder = new StreamsBuilder();
  builder
    .stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW_MS))
    .count(Materialized.as<string, number>(STORE).withStoreType('in_memory'))
    .toStream()
    .to(OUTPUT, Produced.with(WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), WINDOW_MS), Serdes.Long()));
  const runner = new TaskRunner(builder.build(), { commitEvery: COMMIT_EVERY, checksumTopic: OUTPUT, config: { cacheMaxBytesBuffering: 10 * 2 ** 20 } });
  await runner.init();
  const n = records.length;
  settle();
  const gc = gcTimer();
  const t = timer();
  await runner.run(records);
  await runner.commit();
  const { start, end, cpuMs } = t.stop();
  const gcMs = await gc.stop(start, end);
  const sent = runner.sent();
  await runner.close();
  const outputRecords = sent.get(OUTPUT) ?? 0;
  const notes = [
    `run on a StreamTask (bench/lib/task-runner.ts), in-memory window store, cache 10 MiB, commit every ${COMMIT_EVERY} records (${runner.stats.commits} commits)`,
    `window updates emitted ${outputRecords}, changelog records ${sent.get(`bench-${STORE}-changelog`) ?? 0}; windows over the run ${Math.ceil((T0 + n) / WINDOW_MS) - Math.floor(T0 / WINDOW_MS)}`,
  ];
  return { m: measurement(n, end - start, outputRecords, runner.stats.checksum, gcMs, cpuMs), notes };
}

interface WindowCount {
  readonly key: string;
  readonly start: number;
  count: number;
  dirty: boolean;
}

/**
 * The hand-written loop: the same String deserialization of key and value, a Map from key + window start to its
 * count (windows older than the retention are dropped as stream time passes them, like the store's segments),
 * and per commit every changed window serialized with the same windowed key serde and Long serde, and checksummed.
 */
async function runBaseline(records: readonly ConsumedRecord[]): Promise<Measurement> {
  const str = Serdes.String();
  const long = Serdes.Long();
  const windowedSerde = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), WINDOW_MS);
  const n = records.length;
  const counts = new Map<string, WindowCount>();
  let dirty: WindowCount[] = [];
  let outputRecords = 0;
  let checksum = 0;
  let streamTime = -1;
  let expiredUpTo = -Infinity;
  const flush = (): void => {
    for (const w of dirty) {
      const k = windowedSerde.serialize(OUTPUT, { key: w.key, window: { start: w.start, end: w.start + WINDOW_MS } } satisfies Windowed<string>);
      const v = long.serialize(OUTPUT, w.count);
      checksum = (checksum + bufferDigest(k) * 3 + bufferDigest(v)) | 0;
      outputRecords++;
      w.dirty = false;
    }
    dirty = [];
  };
  settle();
  const gc = gcTimer();
  const t = timer();
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    const key = str.deserialize(INPUT, r.key)!;
    str.deserialize(INPUT, r.value);
    if (r.timestamp > streamTime) streamTime = r.timestamp;
    const start = r.timestamp - (r.timestamp % WINDOW_MS);
    if (start + WINDOW_MS > streamTime) {
      const id = `${key}@${start}`;
      let w = counts.get(id);
      if (!w) counts.set(id, (w = { key, start, count: 0, dirty: false }));
      w.count++;
      if (!w.dirty) {
        w.dirty = true;
        dirty.push(w);
      }
    }
    // drop windows past the retention (size + grace) once per window, as the store's segments expire
    const expireBefore = streamTime - WINDOW_MS;
    if (expireBefore - expiredUpTo >= WINDOW_MS) {
      expiredUpTo = expireBefore;
      for (const [id, w] of counts) if (w.start + WINDOW_MS <= expireBefore && !w.dirty) counts.delete(id);
    }
    if ((i + 1) % COMMIT_EVERY === 0) flush();
  }
  flush();
  const { start, end, cpuMs } = t.stop();
  const gcMs = await gc.stop(start, end);
  return measurement(n, end - start, outputRecords, checksum, gcMs, cpuMs);
}

export const workload: Workload = {
  name: 'tumbling-window-count',
  description: 'tumbling 60 s window count over 10k keys (groupByKey -> windowedBy -> count, in-memory, cached), 1 ms per record, on a StreamTask',
  target: '>= 500k records/s',
  meetsTarget: (r: Result) => r.sluice.recordsPerSec >= 500_000,
  async run(options: RunOptions = {}): Promise<Result> {
    const records = input(options.records ?? DEFAULT_RECORDS);
    const baseline = await runBaseline(records);
    const { m: sluice, notes } = await runSluice(records);
    assertSameWork('tumbling-window-count', sluice, baseline);
    return { records: records.length, sluice, baseline, notes };
  },
};
