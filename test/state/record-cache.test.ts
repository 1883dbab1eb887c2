import { describe, expect, it } from 'vitest';
import { RecordCache, type CacheEntry } from '../../src/state/caching/record-cache.js';

/** A cache over a "store below" that receives what the cache writes down (evictions and flushes). */
function cacheOver(maxBytes: number) {
  const below = new Map<string, string | null>();
  const evicted: CacheEntry<string, string>[] = [];
  const cache = new RecordCache<string, string>(maxBytes, (e) => {
    evicted.push(e);
    below.set(e.key, e.value);
  });
  const flush = (): void => {
    for (const e of cache.takeDirty()) {
      below.set(e.key, e.value);
      e.dirty = false;
    }
  };
  return { cache, below, evicted, flush };
}

describe('RecordCache memory bound', () => {
  it('never exceeds its max bytes while writing many distinct keys, and loses no dirty entry', () => {
    const max = 8 * 1024;
    const { cache, below, evicted, flush } = cacheOver(max);
    const expected = new Map<string, string>();
    let peak = 0;
    for (let i = 0; i < 20_000; i++) {
      const key = `key-${i}`;
      const value = `value-${i}-${'x'.repeat(i % 50)}`;
      cache.putDirty(key, key, undefined, value, i);
      expected.set(key, value);
      peak = Math.max(peak, cache.calculatedSize);
      expect(cache.calculatedSize).toBeLessThanOrEqual(max);
    }
    expect(peak).toBeGreaterThan(max / 2); // the cache was really used up to its bound
    expect(evicted.length).toBeGreaterThan(19_000); // most entries were written down by eviction
    expect(cache.size).toBeLessThan(200);
    flush();
    expect(cache.dirtyCount).toBe(0);
    expect(below.size).toBe(expected.size);
    expect(below).toEqual(expected);
  });

  it('re-evaluates the size of an entry whose value grows (the bound holds for updates too)', () => {
    const max = 4096;
    const { cache, below, flush } = cacheOver(max);
    for (let k = 0; k < 5; k++) cache.putDirty(`k${k}`, `k${k}`, undefined, 'v', 0);
    let value = '';
    for (let i = 0; i < 300; i++) {
      value += 'abcdef';
      cache.putDirty('grow', 'grow', undefined, value, i);
      expect(cache.calculatedSize).toBeLessThanOrEqual(max);
    }
    // the accounted size reflects the grown value (3600 bytes), so the small entries had to make room
    expect(cache.get('grow')!.value).toBe(value);
    expect(cache.calculatedSize).toBeGreaterThanOrEqual(2 * value.length);
    expect(below.size).toBeGreaterThan(0);
    flush();
    expect(below.get('grow')).toBe(value);
    for (let k = 0; k < 5; k++) expect(below.get(`k${k}`)).toBe('v');
  });

  it('writes down at once a dirty value larger than the whole cache instead of dropping it', () => {
    const { cache, below, evicted } = cacheOver(1024);
    cache.putClean('big', 'big', undefined, 'small');
    const huge = 'h'.repeat(10_000);
    cache.putDirty('big', 'big', undefined, huge, 5);
    expect(below.get('big')).toBe(huge);
    expect(evicted).toHaveLength(1);
    // the entry written down carries the value it replaced, for KTable forwarding
    expect(evicted[0]!.old).toBe('small');
    expect(evicted[0]!.oldKnown).toBe(true);
    expect(cache.get('big')).toBeUndefined();
    expect(cache.dirtyCount).toBe(0);
    expect(cache.calculatedSize).toBeLessThanOrEqual(1024);
  });

  it('keeps the value before the first unflushed write across several writes', () => {
    const { cache } = cacheOver(4096);
    cache.putClean('a', 'a', undefined, 'v0');
    cache.putDirty('a', 'a', undefined, 'v1', 1);
    cache.putDirty('a', 'a', undefined, 'v2', 2);
    const [e] = cache.takeDirty();
    expect(e).toMatchObject({ key: 'a', value: 'v2', old: 'v0', oldKnown: true, dirty: true, timestamp: 2 });
  });

  it('a late clean read never overwrites a newer dirty value', () => {
    const { cache } = cacheOver(4096);
    cache.putDirty('a', 'a', undefined, 'new', 1);
    cache.putClean('a', 'a', undefined, 'stale');
    expect(cache.get('a')!.value).toBe('new');
    expect(cache.dirtyCount).toBe(1);
  });

  it('flushes dirty keys in the order they were last written (as Kafka Streams)', () => {
    const { cache } = cacheOver(4096);
    cache.putDirty('a', 'a', undefined, '1', 1);
    cache.putDirty('b', 'b', undefined, '1', 2);
    cache.putDirty('a', 'a', undefined, '2', 3);
    expect(cache.takeDirty().map((e) => `${e.key}=${e.value}`)).toEqual(['b=1', 'a=2']);
  });
});
