import { describe, expect, it } from 'vitest';
import { KeyValue } from '../../src/index.js';
import { compareOutput } from '../../src/testing/compare-outputs.js';

const kv = KeyValue.pair;
const exact = { atLeastOnce: false } as const;
const alos = { atLeastOnce: true } as const;

describe('compareOutput', () => {
  it('finalPerKey: the last value per key; under at_least_once a higher number counts as duplicates, a lower one or a missing key fails', () => {
    const expected = [kv('a', 1), kv('a', 2), kv('b', 1)];
    expect(compareOutput([kv('b', 1), kv('a', 2)], expected, { mode: 'finalPerKey', ...exact })).toEqual({ difference: '', duplicates: 0 });
    expect(compareOutput([kv('a', 3), kv('b', 1)], expected, { mode: 'finalPerKey', ...exact }).difference).toBe('key "a": expected final value 2, got 3');
    expect(compareOutput([kv('a', 3), kv('b', 1)], expected, { mode: 'finalPerKey', ...alos })).toEqual({ difference: '', duplicates: 1 });
    expect(compareOutput([kv('a', 1), kv('b', 1)], expected, { mode: 'finalPerKey', ...alos }).difference).toBe('key "a": expected final value 2, got 1');
    expect(compareOutput([kv('a', 2)], expected, { mode: 'finalPerKey', ...alos }).difference).toBe('key "b": expected final value 1, got (none)');
  });

  it('sequencePerKey: exactly the values per key in order; under at_least_once every expected value in order, extras are duplicates', () => {
    const expected = [kv('a', 1), kv('b', 1), kv('a', 2)];
    expect(compareOutput([kv('a', 1), kv('a', 2), kv('b', 1)], expected, { mode: 'sequencePerKey', ...exact }).difference).toBe('');
    expect(compareOutput([kv('a', 1), kv('a', 2), kv('a', 3), kv('b', 1)], expected, { mode: 'sequencePerKey', ...exact }).difference).toBe(
      'key "a", value #2: expected (none), got 3 (expected [1, 2], got [1, 2, 3])',
    );
    expect(compareOutput([kv('a', 1), kv('a', 2), kv('a', 2), kv('a', 3), kv('b', 1)], expected, { mode: 'sequencePerKey', ...alos })).toEqual({ difference: '', duplicates: 2 });
    expect(compareOutput([kv('a', 2), kv('b', 1)], expected, { mode: 'sequencePerKey', ...alos }).difference).toBe('key "a": expected value #0 1 is missing (expected [1, 2], got [2])');
  });

  it('set: the same records in any order; under at_least_once repeats of expected records are duplicates, anything else fails', () => {
    const expected = [kv('a', 'x'), kv('b', 'y')];
    expect(compareOutput([kv('b', 'y'), kv('a', 'x')], expected, { mode: 'set', ...exact }).difference).toBe('');
    expect(compareOutput([kv('b', 'y'), kv('a', 'x'), kv('a', 'x')], expected, { mode: 'set', ...exact }).difference).toBe('unexpected record {"key":"a","value":"x"} (1 time(s))');
    expect(compareOutput([kv('b', 'y'), kv('a', 'x'), kv('a', 'x')], expected, { mode: 'set', ...alos })).toEqual({ difference: '', duplicates: 1 });
    expect(compareOutput([kv('b', 'y')], expected, { mode: 'set', ...alos }).difference).toBe('missing record {"key":"a","value":"x"}');
  });
});
