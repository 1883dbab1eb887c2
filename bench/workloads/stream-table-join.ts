/**
 * Stream-table join on a StreamTask, the way a stream thread runs it (bench/lib/task-runner.ts):
 *   table = builder.table('customers', String/String, Materialized in_memory (caching on, logging on))
 *   stream('orders', String/String).join(table, joiner) -> to('enriched-orders', String/String)
 * against a hand-written loop doing the same deserialization, a Map lookup, the same joiner and the same
 * serialization of the output.
 *
 * The table (10k customers `cust-<n>`) is loaded through the task and committed before the timed region. Then 1M
 * orders with uniform customer keys (every one matches) are timed. Commit every 100k records, as a stream thread
 * would (a stream-table join writes no state, so commits only flush the table store's empty cache).
 * Records = input stream records.
 */
import { Consumed, Materialized, Produced, Serdes, StreamsBuilder } from '../../src/index.js';
import { EMPTY_HEADERS } from '../../src/processor/record.js';
import type { ConsumedRecord } from '../../src/kafka/client.js';
import { assertSameWork, bufferDigest, gcTimer, measurement, settle, timer } from '../lib/measure.js';
import { lcg } from '../lib/inputs.js';
import { TaskRunner } from '../lib/task-runner.js';
import type { Measurement, Result, RunOptions, Workload } from '../types.js';

const DEFAULT_RECORDS = 1_000_000;
const CUSTOMERS = 10_000;
const COMMIT_EVERY = 100_000;
const T0 = 1_700_000_000_000;
const TABLE = 'customers';
const STREAM = 'orders';
const OUTPUT = 'enriched-orders';
const STORE = 'customers-store';

const joiner = (order: string, customer: string): string => `${order}|${customer}`;

interface Input {
  readonly table: ConsumedRecord[];
  readonly stream: ConsumedRecord[];
}

let cached: Input | undefined;

/** Pre-built input (not timed): fresh key/value Buffers per record, as a consumer hands them over. */
function input(n: number): Input {
  if (cached && cached.stream.length === n) return cached;
  const table: ConsumedRecord[] = new Array(CUSTOMERS);
  for (let c = 0; c < CUSTOMERS; c++) {
    const key = Buffer.from(`cust-${c}`, 'latin1');
    const value = Buffer.from(`name-${c};tier-${c % 4};region-${c % 17}`, 'latin1');
    table[c] = { topic: TABLE, partition: 0, offset: c, key, value, timestamp: T0 + c, headers: EMPTY_HEADERS };
  }
  const rand = lcg(0x0de7);
  const stream: ConsumedRecord[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const key = Buffer.from(`cust-${(rand() * CUSTOMERS) | 0}`, 'latin1');
    const value = Buffer.from(`order-${i};sku-${(rand() * 5000) | 0};qty-${1 + (i & 7)}`, 'latin1');
    stream[i] = { topic: STREAM, partition: 0, offset: i, key, value, timestamp: T0 + CUSTOMERS + i, headers: EMPTY_HEADERS };
  }
  cached = { table, stream };
  return cached;
}

async function runSluice(data: Input): Promise<{ m: Measurement; notes: string[] }> {
  const builder = new StreamsBuilder();
  const customers = builder.table(TABLE, Consumed.with(Serdes.String(), Serdes.String()), Materialized.as<string, string>(STORE).withStoreType('in_memory'));
  builder
    .stream(STREAM, Consumed.with(Serdes.String(), Serdes.String()))
    .join(customers, joiner)
    .to(OUTPUT, Produced.with(Serdes.String(), Serdes.String()));
  const runner = new TaskRunner(builder.build(), { commitEvery: COMMIT_EVERY, checksumTopic: OUTPUT });
  await runner.init();
  await runner.run(data.table);
  await runner.commit();
  const loaded = runner.sent().get(OUTPUT) ?? 0;
  if (loaded !== 0) throw new Error(`stream-table-join: loading the table produced ${loaded} join results`);
  const n = data.stream.length;
  settle();
  const gc = gcTimer();
  const t = timer();
  await runner.run(data.stream);
  await runner.commit();
  const { start, end, cpuMs } = t.stop();
  const gcMs = await gc.stop(start, end);
  const sent = runner.sent();
  await runner.close();
  const outputRecords = sent.get(OUTPUT) ?? 0;
  const notes = [
    `run on a StreamTask (bench/lib/task-runner.ts); table of ${data.table.length} keys loaded and committed before timing (in-memory store, cached, logged)`,
    `join results ${outputRecords}, table changelog records ${sent.get(`bench-${STORE}-changelog`) ?? 0}, commits ${runner.stats.commits}`,
  ];
  return { m: measurement(n, end - start, outputRecords, runner.stats.checksum, gcMs, cpuMs), notes };
}

/**
 * The hand-written loop: the table deserialized into a Map before timing; per record the same String
 * deserialization of key and value, a Map lookup, the joiner, String serialization of key and result, checksum.
 */
async function runBaseline(data: Input): Promise<Measurement> {
  const str = Serdes.String();
  const table = new Map<string, string>();
  for (const r of data.table) table.set(str.deserialize(TABLE, r.key)!, str.deserialize(TABLE, r.value)!);
  const { stream } = data;
  const n = stream.length;
  let outputRecords = 0;
  let checksum = 0;
  settle();
  const gc = gcTimer();
  const t = timer();
  for (let i = 0; i < n; i++) {
    const r = stream[i]!;
    const key = str.deserialize(STREAM, r.key)!;
    const order = str.deserialize(STREAM, r.value)!;
    const customer = table.get(key);
    if (customer === undefined) continue;
    const k = str.serialize(OUTPUT, key);
    const v = str.serialize(OUTPUT, joiner(order, customer));
    checksum = (checksum + bufferDigest(k) * 3 + bufferDigest(v)) | 0;
    outputRecords++;
  }
  const { start, end, cpuMs } = t.stop();
  const gcMs = await gc.stop(start, end);
  return measurement(n, end - start, outputRecords, checksum, gcMs, cpuMs);
}

export const workload: Workload = {
  name: 'stream-table-join',
  description: 'stream.join(table) (table: 10k keys, in-memory store, cached, loaded before timing) -> to(), 1M stream records, on a StreamTask',
  target: '>= 1M records/s in-memory',
  meetsTarget: (r: Result) => r.sluice.recordsPerSec >= 1_000_000,
  async run(options: RunOptions = {}): Promise<Result> {
    const data = input(options.records ?? DEFAULT_RECORDS);
    const baseline = await runBaseline(data);
    const { m: sluice, notes } = await runSluice(data);
    assertSameWork('stream-table-join', sluice, baseline);
    return { records: data.stream.length, sluice, baseline, notes };
  },
};
