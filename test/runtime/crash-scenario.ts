/**
 * The crash scenario shared by the exactly-once and at-least-once tests: two instances of one application count
 * 20k keyed records (input topic fed in chunks while they run) and one of them, the victim, is crashed with
 * cluster.crash (no commit, no flush, no leave group) after N processed records or inside its commit hook at a
 * chosen step; optionally a replacement instance starts on the victim's state directory right after the crash.
 */
import type { CommitStep, EmbeddedKafkaCluster, KafkaStreams, ProcessingGuarantee } from '../../src/index.js';
import { Harness, countTopology, keyedRecords, reachedTotals, tempStateDir, trueCounts, waitFor } from './helpers.js';

export const RECORDS = 20_000;
export const stats: { guarantee: string; crashAfter?: number; step?: string; restart: boolean; aborted: number; restored: number }[] = [];
export const KEYS = 64;

export interface Scenario {
  readonly guarantee?: ProcessingGuarantee;
  /** Crash the victim after it processed this many records (with `step`: at that step of the next commit). */
  readonly crashAfter?: number;
  /** Crash the victim inside its commitStepHook at this step of its first commit after `crashAfter` (default 3000) records. */
  readonly step?: CommitStep;
  /** Start a new instance on the crashed victim's state directory right after the crash. */
  readonly restart?: boolean;
  readonly caching: boolean;
  readonly seed: number;
}

/** Runs the scenario and returns the cluster (output checked by the caller) and the true totals. */
export async function runScenario(h: Harness, s: Scenario): Promise<{ cluster: EmbeddedKafkaCluster; totals: Map<string, number>; crashed: boolean }> {
  const cluster = h.cluster();
  await cluster.createTopic('in', { partitions: 4 });
  await cluster.createTopic('out', { partitions: 4 });
  const records = keyedRecords(RECORDS, KEYS, s.seed);
  const totals = trueCounts(records);
  let victim: KafkaStreams | undefined;
  let processed = 0;
  let crashed = false;
  let replacement: KafkaStreams | undefined;
  const victimDir = tempStateDir('eos-a');
  const crashVictim = async (): Promise<void> => {
    if (crashed || !victim) return;
    crashed = true;
    await h.crash(cluster, victim);
    if (s.restart) {
      replacement = h.app(countTopology({ caching: s.caching }), {
        applicationId: 'eos-count',
        cluster,
        stateDir: victimDir,
        processingGuarantee: s.guarantee ?? 'exactly_once_v2',
        commitIntervalMs: 50,
      });
      await replacement.start();
    }
  };
  victim = h.app(
    countTopology({
      caching: s.caching,
      onRecord: () => void (++processed === s.crashAfter && s.step === undefined && crashVictim()),
    }),
    {
      applicationId: 'eos-count',
      cluster,
      stateDir: victimDir,
      processingGuarantee: s.guarantee ?? 'exactly_once_v2',
      commitIntervalMs: 50,
      commitStepHook:
        s.step === undefined
          ? undefined
          : async (step) => {
              if (step === s.step && processed >= (s.crashAfter ?? 3_000)) await crashVictim();
            },
    },
  );
  const survivor = h.app(countTopology({ caching: s.caching }), {
    applicationId: 'eos-count',
    cluster,
    stateDir: tempStateDir('eos-b'),
    processingGuarantee: s.guarantee ?? 'exactly_once_v2',
    commitIntervalMs: 50,
  });
  await Promise.all([victim.start(), survivor.start()]);
  // feed the input while the instances run: the crash happens mid-stream
  for (let i = 0; i < RECORDS; i += 1_000) {
    await cluster.produce('in', records.slice(i, i + 1_000));
    await new Promise((r) => setTimeout(r, 10));
  }
  // (a crash planned at a commit step may come after the victim's last records, at one of its idle commits)
  const isolation = (s.guarantee ?? 'exactly_once_v2') === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted';
  await waitFor(async () => crashed && (await reachedTotals(cluster, totals, isolation)), 30_000, `the crash and ${isolation} output reaching the true totals`);
  if (replacement) await replacement.waitForState('RUNNING', 10_000);
  const committed = (await cluster.readAll('out', { isolationLevel: 'read_committed' })).length;
  const all = (await cluster.readAll('out')).length;
  stats.push({ guarantee: s.guarantee ?? 'exactly_once_v2', crashAfter: s.crashAfter, step: s.step, restart: !!s.restart, aborted: all - committed, restored: (await survivor.metrics()).restoredRecords + (replacement ? (await replacement.metrics()).restoredRecords : 0) });
  return { cluster, totals, crashed };
}

