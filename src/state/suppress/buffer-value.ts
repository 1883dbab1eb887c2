import type { Headers } from '../../processor/record.js';

/** Where a buffered update came from (Kafka Streams' ProcessorRecordContext): restored with the entry. */
export interface BufferedContext {
  readonly timestamp: number;
  /** Source offset, -1 when the update was not caused by a source record (punctuation). */
  readonly offset: number;
  readonly topic: string;
  readonly partition: number;
  readonly headers: Headers;
}

/**
 * One buffered key's serialized state (Kafka Streams' BufferValue): the value before the first buffered update
 * (`prior`), the latest update's old and new values, and the context of the latest update.
 */
export interface BufferValue {
  readonly prior: Buffer | null;
  readonly old: Buffer | null;
  readonly new: Buffer | null;
  readonly context: BufferedContext;
}

const NULL_VALUE = -1;
/** The old value equals the prior value and is not written twice. */
const OLD_IS_PRIOR = -2;

/**
 * The changelog value of a buffered key, Kafka Streams' suppression buffer format version 3:
 * `[context][prior][old][new][8-byte buffer time]`, where context is `[timestamp i64][offset i64][topic: i32
 * length + UTF-8][partition i32][header count i32, -1 = none][per header: key i32 length + UTF-8, value i32
 * length + bytes]` and each value is an i32 length (-1 = null; old: -2 = same as prior) and its bytes.
 */
export function serializeBufferValue(value: BufferValue, bufferTime: number): Buffer {
  const ctx = value.context;
  const topic = Buffer.from(ctx.topic, 'utf8');
  const headers = Object.entries(ctx.headers).map(([k, v]) => [Buffer.from(k, 'utf8'), v] as const);
  const oldIsPrior = value.old !== null && value.prior !== null && value.old.equals(value.prior);
  let size = 8 + 8 + 4 + topic.length + 4 + 4;
  for (const [k, v] of headers) size += 8 + k.length + v.length;
  size += 12 + (value.prior?.length ?? 0) + (oldIsPrior ? 0 : (value.old?.length ?? 0)) + (value.new?.length ?? 0) + 8;
  const out = Buffer.allocUnsafe(size);
  let at = out.writeBigInt64BE(BigInt(ctx.timestamp), 0);
  at = out.writeBigInt64BE(BigInt(ctx.offset), at);
  at = out.writeInt32BE(topic.length, at);
  at += topic.copy(out, at);
  at = out.writeInt32BE(ctx.partition, at);
  at = out.writeInt32BE(headers.length, at);
  for (const [k, v] of headers) {
    at = out.writeInt32BE(k.length, at);
    at += k.copy(out, at);
    at = out.writeInt32BE(v.length, at);
    at += v.copy(out, at);
  }
  at = writeValue(out, at, value.prior);
  at = oldIsPrior ? out.writeInt32BE(OLD_IS_PRIOR, at) : writeValue(out, at, value.old);
  at = writeValue(out, at, value.new);
  out.writeBigInt64BE(BigInt(bufferTime), at);
  return out;
}

/** Reads what serializeBufferValue wrote; throws a RangeError or an Error on bytes of another layout. */
export function deserializeBufferValue(data: Buffer): { value: BufferValue; bufferTime: number } {
  let at = 0;
  const need = (n: number): void => {
    if (n < 0 || at + n > data.length) throw new Error(`truncated at byte ${at} of ${data.length}`);
  };
  const i64 = (): number => {
    need(8);
    const v = Number(data.readBigInt64BE(at));
    at += 8;
    return v;
  };
  const i32 = (): number => {
    need(4);
    const v = data.readInt32BE(at);
    at += 4;
    return v;
  };
  const bytes = (n: number): Buffer => {
    need(n);
    const b = Buffer.from(data.subarray(at, at + n)); // a copy: the entry outlives the changelog batch
    at += n;
    return b;
  };
  const nullable = (n: number): Buffer | null => (n === NULL_VALUE ? null : bytes(n));
  const timestamp = i64();
  const offset = i64();
  const topic = bytes(i32()).toString('utf8');
  const partition = i32();
  const headerCount = i32();
  const headers: Record<string, Buffer> = {};
  for (let i = 0; i < headerCount; i++) {
    const k = bytes(i32()).toString('utf8');
    // Kafka allows a null header value; headers here always hold bytes, so it becomes empty
    headers[k] = nullable(i32()) ?? Buffer.alloc(0);
  }
  const prior = nullable(i32());
  const oldLength = i32();
  const old = oldLength === OLD_IS_PRIOR ? prior : nullable(oldLength);
  const newValue = nullable(i32());
  const bufferTime = i64();
  if (at !== data.length) throw new Error(`${data.length - at} bytes left over`);
  return { value: { prior, old, new: newValue, context: { timestamp, offset, topic, partition, headers } }, bufferTime };
}

/** Bytes an entry holds (Kafka Streams' computeRecordSize): what BufferConfig.maxBytes bounds. */
export function entrySize(key: Buffer, value: BufferValue): number {
  const { prior, old, context } = value;
  let size = 8 + key.length + (prior?.length ?? 0) + (old === prior ? 0 : (old?.length ?? 0)) + (value.new?.length ?? 0);
  size += 8 + 8 + context.topic.length + 4;
  for (const [k, v] of Object.entries(context.headers)) size += k.length + v.length;
  return size;
}

function writeValue(out: Buffer, at: number, value: Buffer | null): number {
  if (value === null) return out.writeInt32BE(NULL_VALUE, at);
  at = out.writeInt32BE(value.length, at);
  return at + value.copy(out, at);
}
