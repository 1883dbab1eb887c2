import { describe, expect, expectTypeOf, it } from 'vitest';
import fc from 'fast-check';
import { Serdes } from '../../src/serdes/serdes.js';
import type { Serde } from '../../src/serdes/serde.js';
import { WindowedSerdes, type Windowed } from '../../src/serdes/windowed-serdes.js';
import { ConfigError } from '../../src/errors.js';

const T = 'topic';
const hex = (b: Buffer | null): string | null => (b === null ? null : b.toString('hex'));

describe('time-windowed serde (Kafka WindowKeySchema.toBinary)', () => {
  const serde = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 1000);

  it('layout is [key][8-byte BE start]; the end is start + size', () => {
    const bytes = serde.serialize(T, { key: 'ab', window: { start: 5000, end: 6000 } });
    expect(hex(bytes)).toBe('6162' + '0000000000001388');
    expect(serde.deserialize(T, bytes)).toEqual({ key: 'ab', window: { start: 5000, end: 6000 } });
  });

  it('empty keys, negative starts, long inner keys', () => {
    expect(hex(serde.serialize(T, { key: '', window: { start: 1, end: 1001 } }))).toBe('0000000000000001');
    expect(hex(serde.serialize(T, { key: 'k', window: { start: -1, end: 999 } }))).toBe('6b' + 'ffffffffffffffff');
    const longKey = WindowedSerdes.timeWindowedSerdeFrom(Serdes.Long(), 10);
    expect(hex(longKey.serialize(T, { key: 7, window: { start: 2 ** 40, end: 2 ** 40 + 10 } }))).toBe(
      '0000000000000007' + '0000010000000000',
    );
  });

  it('caps the end at MAX_SAFE_INTEGER (Kafka caps at Long.MAX_VALUE)', () => {
    const start = Number.MAX_SAFE_INTEGER - 10;
    const w = serde.deserialize(T, serde.serialize(T, { key: 'k', window: { start, end: start + 1000 } }));
    expect(w?.window).toEqual({ start, end: Number.MAX_SAFE_INTEGER });
  });

  it('round trips', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 2 ** 40 }), fc.integer({ min: 0, max: 2 ** 50 }), (key, size, start) => {
        const s = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), size);
        const w: Windowed<string> = { key, window: { start, end: start + size } };
        expect(s.deserialize(T, s.serialize(T, w))).toEqual(w);
      }),
    );
  });

  it('null, short input and bad sizes', () => {
    expect(serde.serialize(T, null)).toBeNull();
    expect(serde.deserialize(T, null)).toBeNull();
    expect(() => serde.deserialize(T, Buffer.alloc(7))).toThrow(/TimeWindowedDeserializer is 7, expected at least 8/);
    expect(() => serde.serialize(T, { key: 'k', window: { start: 1.5, end: 2 } })).toThrow(RangeError);
    for (const size of [0, -1, 1.5, NaN, Infinity]) {
      expect(() => WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), size)).toThrow(ConfigError);
    }
  });
});

describe('session-windowed serde (Kafka SessionKeySchema.toBinary)', () => {
  const serde = WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String());

  it('layout is [key][8-byte BE end][8-byte BE start]', () => {
    const bytes = serde.serialize(T, { key: 'ab', window: { start: 1, end: 2 } });
    expect(hex(bytes)).toBe('6162' + '0000000000000002' + '0000000000000001');
    expect(serde.deserialize(T, bytes)).toEqual({ key: 'ab', window: { start: 1, end: 2 } });
  });

  it('round trips', () => {
    fc.assert(
      fc.property(fc.string(), fc.maxSafeInteger(), fc.maxSafeInteger(), (key, a, b) => {
        const w: Windowed<string> = { key, window: { start: Math.min(a, b), end: Math.max(a, b) } };
        expect(serde.deserialize(T, serde.serialize(T, w))).toEqual(w);
      }),
    );
  });

  it('null and short input', () => {
    expect(serde.serialize(T, null)).toBeNull();
    expect(serde.deserialize(T, null)).toBeNull();
    expect(() => serde.deserialize(T, Buffer.alloc(15))).toThrow(/SessionWindowedDeserializer is 15, expected at least 16/);
  });

  it('rejects inner serdes that produce null for a key', () => {
    const voidKeys = WindowedSerdes.sessionWindowedSerdeFrom(Serdes.Void());
    expect(() => voidKeys.serialize(T, { key: null, window: { start: 0, end: 0 } })).toThrow(/must not be null/);
  });

  it('types', () => {
    expectTypeOf(serde).toEqualTypeOf<Serde<Windowed<string>>>();
    // @ts-expect-error windowed keys are not plain keys
    const plain: Serde<string> = serde;
    void plain;
  });
});
