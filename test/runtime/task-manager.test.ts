/**
 * A task kept across a rebalance while it restores (issue 8, finding 1): records that arrive while the task restores
 * must be processed exactly once, whatever the consumer's position does on the rejoin. The restore consumer of the
 * instance under test is held back (its polls return nothing) so that the task is still restoring when the second
 * instance joins; the assignor keeps the task where it is.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedKafkaCluster, type KafkaStreams, type ProcessingGuarantee } from '../../src/index.js';
import type { ConsumerOptions } from '../../src/kafka/client.js';
import { Harness, countTopology, finalCounts, tempStateDir, waitFor } from './helpers.js';

/** An embedded cluster whose restore consumers of one owner return nothing while `held`. */
class HeldRestoreCluster extends EmbeddedKafkaCluster {
  held = false;
  heldOwner: object | undefined;
  mainPolls = 0;

  override consumer(options: ConsumerOptions = {}, owner?: object): ReturnType<EmbeddedKafkaCluster['consumer']> {
    const c = super.consumer(options, owner);
    if (owner === undefined || owner !== this.heldOwner) return c;
    const poll = c.poll.bind(c);
    const restore = options.clientId?.endsWith('-restore-consumer') ?? false;
    c.poll = async (maxWaitMs: number) => {
      if (restore && this.held) {
        await new Promise((r) => setTimeout(r, Math.max(1, maxWaitMs)));
        return [];
      }
      if (!restore) this.mainPolls++;
      return poll(maxWaitMs);
    };
    return c;
  }
}

const h = new Harness();
afterEach(() => h.closeAll());

const KEYS = 10;

/** `n` records for each of the KEYS keys k0..k9, interleaved. */
function perKey(n: number): { key: Buffer; value: Buffer }[] {
  return Array.from({ length: n * KEYS }, (_, i) => ({ key: Buffer.from(`k${i % KEYS}`), value: Buffer.from(`v${i}`) }));
}

async function restoringTaskKeptAcrossRebalance(guarantee: ProcessingGuarantee): Promise<Map<string, number>> {
  const cluster = new HeldRestoreCluster();
  h.clusters.push(cluster);
  await cluster.createTopic('in', { partitions: 1 });
  await cluster.createTopic('out', { partitions: 1 });
  const options = { applicationId: 'kept', cluster, processingGuarantee: guarantee, commitIntervalMs: 50, sessionTimeoutMs: 2_000 } as const;
  const topology = () => countTopology({ caching: false, storeType: 'in_memory' });
  const isolation = guarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted';

  // one record per key, processed and committed; the changelog now holds the counts
  const first = h.app(topology(), { ...options, stateDir: tempStateDir('kept-a') });
  await first.start();
  await cluster.produce('in', perKey(1));
  await waitFor(async () => (await finalCounts(cluster, 'out', isolation)).size === KEYS, 10_000, 'first counts');
  await first.close();

  // a new instance (in-memory store: it restores from the changelog) whose restoration is held
  const a: KafkaStreams = h.app(topology(), { ...options, stateDir: tempStateDir('kept-b') });
  cluster.heldOwner = a;
  cluster.held = true;
  await a.start();
  await waitFor(() => a.threads[0]?.tasks.active.get('0_0')?.state === 'RESTORING', 10_000, 'task restoring');
  await cluster.produce('in', perKey(300));
  // the main consumer polls while the task restores (a restoring task's input is fetched, or paused)
  const polled = cluster.mainPolls;
  await waitFor(() => cluster.mainPolls >= polled + 5, 10_000, 'main consumer polls during restoration');

  // a second instance joins: a rebalance that keeps the (still restoring) task on the first instance
  const b = h.app(topology(), { ...options, stateDir: tempStateDir('kept-c') });
  const generation = cluster.describeGroup('kept')!.generationId;
  await b.start();
  await waitFor(() => {
    const g = cluster.describeGroup('kept')!;
    return g.state === 'Stable' && g.generationId > generation && g.members.length === 2;
  }, 10_000, 'rebalance with two members');
  const afterRebalance = cluster.mainPolls;
  await waitFor(() => cluster.mainPolls >= afterRebalance + 2, 10_000, 'first instance polled after the rebalance');
  expect(a.threads[0]!.tasks.active.get('0_0')?.state).toBe('RESTORING');

  cluster.held = false;
  const end = cluster.endOffsets('in')[0]!;
  await waitFor(() => cluster.describeGroup('kept')!.offsets.get('in:0') === end, 20_000, 'input committed to its end');
  await waitFor(() => a.threads[0]!.tasks.active.get('0_0')?.bufferedRecords() === 0, 10_000, 'queue drained');
  await waitFor(() => cluster.describeGroup('kept')!.offsets.get('in:0') === end, 20_000, 'input committed to its end');
  return finalCounts(cluster, 'out', isolation);
}

/** A running task holds fetched, unprocessed records when a second instance joins; the task stays where it is. */
async function runningTaskKeptWithQueue(guarantee: ProcessingGuarantee): Promise<Map<string, number>> {
  const cluster = h.cluster();
  await cluster.createTopic('in', { partitions: 1 });
  await cluster.createTopic('out', { partitions: 1 });
  const options = { applicationId: 'queued', cluster, processingGuarantee: guarantee, commitIntervalMs: 20, sessionTimeoutMs: 2_000 } as const;
  const isolation = guarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted';
  // a poll fetches up to 5,000 records, a round processes 1,000 of them: the queue holds the rest for a few rounds;
  // the second instance starts joining while the first round is processed
  const b = h.app(countTopology({ caching: false, storeType: 'in_memory' }), { ...options, stateDir: tempStateDir('queued-b') });
  let processed = 0;
  let bufferedAtJoin = 0;
  const a = h.app(
    countTopology({
      caching: false,
      storeType: 'in_memory',
      onRecord: () => {
        if (++processed !== 1_000) return;
        bufferedAtJoin = a.threads[0]!.tasks.active.get('0_0')!.bufferedRecords();
        void b.start();
      },
    }),
    { ...options, maxPollRecords: 5_000, stateDir: tempStateDir('queued-a') },
  );
  await a.start();
  await a.waitForState('RUNNING');
  await cluster.produce('in', perKey(2_000));
  await waitFor(() => processed >= 1_000, 10_000, 'first records processed');
  expect(bufferedAtJoin).toBeGreaterThan(0);
  const end = cluster.endOffsets('in')[0]!;
  await waitFor(() => cluster.describeGroup('queued')!.offsets.get('in:0') === end && cluster.describeGroup('queued')!.members.length === 2, 20_000, 'input committed to its end');
  expect([...(await a.metrics()).activeTasks]).toEqual(['0_0']);
  return finalCounts(cluster, 'out', isolation);
}

describe('a running task kept across a rebalance with records in its queue', () => {
  for (const guarantee of ['exactly_once_v2', 'at_least_once'] as const) {
    it(`${guarantee}: 20,000 records over 10 keys count exactly 2,000 per key`, async () => {
      const finals = await runningTaskKeptWithQueue(guarantee);
      expect(finals).toEqual(new Map(Array.from({ length: KEYS }, (_, i) => [`k${i}`, 2_000])));
    });
  }
});

describe('a restoring task kept across a rebalance', () => {
  for (const guarantee of ['exactly_once_v2', 'at_least_once'] as const) {
    it(`${guarantee}: 3,000 new records over 10 keys add exactly 300 per key`, async () => {
      const finals = await restoringTaskKeptAcrossRebalance(guarantee);
      expect(finals).toEqual(new Map(Array.from({ length: KEYS }, (_, i) => [`k${i}`, 301])));
    });
  }
});
