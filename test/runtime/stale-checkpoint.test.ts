/**
 * A local checkpoint the changelog does not back (issue 8, finding 4): the same applicationId and state directory
 * against a fresh cluster, or against a changelog that was deleted and re-created, must not continue from the old
 * store. As Kafka Streams' TaskCorruptedException path, the store is wiped and restored from the changelog.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { QueryableStoreTypes, type EmbeddedKafkaCluster, type ProcessingGuarantee } from '../../src/index.js';
import { Harness, countSequences, countTopology, tempStateDir, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.closeAll());

const rec = (key: string) => ({ key: Buffer.from(key), value: Buffer.from('v') });
const isolation = (g: ProcessingGuarantee) => (g === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted');

async function freshCluster(): Promise<EmbeddedKafkaCluster> {
  const cluster = h.cluster();
  await cluster.createTopic('in', { partitions: 1 });
  await cluster.createTopic('out', { partitions: 1 });
  return cluster;
}

/** Runs the count app on `cluster` over `dir`, feeds `keys`, waits until `outputs` counts are out, closes cleanly. */
async function runOnce(cluster: EmbeddedKafkaCluster, dir: string, guarantee: ProcessingGuarantee, keys: readonly string[], outputs: number): Promise<Map<string, number[]>> {
  const app = h.app(countTopology({ caching: false }), { applicationId: 'stale', cluster, stateDir: dir, processingGuarantee: guarantee, commitIntervalMs: 50 });
  await app.start();
  await app.waitForState('RUNNING', 10_000);
  await cluster.produce('in', keys.map(rec));
  let seqs = new Map<string, number[]>();
  await waitFor(
    async () => {
      seqs = await countSequences(cluster, 'out', isolation(guarantee));
      return [...seqs.values()].reduce((n, s) => n + s.length, 0) >= outputs;
    },
    10_000,
    `${outputs} counts in the output`,
  );
  await app.close();
  return seqs;
}

describe('a checkpoint the changelog does not back is not trusted', () => {
  for (const guarantee of ['at_least_once', 'exactly_once_v2'] as const) {
    it(`${guarantee}: three runs of one record, each on a fresh cluster with the same state dir, count 1 every time`, async () => {
      const dir = tempStateDir('stale');
      for (let run = 0; run < 3; run++) {
        const cluster = await freshCluster();
        const seqs = await runOnce(cluster, dir, guarantee, ['a'], 1);
        expect(seqs.get('a'), `run ${run + 1}`).toEqual([1]);
      }
    });
  }

  it('a changelog deleted and re-created (shorter than the checkpoint): the store is restored from it, not kept', async () => {
    const dir = tempStateDir('recreated');
    const first = await freshCluster();
    await runOnce(first, dir, 'at_least_once', ['a', 'a', 'a', 'b'], 4);
    // the re-created changelog holds only its first record (a = 1); the local checkpoint is at offset 3
    const changelog = await first.readAll('stale-counts-changelog');
    expect(changelog.length).toBe(4);
    const second = await freshCluster();
    await second.createTopic('stale-counts-changelog', { partitions: 1, config: { 'cleanup.policy': 'compact' } });
    await second.produce('stale-counts-changelog', [{ key: changelog[0]!.key, value: changelog[0]!.value, timestamp: changelog[0]!.timestamp }]);

    const app = h.app(countTopology({ caching: false }), { applicationId: 'stale', cluster: second, stateDir: dir, commitIntervalMs: 50 });
    await app.start();
    await app.waitForState('RUNNING', 10_000);
    const store = app.store({ storeName: 'counts', type: QueryableStoreTypes.keyValueStore<string, number>() });
    // restored from the changelog: a = 1 and no b, not the local a = 3, b = 1
    expect(await store.get('a')).toBe(1);
    expect(await store.get('b')).toBeNull();
    expect((await app.metrics()).restoredRecords).toBe(1);
    await second.produce('in', [rec('a'), rec('b')]);
    await waitFor(async () => (await countSequences(second, 'out', 'read_uncommitted')).size === 2, 10_000, 'both counts');
    const seqs = await countSequences(second, 'out', 'read_uncommitted');
    expect(seqs.get('a')).toEqual([2]);
    expect(seqs.get('b')).toEqual([1]);
  });

  it('a checkpoint the changelog still backs is trusted: a clean restart restores nothing', async () => {
    const dir = tempStateDir('trusted');
    const cluster = await freshCluster();
    await runOnce(cluster, dir, 'at_least_once', ['a', 'a'], 2);
    const seqs = await runOnce(cluster, dir, 'at_least_once', ['a'], 3);
    expect(seqs.get('a')).toEqual([1, 2, 3]);
    const restarted = h.apps[h.apps.length - 1]!;
    expect((await restarted.metrics()).restoredRecords).toBe(0);
  });
});
