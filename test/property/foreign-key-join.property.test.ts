import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed, Materialized, Produced, Serdes, StreamsBuilder, TopologyTestDriver } from '../../src/index.js';

/**
 * Foreign-key joins (inner and left) after random upserts, foreign-key changes, null foreign keys and deletes on
 * both tables: the final result per primary key (the output changelog, tombstones deleting, and the result store)
 * equals a join recomputed from the final contents of both tables.
 */

const S = Serdes.String();
const PKS = ['p1', 'p2', 'p3', 'p4'];
const FKS = ['f1', 'f2', 'f3'];

type Op = { table: 'left'; key: string; fk: string | null; n: number } | { table: 'left'; key: string; delete: true } | { table: 'right'; key: string; value: string | null };

const leftValue = (fk: string | null, n: number): string => `${fk ?? '-'}#${n}`;
const fkOf = (v: string): string | null => {
  const f = v.split('#')[0]!;
  return f === '-' ? null : f;
};
const joiner = (l: string, r: string | null): string => `${l}=${r ?? 'none'}`;

function expected(ops: readonly Op[], leftJoin: boolean): Map<string, string> {
  const left = new Map<string, string>();
  const right = new Map<string, string>();
  for (const op of ops) {
    if (op.table === 'right') {
      if (op.value === null) right.delete(op.key);
      else right.set(op.key, op.value);
    } else if ('delete' in op) left.delete(op.key);
    else left.set(op.key, leftValue(op.fk, op.n));
  }
  const out = new Map<string, string>();
  for (const [pk, v] of left) {
    const fk = fkOf(v);
    const r = fk === null ? undefined : right.get(fk);
    if (r !== undefined) out.set(pk, joiner(v, r));
    else if (leftJoin) out.set(pk, joiner(v, null));
  }
  return out;
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      table: fc.constant('left' as const),
      key: fc.constantFrom(...PKS),
      fk: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...FKS) }, { weight: 1, arbitrary: fc.constant(null) }),
      n: fc.integer({ min: 0, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ table: fc.constant('left' as const), key: fc.constantFrom(...PKS), delete: fc.constant(true as const) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      table: fc.constant('right' as const),
      key: fc.constantFrom(...FKS),
      value: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('x', 'y', 'z') }, { weight: 1, arbitrary: fc.constant(null) }),
    }),
  },
);

describe('foreign-key joins match a recomputation from both tables', () => {
  for (const leftJoin of [false, true]) {
    it(`${leftJoin ? 'left' : 'inner'} foreign-key join`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
          const b = new StreamsBuilder();
          const left = b.table('left', Consumed.with(S, S));
          const right = b.table('right', Consumed.with(S, S));
          const mat = Materialized.as<string, string>('fk-result').withKeySerde(S).withValueSerde(S);
          const joined = leftJoin ? left.leftJoin(right, fkOf, joiner, mat) : left.join(right, fkOf, (l: string, r: string) => joiner(l, r), mat);
          joined.toStream().to('out', Produced.with(S, S));
          const d = new TopologyTestDriver(b.build());
          try {
            const lin = d.createInputTopic('left', S, S);
            const rin = d.createInputTopic('right', S, S);
            let ts = 0;
            for (const op of ops) {
              if (op.table === 'right') await rin.pipeInput(op.key, op.value as string, ts++);
              else await lin.pipeInput(op.key, ('delete' in op ? null : leftValue(op.fk, op.n)) as string, ts++);
            }
            const want = expected(ops, leftJoin);
            const changelog = await d.createOutputTopic('out', S, S).readKeyValuesToMap();
            expect(new Map([...changelog].filter(([, v]) => v !== null))).toEqual(want);
            const store = d.getKeyValueStore('fk-result');
            for (const pk of PKS) expect(await store.get(pk)).toBe(want.get(pk) ?? null);
          } finally {
            await d.close();
          }
        }),
        { numRuns: 120, seed: 2024 },
      );
    }, 120_000);
  }
});
