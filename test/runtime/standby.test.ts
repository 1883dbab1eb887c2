/**
 * Standby replicas (numStandbyReplicas: 1): each instance keeps a warm copy of the other's stores by reading the
 * changelogs; when the active instance crashes, the survivor promotes its standby tasks and restores only what its
 * copies had not applied yet, far less than 1% of the store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { QueryableStoreTypes, toArray, type KafkaStreams, type ProcessingGuarantee } from '../../src/index.js';
import { Harness, countTopology, finalCounts, reachedTotals, tempStateDir, trueCounts, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.closeAll());

const KEYS = 20_000;
const base = 1_700_000_000_000;
const rec = (k: number, i: number) => ({ key: Buffer.from(`key-${k}`), value: Buffer.from(`v${i}`), timestamp: base + i });

async function standbyTakeover(guarantee: ProcessingGuarantee): Promise<void> {
  const cluster = h.cluster();
  await cluster.createTopic('in', { partitions: 4 });
  await cluster.createTopic('out', { partitions: 4 });
  const isolation = guarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted';
  const options = (label: string) => ({
    applicationId: 'standby',
    cluster,
    stateDir: tempStateDir(label),
    processingGuarantee: guarantee,
    commitIntervalMs: 100,
    numStandbyReplicas: 1,
  });
  const a = h.app(countTopology(), options('sb-a'));
  const b = h.app(countTopology(), options('sb-b'));
  await Promise.all([a.start(), b.start()]);
  await Promise.all([a.waitForState('RUNNING', 20_000), b.waitForState('RUNNING', 20_000)]);

  const records = Array.from({ length: KEYS }, (_, k) => rec(k, k));
  await cluster.produce('in', records);
  await waitFor(() => reachedTotals(cluster, trueCounts(records), isolation), 20_000, 'all 20k counts in the output');

  // two active and two standby tasks each, and every standby copy caught up with its changelog
  const caughtUp = async (app: KafkaStreams): Promise<boolean> => {
    const m = await app.metrics();
    return m.activeTasks.length === 2 && m.standbyTasks.length === 2 && m.standbyTasks.every((t) => m.standbyLagPerTask[t] === 0);
  };
  await waitFor(async () => (await caughtUp(a)) && (await caughtUp(b)), 20_000, 'standby replicas caught up');
  const before = await b.metrics();
  const promoted = [...before.standbyTasks].sort();
  expect([...(await a.metrics()).activeTasks].sort()).toEqual(promoted);
  expect(before.standbyUpdatedRecords).toBeGreaterThan(KEYS / 4);

  await h.crash(cluster, a);
  await waitFor(async () => {
    const m = await b.metrics();
    return m.state === 'RUNNING' && m.activeTasks.length === 4;
  }, 20_000, 'the survivor running all four tasks');
  const after = await b.metrics();
  const restoredForPromoted = promoted.reduce((n, t) => n + ((after.restoredRecordsPerTask[t] ?? 0) - (before.restoredRecordsPerTask[t] ?? 0)), 0);

  // the promoted tasks carry on from their warm state
  const more = Array.from({ length: 1_000 }, (_, k) => rec(k, KEYS + k));
  const totals = trueCounts([...records, ...more]);
  await cluster.produce('in', more);
  await waitFor(() => reachedTotals(cluster, totals, isolation), 20_000, 'counts after the takeover');
  expect(await finalCounts(cluster, 'out', isolation)).toEqual(totals);
  const store = b.store({ storeName: 'counts', type: QueryableStoreTypes.keyValueStore<string, number>() });
  const entries = (await toArray(store.all())).length;
  expect(entries).toBe(KEYS);
  console.log(
    `${guarantee}: standby takeover of tasks ${promoted.join(', ')}: restored ${restoredForPromoted} records ` +
      `(${((100 * restoredForPromoted) / entries).toFixed(2)}% of ${entries} store entries); standby updates before the crash: ${before.standbyUpdatedRecords}`,
  );
  expect(restoredForPromoted).toBeLessThan(entries * 0.01);
}

describe('standby replicas', () => {
  it('exactly_once_v2: a standby takes over a crashed instance with < 1% of the store restored', async () => {
    await standbyTakeover('exactly_once_v2');
  });

  it('at_least_once: a standby takes over a crashed instance with < 1% of the store restored', async () => {
    await standbyTakeover('at_least_once');
  });

  it('without standbys the survivor restores the whole state of the moved tasks (control)', async () => {
    const cluster = h.cluster();
    await cluster.createTopic('in', { partitions: 4 });
    await cluster.createTopic('out', { partitions: 4 });
    const opts = (label: string) => ({ applicationId: 'nostandby', cluster, stateDir: tempStateDir(label), processingGuarantee: 'exactly_once_v2' as const, commitIntervalMs: 100 });
    const a = h.app(countTopology(), opts('ns-a'));
    const b = h.app(countTopology(), opts('ns-b'));
    await Promise.all([a.start(), b.start()]);
    await Promise.all([a.waitForState('RUNNING', 20_000), b.waitForState('RUNNING', 20_000)]);
    const records = Array.from({ length: KEYS }, (_, k) => rec(k, k));
    await cluster.produce('in', records);
    await waitFor(() => reachedTotals(cluster, trueCounts(records), 'read_committed'), 20_000, 'all counts');
    const moved = (await a.metrics()).activeTasks;
    await h.crash(cluster, a);
    await waitFor(async () => (await b.metrics()).activeTasks.length === 4 && b.state === 'RUNNING', 20_000, 'takeover');
    const m = await b.metrics();
    const restored = moved.reduce((n, t) => n + (m.restoredRecordsPerTask[t] ?? 0), 0);
    console.log(`no standby: restored ${restored} records for tasks ${moved.join(', ')}`);
    expect(restored).toBeGreaterThan(KEYS * 0.3);
  });
});
