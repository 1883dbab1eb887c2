/**
 * 64-bit big-endian two's complement longs as JS numbers, without BigInt (this is on the per-record hot path):
 * the value is split into a signed high and an unsigned low 32-bit half. Only safe integers are accepted or
 * produced, so no value ever silently loses precision.
 */
const TWO_32 = 0x1_0000_0000;

/** Throws a RangeError unless `value` is a safe integer; `who` names the caller in the message. */
export function checkSafeLong(value: number, who: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(
      `${who} can only serialize safe integers (between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}) ` +
        `as a 64-bit long, got ${describe(value)}; larger values would lose precision as a JS number.`,
    );
  }
}

/** Writes a safe integer (checked by the caller) as 8 bytes big-endian at `offset`. */
export function writeLong(buf: Buffer, offset: number, value: number): void {
  const hi = Math.floor(value / TWO_32); // signed high half, in [-2^21, 2^21)
  const lo = value - hi * TWO_32; // unsigned low half, in [0, 2^32)
  buf[offset] = hi >>> 24;
  buf[offset + 1] = hi >>> 16;
  buf[offset + 2] = hi >>> 8;
  buf[offset + 3] = hi;
  buf[offset + 4] = lo >>> 24;
  buf[offset + 5] = lo >>> 16;
  buf[offset + 6] = lo >>> 8;
  buf[offset + 7] = lo;
}

/** Reads 8 bytes big-endian at `offset` (bounds checked by the caller); throws if the long is not a safe integer. */
export function readLong(buf: Buffer, offset: number, who: string): number {
  const hi = (buf[offset]! << 24) | (buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!;
  const lo = buf[offset + 4]! * 0x100_0000 + ((buf[offset + 5]! << 16) | (buf[offset + 6]! << 8) | buf[offset + 7]!);
  // Exact when the result is safe; rounding is monotone, so an unsafe long can never round into the safe range.
  const value = hi * TWO_32 + lo;
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(
      `${who} read the long 0x${buf.toString('hex', offset, offset + 8)}, which is outside the safe integer range ` +
        `(${Number.MIN_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}) and cannot be represented exactly as a JS number.`,
    );
  }
  return value;
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (value === undefined) return 'undefined';
  if (Buffer.isBuffer(value)) return `a Buffer of ${value.length} bytes`;
  return `a value of type ${typeof value}`;
}
