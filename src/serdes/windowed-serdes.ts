/**
 * Serdes for windowed keys, with Kafka Streams' byte layouts so windowed topics are shared with Java apps:
 * - time windows (WindowKeySchema / TimeWindowedSerializer): [inner key][8-byte BE window start];
 *   the end is not stored, it is start + window size (capped at Long.MAX, here Number.MAX_SAFE_INTEGER).
 * - session windows (SessionKeySchema): [inner key][8-byte BE window end][8-byte BE window start].
 */
import { ConfigError } from '../errors.js';
import type { Serde } from './serde.js';
import { checkSafeLong, readLong, writeLong } from './long-bytes.js';

export type Windowed<K> = { key: K; window: { start: number; end: number } };

const TIMESTAMP_SIZE = 8;

function innerKeyBytes<K>(inner: Serde<K>, topic: string, key: K, who: string): Buffer {
  const bytes = inner.serialize(topic, key);
  if (bytes === null) throw new Error(`${who}: the inner key serde returned null; a windowed key must not be null`);
  return bytes;
}

function checkMinSize(data: Buffer, size: number, who: string): void {
  if (data.length < size) {
    throw new Error(`Size of data received by ${who} is ${data.length}, expected at least ${size}`);
  }
}

function timeWindowedSerde<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
  return Object.freeze({
    serialize(topic: string, data: Windowed<K> | null): Buffer | null {
      if (data === null) return null;
      const start = data.window.start;
      checkSafeLong(start, 'TimeWindowedSerializer (window start)');
      const key = innerKeyBytes(inner, topic, data.key, 'TimeWindowedSerializer');
      const buf = Buffer.allocUnsafe(key.length + TIMESTAMP_SIZE);
      key.copy(buf, 0);
      writeLong(buf, key.length, start);
      return buf;
    },
    deserialize(topic: string, data: Buffer | null): Windowed<K> | null {
      if (data === null) return null;
      checkMinSize(data, TIMESTAMP_SIZE, 'TimeWindowedDeserializer');
      const keyLength = data.length - TIMESTAMP_SIZE;
      const start = readLong(data, keyLength, 'TimeWindowedDeserializer');
      // Kafka truncates an overflowing end to Long.MAX_VALUE; the largest long we can represent is MAX_SAFE_INTEGER.
      const end = Math.min(start + windowSizeMs, Number.MAX_SAFE_INTEGER);
      const key = inner.deserialize(topic, data.subarray(0, keyLength)) as K;
      return { key, window: { start, end } };
    },
  });
}

function sessionWindowedSerde<K>(inner: Serde<K>): Serde<Windowed<K>> {
  return Object.freeze({
    serialize(topic: string, data: Windowed<K> | null): Buffer | null {
      if (data === null) return null;
      const { start, end } = data.window;
      checkSafeLong(start, 'SessionWindowedSerializer (window start)');
      checkSafeLong(end, 'SessionWindowedSerializer (window end)');
      const key = innerKeyBytes(inner, topic, data.key, 'SessionWindowedSerializer');
      const buf = Buffer.allocUnsafe(key.length + 2 * TIMESTAMP_SIZE);
      key.copy(buf, 0);
      writeLong(buf, key.length, end);
      writeLong(buf, key.length + TIMESTAMP_SIZE, start);
      return buf;
    },
    deserialize(topic: string, data: Buffer | null): Windowed<K> | null {
      if (data === null) return null;
      checkMinSize(data, 2 * TIMESTAMP_SIZE, 'SessionWindowedDeserializer');
      const keyLength = data.length - 2 * TIMESTAMP_SIZE;
      const end = readLong(data, keyLength, 'SessionWindowedDeserializer');
      const start = readLong(data, keyLength + TIMESTAMP_SIZE, 'SessionWindowedDeserializer');
      const key = inner.deserialize(topic, data.subarray(0, keyLength)) as K;
      return { key, window: { start, end } };
    },
  });
}

export const WindowedSerdes = Object.freeze({
  /** Kafka's `WindowedSerdes.timeWindowedSerdeFrom`: the window size restores each window's end on read. */
  timeWindowedSerdeFrom<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
    if (!Number.isSafeInteger(windowSizeMs) || windowSizeMs <= 0) {
      throw new ConfigError(
        `timeWindowedSerdeFrom needs the window size in milliseconds as a positive safe integer, got ${String(windowSizeMs)}; ` +
          `pass the size of the TimeWindows the key comes from.`,
      );
    }
    return timeWindowedSerde(inner, windowSizeMs);
  },
  /** Kafka's `WindowedSerdes.sessionWindowedSerdeFrom`: session windows store both start and end. */
  sessionWindowedSerdeFrom<K>(inner: Serde<K>): Serde<Windowed<K>> {
    return sessionWindowedSerde(inner);
  },
});
