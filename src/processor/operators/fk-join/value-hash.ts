import { createHash } from 'node:crypto';
import type { Serde } from '../../../serdes/serde.js';

/**
 * Hash of a left-table value, carried by a foreign-key subscription and compared when the response comes back:
 * a response computed for a value that has since changed is stale and dropped (Kafka Streams hashes the
 * serialized value with murmur3-128). With the table's value serde known at build time the serialized bytes are
 * hashed, as Kafka does; otherwise a canonical encoding of the value (sorted object keys) is.
 */
export function valueHash(value: unknown, serde: Serde<unknown> | undefined, topic: string): Buffer {
  const bytes = serde ? (serde.serialize(topic, value) ?? Buffer.alloc(0)) : Buffer.from(canonical(value), 'utf8');
  return createHash('md5').update(bytes).digest();
}

/** Whether two foreign keys are the same key (bytes when the serde is known, canonical form otherwise). */
export function sameKey(a: unknown, b: unknown, serde: Serde<unknown> | undefined, topic: string): boolean {
  if (a === b) return true;
  if (serde) {
    const x = serde.serialize(topic, a);
    const y = serde.serialize(topic, b);
    return x !== null && y !== null && x.equals(y);
  }
  return canonical(a) === canonical(b);
}

/** A deterministic text form of plain data: primitives, arrays, Buffers, dates and objects with sorted keys. */
export function canonical(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : `#${String(v)}`;
    case 'bigint':
      return `${v.toString()}n`;
    case 'boolean':
      return String(v);
    default:
      break;
  }
  if (Buffer.isBuffer(v)) return `<${v.toString('hex')}>`;
  if (v instanceof Date) return `@${v.toISOString()}`;
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v instanceof Map) return `M{${[...v.entries()].map(([k, x]) => `${canonical(k)}:${canonical(x)}`).sort().join(',')}}`;
  if (v instanceof Set) return `S[${[...v].map(canonical).sort().join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`;
}
