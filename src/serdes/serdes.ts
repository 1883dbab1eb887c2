/**
 * Built-in serdes, byte-compatible with Kafka's `Serdes.*`, so topics are shared with Java applications.
 * Each factory returns one shared, stateless, frozen instance: serdes sit on the per-record hot path, so there
 * is no per-call allocation beyond the output Buffer, and no BigInt.
 *
 * Bad input throws plain errors (RangeError/TypeError/Error); the runtime wraps them in a SerdeError that
 * says which record and which part (key or value) failed.
 */
import type { Serde } from './serde.js';
import { checkSafeLong, describe, readLong, writeLong } from './long-bytes.js';

function checkSize(data: Buffer, size: number, who: string): void {
  if (data.length !== size) {
    throw new Error(`Size of data received by ${who} is not ${size} (got ${data.length} bytes)`);
  }
}

/**
 * Short ASCII strings (the usual keys) are encoded in JS: Buffer.from makes two native calls (byteLength, write),
 * which cost more than the loop below up to a few dozen characters (measured crossover around 24-32).
 */
const ASCII_FAST_PATH_MAX = 24;

function utf8Encode(s: string): Buffer {
  const n = s.length;
  if (n > ASCII_FAST_PATH_MAX) return Buffer.from(s, 'utf8');
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.from(s, 'utf8');
  const buf = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) buf[i] = s.charCodeAt(i);
  return buf;
}

/**
 * Short ASCII byte strings are decoded in JS too: a fixed-arity String.fromCharCode builds a flat string in ~10 ns,
 * where toString()'s native call costs ~50 ns. Anything longer or non-ASCII goes to Node's UTF-8 decoder.
 */
const fcc = String.fromCharCode;

function utf8Decode(b: Buffer): string {
  const n = b.length;
  if (n > 16) return b.toString();
  let or = 0;
  for (let i = 0; i < n; i++) or |= b[i]!;
  if (or >= 0x80) return b.toString(); // no-argument toString() is Node's shortest path to utf8Slice
  // prettier-ignore
  switch (n) {
    case 0: return '';
    case 1: return fcc(b[0]!);
    case 2: return fcc(b[0]!, b[1]!);
    case 3: return fcc(b[0]!, b[1]!, b[2]!);
    case 4: return fcc(b[0]!, b[1]!, b[2]!, b[3]!);
    case 5: return fcc(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!);
    case 6: return fcc(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!);
    case 7: return fcc(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!);
    case 8: return fcc(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!);
    case 9: return fcc(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!);
    case 10: return fcc(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!, b[9]!);
    case 11: return fcc(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!, b[9]!, b[10]!);
    case 12: return fcc(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!, b[9]!, b[10]!, b[11]!);
    case 13: return fcc(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!, b[9]!, b[10]!, b[11]!, b[12]!);
    case 14: return fcc(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!, b[9]!, b[10]!, b[11]!, b[12]!, b[13]!);
    case 15: return fcc(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!, b[9]!, b[10]!, b[11]!, b[12]!, b[13]!, b[14]!);
    case 16: return fcc(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!, b[9]!, b[10]!, b[11]!, b[12]!, b[13]!, b[14]!, b[15]!);
    default: return b.toString();
  }
}

const stringSerde: Serde<string> = Object.freeze({
  serialize(_topic: string, data: string | null): Buffer | null {
    if (data === null) return null;
    if (typeof data !== 'string') throw new TypeError(`StringSerializer expects a string, got ${describe(data)}`);
    return utf8Encode(data);
  },
  deserialize(_topic: string, data: Buffer | null): string | null {
    // Invalid UTF-8 becomes U+FFFD, as in Java's StringDeserializer.
    return data === null ? null : utf8Decode(data);
  },
});

const longSerde: Serde<number> = Object.freeze({
  serialize(_topic: string, data: number | null): Buffer | null {
    if (data === null) return null;
    checkSafeLong(data, 'LongSerializer');
    const buf = Buffer.allocUnsafe(8);
    writeLong(buf, 0, data);
    return buf;
  },
  deserialize(_topic: string, data: Buffer | null): number | null {
    if (data === null) return null;
    checkSize(data, 8, 'LongDeserializer');
    return readLong(data, 0, 'LongDeserializer');
  },
});

const integerSerde: Serde<number> = Object.freeze({
  serialize(_topic: string, data: number | null): Buffer | null {
    if (data === null) return null;
    // `| 0` is the identity exactly for int32 numbers (and -0), so this rejects fractions, NaN, out-of-range and non-numbers.
    if ((data | 0) !== data) {
      throw new RangeError(
        `IntegerSerializer can only serialize 32-bit signed integers (-2147483648 to 2147483647), got ${describe(data)}`,
      );
    }
    const buf = Buffer.allocUnsafe(4);
    buf[0] = data >>> 24;
    buf[1] = data >>> 16;
    buf[2] = data >>> 8;
    buf[3] = data;
    return buf;
  },
  deserialize(_topic: string, data: Buffer | null): number | null {
    if (data === null) return null;
    checkSize(data, 4, 'IntegerDeserializer');
    return (data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!;
  },
});

const doubleSerde: Serde<number> = Object.freeze({
  serialize(_topic: string, data: number | null): Buffer | null {
    if (data === null) return null;
    if (typeof data !== 'number') throw new TypeError(`DoubleSerializer expects a number, got ${describe(data)}`);
    const buf = Buffer.allocUnsafe(8);
    buf.writeDoubleBE(data, 0);
    return buf;
  },
  deserialize(_topic: string, data: Buffer | null): number | null {
    if (data === null) return null;
    checkSize(data, 8, 'DoubleDeserializer');
    return data.readDoubleBE(0);
  },
});

const bufferSerde: Serde<Buffer> = Object.freeze({
  serialize(_topic: string, data: Buffer | null): Buffer | null {
    return data;
  },
  deserialize(_topic: string, data: Buffer | null): Buffer | null {
    return data;
  },
});

const jsonSerde: Serde<unknown> = Object.freeze({
  serialize(_topic: string, data: unknown): Buffer | null {
    if (data === null) return null;
    const text = JSON.stringify(data);
    // JSON.stringify returns undefined for undefined, functions and symbols: there is nothing to write.
    if (text === undefined) throw new TypeError(`JsonSerializer cannot serialize ${describe(data)} as JSON`);
    return utf8Encode(text);
  },
  deserialize(_topic: string, data: Buffer | null): unknown {
    if (data === null) return null;
    try {
      return JSON.parse(data.toString()) as unknown;
    } catch (e) {
      throw new Error(`JsonDeserializer received ${data.length} bytes that are not valid UTF-8 JSON: ${(e as Error).message}`, {
        cause: e,
      });
    }
  },
});

const voidSerde: Serde<null> = Object.freeze({
  serialize(_topic: string, data: null): Buffer | null {
    if (data !== null) throw new Error(`VoidSerializer can only serialize null, got ${describe(data)}`);
    return null;
  },
  deserialize(_topic: string, data: Buffer | null): null {
    if (data !== null) throw new Error(`Data should be null for a VoidDeserializer (got ${data.length} bytes)`);
    return null;
  },
});

export const Serdes = Object.freeze({
  /** UTF-8 text (Kafka's StringSerde). */
  String: (): Serde<string> => stringSerde,
  /** 8-byte big-endian two's complement long (Kafka's LongSerde); only safe integers are accepted or produced. */
  Long: (): Serde<number> => longSerde,
  /** 4-byte big-endian signed int (Kafka's IntegerSerde). */
  Integer: (): Serde<number> => integerSerde,
  /** 8-byte big-endian IEEE-754 double (Kafka's DoubleSerde). */
  Double: (): Serde<number> => doubleSerde,
  /** The bytes as they are (Kafka's BytesSerde / ByteArraySerde). */
  Buffer: (): Serde<Buffer> => bufferSerde,
  /** UTF-8 JSON. `T` is not checked at runtime: the parsed value is trusted to have that shape. */
  Json: <T>(): Serde<T> => jsonSerde as Serde<T>,
  /** Always null (Kafka's VoidSerde), for topics whose keys or values carry no data. */
  Void: (): Serde<null> => voidSerde,
});
