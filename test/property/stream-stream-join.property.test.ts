import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed, JoinWindows, Produced, Serdes, StreamJoined, StreamsBuilder, TopologyTestDriver } from '../../src/index.js';

/**
 * Stream-stream inner/left/outer joins on the TopologyTestDriver against a reference model, with out-of-order
 * timestamps, grace, late records and null values, compared record by record (key, value, timestamp) in order,
 * plus the count of dropped late records.
 *
 * The model (the semantics the implementation promises):
 * - stream time S = the largest timestamp either input has shown; a record of side X at t has a window that
 *   closes when S > t + lookAhead(X) + grace, where lookAhead(left) = after and lookAhead(right) = before;
 * - a record arriving with its window already closed is late: dropped and counted; a null value is skipped;
 * - a record at t joins the other side's records of its key with timestamps in its window ([t - before, t + after]
 *   for the left side, [t - after, t + before] for the right side) whose own window is still open, in timestamp
 *   then arrival order; each result has the larger timestamp;
 * - an outer side's record without a match waits; when a record at the current stream time arrives, waiting
 *   records whose window has closed are emitted first with null for the other side, ordered by timestamp, then
 *   right before left, then key, then arrival; a waiting record that gets matched later is never emitted with null.
 */

type Side = 'L' | 'R';
type Kind = 'inner' | 'left' | 'outer';
interface Event {
  side: Side;
  key: string;
  value: string | null;
  ts: number;
}
interface Out {
  key: string;
  value: string;
  timestamp: number;
}
interface Win {
  before: number;
  after: number;
  grace: number;
}

const S = Serdes.String();
const show = (l: string | null, r: string | null): string => `${l ?? 'null'}|${r ?? 'null'}`;

function model(events: readonly Event[], w: Win, kind: Kind): { out: Out[]; dropped: number } {
  let streamTime = -1;
  let dropped = 0;
  let seq = 0;
  const look = (side: Side): number => (side === 'L' ? w.after : w.before);
  const isOuter = (side: Side): boolean => (side === 'L' ? kind !== 'inner' : kind === 'outer');
  const buffers: Record<Side, { key: string; value: string; ts: number; seq: number }[]> = { L: [], R: [] };
  let waiting: { side: Side; key: string; value: string; ts: number; seq: number }[] = [];
  const out: Out[] = [];
  for (const e of events) {
    streamTime = Math.max(streamTime, e.ts);
    if (e.value === null) continue;
    if (e.ts + look(e.side) + w.grace < streamTime) {
      dropped++;
      continue;
    }
    if (kind !== 'inner' && e.ts === streamTime) {
      const closed = waiting
        .filter((o) => o.ts + look(o.side) + w.grace < streamTime)
        .sort((a, b) => a.ts - b.ts || (a.side === b.side ? 0 : a.side === 'R' ? -1 : 1) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) || a.seq - b.seq);
      for (const c of closed) out.push({ key: c.key, value: c.side === 'L' ? show(c.value, null) : show(null, c.value), timestamp: c.ts });
      waiting = waiting.filter((o) => !closed.includes(o));
    }
    const other: Side = e.side === 'L' ? 'R' : 'L';
    const before = e.side === 'L' ? w.before : w.after;
    const after = e.side === 'L' ? w.after : w.before;
    const matches = buffers[other]
      .filter((o) => o.key === e.key && o.ts >= e.ts - before && o.ts <= e.ts + after && o.ts + look(other) + w.grace >= streamTime)
      .sort((a, b) => a.ts - b.ts || a.seq - b.seq);
    for (const m of matches) {
      waiting = waiting.filter((o) => !(o.side === other && o.key === e.key && o.ts === m.ts));
      out.push({ key: e.key, value: e.side === 'L' ? show(e.value, m.value) : show(m.value, e.value), timestamp: Math.max(e.ts, m.ts) });
    }
    if (matches.length === 0 && isOuter(e.side)) waiting.push({ side: e.side, key: e.key, value: e.value, ts: e.ts, seq: seq++ });
    buffers[e.side].push({ key: e.key, value: e.value, ts: e.ts, seq: seq++ });
  }
  return { out, dropped };
}

async function run(events: readonly Event[], w: Win, kind: Kind, storeType: 'in_memory' | 'rocksdb'): Promise<{ out: Out[]; dropped: number }> {
  const b = new StreamsBuilder();
  const left = b.stream('left', Consumed.with(S, S));
  const right = b.stream('right', Consumed.with(S, S));
  const windows = JoinWindows.ofTimeDifferenceAndGrace(0, w.grace).after(w.after).before(w.before);
  const joined = StreamJoined.with(S, S, S).withStoreType(storeType);
  const result =
    kind === 'inner'
      ? left.join(right, (l, r) => show(l, r), windows, joined)
      : kind === 'left'
        ? left.leftJoin(right, (l, r) => show(l, r), windows, joined)
        : left.outerJoin(right, (l, r) => show(l, r), windows, joined);
  result.to('out', Produced.with(S, S));
  const driver = new TopologyTestDriver(b.build());
  try {
    const inputs = { L: driver.createInputTopic('left', S, S), R: driver.createInputTopic('right', S, S) };
    for (const e of events) await inputs[e.side].pipeInput(e.key, e.value as string, e.ts);
    const out = driver
      .createOutputTopic('out', S, S)
      .readRecordsToList()
      .map((r) => ({ key: r.key as string, value: r.value as string, timestamp: r.timestamp }));
    return { out, dropped: driver.metrics().droppedLateRecords };
  } finally {
    await driver.close();
  }
}

/** Mostly advancing time with jumps back (out-of-order and late records), values numbered per side. */
const eventsArb = fc
  .array(
    fc.record({
      side: fc.constantFrom<Side>('L', 'R'),
      key: fc.constantFrom('a', 'b', 'b', 'ab'),
      isNull: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      step: fc.integer({ min: 0, max: 6 }),
      back: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 25 })),
    }),
    { minLength: 4, maxLength: 40 },
  )
  .map((raw) => {
    let clock = 0;
    return raw.map((r, i): Event => {
      clock += r.step;
      return { side: r.side, key: r.key, value: r.isNull ? null : `${r.side}${i}`, ts: Math.max(0, clock - r.back) };
    });
  });

const winArb = fc.record({ before: fc.integer({ min: 0, max: 10 }), after: fc.integer({ min: 0, max: 10 }), grace: fc.integer({ min: 0, max: 8 }) });

describe('stream-stream joins match the reference model', () => {
  for (const kind of ['inner', 'left', 'outer'] as const) {
    it(`${kind} join: results, order, timestamps and dropped late records`, async () => {
      await fc.assert(
        fc.asyncProperty(eventsArb, winArb, async (events, w) => {
          const expected = model(events, w, kind);
          const actual = await run(events, w, kind, 'in_memory');
          expect(actual.out).toEqual(expected.out);
          expect(actual.dropped).toBe(expected.dropped);
        }),
        { numRuns: 250, seed: 4242 },
      );
    }, 120_000);
  }

  it('the RocksDB-typed buffers (in-memory engine under the driver) behave the same, outer join', async () => {
    await fc.assert(
      fc.asyncProperty(eventsArb, winArb, async (events, w) => {
        expect(await run(events, w, 'outer', 'rocksdb')).toEqual(model(events, w, 'outer'));
      }),
      { numRuns: 40, seed: 7 },
    );
  }, 120_000);

  it('no left record is reported both matched and unmatched, and every non-late left record shows up (left join)', async () => {
    await fc.assert(
      fc.asyncProperty(eventsArb, winArb, async (events, w) => {
        // a final record far in the future closes every window, so every waiting record must have been emitted
        const all = [...events, { side: 'R' as const, key: 'z', value: 'end', ts: 10_000 }];
        const { out } = await run(all, w, 'left', 'in_memory');
        const late = model(all, w, 'left');
        expect(out).toEqual(late.out);
        const streamTimes: number[] = [];
        let st = -1;
        for (const e of all) streamTimes.push((st = Math.max(st, e.ts)));
        const kept = events.filter((e, i) => e.side === 'L' && e.value !== null && e.ts + w.after + w.grace >= streamTimes[i]!);
        for (const e of kept) {
          const withNull = out.filter((o) => o.value === show(e.value, null));
          const matched = out.filter((o) => o.value.startsWith(`${e.value}|`) && o.value !== show(e.value, null));
          expect(withNull.length + (matched.length > 0 ? 1 : 0)).toBe(1);
        }
      }),
      { numRuns: 60, seed: 99 },
    );
  }, 120_000);
});
