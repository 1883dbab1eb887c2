import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed, Joined, Materialized, Produced, Serdes, StreamsBuilder, TopologyTestDriver, type KTable } from '../../src/index.js';

/**
 * KTable-KTable inner/left/outer joins, materialized or not, after random upserts and deletes on both tables:
 * the joined table (as its changelog read into a map, tombstones deleting) equals a recomputation from the final
 * contents of both tables; so does the materialized store, and a stream joined afterwards with the (possibly
 * unmaterialized, computed through both tables' getters) result and a filter of it.
 */

type Kind = 'inner' | 'left' | 'outer';
interface Op {
  table: 'a' | 'b';
  key: string;
  value: number | null;
}

const S = Serdes.String();
const L = Serdes.Long();
const KEYS = ['k1', 'k2', 'k3', 'k4'];
const show = (x: number | null, y: number | null): string => `${x ?? '-'}:${y ?? '-'}`;

function expected(ops: readonly Op[], kind: Kind): Map<string, string> {
  const a = new Map<string, number>();
  const b = new Map<string, number>();
  for (const op of ops) {
    const t = op.table === 'a' ? a : b;
    if (op.value === null) t.delete(op.key);
    else t.set(op.key, op.value);
  }
  const out = new Map<string, string>();
  for (const k of KEYS) {
    const x = a.get(k) ?? null;
    const y = b.get(k) ?? null;
    const present = kind === 'inner' ? x !== null && y !== null : kind === 'left' ? x !== null : x !== null || y !== null;
    if (present) out.set(k, show(x, y));
  }
  return out;
}

const opsArb = fc.array(
  fc.record({
    table: fc.constantFrom<'a' | 'b'>('a', 'b'),
    key: fc.constantFrom(...KEYS),
    value: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 99 }) }, { weight: 1, arbitrary: fc.constant(null) }),
  }),
  { minLength: 1, maxLength: 40 },
);

describe('KTable-KTable joins match a recomputation from both tables', () => {
  for (const kind of ['inner', 'left', 'outer'] as const) {
    for (const materialized of [false, true]) {
      it(`${kind} join, ${materialized ? 'materialized' : 'not materialized'}`, async () => {
        await fc.assert(
          fc.asyncProperty(opsArb, async (ops) => {
            const b = new StreamsBuilder();
            const ta = b.table('a', Consumed.with(S, L));
            const tb = b.table('b', Consumed.with(S, L));
            const mat = materialized ? Materialized.as<string, string>('joined').withKeySerde(S).withValueSerde(S) : undefined;
            const joiner = (x: number | null, y: number | null): string => show(x, y);
            const joined: KTable<string, string> =
              kind === 'inner' ? ta.join(tb, joiner, mat) : kind === 'left' ? ta.leftJoin(tb, joiner, mat) : ta.outerJoin(tb, joiner, mat);
            joined.toStream().to('out', Produced.with(S, S));
            // reads of the join result through its value getter (its store, or both tables' stores)
            const probe = b.stream('probe', Consumed.with(S, S));
            probe.leftJoin(joined, (_p, v) => v ?? 'absent', Joined.with(S, S, S)).to('probed', Produced.with(S, S));
            probe.join(joined.filter((_k, v) => !v.startsWith('-')), (_p, v) => v).to('filtered', Produced.with(S, S));
            const d = new TopologyTestDriver(b.build());
            try {
              const inputs = { a: d.createInputTopic('a', S, L), b: d.createInputTopic('b', S, L) };
              let ts = 0;
              for (const op of ops) await inputs[op.table].pipeInput(op.key, op.value as number, ts++);
              const want = expected(ops, kind);
              const changelog = await d.createOutputTopic('out', S, S).readKeyValuesToMap();
              const got = new Map([...changelog].filter(([, v]) => v !== null)) as Map<string, string>;
              expect(got).toEqual(want);
              if (materialized) {
                const store = d.getKeyValueStore('joined');
                for (const k of KEYS) expect(await store.get(k)).toBe(want.get(k) ?? null);
              }
              const probeIn = d.createInputTopic('probe', S, S);
              for (const k of KEYS) await probeIn.pipeInput(k, 'p', ts++);
              const probed = await d.createOutputTopic('probed', S, S).readKeyValuesToMap();
              for (const k of KEYS) expect(probed.get(k)).toBe(want.get(k) ?? 'absent');
              const filtered = await d.createOutputTopic('filtered', S, S).readKeyValuesToMap();
              expect(filtered).toEqual(new Map([...want].filter(([, v]) => !v.startsWith('-'))));
            } finally {
              await d.close();
            }
          }),
          { numRuns: 60, seed: 31 },
        );
      }, 120_000);
    }
  }
});
