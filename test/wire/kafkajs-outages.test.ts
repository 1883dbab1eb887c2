/**
 * Word count through kafkajs on librdkafka's mock cluster (3 brokers, 4-partition topics, one instance owning all 8
 * tasks) while brokers go down for 2 s and come back: the group coordinator's broker, a partition leader's broker,
 * and all brokers. Every count is checked per word after the app closed cleanly. Typical run: 9-15 s per test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkajsClient } from '../../src/kafka/kafkajs/kafkajs-client.js';
import type { ProcessingGuarantee } from '../../src/config.js';
import { startMockCluster } from './mock-cluster.js';
import type { MockCluster } from './mock-cluster.js';
import {
  compareCounts,
  createWordCountTopics,
  DEBUG,
  lineProducer,
  PATIENT_RETRY,
  pollUntil,
  removeDirs,
  startReader,
  wordCountApp,
} from './word-count-harness.js';

const ALL_TASKS = ['0_0', '0_1', '0_2', '0_3', '1_0', '1_1', '1_2', '1_3'];
const OUTAGE_MS = 2000;
/** The group's coordinator before the outage; `moveCoordinatorTo` takes over while it is down. */
const COORDINATOR = 1;
/** Lines produced at once when the outage starts: the app is still working through them when brokers return. */
const BURST_LINES = 3000;

let cluster: MockCluster;
const dirs: string[] = [];

beforeAll(async () => {
  cluster = await startMockCluster({ brokers: 3 });
});

afterAll(async () => {
  await cluster?.stop();
  removeDirs(dirs);
});

interface Outcome {
  readonly lost: string[];
  readonly overCounted: string[];
  readonly unknown: string[];
  /** Input lines beyond those produced, and words re-sent through the repartition topic: records processed twice. */
  readonly extraRepartitionRecords: number;
  readonly tasksAfter: readonly string[];
  readonly stateAfter: string;
  readonly errors: unknown[];
}

interface Outage {
  readonly name: string;
  readonly guarantee: ProcessingGuarantee;
  /** Brokers taken down for OUTAGE_MS, then brought back. */
  readonly down: readonly number[];
  /** Leader of partition p of every topic. */
  readonly leaderOf: (p: number) => number;
  /**
   * Where the group's coordinator moves while `down` are down, as on a real cluster, where another broker becomes
   * leader of the group's __consumer_offsets partition (members then get NOT_COORDINATOR and kafkajs rejoins).
   */
  readonly moveCoordinatorTo?: number;
}

/**
 * One instance counts words. A burst of lines is produced as the outage starts and lines keep coming, the brokers
 * come back after OUTAGE_MS, lines keep coming for as long again; then the app closes cleanly (final commit) and
 * the output is read to its end.
 */
async function wordCountThroughOutage(o: Outage): Promise<Outcome> {
  const topics = await createWordCountTopics(cluster, o.name, o.leaderOf);
  await cluster.setCoordinator('group', topics.applicationId, COORDINATOR);
  const client = new KafkajsClient({ brokers: cluster.bootstrapServers, clientId: `${o.name}-test`, retry: PATIENT_RETRY });
  const app = wordCountApp({ cluster, topics, name: o.name, guarantee: o.guarantee, dirs });
  const errors: unknown[] = [];
  app.on('error', (e) => errors.push(e));
  const lines = lineProducer(client, topics.input);
  const reader = await startReader(client, [topics.output, topics.repartition], o.guarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted');
  const counts = () => compareCounts(reader, topics, lines.truth);
  try {
    await Promise.all([app.start(), lines.connect()]);
    const running = async (): Promise<boolean> => {
      const m = await app.metrics();
      return m.state === 'RUNNING' && m.activeTasks.length === ALL_TASKS.length;
    };
    expect(await pollUntil(reader, running, 20_000, errors)).toBe(true);
    await lines.round(300);
    expect(await pollUntil(reader, () => counts().lost.length === 0, 20_000, errors)).toBe(true);

    if (DEBUG) console.log(`[${o.name}] outage of ${o.down.join(',')} starts`);
    for (const id of o.down) await cluster.brokerDown(id);
    if (o.moveCoordinatorTo !== undefined) await cluster.setCoordinator('group', topics.applicationId, o.moveCoordinatorTo);
    // Sends to partitions led by a downed broker retry until it is back.
    const burst = lines.round(BURST_LINES);
    let producing = true;
    const trickle = (async () => {
      while (producing) await Promise.all([lines.round(50), sleep(100)]);
    })();
    const outageEnds = Date.now() + OUTAGE_MS;
    // The reader's own fetches may fail while brokers are down; it catches up afterwards.
    while (Date.now() < outageEnds) await reader.pollOnce(100).catch(() => undefined);
    for (const id of o.down) await cluster.brokerUp(id);
    if (DEBUG) console.log(`[${o.name}] outage ends`);
    const trickleEnds = Date.now() + OUTAGE_MS;
    while (Date.now() < trickleEnds) await reader.pollOnce(100);
    producing = false;
    await Promise.all([burst, trickle]);
    expect(lines.sendFailures).toBe(0);

    let lastLog = 0;
    const caughtUp = async (): Promise<boolean> => {
      if (DEBUG && Date.now() - lastLog > 2000) {
        lastLog = Date.now();
        const m = await app.metrics();
        console.log(`[${o.name}] ${m.state} missing ${counts().lost.length} words; processed ${m.processedRecords} restored ${m.restoredRecords} lag ${JSON.stringify(m.lagPerTask)}`);
      }
      return counts().lost.length === 0;
    };
    expect(await pollUntil(reader, caughtUp, 25_000, errors)).toBe(true);
    const after = await app.metrics();
    await app.close();
    await reader.drain();
    const c = counts();
    const outcome: Outcome = {
      lost: c.lost,
      overCounted: c.overCounted,
      unknown: c.unknown,
      extraRepartitionRecords: reader.records.get(topics.repartition)! - lines.words,
      tasksAfter: [...after.activeTasks].sort(),
      stateAfter: after.state,
      errors,
    };
    console.log(
      `[wire outage ${o.name}] ${o.guarantee}, brokers ${o.down.join(',')} down ${OUTAGE_MS} ms: ${lines.lines} lines, ${lines.words} words; ` +
        `duplicates: ${outcome.extraRepartitionRecords} extra repartition records, ${c.overCounted.length} over-counted words` +
        (c.overCounted.length ? ` (${c.overCounted.slice(0, 5).join(', ')})` : '') +
        `; lost: ${c.lost.length}`,
    );
    return outcome;
  } finally {
    await app.close().catch(() => undefined);
    await lines.close().catch(() => undefined);
    await reader.close().catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Every word counted exactly once, by an app that kept running with all its tasks. */
function expectExact(o: Outcome): void {
  expect(o.errors).toEqual([]);
  expect(o.stateAfter).toBe('RUNNING');
  expect(o.tasksAfter).toEqual(ALL_TASKS);
  expect(o.lost).toEqual([]);
  expect(o.unknown).toEqual([]);
  expect(o.overCounted).toEqual([]);
  expect(o.extraRepartitionRecords).toBe(0);
}

/**
 * Every word counted at least once (duplicates are reported by wordCountThroughOutage), by an app that kept running
 * with all its tasks.
 */
function expectNothingLost(o: Outcome): void {
  expect(o.errors).toEqual([]);
  expect(o.stateAfter).toBe('RUNNING');
  expect(o.tasksAfter).toEqual(ALL_TASKS);
  expect(o.lost).toEqual([]);
  expect(o.unknown).toEqual([]);
  expect(o.extraRepartitionRecords).toBeGreaterThanOrEqual(0);
}

/** Partition leaders on brokers 2 and 3 only: an outage of broker 1 takes only the group's coordinator away. */
const leadersOn2And3 = (p: number): number => 2 + (p % 2);

describe('word count through kafkajs while brokers of the mock cluster go down for 2 s', () => {
  it("at_least_once, the group coordinator's broker down (the coordinator moves, kafkajs rejoins with the same assignment): every count is exact", async () => {
    expectExact(await wordCountThroughOutage({ name: 'coord-alos', guarantee: 'at_least_once', down: [COORDINATOR], leaderOf: leadersOn2And3, moveCoordinatorTo: 2 }));
  }, 45_000);

  it("exactly_once_v2, the group coordinator's broker down (the coordinator moves): every count is exact", async () => {
    expectExact(await wordCountThroughOutage({ name: 'coord-eos', guarantee: 'exactly_once_v2', down: [COORDINATOR], leaderOf: leadersOn2And3, moveCoordinatorTo: 2 }));
  }, 45_000);

  it("at_least_once, a partition leader's broker down (it leads partition 1 of every topic): every count is exact", async () => {
    expectExact(await wordCountThroughOutage({ name: 'leader-alos', guarantee: 'at_least_once', down: [2], leaderOf: (p) => (p % 3) + 1 }));
  }, 45_000);

  // With every broker down, kafkajs' fetch fails with KafkaJSNoBrokerAvailableError, which its runner does not
  // retry: the consumer crashes and kafkajs restarts it as a new group member. The adapter reports the partitions
  // lost (another member may have owned them in between; kafkajs' GROUP_JOIN does not say which generation it
  // joined), the runtime closes its tasks dirty and they restart from the committed offsets: at_least_once may
  // count again what was processed after the last commit.
  it('at_least_once, all brokers down (kafkajs restarts its consumer): nothing is lost, duplicates are reported', async () => {
    expectNothingLost(await wordCountThroughOutage({ name: 'all-alos', guarantee: 'at_least_once', down: [1, 2, 3], leaderOf: (p) => (p % 3) + 1 }));
  }, 45_000);

  it("exactly_once_v2, a partition leader's broker down: every count is exact", async () => {
    expectExact(await wordCountThroughOutage({ name: 'leader-eos', guarantee: 'exactly_once_v2', down: [2], leaderOf: (p) => (p % 3) + 1 }));
  }, 45_000);

  // The same restart under exactly_once_v2 is exact on a real cluster (the open transaction is aborted, and the
  // tasks restart from the offsets their committed transactions stored), but NOT on the mock: it does not store
  // offsets sent with sendOffsetsToTransaction, so the restarted tasks read the input from offset 0 again (measured:
  // exactly the 1,500 words produced before the outage counted twice). Here only "nothing lost" can be checked;
  // the exact recovery is proven on the embedded cluster (test/runtime/exactly-once.property.test.ts).
  it('exactly_once_v2, all brokers down (kafkajs restarts its consumer): nothing is lost', async () => {
    expectNothingLost(await wordCountThroughOutage({ name: 'all-eos', guarantee: 'exactly_once_v2', down: [1, 2, 3], leaderOf: (p) => (p % 3) + 1 }));
  }, 45_000);
});
