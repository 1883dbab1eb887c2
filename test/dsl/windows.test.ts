import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmitStrategy, SessionWindows, SlidingWindows, TimeWindows, TopologyError } from '../../src/index.js';

describe('window specs', () => {
  it('reject invalid sizes, grace periods, advances and gaps with TopologyError and Kafka Streams messages', () => {
    expect(() => TimeWindows.ofSizeWithNoGrace(0)).toThrow(TopologyError);
    expect(() => TimeWindows.ofSizeWithNoGrace(0)).toThrow(/Window size \(sizeMs\) must be larger than zero/);
    expect(() => TimeWindows.ofSizeAndGrace(10, -1)).toThrow(/Grace period must not be negative/);
    expect(() => TimeWindows.ofSizeWithNoGrace(1.5)).toThrow(/whole number of milliseconds/);
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(11)).toThrow(
      /Window advancement interval should be more than zero and less than window duration which is 10 ms, but given advancement interval is: 11 ms/,
    );
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(0)).toThrow(TopologyError);
    expect(() => SlidingWindows.ofTimeDifferenceWithNoGrace(-1)).toThrow(/Window time difference must not be negative/);
    expect(() => SlidingWindows.ofTimeDifferenceAndGrace(5, -1)).toThrow(/Window grace period must not be negative/);
    expect(() => SessionWindows.ofInactivityGapWithNoGrace(0)).toThrow(/Gap time cannot be zero or negative/);
    expect(() => SessionWindows.ofInactivityGapAndGrace(5, -2)).toThrow(/Grace period must not be negative/);
  });

  it('keep their parameters and are immutable', () => {
    const w = TimeWindows.ofSizeAndGrace(100, 7).advanceBy(25);
    expect([w.size(), w.advanceMs, w.gracePeriodMs()]).toEqual([100, 25, 7]);
    expect(Object.isFrozen(w)).toBe(true);
    expect(SlidingWindows.ofTimeDifferenceAndGrace(30, 4).timeDifferenceMs).toBe(30);
    expect(SessionWindows.ofInactivityGapAndGrace(30, 4).inactivityGap()).toBe(30);
    expect(EmitStrategy.onWindowClose().type).toBe('ON_WINDOW_CLOSE');
    expect(EmitStrategy.onWindowUpdate().type).toBe('ON_WINDOW_UPDATE');
  });

  it('windowsFor: tumbling windows put a timestamp into exactly the window [floor(t/size)*size, +size)', () => {
    const w = TimeWindows.ofSizeWithNoGrace(10);
    expect(w.windowsFor(0)).toEqual([{ start: 0, end: 10 }]);
    expect(w.windowsFor(9)).toEqual([{ start: 0, end: 10 }]);
    expect(w.windowsFor(10)).toEqual([{ start: 10, end: 20 }]);
  });

  it('windowsFor: hopping windows are all aligned windows [start, start+size) containing t with start >= 0', () => {
    expect(TimeWindows.ofSizeWithNoGrace(10).advanceBy(3).windowsFor(4)).toEqual([
      { start: 0, end: 10 },
      { start: 3, end: 13 },
    ]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 100_000 }), (size, a, t) => {
        const advance = Math.min(size, a);
        const got = TimeWindows.ofSizeWithNoGrace(size).advanceBy(advance).windowsFor(t);
        const expected: { start: number; end: number }[] = [];
        for (let start = 0; start <= t; start += advance) if (t < start + size) expected.push({ start, end: start + size });
        expect(got).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
