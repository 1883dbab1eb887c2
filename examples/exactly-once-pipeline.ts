/**
 * Exactly-once across a crash, on the embedded cluster.
 *
 * Two instances of one application (exactly_once_v2) count events per account and emit every new count. While
 * input is still arriving, instance A dies in the middle of a commit without any clean-up (no commit, no leave
 * group; `commitStepHook` is the test hook that picks the moment): its open transaction is aborted and instance B takes over its tasks, restoring the counts from the changelog and
 * reprocessing from the last committed offsets. A read_committed reader of the output then sees, per account,
 * the counts 1, 2, 3, ... up to the true total: no duplicate and no gap. A read_uncommitted reader also sees the
 * aborted records. Run: npx tsx examples/exactly-once-pipeline.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consumed, EmbeddedKafkaCluster, KafkaStreams, Materialized, Produced, Serdes, StreamsBuilder, type CommitStep, type Topology } from '../src/index.js';

const EVENTS = 20_000;
const ACCOUNTS = 50;
const str = Serdes.String();
const long = Serdes.Long();

/** `onRecord` lets this example pull the plug on an instance in the middle of its work. */
const buildTopology = (onRecord: () => void): Topology => {
  const builder = new StreamsBuilder();
  builder
    .stream('events', Consumed.with(Serdes.String(), Serdes.String()))
    .peek(onRecord)
    .groupByKey()
    .count(Materialized.as<string, number>('event-counts').withCachingDisabled()) // every update goes downstream
    .toStream()
    .to('event-counts', Produced.with(Serdes.String(), Serdes.Long()));
  return builder.build();
};

const cluster = new EmbeddedKafkaCluster();
await cluster.createTopic('events', { partitions: 4 });
await cluster.createTopic('event-counts', { partitions: 4 });

const dirs: string[] = [];
const instance = async (
  name: string,
  onRecord: () => void = () => undefined,
  commitStepHook?: (step: CommitStep) => Promise<void> | void,
): Promise<KafkaStreams> => {
  const stateDir = await mkdtemp(join(tmpdir(), `sluice-eos-${name}-`));
  dirs.push(stateDir);
  const app = new KafkaStreams(buildTopology(onRecord), {
    applicationId: 'eos-pipeline',
    cluster,
    processingGuarantee: 'exactly_once_v2',
    commitIntervalMs: 100,
    stateDir,
    sessionTimeoutMs: 2_000,
    heartbeatIntervalMs: 200,
    ...(commitStepHook ? { commitStepHook } : {}),
  });
  await app.start();
  return app;
};
// A dies in the middle of a commit once it has processed 3000 records: its output of the current transaction is
// already written to the log (the producer was flushed), but the transaction is not committed yet.
let processedByA = 0;
let crashed = false;
const a: KafkaStreams = await instance(
  'a',
  () => void processedByA++,
  (step) => {
    if (step !== 'commit-offsets' || processedByA < 3_000 || crashed) return;
    crashed = true;
    console.log(`crashing A in a commit, after it processed ${processedByA} records`);
    return cluster.crash(a);
  },
);
const b = await instance('b');
await Promise.all([a.waitForState('RUNNING'), b.waitForState('RUNNING')]);
console.log(`A runs tasks ${(await a.metrics()).activeTasks.join(',')}; B runs ${(await b.metrics()).activeTasks.join(',')}`);

const totals = new Map<string, number>();
const produceBatch = async (from: number, to: number): Promise<void> => {
  const records = [];
  for (let i = from; i < to; i++) {
    const account = `account-${(i * 7919) % ACCOUNTS}`;
    totals.set(account, (totals.get(account) ?? 0) + 1);
    records.push({ key: str.serialize('events', account), value: str.serialize('events', `event-${i}`) });
  }
  await cluster.produce('events', records);
};

// Feed events in batches while both instances work.
for (let i = 0; i < EVENTS; i += 1_000) {
  await produceBatch(i, i + 1_000);
  await new Promise((r) => setTimeout(r, 20));
}

// Wait until B has committed every account's true total.
const committedCounts = async (isolationLevel: 'read_committed' | 'read_uncommitted'): Promise<Map<string, number[]>> => {
  const seqs = new Map<string, number[]>();
  for (const r of await cluster.readAll('event-counts', { isolationLevel })) {
    const k = str.deserialize('event-counts', r.key)!;
    seqs.set(k, [...(seqs.get(k) ?? []), long.deserialize('event-counts', r.value)!]);
  }
  return seqs;
};
const deadline = Date.now() + 20_000;
for (;;) {
  const seqs = await committedCounts('read_committed');
  if ([...totals].every(([k, n]) => seqs.get(k)?.at(-1) === n)) break;
  if (Date.now() > deadline) throw new Error('B did not catch up within 20 s');
  await new Promise((r) => setTimeout(r, 100));
}
console.log(`B now runs tasks ${(await b.metrics()).activeTasks.join(',')}, restored ${(await b.metrics()).restoredRecords} records`);
await b.close();

const committed = await committedCounts('read_committed');
const uncommitted = await committedCounts('read_uncommitted');
let bad = 0;
for (const [account, total] of totals) {
  const seq = committed.get(account) ?? [];
  const exact = seq.length === total && seq.every((n, i) => n === i + 1);
  if (!exact) {
    bad++;
    console.log(`${account}: expected 1..${total}, got ${seq.length} values ending in ${seq.at(-1)}`);
  }
}
const count = (m: Map<string, number[]>): number => [...m.values()].reduce((s, v) => s + v.length, 0);
console.log(`read_committed: ${count(committed)} count updates for ${EVENTS} events; read_uncommitted also sees ${count(uncommitted) - count(committed)} aborted ones`);
console.log(bad === 0 ? `exactly-once: OK, every account counts 1, 2, ... up to its total with no duplicate and no gap` : `exactly-once: FAILED for ${bad} accounts`);

await cluster.close();
for (const d of dirs) await rm(d, { recursive: true, force: true });
process.exitCode = bad === 0 ? 0 : 1;
