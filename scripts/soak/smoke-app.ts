/**
 * The soak's application, after Kafka's SmokeTestClient (streams/src/test/java/org/apache/kafka/streams/tests/):
 * from one keyed input 'data' (4 partitions) a count, sum, min and max per key, a windowed count, two aggregates
 * behind repartition topics (a stream re-keyed by value, and the count table re-grouped by count, as Kafka's
 * 'tagg'), a stream-table join with the max table, and a suppressed windowed count; RocksDB and in-memory stores,
 * caching on and off. Its model computes every output from the input, per key.
 */
import {
  Consumed,
  Grouped,
  KeyValue,
  Materialized,
  Produced,
  Serdes,
  Suppressed,
  BufferConfig,
  TimeWindows,
  type ApplicationOutput,
  type CompareMode,
  type StreamsBuilder,
  type TestRecord,
} from '../../src/index.js';
import { defaultPartition } from '../../src/kafka/partitioner.js';

const S = Serdes.String();
const L = Serdes.Long();
export const PARTITIONS = 4;
const WINDOW_MS = 10_000;
const GRACE_MS = 2_000;
const MODULUS = 7;

export type SmokeRecord = TestRecord<string, number>;

/** What the topology writes, and how each output is compared. */
export function smokeOutputs(exactlyOnce: boolean): ApplicationOutput<string, any>[] {
  const o = (topic: string, compare: CompareMode): ApplicationOutput<string, any> => ({ topic, keySerde: S, valueSerde: topic === 'joined' ? S : L, partitions: PARTITIONS, compare });
  return [
    // caching off: every update is written, so under exactly_once_v2 the count per key must rise by exactly one.
    // Under at_least_once an output whose send failed is not written again: the revived task restores the count from
    // the changelog, which the failed batch did reach, and goes on from there (Kafka Streams does the same), so a
    // value may be skipped; the final count must still be at least the true count (soak seed 1021)
    o('cnt', exactlyOnce ? 'sequencePerKey' : 'finalPerKey'),
    o('sum', 'finalPerKey'),
    o('min', 'finalPerKey'),
    o('max', 'finalPerKey'),
    o('wcnt', 'finalPerKey'),
    o('bymod', 'finalPerKey'),
    // a tally of keys per count: records processed twice move keys to higher counts, so only exactly-once is exact
    { ...o('tagg', 'finalPerKey'), checked: exactlyOnce },
    o('joined', 'finalPerKey'),
    // one final result per window: exactly once under exactly_once_v2; at_least_once may emit a final again, or
    // count a record twice in it
    o('wsup', exactlyOnce ? 'sequencePerKey' : 'finalPerKey'),
  ];
}

export function smokeTopology(b: StreamsBuilder): void {
  const data = b.stream('data', Consumed.with(S, L));
  const grouped = data.groupByKey(Grouped.with(S, L));
  const cnt = grouped.count(Materialized.as<string, number>('cnt').withCachingDisabled());
  cnt.toStream().to('cnt', Produced.with(S, L));
  grouped.reduce((a, v) => a + v, Materialized.as<string, number>('sum').withStoreType('in_memory')).toStream().to('sum', Produced.with(S, L));
  grouped
    .reduce((a, v) => Math.min(a, v), Materialized.as<string, number>('min').withStoreType('in_memory').withCachingDisabled())
    .toStream()
    .to('min', Produced.with(S, L));
  const max = grouped.reduce((a, v) => Math.max(a, v), Materialized.as<string, number>('max'));
  max.toStream().to('max', Produced.with(S, L));
  const windowed = grouped.windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, GRACE_MS));
  windowed
    .count(Materialized.as('wcnt'))
    .toStream()
    .map((k, v) => KeyValue.pair(`${k.key}@${k.window.start}`, v))
    .to('wcnt', Produced.with(S, L));
  windowed
    .count(Materialized.as<string, number>('wsup-store').withCachingDisabled())
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
    .toStream()
    .map((k, v) => KeyValue.pair(`${k.key}@${k.window.start}`, v))
    .to('wsup', Produced.with(S, L));
  data
    .groupBy((_k, v) => `m${v % MODULUS}`, Grouped.with(S, L))
    .count(Materialized.as<string, number>('bymod').withStoreType('in_memory'))
    .toStream()
    .to('bymod', Produced.with(S, L));
  cnt
    .groupBy((k, c) => KeyValue.pair(`c${c}`, k), Grouped.with(S, S))
    .count(Materialized.as<string, number>('tagg').withStoreType('in_memory').withCachingDisabled())
    .toStream()
    .to('tagg', Produced.with(S, L));
  // the table is updated by the same record first (it was added first): deterministic, unlike a table fed by
  // another topic, whose records may be fetched after the stream's
  data.join(max, (v, m) => `${m}:${v}`).to('joined', Produced.with(S, S));
}

/** The expected records per output topic: per key in input order (only the order per key matters). */
export function smokeModel(data: readonly SmokeRecord[]): Record<string, KeyValue<string, unknown>[]> {
  const out: Record<string, KeyValue<string, unknown>[]> = { cnt: [], sum: [], min: [], max: [], wcnt: [], bymod: [], tagg: [], joined: [], wsup: [] };
  const cnt = new Map<string, number>();
  const sum = new Map<string, number>();
  const min = new Map<string, number>();
  const max = new Map<string, number>();
  const windows = new Map<string, { count: number; end: number; partition: number }>();
  const bymod = new Map<string, number>();
  const tally = new Map<string, number>();
  const streamTime = new Array<number>(PARTITIONS).fill(-1);
  const push = (topic: string, key: string, value: unknown): void => void out[topic]!.push(KeyValue.pair(key, value));
  for (const r of data) {
    const k = r.key;
    const v = r.value;
    const partition = defaultPartition(Buffer.from(k), PARTITIONS);
    streamTime[partition] = Math.max(streamTime[partition]!, r.timestamp);
    const c = (cnt.get(k) ?? 0) + 1;
    const previous = cnt.get(k);
    cnt.set(k, c);
    push('cnt', k, c);
    if (previous !== undefined) tally.set(`c${previous}`, tally.get(`c${previous}`)! - 1), push('tagg', `c${previous}`, tally.get(`c${previous}`));
    tally.set(`c${c}`, (tally.get(`c${c}`) ?? 0) + 1);
    push('tagg', `c${c}`, tally.get(`c${c}`));
    sum.set(k, (sum.get(k) ?? 0) + v);
    push('sum', k, sum.get(k));
    min.set(k, Math.min(min.get(k) ?? v, v));
    push('min', k, min.get(k));
    max.set(k, Math.max(max.get(k) ?? v, v));
    push('max', k, max.get(k));
    const start = r.timestamp - (r.timestamp % WINDOW_MS);
    const wk = `${k}@${start}`;
    const w = windows.get(wk) ?? { count: 0, end: start + WINDOW_MS, partition };
    w.count++;
    windows.set(wk, w);
    push('wcnt', wk, w.count);
    const m = `m${v % MODULUS}`;
    bymod.set(m, (bymod.get(m) ?? 0) + 1);
    push('bymod', m, bymod.get(m));
    push('joined', k, `${max.get(k)}:${v}`);
  }
  // suppressed: a window's final count once its task's stream time passed its end plus grace
  for (const [wk, w] of windows) if (w.end + GRACE_MS <= streamTime[w.partition]!) push('wsup', wk, w.count);
  return out;
}

/** xorshift32: the soak's inputs from a seed, without fast-check (its runs are long, nothing to shrink). */
function random(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

/** `records` data records over `keys` keys (values 0..99, time rising 0..200 ms a step). */
export function smokeInputs(seed: number, records: number, keys: number): SmokeRecord[] {
  const rnd = random(seed);
  let ts = 1_700_000_000_000;
  const data: SmokeRecord[] = [];
  for (let i = 0; i < records; i++) {
    ts += Math.floor(rnd() * 200);
    data.push({ key: `k${Math.floor(rnd() * keys)}`, value: Math.floor(rnd() * 100), timestamp: ts, headers: {} });
  }
  return data;
}
