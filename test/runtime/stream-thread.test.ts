/**
 * Retriable faults (issue 8, finding 2): a failed poll, send or commit with a retriable error (the embedded cluster's
 * NOT_LEADER_OR_FOLLOWER) is retried, never fatal before taskTimeoutMs: the instance keeps running and the output
 * stays exact under exactly_once_v2 (per key 1..n, read_committed) and loses nothing under at_least_once. Errors
 * that last past taskTimeoutMs reach the uncaught-exception handler as a TaskTimeoutError.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, TaskTimeoutError, type EmbeddedKafkaCluster, type KafkaStreams, type KafkaStreamsState, type ProcessingGuarantee } from '../../src/index.js';
import { Harness, countSequences, countTopology, finalCounts, keyedRecords, tempStateDir, trueCounts, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.closeAll());

type Fault = 'poll' | 'send' | 'commit';

function inject(cluster: EmbeddedKafkaCluster, fault: Fault): void {
  if (fault === 'poll') cluster.faults.failNextPoll();
  else if (fault === 'send') cluster.faults.failNextSends('out', 3);
  else cluster.faults.failNextCommit();
}

/** The input is committed to its end and nothing is left in the task queues. */
async function caughtUp(cluster: EmbeddedKafkaCluster, app: KafkaStreams): Promise<boolean> {
  if (app.state === 'ERROR') throw new Error('the instance went to ERROR');
  const ends = cluster.endOffsets('in');
  const offsets = cluster.describeGroup('faults')?.offsets;
  if (!offsets || !ends.every((end, p) => offsets.get(`in:${p}`) === end)) return false;
  return Object.values((await app.metrics()).lagPerTask).every((lag) => lag === 0);
}

async function withFault(guarantee: ProcessingGuarantee, fault: Fault): Promise<{ states: KafkaStreamsState[]; totals: Map<string, number>; cluster: EmbeddedKafkaCluster }> {
  const cluster = h.cluster();
  await cluster.createTopic('in', { partitions: 2 });
  await cluster.createTopic('out', { partitions: 2 });
  const records = keyedRecords(4_000, 20, 13);
  let processed = 0;
  const app = h.app(countTopology({ caching: false, onRecord: () => void processed++ }), {
    applicationId: 'faults',
    cluster,
    stateDir: tempStateDir('faults'),
    processingGuarantee: guarantee,
    commitIntervalMs: 50,
  });
  const states: KafkaStreamsState[] = [];
  app.on('stateChange', (next) => states.push(next));
  await app.start();
  await cluster.produce('in', records.slice(0, 2_000));
  await waitFor(() => processed >= 1_000, 10_000, 'processing');
  inject(cluster, fault);
  await cluster.produce('in', records.slice(2_000));
  await waitFor(() => caughtUp(cluster, app), 20_000, 'caught up');
  return { states, totals: trueCounts(records), cluster };
}

describe('a retriable fault is retried, not fatal', () => {
  for (const fault of ['poll', 'send', 'commit'] as const) {
    it(`exactly_once_v2, failed ${fault}: still running, per key exactly 1..n`, async () => {
      const { states, totals, cluster } = await withFault('exactly_once_v2', fault);
      expect(states).not.toContain('ERROR');
      expect(states).not.toContain('PENDING_ERROR');
      const seqs = await countSequences(cluster, 'out', 'read_committed');
      for (const [k, n] of totals) expect(seqs.get(k), `key ${k}`).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    });

    it(`at_least_once, failed ${fault}: still running, nothing lost`, async () => {
      const { states, totals, cluster } = await withFault('at_least_once', fault);
      expect(states).not.toContain('ERROR');
      expect(states).not.toContain('PENDING_ERROR');
      // reprocessing from the last commit may count a record twice, never skip one
      const finals = await finalCounts(cluster, 'out', 'read_uncommitted');
      for (const [k, n] of totals) expect(finals.get(k), `key ${k}`).toBeGreaterThanOrEqual(n);
    });
  }
});

describe('taskTimeoutMs', () => {
  it('retriable errors that last longer than taskTimeoutMs reach the handler as a TaskTimeoutError', async () => {
    const cluster = h.cluster();
    await cluster.createTopic('in', { partitions: 1 });
    await cluster.createTopic('out', { partitions: 1 });
    const app = h.app(countTopology(), { applicationId: 'timeout', cluster, stateDir: tempStateDir('timeout'), taskTimeoutMs: 300, commitIntervalMs: 50 });
    const errors: unknown[] = [];
    app.setUncaughtExceptionHandler((e) => (errors.push(e), 'SHUTDOWN_CLIENT'));
    await app.start();
    await app.waitForState('RUNNING');
    cluster.faults.failNextPoll(undefined, 1_000);
    await app.waitForState('ERROR', 10_000);
    cluster.faults.reset();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TaskTimeoutError);
    expect((errors[0] as TaskTimeoutError).code).toBe('TASK_TIMEOUT');
    expect((errors[0] as TaskTimeoutError).retriable).toBe(false);
  });

  it('sends that keep failing: the tasks are revived with backoff until taskTimeoutMs, then a TaskTimeoutError', async () => {
    const cluster = h.cluster();
    await cluster.createTopic('in', { partitions: 1 });
    await cluster.createTopic('out', { partitions: 1 });
    const app = h.app(countTopology({ storeType: 'in_memory' }), {
      applicationId: 'sends',
      cluster,
      stateDir: tempStateDir('sends'),
      processingGuarantee: 'exactly_once_v2',
      taskTimeoutMs: 500,
    });
    const errors: unknown[] = [];
    app.setUncaughtExceptionHandler((e) => (errors.push(e), 'SHUTDOWN_CLIENT'));
    await app.start();
    await app.waitForState('RUNNING');
    cluster.faults.failNextSends('out', 1_000_000);
    await cluster.produce('in', keyedRecords(10, 2, 1));
    await app.waitForState('ERROR', 10_000);
    cluster.faults.reset();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TaskTimeoutError);
    expect(h.logs.filter((l) => /Retrying after a retriable error/.test(l)).length).toBeGreaterThan(1);
    expect(await cluster.readAll('out', { isolationLevel: 'read_committed' })).toEqual([]);
  });

  it('is validated', () => {
    expect(() => h.app(countTopology(), { applicationId: 'bad', taskTimeoutMs: -1 })).toThrow(ConfigError);
    expect(() => h.app(countTopology(), { applicationId: 'bad', taskTimeoutMs: Number.NaN })).toThrow(/taskTimeoutMs/);
  });
});
