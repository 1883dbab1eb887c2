/**
 * Exactly-once on the embedded cluster: two instances of one application count 20k keyed records while one of
 * them is crashed (cluster.crash: no commit, no flush, no leave) at a random point or at a chosen commit step.
 * A read_committed reader of the output must see, per key, the counts 1, 2, ..., total: no duplicate, no gap.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommitStep, EmbeddedKafkaCluster } from '../../src/index.js';
import { runScenario, stats } from './crash-scenario.js';
import { Harness, countSequences, finalCounts } from './helpers.js';

const h = new Harness();
afterEach(() => h.closeAll());

/** Every key's read_committed sequence is exactly 1..total. */
async function expectExactSequences(cluster: EmbeddedKafkaCluster, totals: ReadonlyMap<string, number>): Promise<void> {
  const seqs = await countSequences(cluster, 'out', 'read_committed');
  expect([...seqs.keys()].sort()).toEqual([...totals.keys()].sort());
  for (const [key, total] of totals) {
    const seq = seqs.get(key)!;
    const bad = seq.findIndex((v, i) => v !== i + 1);
    if (bad >= 0 || seq.length !== total) {
      throw new Error(`key ${key}: expected 1..${total}, got ${seq.length} values; first wrong at index ${bad}: ${seq.slice(Math.max(0, bad - 3), bad + 3).join(',')}`);
    }
  }
}

describe('exactly_once_v2: two instances, one crashed mid-stream', () => {
  it('property: per key, read_committed counts rise by exactly 1 to the true total (caching off, random crash points)', async () => {
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6_000 }),
        fc.option(fc.constantFrom<CommitStep>('flush-state', 'flush-producer', 'commit-offsets', 'persist-state', 'done'), { nil: undefined }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.boolean(),
        async (crashAfter, step, seed, restart) => {
        try {
          const { cluster, totals, crashed } = await runScenario(h, { crashAfter, step, caching: false, seed, restart });
          expect(crashed).toBe(true);
          await expectExactSequences(cluster, totals);
        } finally {
          await h.closeAll();
        }
      }),
      { numRuns: 16, seed: 20240501, endOnFailure: true },
    );
    console.log(`eos property: 16 crash points in ${Date.now() - started} ms`);
    console.table(stats.splice(0));

  });

  for (const step of ['flush-state', 'flush-producer', 'commit-offsets', 'persist-state', 'done'] as const) {
    for (const restart of [false, true]) {
      it(`crash inside the commit at step '${step}' (after 3000 records)${restart ? ', restart on the same state dir' : ''}: no duplicate, no gap`, async () => {
        const { cluster, totals, crashed } = await runScenario(h, { step, caching: false, seed: 11, restart });
        expect(crashed).toBe(true);
        await expectExactSequences(cluster, totals);
      });
    }
  }

  it('caching on: counts per key increase strictly and end at the true totals', async () => {
    const { cluster, totals, crashed } = await runScenario(h, { crashAfter: 4_000, caching: true, seed: 5, restart: true });
    expect(crashed).toBe(true);
    const seqs = await countSequences(cluster, 'out', 'read_committed');
    for (const [key, seq] of seqs) {
      for (let i = 1; i < seq.length; i++) if (!(seq[i]! > seq[i - 1]!)) throw new Error(`key ${key}: not increasing at ${i}: ${seq.join(',')}`);
    }
    expect(await finalCounts(cluster, 'out', 'read_committed')).toEqual(totals);
  });
});
