/**
 * Store key layout of window stores: Kafka Streams' WindowKeySchema, [key][8-byte BE window start][4-byte BE seqnum].
 *
 * Why key first (and not Kafka's time-first TimeFirstWindowKeySchema): the changelog carries the engine's keys as
 * they are, so this layout makes the changelog byte-compatible with a Kafka Streams window store's changelog, and
 * the lookups on the processing path (one key's window, one key's windows in a time range) are a point get or one
 * short ordered range scan. Scans over all keys by time (fetchAll, retention purge, emit-on-window-close) read the
 * whole store and filter; the purge is amortized (once per segment interval of stream time).
 *
 * Keys have variable length, so a byte range [key][from].. [key][to] can contain other keys that start with the
 * same bytes; readers check the key part of every entry (`keyBytesOf` has the exact length).
 */
import { readLong, writeLong } from '../../serdes/long-bytes.js';

export const TIMESTAMP_SIZE = 8;
export const SEQNUM_SIZE = 4;
const SUFFIX = TIMESTAMP_SIZE + SEQNUM_SIZE;

export function windowStoreKey(key: Buffer, windowStart: number, seqnum: number): Buffer {
  const out = Buffer.allocUnsafe(key.length + SUFFIX);
  key.copy(out, 0);
  writeLong(out, key.length, windowStart);
  out.writeUInt32BE(seqnum >>> 0, key.length + TIMESTAMP_SIZE);
  return out;
}

/** Lower bound of all windows of `key` starting at or after `timeFrom`. */
export function windowLowerBound(key: Buffer, timeFrom: number): Buffer {
  return windowStoreKey(key, Math.max(0, timeFrom), 0);
}

/** Upper bound of all windows of `key` starting at or before `timeTo`. */
export function windowUpperBound(key: Buffer, timeTo: number): Buffer {
  return windowStoreKey(key, Math.max(0, timeTo), 0xffffffff);
}

export function windowStartOf(storeKey: Buffer): number {
  return readLong(storeKey, storeKey.length - SUFFIX, 'WindowKeySchema');
}

export function keyBytesOf(storeKey: Buffer): Buffer {
  return storeKey.subarray(0, storeKey.length - SUFFIX);
}

export function isWindowStoreKey(storeKey: Buffer): boolean {
  return storeKey.length >= SUFFIX;
}
