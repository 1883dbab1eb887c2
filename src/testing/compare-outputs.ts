/**
 * Compares what an application wrote to an output topic with what the model expects, per key. Under exactly-once
 * the output must be exact; under at-least-once records may be processed twice, so duplicates are allowed (and
 * counted) but nothing may be lost.
 */
import type { KeyValue } from '../dsl/key-value.js';

export type CompareMode = 'finalPerKey' | 'sequencePerKey' | 'set';

export interface OutputComparison {
  /** The first difference ('' when the output agrees). */
  readonly difference: string;
  /** Records beyond the model's that at-least-once allows (processed twice). */
  readonly duplicates: number;
}

export interface CompareOptions {
  readonly mode: CompareMode;
  /** Duplicates allowed, losses not. */
  readonly atLeastOnce: boolean;
}

/** JSON with Buffers as hex: the one rendering used for keys, values and reports. */
export function stringify(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'bigint' ? `${v}n` : v)) ?? 'undefined';
}

/**
 * - 'finalPerKey': the last value per key agrees (at-least-once: a number may be higher, as a count or a sum of
 *   non-negative values is after duplicates; anything else must agree).
 * - 'sequencePerKey': per key, the values in order agree (at-least-once: every expected value appears, in order
 *   of first appearance; the rest are duplicates). An aggregate's updates are not a sequence at-least-once keeps:
 *   an update whose send failed is not written again when the revived task restores the aggregate from its
 *   changelog (as in Kafka Streams), so compare aggregates 'finalPerKey' under at-least-once.
 * - 'set': the same records, any order (at-least-once: every expected record appears at least as often).
 */
export function compareOutput(actual: readonly KeyValue<unknown, unknown>[], expected: readonly KeyValue<unknown, unknown>[], options: CompareOptions): OutputComparison {
  switch (options.mode) {
    case 'finalPerKey':
      return compareFinal(actual, expected, options.atLeastOnce);
    case 'sequencePerKey':
      return compareSequences(actual, expected, options.atLeastOnce);
    case 'set':
      return compareSets(actual, expected, options.atLeastOnce);
  }
}

function byKey(list: readonly KeyValue<unknown, unknown>[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const kv of list) {
    const k = stringify(kv.key);
    let values = m.get(k);
    if (!values) m.set(k, (values = []));
    values.push(stringify(kv.value));
  }
  return m;
}

function compareFinal(actual: readonly KeyValue<unknown, unknown>[], expected: readonly KeyValue<unknown, unknown>[], atLeastOnce: boolean): OutputComparison {
  const a = byKey(actual);
  const e = byKey(expected);
  let duplicates = 0;
  for (const k of new Set([...e.keys(), ...a.keys()])) {
    const want = e.get(k)?.at(-1);
    const got = a.get(k)?.at(-1);
    if (want === got) continue;
    if (atLeastOnce && want !== undefined && got !== undefined) {
      const w: unknown = JSON.parse(want);
      const g: unknown = JSON.parse(got);
      if (typeof w === 'number' && typeof g === 'number' && g > w) {
        duplicates += g - w;
        continue;
      }
    }
    return { difference: `key ${k}: expected final value ${want ?? '(none)'}, got ${got ?? '(none)'}`, duplicates };
  }
  return { difference: '', duplicates };
}

function compareSequences(actual: readonly KeyValue<unknown, unknown>[], expected: readonly KeyValue<unknown, unknown>[], atLeastOnce: boolean): OutputComparison {
  const a = byKey(actual);
  const e = byKey(expected);
  let duplicates = 0;
  for (const k of new Set([...e.keys(), ...a.keys()])) {
    const want = e.get(k) ?? [];
    const got = a.get(k) ?? [];
    if (!atLeastOnce) {
      const n = Math.max(want.length, got.length);
      for (let i = 0; i < n; i++) {
        if (want[i] !== got[i]) return { difference: `key ${k}, value #${i}: expected ${want[i] ?? '(none)'}, got ${got[i] ?? '(none)'} (expected [${abbreviate(want)}], got [${abbreviate(got)}])`, duplicates };
      }
      continue;
    }
    // every expected value in order of first appearance; others are effects of records processed twice
    let j = 0;
    for (const v of got) if (j < want.length && v === want[j]) j++;
    if (j < want.length) return { difference: `key ${k}: expected value #${j} ${want[j]} is missing (expected [${abbreviate(want)}], got [${abbreviate(got)}])`, duplicates };
    duplicates += got.length - want.length;
  }
  return { difference: '', duplicates };
}

function compareSets(actual: readonly KeyValue<unknown, unknown>[], expected: readonly KeyValue<unknown, unknown>[], atLeastOnce: boolean): OutputComparison {
  const counts = new Map<string, number>();
  for (const kv of actual) counts.set(stringify(kv), (counts.get(stringify(kv)) ?? 0) + 1);
  for (const kv of expected) {
    const s = stringify(kv);
    const n = counts.get(s) ?? 0;
    if (n === 0) return { difference: `missing record ${s}`, duplicates: 0 };
    counts.set(s, n - 1);
  }
  const extra = [...counts].filter(([, n]) => n > 0);
  if (extra.length === 0) return { difference: '', duplicates: 0 };
  const duplicates = extra.reduce((sum, [, n]) => sum + n, 0);
  const expectedSet = new Set(expected.map(stringify));
  const unexpected = extra.find(([s]) => !atLeastOnce || !expectedSet.has(s));
  if (unexpected) return { difference: `unexpected record ${unexpected[0]} (${unexpected[1]} time(s))`, duplicates };
  return { difference: '', duplicates };
}

function abbreviate(values: readonly string[]): string {
  return values.length <= 12 ? values.join(', ') : `${values.slice(0, 5).join(', ')}, ... ${values.length - 10} more ..., ${values.slice(-5).join(', ')}`;
}
