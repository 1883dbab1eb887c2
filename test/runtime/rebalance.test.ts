/**
 * Scaling out and in while records flow: instances join and leave cleanly (close) mid-stream; tasks move with a
 * commit on revocation and are restored on their new owner. Under exactly-once every key's read_committed count
 * sequence is still exactly 1..total; under at-least-once nothing is lost.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedKafkaCluster, KafkaStreams, ProcessingGuarantee } from '../../src/index.js';
import { Harness, countSequences, countTopology, finalCounts, keyedRecords, reachedTotals, tempStateDir, trueCounts, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.closeAll());

async function scale(guarantee: ProcessingGuarantee, caching: boolean): Promise<{ cluster: EmbeddedKafkaCluster; totals: Map<string, number>; owners: string[][] }> {
  const cluster = h.cluster();
  await cluster.createTopic('in', { partitions: 4 });
  await cluster.createTopic('out', { partitions: 4 });
  const records = keyedRecords(20_000, 48, 21);
  const totals = trueCounts(records);
  let processed = 0;
  const dirs = [tempStateDir('rb-0'), tempStateDir('rb-1'), tempStateDir('rb-2')];
  const make = (i: number): KafkaStreams =>
    h.app(countTopology({ caching, onRecord: () => void processed++ }), {
      applicationId: 'scale',
      cluster,
      stateDir: dirs[i]!,
      processingGuarantee: guarantee,
      commitIntervalMs: 50,
    });
  const owners: string[][] = [];
  const snapshot = async (apps: KafkaStreams[]) => owners.push(await Promise.all(apps.map(async (a) => [...(await a.metrics()).activeTasks].sort().join(' '))).then((x) => x));
  const a = make(0);
  await a.start();
  let fed = 0;
  const feed = async (n: number) => {
    await cluster.produce('in', records.slice(fed, fed + n));
    fed += n;
  };
  await feed(5_000);
  await waitFor(() => processed >= 2_000, 10_000, 'a processing');
  const b = make(1);
  await b.start(); // join mid-stream
  await feed(5_000);
  await waitFor(() => processed >= 7_000 && a.state === 'RUNNING' && b.state === 'RUNNING', 10_000, 'a+b processing');
  await snapshot([a, b]);
  const c = make(2);
  await c.start(); // another join
  await feed(5_000);
  await waitFor(() => processed >= 11_000, 10_000, 'a+b+c processing');
  await a.close(); // clean leave mid-stream: its tasks are committed and move
  await feed(5_000);
  await waitFor(() => reachedTotals(cluster, totals, guarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted'), 20_000, 'totals');
  await waitFor(async () => b.state === 'RUNNING' && c.state === 'RUNNING' && (await b.metrics()).activeTasks.length + (await c.metrics()).activeTasks.length === 4, 10_000, 'b+c own all tasks');
  await snapshot([b, c]);
  return { cluster, totals, owners };
}

describe('rebalancing while records flow', () => {
  it('exactly_once_v2, two joins and a leave: per key exactly 1..total (caching off)', async () => {
    const { cluster, totals, owners } = await scale('exactly_once_v2', false);
    console.log('task owners (a,b) then (b,c):', JSON.stringify(owners));
    const seqs = await countSequences(cluster, 'out', 'read_committed');
    for (const [k, n] of totals) expect(seqs.get(k), `key ${k}`).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });

  it('exactly_once_v2 with caching: final counts exact, increasing', async () => {
    const { cluster, totals } = await scale('exactly_once_v2', true);
    expect(await finalCounts(cluster, 'out', 'read_committed')).toEqual(totals);
    for (const [k, seq] of await countSequences(cluster, 'out', 'read_committed')) {
      for (let i = 1; i < seq.length; i++) expect(seq[i]!, `key ${k}`).toBeGreaterThan(seq[i - 1]!);
    }
  });

  it('at_least_once, clean joins and leave: nothing lost, no duplicates either (every move commits first)', async () => {
    const { cluster, totals } = await scale('at_least_once', false);
    expect(await finalCounts(cluster, 'out', 'read_uncommitted')).toEqual(totals);
  });
});
