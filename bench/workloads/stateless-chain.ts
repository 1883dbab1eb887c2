/**
 * Stateless chain on the TopologyTestDriver: filter -> mapValues -> selectKey -> flatMapValues -> sink,
 * against a hand-written loop doing the same work over the same pre-serialized input.
 *
 * Input: a clickstream log. Key `user-<id>` (100k users), value `<LEVEL> <action> <sku>[,<sku>...]`, e.g.
 * `INFO add_to_cart sku-18312,sku-77`. 20% of lines are DEBUG (filtered out); the others carry 1-3 item ids
 * (60/30/10%), so each input record yields 1.2 output records on average.
 *   filter        drop DEBUG lines
 *   mapValues     strip the level:            "add_to_cart sku-18312,sku-77"
 *   selectKey     re-key by action:           "add_to_cart"
 *   flatMapValues one record per item id:     "sku-18312", "sku-77"
 * Keys and values are Serdes.String() both ways. Timing covers deserialization, the four operators,
 * serialization and output capture; building the input buffers, the topology and the driver is not timed.
 */
import { Consumed, Produced, Serdes, StreamsBuilder, TopologyTestDriver } from '../../src/index.js';
import { lcg } from '../lib/inputs.js';
import { assertSameWork, bufferDigest, gcTimer, measurement, settle, timer } from '../lib/measure.js';
import type { Measurement, Result, RunOptions, Workload } from '../types.js';

const DEFAULT_RECORDS = 1_000_000;
const INPUT = 'clickstream';
const OUTPUT = 'items-by-action';
const ACTIONS = ['view', 'add_to_cart', 'remove_from_cart', 'checkout', 'wishlist', 'share'];

// ------------------------------------------------------------------ the user functions (shared by both sides)

const keep = (_key: string, value: string): boolean => !value.startsWith('DEBUG');
const stripLevel = (value: string): string => value.slice(value.indexOf(' ') + 1);
const actionOf = (_key: string, value: string): string => value.slice(0, value.indexOf(' '));
const itemsOf = (value: string): string[] => value.slice(value.indexOf(' ') + 1).split(',');

// ------------------------------------------------------------------ input, built once per process

interface Input {
  readonly keys: Buffer[];
  readonly values: Buffer[];
  readonly timestamps: number[];
}

let cached: Input | undefined;

function input(records: number): Input {
  if (cached && cached.keys.length === records) return cached;
  const rand = lcg(42);
  const serde = Serdes.String();
  const keys: Buffer[] = new Array(records);
  const values: Buffer[] = new Array(records);
  const timestamps: number[] = new Array(records);
  const t0 = 1_700_000_000_000;
  for (let i = 0; i < records; i++) {
    const r = rand();
    let value: string;
    if (r < 0.2) {
      value = `DEBUG heartbeat session-${(rand() * 1e6) | 0}`;
    } else {
      const n = r < 0.68 ? 1 : r < 0.92 ? 2 : 3; // 60/30/10% of the 80% non-DEBUG lines
      const items: string[] = [];
      for (let j = 0; j < n; j++) items.push(`sku-${(rand() * 100_000) | 0}`);
      const level = rand() < 0.9 ? 'INFO' : 'WARN';
      value = `${level} ${ACTIONS[(rand() * ACTIONS.length) | 0]} ${items.join(',')}`;
    }
    keys[i] = serde.serialize(INPUT, `user-${(rand() * 100_000) | 0}`)!;
    values[i] = serde.serialize(INPUT, value)!;
    timestamps[i] = t0 + i;
  }
  cached = { keys, values, timestamps };
  return cached;
}

// ------------------------------------------------------------------ Sluice

async function runSluice(data: Input): Promise<{ m: Measurement; asyncResults: number }> {
  const builder = new StreamsBuilder();
  builder
    .stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
    .filter(keep)
    .mapValues(stripLevel)
    .selectKey(actionOf)
    .flatMapValues(itemsOf)
    .to(OUTPUT, Produced.with(Serdes.String(), Serdes.String()));
  const driver = new TopologyTestDriver(builder.build());
  await driver.advanceWallClockTime(0); // waits for the driver's initialisation, outside the timed region
  const { keys, values, timestamps } = data;
  const n = keys.length;
  let asyncResults = 0;
  settle();
  const gc = gcTimer();
  const t = timer();
  for (let i = 0; i < n; i++) {
    const r = driver.pipeRaw(INPUT, keys[i]!, values[i]!, timestamps[i]!);
    if (r !== undefined) {
      asyncResults++;
      await r;
    }
  }
  const { start, end, cpuMs } = t.stop();
  const gcMs = await gc.stop(start, end);
  // checksum outside the timed region, from the raw bytes the sink wrote
  const out = driver.createOutputTopic(OUTPUT, Serdes.Buffer(), Serdes.Buffer());
  let outputRecords = 0;
  let checksum = 0;
  while (!out.isEmpty()) {
    const rec = out.readRecord();
    checksum = (checksum + bufferDigest(rec.key) * 3 + bufferDigest(rec.value)) | 0;
    outputRecords++;
  }
  await driver.close();
  return { m: measurement(n, end - start, outputRecords, checksum, gcMs, cpuMs), asyncResults };
}

// ------------------------------------------------------------------ the hand-written loop

interface OutRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
}

async function runBaseline(data: Input): Promise<Measurement> {
  const serde = Serdes.String();
  const { keys, values, timestamps } = data;
  const n = keys.length;
  const out: OutRecord[] = [];
  settle();
  const gc = gcTimer();
  const t = timer();
  for (let i = 0; i < n; i++) {
    const key = serde.deserialize(INPUT, keys[i]!)!;
    const value = serde.deserialize(INPUT, values[i]!)!;
    if (!keep(key, value)) continue;
    const mapped = stripLevel(value);
    const newKey = actionOf(key, mapped);
    const items = itemsOf(mapped);
    const timestamp = timestamps[i]!;
    for (let j = 0; j < items.length; j++) {
      out.push({ key: serde.serialize(OUTPUT, newKey), value: serde.serialize(OUTPUT, items[j]!), timestamp });
    }
  }
  const { start, end, cpuMs } = t.stop();
  const gcMs = await gc.stop(start, end);
  let checksum = 0;
  for (const rec of out) checksum = (checksum + bufferDigest(rec.key) * 3 + bufferDigest(rec.value)) | 0;
  return measurement(n, end - start, out.length, checksum, gcMs, cpuMs);
}

// ------------------------------------------------------------------ the workload

export const workload: Workload = {
  name: 'stateless-chain',
  description: 'filter -> mapValues -> selectKey -> flatMapValues on the TopologyTestDriver (pipeRaw, String serdes, 1.2 outputs/input)',
  target: '>= 3M records/s and within 3x of the hand-written loop',
  meetsTarget(r: Result): boolean {
    return r.sluice.recordsPerSec >= 3_000_000 && r.baseline !== undefined && r.baseline.recordsPerSec / r.sluice.recordsPerSec <= 3;
  },
  async run(options: RunOptions = {}): Promise<Result> {
    const data = input(options.records ?? DEFAULT_RECORDS);
    const baseline = await runBaseline(data);
    const { m: sluice, asyncResults } = await runSluice(data);
    assertSameWork('stateless-chain', sluice, baseline);
    const notes = [`input path: driver.pipeRaw (pre-serialized buffers)`, `outputs/input: ${(sluice.outputRecords / data.keys.length).toFixed(2)}`];
    if (asyncResults > 0) notes.push(`${asyncResults} pipeRaw calls returned a Promise`);
    return { records: data.keys.length, sluice, baseline, notes };
  },
};
