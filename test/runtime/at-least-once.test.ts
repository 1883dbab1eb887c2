/**
 * at_least_once under the same crashes as the exactly-once tests: nothing is lost (every key's final count is at
 * least its true total); duplicates are allowed, counted and reported.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommitStep, EmbeddedKafkaCluster } from '../../src/index.js';
import { runScenario, stats } from './crash-scenario.js';
import { Harness, finalCounts } from './helpers.js';

const h = new Harness();
afterEach(() => h.closeAll());

const report: { crashAfter?: number; step?: string; restart: boolean; keys: number; duplicates: number; keysWithDuplicates: number }[] = [];

/** Nothing lost: every input key present with a final count >= its total. Returns the duplicates counted. */
async function expectNothingLost(cluster: EmbeddedKafkaCluster, totals: ReadonlyMap<string, number>): Promise<{ duplicates: number; keysWithDuplicates: number }> {
  const finals = await finalCounts(cluster, 'out', 'read_uncommitted');
  expect([...finals.keys()].sort()).toEqual([...totals.keys()].sort());
  let duplicates = 0;
  let keysWithDuplicates = 0;
  for (const [key, total] of totals) {
    const got = finals.get(key)!;
    if (got < total) throw new Error(`key ${key}: final count ${got} < true total ${total}: records were lost`);
    duplicates += got - total;
    if (got > total) keysWithDuplicates++;
  }
  return { duplicates, keysWithDuplicates };
}

describe('at_least_once: two instances, one crashed mid-stream', () => {
  it('property: no record lost over random crash points (duplicates counted)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6_000 }),
        fc.option(fc.constantFrom<CommitStep>('flush-state', 'flush-producer', 'commit-offsets', 'persist-state', 'done'), { nil: undefined }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.boolean(),
        async (crashAfter, step, seed, restart) => {
          try {
            const { cluster, totals, crashed } = await runScenario(h, { guarantee: 'at_least_once', crashAfter, step, caching: false, seed, restart });
            expect(crashed).toBe(true);
            const d = await expectNothingLost(cluster, totals);
            report.push({ crashAfter, step, restart, keys: totals.size, ...d });
          } finally {
            await h.closeAll();
          }
        },
      ),
      { numRuns: 10, seed: 77, endOnFailure: true },
    );
    console.log('at_least_once: duplicates per crash point (nothing lost in any run)');
    console.table(report.splice(0));
    stats.splice(0);
  });

  for (const step of ['flush-producer', 'commit-offsets', 'persist-state'] as const) {
    it(`crash at commit step '${step}', restart on the same state dir: nothing lost`, async () => {
      const { cluster, totals, crashed } = await runScenario(h, { guarantee: 'at_least_once', step, caching: false, seed: 3, restart: true });
      expect(crashed).toBe(true);
      const d = await expectNothingLost(cluster, totals);
      console.log(`at_least_once, crash at '${step}': ${d.duplicates} duplicate count(s) over ${d.keysWithDuplicates} key(s)`);
    });
  }

  it('caching on: nothing lost', async () => {
    const { cluster, totals, crashed } = await runScenario(h, { guarantee: 'at_least_once', crashAfter: 4_000, caching: true, seed: 9 });
    expect(crashed).toBe(true);
    const d = await expectNothingLost(cluster, totals);
    console.log(`at_least_once with caching: ${d.duplicates} duplicate count(s) over ${d.keysWithDuplicates} key(s)`);
  });
});
