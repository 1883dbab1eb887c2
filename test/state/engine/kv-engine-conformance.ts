/**
 * The one conformance suite every KvEngine must pass (DESIGN: "one shared test suite runs over both"). Each engine's
 * test file calls `kvEngineConformance` with a harness that makes fresh, unopened engines.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { StateStoreError } from '../../../src/errors.js';
import { isSyncEngine } from '../../../src/state/engine/kv-engine.js';
import type { KvEngine, KvEntry, MetaUpdate, RangeOptions, WriteOp } from '../../../src/state/engine/kv-engine.js';

export interface EngineHarness {
  /** A fresh engine over empty storage, not yet opened. */
  create(): Promise<KvEngine>;
  /** Whether approximateNumEntries is exact (in-memory) or an estimate (RocksDB). */
  readonly exactCount: boolean;
  /** fast-check runs of the model test. */
  readonly modelRuns: number;
}

const b = (...bytes: number[]): Buffer => Buffer.from(bytes);
const s = (text: string): Buffer => Buffer.from(text);
const hex = (buf: Buffer): string => buf.toString('hex');

async function collect(iterable: AsyncIterable<KvEntry>): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const [k, v] of iterable) out.push([hex(k), hex(v)]);
  return out;
}

async function keysOf(iterable: AsyncIterable<KvEntry>): Promise<string[]> {
  return (await collect(iterable)).map(([k]) => k);
}

/** Reference model: a plain Map, sorted with Buffer.compare on demand. */
class Model {
  readonly data = new Map<string, Buffer>();
  readonly meta = new Map<string, Buffer>();
  apply(ops: readonly WriteOp[], meta?: MetaUpdate): void {
    for (const op of ops) {
      if (op.type === 'put') this.data.set(hex(op.key), op.value);
      else this.data.delete(hex(op.key));
    }
    for (const [name, v] of Object.entries(meta ?? {})) {
      if (v === null) this.meta.delete(name);
      else this.meta.set(name, v);
    }
  }
  range(o: RangeOptions): [string, string][] {
    const sorted = [...this.data.entries()]
      .map(([k, v]) => [Buffer.from(k, 'hex'), v] as const)
      .sort((x, y) => Buffer.compare(x[0], y[0]));
    let out = sorted.filter(([k]) => {
      if (o.from !== undefined) {
        const c = Buffer.compare(k, o.from);
        if (c < 0 || (c === 0 && o.fromInclusive === false)) return false;
      }
      if (o.to !== undefined) {
        const c = Buffer.compare(k, o.to);
        if (c > 0 || (c === 0 && o.toInclusive === false)) return false;
      }
      return true;
    });
    if (o.reverse) out = out.reverse();
    if (o.limit !== undefined) out = out.slice(0, Math.max(0, o.limit));
    return out.map(([k, v]) => [hex(k), hex(v)]);
  }
}

// Few distinct bytes, chosen at the edges of signed/unsigned order, so keys collide, prefix each other and sort
// differently under a signed comparison.
const keyArb = fc
  .array(fc.constantFrom(0x00, 0x01, 0x61, 0x7f, 0x80, 0xfe, 0xff), { maxLength: 3 })
  .map((a) => Buffer.from(a));
const valueArb = fc.uint8Array({ maxLength: 4 }).map((a) => Buffer.from(a));
const metaNameArb = fc.constantFrom('offset', 'a', '\u0001', 'ünï');
const opArb: fc.Arbitrary<WriteOp> = fc.oneof(
  fc.record({ type: fc.constant('put' as const), key: keyArb, value: valueArb }),
  fc.record({ type: fc.constant('delete' as const), key: keyArb }),
);
const rangeArb: fc.Arbitrary<RangeOptions> = fc.record(
  {
    from: keyArb,
    to: keyArb,
    fromInclusive: fc.boolean(),
    toInclusive: fc.boolean(),
    reverse: fc.boolean(),
    limit: fc.nat({ max: 6 }),
  },
  { requiredKeys: [] },
);
type Cmd =
  | { c: 'put'; key: Buffer; value: Buffer }
  | { c: 'delete'; key: Buffer }
  | { c: 'batch'; ops: WriteOp[]; meta: Record<string, Buffer | null> }
  | { c: 'range'; o: RangeOptions }
  | { c: 'prefix'; p: Buffer; reverse: boolean }
  | { c: 'multiGet'; keys: Buffer[] }
  | { c: 'meta'; name: string };
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { arbitrary: fc.record({ c: fc.constant('put' as const), key: keyArb, value: valueArb }), weight: 4 },
  { arbitrary: fc.record({ c: fc.constant('delete' as const), key: keyArb }), weight: 2 },
  {
    arbitrary: fc.record({
      c: fc.constant('batch' as const),
      ops: fc.array(opArb, { maxLength: 8 }),
      meta: fc.dictionary(metaNameArb, fc.option(valueArb, { nil: null }), { maxKeys: 2 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ c: fc.constant('range' as const), o: rangeArb }), weight: 2 },
  { arbitrary: fc.record({ c: fc.constant('prefix' as const), p: keyArb, reverse: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ c: fc.constant('multiGet' as const), keys: fc.array(keyArb, { maxLength: 5 }) }), weight: 1 },
  { arbitrary: fc.record({ c: fc.constant('meta' as const), name: metaNameArb }), weight: 1 },
);

export function kvEngineConformance(label: string, harness: EngineHarness): void {
  describe(`${label}: KvEngine conformance`, () => {
    const made: KvEngine[] = [];
    const fresh = async (): Promise<KvEngine> => {
      const engine = await harness.create();
      made.push(engine);
      await engine.open();
      return engine;
    };
    afterEach(async () => {
      for (const engine of made.splice(0)) await engine.destroy();
    });

    it('puts, gets, overwrites and deletes, including empty keys and empty values', async () => {
      const e = await fresh();
      expect(e.isOpen).toBe(true);
      expect(await e.get(s('a'))).toBeUndefined();
      await e.put(s('a'), s('1'));
      await e.put(b(), s('empty-key'));
      await e.put(s('e'), b());
      expect(hex((await e.get(s('a')))!)).toBe(hex(s('1')));
      expect((await e.get(b()))?.toString()).toBe('empty-key');
      const emptyValue = await e.get(s('e'));
      expect(emptyValue).toBeInstanceOf(Buffer);
      expect(emptyValue!.length).toBe(0);
      await e.put(s('a'), s('2'));
      expect((await e.get(s('a')))?.toString()).toBe('2');
      await e.delete(s('a'));
      await e.delete(s('never-there'));
      expect(await e.get(s('a'))).toBeUndefined();
      expect(await keysOf(e.range())).toEqual([hex(b()), hex(s('e'))]);
    });

    it('does not keep a reference to the key Buffer it was given', async () => {
      const e = await fresh();
      const key = s('k1');
      await e.put(key, s('v'));
      key[1] = 0x32; // the caller reuses its buffer: 'k2'
      expect((await e.get(s('k1')))?.toString()).toBe('v');
      expect(await e.get(s('k2'))).toBeUndefined();
    });

    it('orders keys by unsigned bytes, shorter prefix first', async () => {
      const e = await fresh();
      const keys = [b(0xff), b(0x80), b(0x7f), b(0x00), b(0x00, 0x00), b(), b(0x7f, 0xff), b(0x80, 0x00), b(0x01)];
      await e.write(keys.map((key) => ({ type: 'put', key, value: s('v') })));
      const expected = [...keys].sort(Buffer.compare).map(hex);
      expect(await keysOf(e.range())).toEqual(expected);
      expect(await keysOf(e.range({ reverse: true }))).toEqual([...expected].reverse());
    });

    it('multiGet returns values in key order of the request, with misses and duplicates', async () => {
      const e = await fresh();
      await e.write([
        { type: 'put', key: s('a'), value: s('A') },
        { type: 'put', key: s('c'), value: s('C') },
      ]);
      const got = await e.multiGet([s('c'), s('b'), s('a'), s('c')]);
      expect(got.map((v) => v?.toString())).toEqual(['C', undefined, 'A', 'C']);
      expect(await e.multiGet([])).toEqual([]);
    });

    it('applies a write batch in order (last op on a key wins)', async () => {
      const e = await fresh();
      await e.put(s('x'), s('old'));
      await e.write([
        { type: 'put', key: s('a'), value: s('1') },
        { type: 'delete', key: s('a') },
        { type: 'delete', key: s('x') },
        { type: 'put', key: s('x'), value: s('new') },
        { type: 'put', key: s('b'), value: s('1') },
        { type: 'put', key: s('b'), value: s('2') },
      ]);
      expect(await collect(e.range())).toEqual([
        [hex(s('b')), hex(s('2'))],
        [hex(s('x')), hex(s('new'))],
      ]);
    });

    it('rejects an invalid batch as a whole: no op and no meta of it is written', async () => {
      const e = await fresh();
      const bad = [
        { type: 'put', key: s('a'), value: s('1') },
        { type: 'put', key: s('b'), value: undefined },
      ] as unknown as WriteOp[];
      await expect(e.write(bad, { offset: s('9') })).rejects.toBeInstanceOf(StateStoreError);
      const unknownType = [{ type: 'upsert', key: s('a'), value: s('1') }] as unknown as WriteOp[];
      await expect(e.write(unknownType)).rejects.toBeInstanceOf(StateStoreError);
      expect(await e.get(s('a'))).toBeUndefined();
      expect(await e.readMeta('offset')).toBeUndefined();
    });

    describe('range', () => {
      const setup = async (): Promise<KvEngine> => {
        const e = await fresh();
        await e.write(['a', 'b', 'c', 'd', 'e'].map((k) => ({ type: 'put', key: s(k), value: s(k.toUpperCase()) })));
        return e;
      };
      const ks = (...names: string[]): string[] => names.map((n) => hex(s(n)));

      it('honours inclusive and exclusive bounds (inclusive by default)', async () => {
        const e = await setup();
        expect(await keysOf(e.range({ from: s('b'), to: s('d') }))).toEqual(ks('b', 'c', 'd'));
        expect(await keysOf(e.range({ from: s('b'), to: s('d'), fromInclusive: false }))).toEqual(ks('c', 'd'));
        expect(await keysOf(e.range({ from: s('b'), to: s('d'), toInclusive: false }))).toEqual(ks('b', 'c'));
        expect(
          await keysOf(e.range({ from: s('b'), to: s('d'), fromInclusive: false, toInclusive: false })),
        ).toEqual(ks('c'));
        // Bounds that are not keys.
        expect(await keysOf(e.range({ from: s('bb'), to: s('dd') }))).toEqual(ks('c', 'd'));
        expect(await keysOf(e.range({ from: s('c') }))).toEqual(ks('c', 'd', 'e'));
        expect(await keysOf(e.range({ to: s('b') }))).toEqual(ks('a', 'b'));
        expect(await keysOf(e.range({ to: s('b'), toInclusive: false }))).toEqual(ks('a'));
        expect(await keysOf(e.range({ from: s('e'), fromInclusive: false }))).toEqual([]);
      });

      it('is empty for inverted or empty intervals', async () => {
        const e = await setup();
        expect(await keysOf(e.range({ from: s('d'), to: s('b') }))).toEqual([]);
        expect(await keysOf(e.range({ from: s('c'), to: s('c') }))).toEqual(ks('c'));
        expect(await keysOf(e.range({ from: s('c'), to: s('c'), toInclusive: false }))).toEqual([]);
        expect(await keysOf(e.range({ from: s('c'), to: s('c'), fromInclusive: false }))).toEqual([]);
      });

      it('iterates in reverse with the same bounds', async () => {
        const e = await setup();
        expect(await keysOf(e.range({ from: s('b'), to: s('d'), reverse: true }))).toEqual(ks('d', 'c', 'b'));
        expect(await keysOf(e.range({ from: s('b'), to: s('d'), reverse: true, toInclusive: false }))).toEqual(
          ks('c', 'b'),
        );
        expect(await keysOf(e.range({ reverse: true, limit: 2 }))).toEqual(ks('e', 'd'));
      });

      it('applies limits', async () => {
        const e = await setup();
        expect(await keysOf(e.range({ limit: 2 }))).toEqual(ks('a', 'b'));
        expect(await keysOf(e.range({ from: s('b'), limit: 1 }))).toEqual(ks('b'));
        expect(await keysOf(e.range({ limit: 0 }))).toEqual([]);
        expect(await keysOf(e.range({ limit: 100 }))).toEqual(ks('a', 'b', 'c', 'd', 'e'));
      });

      it('scans by prefix, also prefixes ending in 0xff and the empty prefix', async () => {
        const e = await fresh();
        const keys = [b(0x01), b(0x01, 0x00), b(0x01, 0xff), b(0x01, 0xff, 0x05), b(0x02), b(0xff), b(0xff, 0xff), b()];
        await e.write(keys.map((key) => ({ type: 'put', key, value: s('v') })));
        expect(await keysOf(e.prefix(b(0x01)))).toEqual(['01', '0100', '01ff', '01ff05']);
        expect(await keysOf(e.prefix(b(0x01), true))).toEqual(['01ff05', '01ff', '0100', '01']);
        expect(await keysOf(e.prefix(b(0x01, 0xff)))).toEqual(['01ff', '01ff05']);
        expect(await keysOf(e.prefix(b(0xff)))).toEqual(['ff', 'ffff']);
        expect(await keysOf(e.prefix(b()))).toEqual([...keys].sort(Buffer.compare).map(hex));
      });

      it('stays ordered and duplicate-free when the store changes during a scan', async () => {
        const e = await fresh();
        const n = 600;
        const key = (i: number): Buffer => s(`k${String(i).padStart(4, '0')}`);
        await e.write(Array.from({ length: n }, (_, i) => ({ type: 'put' as const, key: key(i * 2), value: s('v') })));
        const seen: string[] = [];
        let i = 0;
        for await (const [k] of e.range()) {
          seen.push(k.toString());
          // Insert keys before and after the cursor and delete keys ahead of it.
          await e.put(key(i * 2 + 1), s('new'));
          await e.delete(key(2 * n - 2 - i * 2));
          i++;
        }
        const sorted = [...seen].sort();
        expect(seen).toEqual(sorted);
        expect(new Set(seen).size).toBe(seen.length);
        // Keys untouched during the scan are all there: the first third was never deleted before being passed.
        for (let j = 0; j < n / 3; j++) expect(seen).toContain(key(j * 2).toString());
      });
    });

    describe('metadata', () => {
      it('is written with the batch, read back, deleted with null, and invisible to scans and counts', async () => {
        const e = await fresh();
        await e.write([{ type: 'put', key: s('k'), value: s('v') }], { offset: s('42'), other: b(0x00) });
        expect((await e.readMeta('offset'))?.toString()).toBe('42');
        expect(await e.readMeta('missing')).toBeUndefined();
        // Data keys spelling a meta name (or its encoding) do not collide with it.
        await e.put(s('offset'), s('user'));
        await e.put(b(0x00, ...s('offset')), s('user0'));
        expect((await e.readMeta('offset'))?.toString()).toBe('42');
        expect((await e.get(s('offset')))?.toString()).toBe('user');
        expect(await keysOf(e.range())).toEqual([hex(b(0x00, ...s('offset'))), hex(s('k')), hex(s('offset'))]);
        expect(await keysOf(e.prefix(b()))).toHaveLength(3);
        await e.write([], { offset: null });
        expect(await e.readMeta('offset')).toBeUndefined();
        expect(hex((await e.readMeta('other'))!)).toBe('00');
      });

      it('does not count towards the number of entries', async () => {
        const e = await fresh();
        await e.write([], { a: s('1'), b: s('2'), c: s('3') });
        expect(await e.approximateNumEntries()).toBe(0);
        await e.write(Array.from({ length: 100 }, (_, i) => ({ type: 'put' as const, key: s(`key${i}`), value: s('v') })));
        const n = await e.approximateNumEntries();
        if (harness.exactCount) {
          expect(n).toBe(100);
        } else {
          expect(n).toBeGreaterThanOrEqual(50);
          expect(n).toBeLessThanOrEqual(150);
        }
      });

      it('rejects empty meta names', async () => {
        const e = await fresh();
        await expect(e.readMeta('')).rejects.toBeInstanceOf(StateStoreError);
        await expect(e.write([], { '': s('x') })).rejects.toBeInstanceOf(StateStoreError);
      });
    });

    describe('lifecycle', () => {
      it('rejects every call after close with StateStoreError; close is idempotent', async () => {
        const e = await fresh();
        await e.put(s('a'), s('1'));
        await e.close();
        await e.close();
        expect(e.isOpen).toBe(false);
        const calls: (() => Promise<unknown>)[] = [
          () => e.get(s('a')),
          () => e.multiGet([s('a')]),
          () => e.put(s('a'), s('1')),
          () => e.delete(s('a')),
          () => e.write([{ type: 'put', key: s('a'), value: s('1') }]),
          () => e.readMeta('offset'),
          () => e.approximateNumEntries(),
          () => collect(e.range()),
          () => collect(e.prefix(s('a'))),
        ];
        for (const call of calls) await expect(call()).rejects.toBeInstanceOf(StateStoreError);
        if (isSyncEngine(e)) {
          expect(() => e.getSync(s('a'))).toThrow(StateStoreError);
          expect(() => e.putSync(s('a'), s('1'))).toThrow(StateStoreError);
          expect(() => [...e.rangeSync()]).toThrow(StateStoreError);
        }
      });

      it('ends a scan that is open across close() with StateStoreError, and close does not wait for it', async () => {
        const e = await fresh();
        await e.write(Array.from({ length: 50 }, (_, i) => ({ type: 'put' as const, key: s(`k${i}`), value: s('v') })));
        const iterator = e.range()[Symbol.asyncIterator]();
        expect((await iterator.next()).done).toBe(false);
        await e.close();
        await expect(iterator.next()).rejects.toBeInstanceOf(StateStoreError);
      });

      it('lets writes issued before close finish or fail cleanly', async () => {
        const e = await fresh();
        const inFlight = Array.from({ length: 20 }, (_, i) =>
          e.put(s(`k${i}`), s('v')).then(
            () => 'ok',
            (err: unknown) => err,
          ),
        );
        await e.close();
        for (const r of await Promise.all(inFlight)) {
          if (r !== 'ok') expect(r).toBeInstanceOf(StateStoreError);
        }
      });

      it('destroy removes all data and metadata; the engine opens again empty', async () => {
        const e = await fresh();
        await e.write([{ type: 'put', key: s('a'), value: s('1') }], { offset: s('1') });
        await e.destroy();
        expect(e.isOpen).toBe(false);
        await e.open();
        expect(await e.get(s('a'))).toBeUndefined();
        expect(await e.readMeta('offset')).toBeUndefined();
        expect(await collect(e.range())).toEqual([]);
      });
    });

    it(`matches a reference sorted map on random operation sequences (${harness.modelRuns} runs)`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(cmdArb, { maxLength: 40 }), async (cmds) => {
          const e = await harness.create();
          await e.open();
          const model = new Model();
          try {
            for (const cmd of cmds) {
              switch (cmd.c) {
                case 'put':
                  await e.put(cmd.key, cmd.value);
                  model.apply([{ type: 'put', key: cmd.key, value: cmd.value }]);
                  break;
                case 'delete':
                  await e.delete(cmd.key);
                  model.apply([{ type: 'delete', key: cmd.key }]);
                  break;
                case 'batch':
                  await e.write(cmd.ops, cmd.meta);
                  model.apply(cmd.ops, cmd.meta);
                  break;
                case 'range':
                  expect(await collect(e.range(cmd.o))).toEqual(model.range(cmd.o));
                  if (isSyncEngine(e)) {
                    expect([...e.rangeSync(cmd.o)].map(([k, v]) => [hex(k), hex(v)])).toEqual(model.range(cmd.o));
                  }
                  break;
                case 'prefix': {
                  const want = model
                    .range({ reverse: cmd.reverse })
                    .filter(([k]) => Buffer.from(k, 'hex').subarray(0, cmd.p.length).equals(cmd.p));
                  expect(await collect(e.prefix(cmd.p, cmd.reverse))).toEqual(want);
                  break;
                }
                case 'multiGet': {
                  const got = await e.multiGet(cmd.keys);
                  expect(got.map((v) => (v === undefined ? null : hex(v)))).toEqual(
                    cmd.keys.map((k) => {
                      const v = model.data.get(hex(k));
                      return v === undefined ? null : hex(v);
                    }),
                  );
                  if (isSyncEngine(e)) {
                    expect(cmd.keys.map((k) => e.getSync(k)?.toString('hex') ?? null)).toEqual(
                      got.map((v) => (v === undefined ? null : hex(v))),
                    );
                  }
                  break;
                }
                case 'meta': {
                  const v = await e.readMeta(cmd.name);
                  expect(v === undefined ? null : hex(v)).toEqual(
                    model.meta.has(cmd.name) ? hex(model.meta.get(cmd.name)!) : null,
                  );
                  break;
                }
              }
            }
            expect(await collect(e.range())).toEqual(model.range({}));
            expect(await collect(e.range({ reverse: true }))).toEqual(model.range({ reverse: true }));
            if (harness.exactCount) expect(await e.approximateNumEntries()).toBe(model.data.size);
          } finally {
            await e.destroy();
          }
        }),
        { numRuns: harness.modelRuns },
      );
    });
  });
}

