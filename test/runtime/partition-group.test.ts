import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../../src/kafka/client.js';
import { EMPTY_HEADERS } from '../../src/processor/record.js';
import { PartitionGroup } from '../../src/runtime/partition-group.js';

function rec(partition: number, offset: number, timestamp: number): ConsumedRecord {
  return { topic: 't', partition, offset, key: null, value: null, timestamp, headers: EMPTY_HEADERS };
}

const id = (r: ConsumedRecord): string => `${r.partition}:${r.offset}`;

describe('PartitionGroup', () => {
  it('polls the head with the smallest timestamp across partitions', () => {
    const g = new PartitionGroup();
    g.add([rec(0, 0, 10), rec(0, 1, 30)]);
    g.add([rec(1, 0, 20)]);
    expect([g.poll(), g.poll(), g.poll(), g.poll()].map((r) => r && id(r))).toEqual(['0:0', '1:0', '0:1', undefined]);
    expect(g.size).toBe(0);
  });

  it('hands each buffered record out for prefetching once, skipping records already processed', () => {
    const g = new PartitionGroup();
    g.add([0, 1, 2, 3, 4].map((o) => rec(0, o, o)));
    expect(g.takeForPrefetch(2).map(id)).toEqual(['0:0', '0:1']);
    expect(g.takeForPrefetch(2).map(id)).toEqual(['0:2', '0:3']);
    g.poll();
    g.poll();
    g.poll();
    g.poll();
    g.poll(); // 0:4 was processed before it was handed out
    expect(g.takeForPrefetch(2)).toEqual([]);
    g.add([rec(0, 5, 5)]);
    expect(g.takeForPrefetch(2).map(id)).toEqual(['0:5']);
  });

  it('property: under any mix of add, poll and take, a record is handed out at most once and only while buffered', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), partition: fc.integer({ min: 0, max: 1 }), n: fc.integer({ min: 1, max: 6000 }) }),
      fc.record({ kind: fc.constant('poll' as const), n: fc.integer({ min: 1, max: 6000 }) }),
      fc.record({ kind: fc.constant('take' as const), n: fc.integer({ min: 1, max: 6000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const g = new PartitionGroup();
        const next = [0, 0, 0];
        const buffered = new Set<string>();
        const taken = new Set<string>();
        for (const o of ops) {
          if (o.kind === 'add') {
            const batch: ConsumedRecord[] = [];
            for (let i = 0; i < o.n; i++) batch.push(rec(o.partition, next[o.partition]!++, 0));
            g.add(batch);
            for (const r of batch) buffered.add(id(r));
          } else if (o.kind === 'poll') {
            for (let i = 0; i < o.n; i++) {
              const r = g.poll();
              if (!r) break;
              expect(buffered.delete(id(r))).toBe(true);
            }
          } else {
            const out = g.takeForPrefetch(o.n);
            expect(out.length).toBeLessThanOrEqual(o.n);
            for (const r of out) {
              expect(buffered.has(id(r))).toBe(true);
              expect(taken.has(id(r))).toBe(false);
              taken.add(id(r));
            }
          }
          expect(g.size).toBe(buffered.size);
        }
        // everything still buffered and never handed out is handed out now, in one go
        const rest = g.takeForPrefetch(1e9).map(id);
        expect(new Set([...rest, ...[...taken].filter((t) => buffered.has(t))])).toEqual(buffered);
      }),
      { numRuns: 100 },
    );
  });
});
