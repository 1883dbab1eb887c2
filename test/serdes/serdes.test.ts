import { describe, expect, expectTypeOf, it } from 'vitest';
import fc from 'fast-check';
import { Serdes } from '../../src/serdes/serdes.js';
import { serdeFrom, type Serde } from '../../src/serdes/serde.js';

const T = 'topic';
const hex = (b: Buffer | null): string | null => (b === null ? null : b.toString('hex'));
const bytes = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');

function roundTrip<V>(serde: Serde<V>, v: V): V | null {
  return serde.deserialize(T, serde.serialize(T, v));
}

describe('fixed byte vectors (as written by Kafka serializers)', () => {
  it('Long: 8-byte big-endian two\'s complement', () => {
    const long = Serdes.Long();
    const cases: Array<[number, string]> = [
      [0, '0000000000000000'],
      [1, '0000000000000001'],
      [-1, 'ffffffffffffffff'],
      [2 ** 40 + 5, '0000010000000005'],
      [-(2 ** 40) - 5, 'fffffefffffffffb'],
      [2 ** 32, '0000000100000000'],
      [2 ** 32 - 1, '00000000ffffffff'],
      [-(2 ** 32), 'ffffffff00000000'],
      [-2147483648, 'ffffffff80000000'],
      [Number.MAX_SAFE_INTEGER, '001fffffffffffff'],
      [Number.MIN_SAFE_INTEGER, 'ffe0000000000001'],
      [1234567890123, '0000011f71fb04cb'],
    ];
    for (const [v, h] of cases) {
      expect(hex(long.serialize(T, v)), `serialize ${v}`).toBe(h);
      expect(long.deserialize(T, bytes(h)), `deserialize ${h}`).toBe(v);
    }
  });

  it('Long agrees with Node\'s BigInt64 encoding over the safe range', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (v) => {
        const expected = Buffer.alloc(8);
        expected.writeBigInt64BE(BigInt(v));
        expect(hex(Serdes.Long().serialize(T, v))).toBe(expected.toString('hex'));
      }),
    );
  });

  it('Integer: 4-byte big-endian signed', () => {
    const int = Serdes.Integer();
    const cases: Array<[number, string]> = [
      [0, '00000000'],
      [1, '00000001'],
      [-1, 'ffffffff'],
      [-2, 'fffffffe'],
      [256, '00000100'],
      [2147483647, '7fffffff'],
      [-2147483648, '80000000'],
    ];
    for (const [v, h] of cases) {
      expect(hex(int.serialize(T, v))).toBe(h);
      expect(int.deserialize(T, bytes(h))).toBe(v);
    }
  });

  it('Double: IEEE-754 big-endian', () => {
    const dbl = Serdes.Double();
    const cases: Array<[number, string]> = [
      [1.5, '3ff8000000000000'],
      [0, '0000000000000000'],
      [-0, '8000000000000000'],
      [-2, 'c000000000000000'],
      [Infinity, '7ff0000000000000'],
      [-Infinity, 'fff0000000000000'],
      [NaN, '7ff8000000000000'], // Java's doubleToLongBits canonical NaN
    ];
    for (const [v, h] of cases) {
      expect(hex(dbl.serialize(T, v))).toBe(h);
      expect(Object.is(dbl.deserialize(T, bytes(h)), v)).toBe(true);
    }
  });

  it('String: UTF-8', () => {
    expect(hex(Serdes.String().serialize(T, 'héllo'))).toBe('68c3a96c6c6f');
    expect(hex(Serdes.String().serialize(T, ''))).toBe('');
    expect(hex(Serdes.String().serialize(T, '€😀'))).toBe('e282acf09f9880');
    expect(Serdes.String().deserialize(T, bytes('68c3a96c6c6f'))).toBe('héllo');
    expect(Serdes.String().deserialize(T, Buffer.alloc(0))).toBe('');
  });

  it('Json: UTF-8 JSON text', () => {
    expect(Serdes.Json<{ a: number; b: string }>().serialize(T, { a: 1, b: 'é' })?.toString('utf8')).toBe('{"a":1,"b":"é"}');
    expect(Serdes.Json<number[]>().deserialize(T, Buffer.from('[1,2,3]'))).toEqual([1, 2, 3]);
  });

  it('Buffer: identity', () => {
    const b = bytes('00ff10');
    expect(Serdes.Buffer().serialize(T, b)).toBe(b);
    expect(Serdes.Buffer().deserialize(T, b)).toBe(b);
  });
});

describe('round trips', () => {
  it('String', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      expect(roundTrip(Serdes.String(), s)).toBe(s);
    }));
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      expect(roundTrip(Serdes.String(), s)).toBe(s);
    }));
  });

  it('String agrees with Node\'s UTF-8 codec on every input (the short-ASCII fast paths included)', () => {
    const S = Serdes.String();
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 40 }), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme', maxLength: 20 })), (s) => {
        expect(S.serialize(T, s)).toEqual(Buffer.from(s, 'utf8'));
      }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ max: 0x7f, maxLength: 40 }), fc.uint8Array({ maxLength: 40 })), (a) => {
        const b = Buffer.from(a);
        expect(S.deserialize(T, b)).toBe(b.toString('utf8'));
      }),
    );
    for (let n = 0; n <= 40; n++) {
      const ascii = Array.from({ length: n }, (_, i) => String.fromCharCode(i % 128)).join('');
      expect(S.deserialize(T, S.serialize(T, ascii)), `ascii length ${n}`).toBe(ascii);
      expect(S.deserialize(T, Buffer.from(ascii, 'latin1')), `ascii bytes length ${n}`).toBe(ascii);
      const withE = ascii + 'é';
      expect(S.deserialize(T, S.serialize(T, withE)), `non-ascii length ${n + 1}`).toBe(withE);
    }
    expect(S.serialize(T, '\ud800')).toEqual(Buffer.from('efbfbd', 'hex')); // lone surrogate, as Buffer.from
    expect(S.deserialize(T, Buffer.from('ff61', 'hex'))).toBe('\ufffda'); // invalid UTF-8 becomes U+FFFD
  });

  it('Long over the whole safe integer range', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), (v) => {
      expect(roundTrip(Serdes.Long(), v)).toBe(v);
    }));
    fc.assert(fc.property(fc.integer(), (v) => {
      expect(roundTrip(Serdes.Long(), v)).toBe(v);
    }));
    for (const v of [0, -0, 1, -1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 32, -(2 ** 32), 2 ** 31, -(2 ** 31)]) {
      expect(roundTrip(Serdes.Long(), v)).toBe(v === 0 ? 0 : v);
    }
  });

  it('Integer over the int32 range', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => {
      expect(roundTrip(Serdes.Integer(), v)).toBe(v);
    }));
  });

  it('Double, including -0, NaN and ±Infinity', () => {
    fc.assert(fc.property(fc.double(), (v) => {
      expect(Object.is(roundTrip(Serdes.Double(), v), v)).toBe(true);
    }));
    for (const v of [-0, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, Number.EPSILON]) {
      expect(Object.is(roundTrip(Serdes.Double(), v), v)).toBe(true);
    }
  });

  it('Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array(), (a) => {
        const b = Buffer.from(a);
        expect(roundTrip(Serdes.Buffer(), b)).toEqual(b);
      }),
    );
  });

  it('Json', () => {
    // Same semantics as JSON itself (e.g. -0 comes back as 0); a JSON `null` is Kafka's null either way.
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(roundTrip(Serdes.Json<unknown>(), v)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });
});

describe('null stays null', () => {
  const all: Array<[string, Serde<unknown>]> = [
    ['String', Serdes.String()],
    ['Long', Serdes.Long()],
    ['Integer', Serdes.Integer()],
    ['Double', Serdes.Double()],
    ['Buffer', Serdes.Buffer()],
    ['Json', Serdes.Json()],
    ['Void', Serdes.Void()],
  ];
  it.each(all)('%s', (_name, serde) => {
    expect(serde.serialize(T, null)).toBeNull();
    expect(serde.deserialize(T, null)).toBeNull();
  });

  it('serdeFrom passes null through without calling the functions', () => {
    let calls = 0;
    const s = serdeFrom<string>(
      (_t, d) => (calls++, Buffer.from(d)),
      (_t, d) => (calls++, d.toString()),
    );
    expect(s.serialize(T, null)).toBeNull();
    expect(s.deserialize(T, null)).toBeNull();
    expect(calls).toBe(0);
    expect(s.deserialize(T, s.serialize(T, 'x'))).toBe('x');
    expect(calls).toBe(2);
  });
});

describe('errors', () => {
  it('wrong lengths say what was expected', () => {
    expect(() => Serdes.Long().deserialize(T, Buffer.alloc(3))).toThrow('Size of data received by LongDeserializer is not 8');
    expect(() => Serdes.Long().deserialize(T, Buffer.alloc(9))).toThrow('Size of data received by LongDeserializer is not 8');
    expect(() => Serdes.Integer().deserialize(T, Buffer.alloc(8))).toThrow('Size of data received by IntegerDeserializer is not 4');
    expect(() => Serdes.Double().deserialize(T, Buffer.alloc(4))).toThrow('Size of data received by DoubleDeserializer is not 8');
    fc.assert(
      fc.property(fc.uint8Array().filter((a) => a.length !== 8), (a) => {
        expect(() => Serdes.Long().deserialize(T, Buffer.from(a))).toThrow(/LongDeserializer is not 8/);
      }),
    );
  });

  it('Long refuses unsafe and non-integer numbers with a RangeError', () => {
    for (const v of [2 ** 53, -(2 ** 53), 2 ** 63, 1.5, NaN, Infinity, -Infinity]) {
      expect(() => Serdes.Long().serialize(T, v)).toThrow(RangeError);
    }
    expect(() => Serdes.Long().serialize(T, 2 ** 53)).toThrow(/safe integers/);
    expect(() => Serdes.Long().serialize(T, '1' as unknown as number)).toThrow(RangeError);
  });

  it('Long refuses to read longs outside the safe range', () => {
    for (const h of ['0020000000000000', 'ffe0000000000000', '7fffffffffffffff', '8000000000000000']) {
      expect(() => Serdes.Long().deserialize(T, bytes(h)), h).toThrow(RangeError);
    }
    expect(() => Serdes.Long().deserialize(T, bytes('7fffffffffffffff'))).toThrow(/outside the safe integer range/);
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
        const b = Buffer.alloc(8);
        b.writeBigInt64BE(v);
        const safe = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
        if (safe) expect(Serdes.Long().deserialize(T, b)).toBe(Number(v));
        else expect(() => Serdes.Long().deserialize(T, b)).toThrow(RangeError);
      }),
    );
  });

  it('Integer refuses non-int32 numbers', () => {
    for (const v of [2 ** 31, -(2 ** 31) - 1, 0.5, NaN, Infinity]) {
      expect(() => Serdes.Integer().serialize(T, v)).toThrow(RangeError);
    }
  });

  it('String and Double refuse values of the wrong type', () => {
    expect(() => Serdes.String().serialize(T, 5 as unknown as string)).toThrow(TypeError);
    expect(() => Serdes.Double().serialize(T, '5' as unknown as number)).toThrow(TypeError);
  });

  it('Json: unserializable values and bad input', () => {
    expect(() => Serdes.Json<unknown>().serialize(T, undefined)).toThrow(/JsonSerializer/);
    expect(() => Serdes.Json<unknown>().deserialize(T, Buffer.from('{nope'))).toThrow(/JsonDeserializer/);
  });

  it('Void: only null', () => {
    expect(() => Serdes.Void().serialize(T, 'x' as unknown as null)).toThrow(/VoidSerializer/);
    expect(() => Serdes.Void().deserialize(T, Buffer.alloc(1))).toThrow('Data should be null for a VoidDeserializer');
  });
});

describe('instances', () => {
  it('factories return shared frozen instances, and Serdes itself is frozen', () => {
    expect(Serdes.String()).toBe(Serdes.String());
    expect(Serdes.Long()).toBe(Serdes.Long());
    expect(Serdes.Json<number>()).toBe(Serdes.Json<string>());
    expect(Object.isFrozen(Serdes)).toBe(true);
    expect(Object.isFrozen(Serdes.Long())).toBe(true);
  });

  it('Long serialize returns fresh buffers (pooled allocation must not alias)', () => {
    const a = Serdes.Long().serialize(T, 1)!;
    const b = Serdes.Long().serialize(T, 2)!;
    expect(hex(a)).toBe('0000000000000001');
    expect(hex(b)).toBe('0000000000000002');
  });
});

describe('types', () => {
  it('each serde has its value type', () => {
    expectTypeOf(Serdes.String()).toEqualTypeOf<Serde<string>>();
    expectTypeOf(Serdes.Long()).toEqualTypeOf<Serde<number>>();
    expectTypeOf(Serdes.Integer()).toEqualTypeOf<Serde<number>>();
    expectTypeOf(Serdes.Double()).toEqualTypeOf<Serde<number>>();
    expectTypeOf(Serdes.Buffer()).toEqualTypeOf<Serde<Buffer>>();
    expectTypeOf(Serdes.Json<{ a: number }>()).toEqualTypeOf<Serde<{ a: number }>>();
    expectTypeOf(Serdes.Void()).toEqualTypeOf<Serde<null>>();
    expectTypeOf(Serdes.Long().deserialize('t', null)).toEqualTypeOf<number | null>();
  });

  it('a serde of the wrong type is a compile error', () => {
    // @ts-expect-error a Serde<number> is not a Serde<string>
    const s: Serde<string> = Serdes.Long();
    // @ts-expect-error a Serde<string> is not a Serde<number>
    const n: Serde<number> = Serdes.String();
    // @ts-expect-error the Long serde does not take strings
    const take = (): Buffer | null => Serdes.Long().serialize('t', 'x');
    void take;
    expectTypeOf(Serdes.Long()).not.toMatchTypeOf<Serde<string>>();
    void s;
    void n;
  });
});
