import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeSchedule, faultSchedules, type FaultSchedule } from '../../src/index.js';

describe('fault schedules', () => {
  const arbitrary = faultSchedules({ faults: true, instances: 3, sendTopics: ['out'], exactlyOnce: true });

  it('shrink to the one fault that matters, at the earliest progress, described readably', () => {
    const crashAtCommit = (s: FaultSchedule): boolean => s.some((e) => e.fault.kind === 'crash' && e.instance === 1 && e.atStep === 'commit-offsets' && e.permille >= 300);
    const result = fc.check(
      fc.property(arbitrary, (s) => !crashAtCommit(s)),
      { seed: 1, numRuns: 2_000 },
    );
    expect(result.failed).toBe(true);
    const [schedule] = result.counterexample!;
    expect(schedule).toEqual([{ instance: 1, permille: 300, atStep: 'commit-offsets', fault: { kind: 'crash', then: 'restart' } }]);
    expect(describeSchedule(schedule, 200)).toEqual(["crash instance 1 at commit step 'commit-offsets' after 60 records, then restart on the same state dir"]);
  });

  it('hold only the fault kinds asked for, and no fencing under at_least_once', () => {
    const only = faultSchedules({ faults: { joinLeave: true, fence: true }, instances: 2, sendTopics: [], exactlyOnce: false });
    fc.assert(fc.property(only, (s) => s.every((e) => e.fault.kind === 'join' || e.fault.kind === 'leave')));
    fc.assert(fc.property(faultSchedules({ faults: false, instances: 2, sendTopics: [], exactlyOnce: true }), (s) => s.length === 0));
  });

  it('fire in order of progress, each at its share of the input', () => {
    const s: FaultSchedule = [
      { instance: 0, permille: 500, fault: { kind: 'join' } },
      { instance: 2, permille: 100, fault: { kind: 'retriable', fault: { kind: 'fail-sends', topic: 'out', count: 2 } } },
    ];
    expect(describeSchedule(s, 60)).toEqual(["fail the next 2 send(s) to 'out' after 6 records", 'a new instance joins after 30 records']);
  });

  it('slow restoration: part of `faults: true`, shrinks to the shortest wait and smallest batch that still matter, described readably', () => {
    const slowOnly = faultSchedules({ faults: { slowRestore: true }, instances: 2, sendTopics: [], exactlyOnce: true });
    const slow = (s: FaultSchedule): boolean => s.some((e) => e.fault.kind === 'slow-restore' && e.fault.ms >= 100 && e.fault.maxRecords >= 5);
    const result = fc.check(
      fc.property(slowOnly, (s) => !slow(s)),
      { seed: 1, numRuns: 500 },
    );
    expect(result.failed).toBe(true);
    const [schedule] = result.counterexample!;
    expect(schedule).toEqual([{ instance: 0, permille: 0, fault: { kind: 'slow-restore', ms: 100, maxRecords: 5 } }]);
    expect(describeSchedule([{ instance: 1, permille: 150, fault: { kind: 'slow-restore', ms: 120, maxRecords: 5 } }], 200)).toEqual(['slow restoration (120 ms per poll, 5 records) from 30 records on']);
    // part of `faults: true`
    expect(fc.sample(arbitrary, { seed: 1, numRuns: 200 }).some((s) => s.some((e) => e.fault.kind === 'slow-restore'))).toBe(true);
  });
});
