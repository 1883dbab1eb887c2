import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Branched,
  Consumed,
  Produced,
  Serdes,
  StreamsBuilder,
  TopologyTestDriver,
  type FixedKeyProcessor,
  type KStream,
  type ProcessorContext,
  type Record,
} from '../../src/index.js';

/**
 * A random chain of stateless operations is generated as data, then built twice: as a topology run on the
 * test driver, and as plain array functions (the reference model). Both must give the same records
 * (key, value, timestamp) in the same order.
 */

interface Rec {
  key: string;
  value: number;
  timestamp: number;
}

type Op =
  | { op: 'filter'; mod: number; rem: number }
  | { op: 'filterNot'; mod: number; rem: number }
  | { op: 'map'; mul: number; add: number }
  | { op: 'mapValues'; mul: number; add: number }
  | { op: 'flatMap'; n: number }
  | { op: 'flatMapValues'; n: number }
  | { op: 'selectKey'; mod: number }
  | { op: 'peek' }
  | { op: 'merge'; left: Op[]; right: Op[] }
  | { op: 'split'; preds: { mod: number; rem: number }[]; pick: number }
  | { op: 'processValues'; add: number; times: number };

const mod = (v: number, m: number): number => ((v % m) + m) % m;
const matches = (p: { mod: number; rem: number }, v: number): boolean => mod(v, p.mod) === p.rem;
const pred = fc.integer({ min: 1, max: 4 }).chain((m) => fc.record({ mod: fc.constant(m), rem: fc.integer({ min: 0, max: m - 1 }) }));
const small = fc.integer({ min: -3, max: 3 });

// the same user functions feed the topology and the reference
const mapKey = (k: string, v: number): string => (mod(v, 2) === 0 ? k.toUpperCase() : `${k}m`);
const flatMapped = (k: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${k}${i}`);
const selectedKey = (k: string, v: number, m: number): string => `${k.slice(0, 2)}${mod(v, m)}`;

function leafOp(): fc.Arbitrary<Op> {
  return fc.oneof(
    pred.map((p) => ({ op: 'filter' as const, ...p })),
    pred.map((p) => ({ op: 'filterNot' as const, ...p })),
    fc.record({ op: fc.constant('map' as const), mul: small, add: small }),
    fc.record({ op: fc.constant('mapValues' as const), mul: small, add: small }),
    fc.record({ op: fc.constant('flatMap' as const), n: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ op: fc.constant('flatMapValues' as const), n: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ op: fc.constant('selectKey' as const), mod: fc.integer({ min: 1, max: 3 }) }),
    fc.constant({ op: 'peek' as const }),
    fc.record({ op: fc.constant('processValues' as const), add: small, times: fc.integer({ min: 0, max: 2 }) }),
  );
}

function chainArb(depth: number): fc.Arbitrary<Op[]> {
  if (depth === 0) return fc.array(leafOp(), { maxLength: 4 });
  const nested: fc.Arbitrary<Op> = fc.oneof(
    { weight: 6, arbitrary: leafOp() },
    {
      weight: 1,
      arbitrary: fc.record({ op: fc.constant('merge' as const), left: chainArb(depth - 1), right: chainArb(depth - 1) }),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(pred, { minLength: 1, maxLength: 3 })
        .chain((preds) => fc.record({ op: fc.constant('split' as const), preds: fc.constant(preds), pick: fc.integer({ min: 0, max: preds.length }) })),
    },
  );
  return fc.array(nested, { maxLength: 6 });
}

// ---------------------------------------------------------------- reference model: plain array functions

function applyOp(input: Rec[], o: Op): Rec[] {
  switch (o.op) {
    case 'filter':
      return input.filter((r) => matches(o, r.value));
    case 'filterNot':
      return input.filter((r) => !matches(o, r.value));
    case 'map':
      return input.map((r) => ({ key: mapKey(r.key, r.value), value: r.value * o.mul + o.add, timestamp: r.timestamp }));
    case 'mapValues':
      return input.map((r) => ({ ...r, value: r.value * o.mul + o.add }));
    case 'flatMap':
      return input.flatMap((r) => flatMapped(r.key, o.n).map((k, i) => ({ key: k, value: r.value + i, timestamp: r.timestamp })));
    case 'flatMapValues':
      return input.flatMap((r) => Array.from({ length: o.n }, (_, i) => ({ ...r, value: r.value - i })));
    case 'selectKey':
      return input.map((r) => ({ ...r, key: selectedKey(r.key, r.value, o.mod) }));
    case 'peek':
      return input;
    case 'merge':
      // Depth-first, record by record, children in the order they were added (as in Kafka Streams): the left
      // branch sees each record first, unless it is empty; then the merge node itself is added after the
      // right branch's first node, so the right branch's output comes first.
      return input.flatMap((r) => {
        const left = applyChain([r], o.left);
        const right = applyChain([r], o.right);
        return o.left.length === 0 && o.right.length > 0 ? [...right, ...left] : [...left, ...right];
      });
    case 'split':
      return input.filter((r) => {
        const first = o.preds.findIndex((p) => matches(p, r.value));
        return o.pick === 0 ? first === -1 : first === o.pick - 1;
      });
    case 'processValues':
      return input.flatMap((r) => Array.from({ length: o.times }, (_, i) => ({ ...r, value: r.value + o.add + i })));
  }
}

function applyChain(input: Rec[], ops: readonly Op[]): Rec[] {
  return ops.reduce(applyOp, input);
}

// ---------------------------------------------------------------- the same chain as a topology

function buildOp(s: KStream<string, number>, o: Op): KStream<string, number> {
  switch (o.op) {
    case 'filter':
      return s.filter((_k, v) => matches(o, v));
    case 'filterNot':
      return s.filterNot((_k, v) => matches(o, v));
    case 'map':
      return s.map((k, v) => ({ key: mapKey(k, v), value: v * o.mul + o.add }));
    case 'mapValues':
      return s.mapValues((v) => v * o.mul + o.add);
    case 'flatMap':
      return s.flatMap((k, v) => flatMapped(k, o.n).map((key, i) => ({ key, value: v + i })));
    case 'flatMapValues':
      return s.flatMapValues((v) => Array.from({ length: o.n }, (_, i) => v - i));
    case 'selectKey':
      return s.selectKey((k, v) => selectedKey(k, v, o.mod));
    case 'peek':
      return s.peek(() => undefined);
    case 'merge':
      return buildChain(s, o.left).merge(buildChain(s, o.right));
    case 'split': {
      let split = s.split();
      for (const p of o.preds) split = split.branch((_k, v) => matches(p, v));
      const branches = split.defaultBranch();
      // the map holds the branches in declaration order, the default branch (index 0) last
      return [...branches.values()][o.pick === 0 ? o.preds.length : o.pick - 1]!;
    }
    case 'processValues':
      return s.processValues<number>(() => {
        let ctx!: ProcessorContext<string, number>;
        const p: FixedKeyProcessor<string, number, number> = {
          init(c) {
            ctx = c;
          },
          process(r: Record<string, number>) {
            // the key set here must be ignored: processValues keeps the input key
            for (let i = 0; i < o.times; i++) ctx.forward({ ...r, key: 'changed-key', value: r.value + o.add + i });
          },
        };
        return p;
      });
  }
}

function buildChain(s: KStream<string, number>, ops: readonly Op[]): KStream<string, number> {
  return ops.reduce(buildOp, s);
}

async function runOnDriver(ops: readonly Op[], input: readonly Rec[]): Promise<Rec[]> {
  const builder = new StreamsBuilder();
  const source = builder.stream('in', Consumed.with(Serdes.String(), Serdes.Long()));
  buildChain(source, ops).to('out', Produced.with(Serdes.String(), Serdes.Long()));
  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'prop' });
  try {
    const in_ = driver.createInputTopic('in', Serdes.String(), Serdes.Long());
    const out = driver.createOutputTopic('out', Serdes.String(), Serdes.Long());
    for (const r of input) await in_.pipeInput(r.key, r.value, r.timestamp);
    return out.readRecordsToList().map((r) => ({ key: r.key!, value: r.value!, timestamp: r.timestamp }));
  } finally {
    await driver.close();
  }
}

const recordArb: fc.Arbitrary<Rec> = fc.record({
  key: fc.constantFrom('a', 'b', 'c', 'd'),
  value: fc.integer({ min: -1000, max: 1000 }),
  timestamp: fc.integer({ min: 0, max: 1_000_000 }),
});

const arbitraryTimestamps = fc.array(recordArb, { maxLength: 25 });
const nonDecreasingTimestamps = arbitraryTimestamps.map((rs) => {
  const sorted = rs.map((r) => r.timestamp).sort((a, b) => a - b);
  return rs.map((r, i) => ({ ...r, timestamp: sorted[i]! }));
});

describe('random stateless chains: topology on the driver == array model', () => {
  it('gives the same keys, values, timestamps and order (arbitrary timestamps)', async () => {
    await fc.assert(
      fc.asyncProperty(chainArb(2), arbitraryTimestamps, async (ops, input) => {
        const actual = await runOnDriver(ops, input);
        expect(actual).toEqual(applyChain(input, ops));
      }),
      { numRuns: 250 },
    );
  });

  it('gives the same keys, values, timestamps and order (non-decreasing timestamps)', async () => {
    await fc.assert(
      fc.asyncProperty(chainArb(2), nonDecreasingTimestamps, async (ops, input) => {
        const actual = await runOnDriver(ops, input);
        expect(actual).toEqual(applyChain(input, ops));
      }),
      { numRuns: 200 },
    );
  });

  it('the generator really produces every kind of operation', () => {
    const seen = new Set<string>();
    const visit = (ops: Op[]): void => {
      for (const o of ops) {
        seen.add(o.op);
        if (o.op === 'merge') {
          visit(o.left);
          visit(o.right);
        }
      }
    };
    for (const ops of fc.sample(chainArb(2), { numRuns: 300, seed: 7 })) visit(ops);
    expect([...seen].sort()).toEqual(
      ['filter', 'filterNot', 'flatMap', 'flatMapValues', 'map', 'mapValues', 'merge', 'peek', 'processValues', 'selectKey', 'split'].sort(),
    );
  });

  it('a known chain gives the expected records (sanity check of the model itself)', async () => {
    const ops: Op[] = [
      { op: 'filter', mod: 2, rem: 0 },
      { op: 'merge', left: [{ op: 'mapValues', mul: 1, add: 1 }], right: [{ op: 'selectKey', mod: 3 }] },
    ];
    const input: Rec[] = [
      { key: 'a', value: 4, timestamp: 10 },
      { key: 'b', value: 3, timestamp: 5 },
      { key: 'c', value: 2, timestamp: 7 },
    ];
    const expected: Rec[] = [
      { key: 'a', value: 5, timestamp: 10 },
      { key: 'a1', value: 4, timestamp: 10 },
      { key: 'c', value: 3, timestamp: 7 },
      { key: 'c2', value: 2, timestamp: 7 },
    ];
    expect(applyChain(input, ops)).toEqual(expected);
    expect(await runOnDriver(ops, input)).toEqual(expected);
  });
});
