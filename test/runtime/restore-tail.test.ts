/**
 * Restart after a crash under exactly-once replays only the uncommitted tail: RocksDB stores persist their writes
 * with the changelog offset they reflect at each commit, so a new instance on the same state directory restores
 * only the changelog records after that offset, not the whole store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { QueryableStoreTypes, toArray, type CommitStep, type EmbeddedKafkaCluster, type KafkaStreams } from '../../src/index.js';
import { Harness, countTopology, finalCounts, reachedTotals, tempStateDir, trueCounts, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.closeAll());

const KEYS = 20_000;
const base = 1_700_000_000_000;
const rec = (k: number, i: number) => ({ key: Buffer.from(`key-${k}`), value: Buffer.from(`v${i}`), timestamp: base + i });

async function setup(): Promise<EmbeddedKafkaCluster> {
  const cluster = h.cluster();
  await cluster.createTopic('in', { partitions: 4 });
  await cluster.createTopic('out', { partitions: 4 });
  return cluster;
}

/**
 * Builds a 20k-key RocksDB store (two records per key), lets it commit, then feeds a 2000-record tail and crashes
 * the instance (at `step` of the first commit carrying tail records, or mid-processing); restarts on the same dir.
 */
async function crashAndRestart(step: CommitStep | undefined): Promise<{ restored: number; changelogRecords: number; app: KafkaStreams; cluster: EmbeddedKafkaCluster }> {
  const cluster = await setup();
  const dir = tempStateDir('tail');
  const phase1 = [...Array.from({ length: KEYS }, (_, k) => rec(k, k)), ...Array.from({ length: KEYS }, (_, k) => rec(k, KEYS + k))];
  const tail = Array.from({ length: 2_000 }, (_, k) => rec(k, 2 * KEYS + k));
  const totals = trueCounts([...phase1, ...tail]);
  let processed = 0;
  let crashed = false;
  const app1: KafkaStreams = h.app(
    countTopology({
      onRecord: () => {
        processed++;
        if (step === undefined && processed === phase1.length + 1_000 && !crashed) {
          crashed = true;
          void h.crash(cluster, app1);
        }
      },
    }),
    {
      applicationId: 'tail',
      cluster,
      stateDir: dir,
      processingGuarantee: 'exactly_once_v2',
      commitIntervalMs: 100,
      commitStepHook: async (s) => {
        if (step !== undefined && s === step && processed > phase1.length && !crashed) {
          crashed = true;
          await h.crash(cluster, app1);
        }
      },
    },
  );
  await app1.start();
  const t0 = Date.now();
  await cluster.produce('in', phase1);
  await waitFor(() => reachedTotals(cluster, trueCounts(phase1), 'read_committed'), 20_000, 'phase 1 committed');
  // one more commit interval: the commit that carried the last phase-1 records has persisted its state
  await new Promise((r) => setTimeout(r, 250));
  await cluster.produce('in', tail);
  await waitFor(() => crashed, 20_000, 'the crash');
  const t1 = Date.now();
  const changelogRecords = (await cluster.readAll('tail-counts-changelog', { isolationLevel: 'read_committed' })).length;

  const app2 = h.app(countTopology(), { applicationId: 'tail', cluster, stateDir: dir, processingGuarantee: 'exactly_once_v2', commitIntervalMs: 100 });
  await app2.start();
  await app2.waitForState('RUNNING', 20_000);
  await waitFor(() => reachedTotals(cluster, totals, 'read_committed'), 20_000, 'all counts committed after the restart');
  if (process.env.DEBUG_RT) console.log('phase1+crash', t1 - t0, 'restart', Date.now() - t1);
  expect(await finalCounts(cluster, 'out', 'read_committed')).toEqual(totals);
  const store = app2.store({ storeName: 'counts', type: QueryableStoreTypes.keyValueStore<string, number>() });
  const entries = await toArray(store.all());
  expect(entries.length).toBe(KEYS);
  expect(await store.get('key-0')).toBe(3);
  expect(await store.get(`key-${KEYS - 1}`)).toBe(2);
  return { restored: (await app2.metrics()).restoredRecords, changelogRecords, app: app2, cluster };
}

describe('exactly_once_v2 restart on the same state directory (RocksDB)', () => {
  for (const step of ['persist-state', 'commit-offsets', 'flush-producer'] as const) {
    it(`crash at commit step '${step}': only the tail is restored`, async () => {
      const { restored, changelogRecords } = await crashAndRestart(step);
      console.log(`crash at '${step}': restored ${restored} of ${changelogRecords} committed changelog records (store: ${KEYS} keys)`);
      // at most the tail (2000 records) is replayed, never the 20k-entry store
      expect(restored).toBeLessThanOrEqual(2_000);
      expect(restored / KEYS).toBeLessThanOrEqual(0.1);
      // crashing between commitTransaction and persisting state leaves a committed tail to replay
      if (step === 'persist-state') expect(restored).toBeGreaterThan(0);
    });
  }

  it('crash mid-processing: uncommitted writes never reached the store, restoring replays (almost) nothing', async () => {
    const { restored, changelogRecords } = await crashAndRestart(undefined);
    console.log(`crash mid-processing: restored ${restored} of ${changelogRecords} committed changelog records (store: ${KEYS} keys)`);
    expect(restored).toBeLessThan(KEYS * 0.1);
  });

  it('control: an instance on an empty state directory restores the whole store', async () => {
    const cluster = await setup();
    const records = Array.from({ length: KEYS }, (_, k) => rec(k, k));
    const app1 = h.app(countTopology(), { applicationId: 'tail', cluster, stateDir: tempStateDir('full-a'), processingGuarantee: 'exactly_once_v2', commitIntervalMs: 100 });
    await app1.start();
    await cluster.produce('in', records);
    await waitFor(() => reachedTotals(cluster, trueCounts(records), 'read_committed'), 20_000, 'committed');
    await h.crash(cluster, app1);
    const app2 = h.app(countTopology(), { applicationId: 'tail', cluster, stateDir: tempStateDir('full-b'), processingGuarantee: 'exactly_once_v2', commitIntervalMs: 100 });
    await app2.start();
    await app2.waitForState('RUNNING', 20_000);
    const restored = (await app2.metrics()).restoredRecords;
    console.log(`control (empty state dir): restored ${restored} records for a ${KEYS}-key store`);
    expect(restored).toBeGreaterThanOrEqual(KEYS);
  });

  it('a task that moved to another instance and back keeps an up-to-date checkpoint (restart restores nothing)', async () => {
    const cluster = await setup();
    const dirA = tempStateDir('back-a');
    const opts = (dir: string) => ({ applicationId: 'back', cluster, stateDir: dir, processingGuarantee: 'exactly_once_v2' as const, commitIntervalMs: 50 });
    const first = Array.from({ length: 4_000 }, (_, k) => rec(k, k));
    const second = Array.from({ length: 4_000 }, (_, k) => rec(k, 4_000 + k));
    const a = h.app(countTopology({ caching: false }), opts(dirA));
    await a.start();
    await cluster.produce('in', first);
    await waitFor(() => reachedTotals(cluster, trueCounts(first), 'read_committed'), 10_000, 'first batch');
    // b takes two tasks and writes their changelogs further
    const b = h.app(countTopology({ caching: false }), opts(tempStateDir('back-b')));
    await b.start();
    await waitFor(async () => (await b.metrics()).activeTasks.length === 2 && a.state === 'RUNNING', 10_000, 'b owns two tasks');
    await cluster.produce('in', second);
    await waitFor(() => reachedTotals(cluster, trueCounts([...first, ...second]), 'read_committed'), 10_000, 'second batch');
    // b leaves: its tasks come back to a, which restores b's writes and then commits a few idle rounds
    await b.close();
    await waitFor(async () => (await a.metrics()).activeTasks.length === 4 && a.state === 'RUNNING', 10_000, 'a owns all tasks again');
    const commits = (await a.metrics()).commits;
    await waitFor(async () => (await a.metrics()).commits >= commits + 3, 10_000, 'idle commits');
    await h.crash(cluster, a);
    const a2 = h.app(countTopology({ caching: false }), opts(dirA));
    await a2.start();
    await a2.waitForState('RUNNING', 10_000);
    const restored = (await a2.metrics()).restoredRecords;
    console.log(`moved away and back, then crash + restart: restored ${restored} records`);
    expect(restored).toBe(0);
  });
});
