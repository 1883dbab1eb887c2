/**
 * Store key layout of session stores: Kafka Streams' SessionKeySchema, [key][8-byte BE session end][8-byte BE
 * session start]. A key's sessions sort by end, so `findSessions(key, earliestEnd, latestStart)` is one range scan
 * from [key][earliestEnd] filtered on start; the changelog is byte-compatible with Kafka Streams' session stores.
 * As with window keys, a key's byte range may hold longer keys with the same prefix: readers check the key part.
 */
import { readLong, writeLong } from '../../serdes/long-bytes.js';

const SUFFIX = 16;

export function sessionStoreKey(key: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(key.length + SUFFIX);
  key.copy(out, 0);
  writeLong(out, key.length, end);
  writeLong(out, key.length + 8, start);
  return out;
}

export function sessionEndOf(storeKey: Buffer): number {
  return readLong(storeKey, storeKey.length - SUFFIX, 'SessionKeySchema');
}

export function sessionStartOf(storeKey: Buffer): number {
  return readLong(storeKey, storeKey.length - 8, 'SessionKeySchema');
}

export function sessionKeyBytesOf(storeKey: Buffer): Buffer {
  return storeKey.subarray(0, storeKey.length - SUFFIX);
}

/** Range bounds of `key`'s sessions ending at or after `earliestEnd` (all larger ends included). */
export function sessionRange(key: Buffer, earliestEnd: number): { from: Buffer; to: Buffer } {
  const to = Buffer.alloc(key.length + SUFFIX, 0xff);
  key.copy(to, 0);
  // the largest safe long, as the end and start upper bound (longs above it cannot be read back anyway)
  writeLong(to, key.length, Number.MAX_SAFE_INTEGER);
  writeLong(to, key.length + 8, Number.MAX_SAFE_INTEGER);
  return { from: sessionStoreKey(key, 0, Math.max(0, earliestEnd)), to };
}

export function isSessionStoreKey(storeKey: Buffer): boolean {
  return storeKey.length >= SUFFIX;
}
