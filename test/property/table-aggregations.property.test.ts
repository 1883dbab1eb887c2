import { mkdtemp, rm } from 'node:fs/promises';
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
  type KTable,
  type KeyValueStore,
} from '../../src/index.js';

/**
 * builder.table(...).groupBy(...) with count / reduce(adder, subtractor) / aggregate(init, adder, subtractor),
 * after random upserts and tombstones, equals a recomputation from the final table contents. Groups that once
 * had rows and lost them all keep their emptied aggregate (0), as Kafka Streams' KTableAggregate does.
 */

const S = Serdes.String();
const L = Serdes.Long();
type Op = 'count' | 'reduce' | 'aggregate';
const mod = (v: number, m: number): number => ((v % m) + m) % m;
const groupOf = (v: number): string => `g${mod(v, 3)}`;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-tagg-prop-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
let seq = 0;

function build(op: Op, storeType: 'in_memory' | 'rocksdb'): StreamsBuilder {
  const builder = new StreamsBuilder();
  const grouped = builder
    .table('t', Consumed.with(S, L), Materialized.as<string, number>('source').withStoreType(storeType))
    .groupBy((_k, v) => KeyValue.pair(groupOf(v), v), Grouped.with(S, L));
  const mat = Materialized.as<string, number>('agg').withStoreType(storeType).withKeySerde(S).withValueSerde(L);
  let table: KTable<string, number>;
  if (op === 'count') table = grouped.count(mat);
  else if (op === 'reduce') table = grouped.reduce((a, v) => a + v, (a, v) => a - v, mat);
  else table = grouped.aggregate(() => 100, (_k, v, a) => a + 2 * v, (_k, v, a) => a - 2 * v, mat);
  table.toStream().to('out', Produced.with(S, L));
  return builder;
}

function reference(op: Op, inputs: readonly { key: string; value: number | null }[]): Map<string, number> {
  const rows = new Map<string, number>();
  const touched = new Set<string>();
  for (const r of inputs) {
    if (r.value === null) rows.delete(r.key);
    else {
      rows.set(r.key, r.value);
      touched.add(groupOf(r.value));
    }
  }
  const out = new Map<string, number>();
  for (const g of touched) {
    const values = [...rows.values()].filter((v) => groupOf(v) === g);
    if (op === 'count') out.set(g, values.length);
    else if (op === 'reduce') out.set(g, values.reduce((a, v) => a + v, 0));
    else out.set(g, values.reduce((a, v) => a + 2 * v, 100));
  }
  return out;
}

const inputsArb = fc.array(
  fc.record({
    key: fc.constantFrom('k0', 'k1', 'k2', 'k3', 'k4', 'k5'),
    value: fc.option(fc.integer({ min: -20, max: 20 }), { freq: 4 }),
  }),
  { maxLength: 40 },
);

describe('KTable.groupBy aggregations equal a recomputation after upserts and deletes', () => {
  const setups = [
    { storeType: 'in_memory' as const, caching: false, real: false },
    { storeType: 'in_memory' as const, caching: true, real: false },
    { storeType: 'rocksdb' as const, caching: false, real: true },
    { storeType: 'rocksdb' as const, caching: true, real: true },
  ];
  for (const setup of setups) {
    it(`${setup.storeType}${setup.real ? ' (real RocksDB)' : ''}, caching ${setup.caching ? 'on' : 'off'}`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom<Op>('count', 'reduce', 'aggregate'), inputsArb, async (op, inputs) => {
          const stateDir = setup.real ? join(root, `run-${seq++}`) : undefined;
          const driver = new TopologyTestDriver(build(op, setup.storeType).build(), {
            applicationId: 'tagg',
            cacheMaxBytesBuffering: setup.caching ? 1 : 0,
            ...(stateDir ? { stateDir } : {}),
          });
          try {
            const input = driver.createInputTopic('t', S, L);
            const output = driver.createOutputTopic('out', S, L);
            let ts = 0;
            for (const r of inputs) await input.pipeInput(r.key, r.value as number, ts++);
            const expected = reference(op, inputs);
            const store = driver.getKeyValueStore<KeyValueStore<string, number>>('agg');
            const table = new Map((await toArray(store.all())).map((kv) => [kv.key, kv.value] as const));
            expect(table).toEqual(expected);
            // the last update emitted per group is the group's final aggregate
            const lastEmitted = await output.readKeyValuesToMap();
            expect(lastEmitted).toEqual(expected);
            // the source table holds exactly the live rows
            const rows = new Map<string, number>();
            for (const r of inputs) r.value === null ? rows.delete(r.key) : rows.set(r.key, r.value);
            const source = driver.getKeyValueStore<KeyValueStore<string, number>>('source');
            expect(new Map((await toArray(source.all())).map((kv) => [kv.key, kv.value] as const))).toEqual(rows);
          } finally {
            await driver.close();
            if (stateDir) await rm(stateDir, { recursive: true, force: true });
          }
        }),
        { numRuns: setup.real ? 12 : 40, seed: 777 },
      );
    });
  }
});
