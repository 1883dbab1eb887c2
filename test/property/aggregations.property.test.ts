import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Consumed,
  Grouped,
  KeyValue,
  Materialized,
  Produced,
  Serdes,
  StreamsBuilder,
  TopologyTestDriver,
  toArray,
  type KGroupedStream,
  type KTable,
  type KeyValueStore,
  type Serde,
} from '../../src/index.js';

/**
 * count / reduce / aggregate on the test driver against a reference fold, for every engine setup (in-memory,
 * 'rocksdb' without a state dir = memory fallback, RocksDB for real under a temp state dir) with caching off and
 * on (on: with a tiny cache, so dirty entries are also written down by eviction). With caching off every update
 * is emitted; with caching on the emitted updates per key are a subsequence of those, ending in the final value,
 * and the final table is the same.
 */

const S = Serdes.String();
const L = Serdes.Long();

interface Agg {
  n: number;
  s: number;
}
const J = Serdes.Json<Agg>();

type Op = 'count' | 'reduce' | 'aggregate';
type Engine = 'in_memory' | 'rocksdb-fallback' | 'rocksdb';
interface Setup {
  engine: Engine;
  caching: boolean;
}

const mod = (v: number, m: number): number => ((v % m) + m) % m;
const regroup = (_k: string, v: number): string => `g${mod(v, 4)}`;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-agg-prop-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let dirSeq = 0;

function materialized<V>(name: string, engine: Engine, valueSerde: Serde<V>): Materialized<string, V> {
  return Materialized.as<string, V>(name)
    .withStoreType(engine === 'in_memory' ? 'in_memory' : 'rocksdb')
    .withKeySerde(S)
    .withValueSerde(valueSerde);
}

function build(op: Op, engine: Engine, rekey: boolean): StreamsBuilder {
  const builder = new StreamsBuilder();
  const stream = builder.stream('in', Consumed.with(S, L));
  const grouped: KGroupedStream<string, number> = rekey ? stream.groupBy(regroup, Grouped.with(S, L)) : stream.groupByKey();
  let table: KTable<string, any>;
  if (op === 'count') table = grouped.count(materialized('agg', engine, L));
  else if (op === 'reduce') table = grouped.reduce((a, v) => a + v, materialized('agg', engine, L));
  else table = grouped.aggregate<Agg>(() => ({ n: 0, s: 0 }), (_k, v, a) => ({ n: a.n + 1, s: a.s + v }), materialized('agg', engine, J));
  table.toStream().to('out', Produced.with(S, (op === 'aggregate' ? J : L) as Serde<unknown>));
  return builder;
}

/** The reference: one fold step per input record; returns every update in order and the final table. */
function reference(op: Op, inputs: readonly { key: string; value: number }[], rekey: boolean) {
  const table = new Map<string, unknown>();
  const updates: KeyValue<string, unknown>[] = [];
  for (const r of inputs) {
    const k = rekey ? regroup(r.key, r.value) : r.key;
    const prev = table.get(k);
    let next: unknown;
    if (op === 'count') next = ((prev as number | undefined) ?? 0) + 1;
    else if (op === 'reduce') next = prev === undefined ? r.value : (prev as number) + r.value;
    else {
      const a = (prev as Agg | undefined) ?? { n: 0, s: 0 };
      next = { n: a.n + 1, s: a.s + r.value };
    }
    table.set(k, next);
    updates.push(KeyValue.pair(k, next));
  }
  return { updates, table };
}

function perKey(list: readonly KeyValue<string, unknown>[]): Map<string, unknown[]> {
  const m = new Map<string, unknown[]>();
  for (const kv of list) {
    const l = m.get(kv.key) ?? [];
    l.push(kv.value);
    m.set(kv.key, l);
  }
  return m;
}

function isSubsequence(sub: readonly unknown[], full: readonly unknown[]): boolean {
  let i = 0;
  for (const x of full) if (i < sub.length && JSON.stringify(sub[i]) === JSON.stringify(x)) i++;
  return i === sub.length;
}

async function run(op: Op, setup: Setup, rekey: boolean, inputs: readonly { key: string; value: number }[]) {
  const stateDir = setup.engine === 'rocksdb' ? join(root, `run-${dirSeq++}`) : undefined;
  const driver = new TopologyTestDriver(build(op, setup.engine, rekey).build(), {
    applicationId: 'agg-prop',
    // 1 byte = the smallest cache (1 KiB): a handful of entries, so evictions write dirty entries down
    cacheMaxBytesBuffering: setup.caching ? 1 : 0,
    ...(stateDir ? { stateDir } : {}),
  });
  try {
    const input = driver.createInputTopic('in', S, L);
    const output = driver.createOutputTopic('out', S, (op === 'aggregate' ? J : L) as Serde<unknown>);
    let ts = 0;
    for (const r of inputs) await input.pipeInput(r.key, r.value, ts++);
    const emitted = (await output.readKeyValuesToList()) as KeyValue<string, unknown>[];
    const store = driver.getKeyValueStore<KeyValueStore<string, unknown>>('agg');
    const finalTable = new Map((await toArray(store.all())).map((kv) => [kv.key, kv.value] as const));
    const gets = new Map<string, unknown>();
    for (const k of finalTable.keys()) gets.set(k, await store.get(k));
    if (stateDir) {
      // the store really lives in RocksDB under <stateDir>/<taskId>/<store>
      const taskDirs = await readdir(stateDir);
      expect(taskDirs.some((t) => existsSync(join(stateDir, t, 'agg', 'rocksdb')))).toBe(true);
    }
    return { emitted, finalTable, gets };
  } finally {
    await driver.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  }
}

const inputsArb = fc.array(
  fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'), value: fc.integer({ min: -50, max: 50 }) }),
  { maxLength: 40 },
);

const setups: Setup[] = [
  { engine: 'in_memory', caching: false },
  { engine: 'in_memory', caching: true },
  { engine: 'rocksdb-fallback', caching: false },
  { engine: 'rocksdb-fallback', caching: true },
  { engine: 'rocksdb', caching: false },
  { engine: 'rocksdb', caching: true },
];

describe('KGroupedStream aggregations equal a reference fold', () => {
  for (const setup of setups) {
    for (const rekey of [false, true]) {
      const label = `${setup.engine}, caching ${setup.caching ? 'on' : 'off'}, ${rekey ? 'groupBy (repartition)' : 'groupByKey'}`;
      it(label, async () => {
        await fc.assert(
          fc.asyncProperty(fc.constantFrom<Op>('count', 'reduce', 'aggregate'), inputsArb, async (op, inputs) => {
            const ref = reference(op, inputs, rekey);
            const got = await run(op, setup, rekey, inputs);
            expect(got.finalTable).toEqual(ref.table);
            expect(got.gets).toEqual(ref.table);
            if (!setup.caching) {
              expect(got.emitted).toEqual(ref.updates);
              return;
            }
            const all = perKey(ref.updates);
            const emitted = perKey(got.emitted);
            expect([...emitted.keys()].sort()).toEqual([...all.keys()].sort());
            for (const [k, values] of emitted) {
              expect(isSubsequence(values, all.get(k)!)).toBe(true);
              expect(values.at(-1)).toEqual(ref.table.get(k));
            }
          }),
          { numRuns: setup.engine === 'rocksdb' ? 12 : 40, seed: 20240603 + (rekey ? 1 : 0) },
        );
      });
    }
  }
});
