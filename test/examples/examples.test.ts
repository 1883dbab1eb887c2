/**
 * The demo and the examples. The demo's topology runs on the TopologyTestDriver with the demo's own generator as
 * input and is compared with the reference recomputation; then the demo and the examples run as processes, as a
 * user would start them.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Serdes, TopologyTestDriver, type KafkaClient, type Producer } from '../../src/index.js';
import { Generator } from '../../examples/demo/generator.js';
import { buildDemoTopology, diffCounts, recompute, STORES, TOPICS } from '../../examples/demo/topology.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const S = Serdes.String();
const L = Serdes.Long();

type ProducerRecord = Parameters<Producer['send']>[0];

/** A KafkaClient whose producer only records what is sent (the generator needs nothing else). */
function capturingClient(sent: ProducerRecord[]): KafkaClient {
  const producer: Producer = {
    connect: async () => undefined,
    send: (r) => void sent.push(r),
    flush: async () => ({ lastOffsets: new Map(), failures: [] }),
    initTransactions: async () => undefined,
    beginTransaction: async () => undefined,
    sendOffsetsToTransaction: async () => undefined,
    commitTransaction: async () => undefined,
    abortTransaction: async () => undefined,
    close: async () => undefined,
  };
  return {
    producer: () => producer,
    consumer: () => {
      throw new Error('not used');
    },
    admin: () => {
      throw new Error('not used');
    },
  };
}

/** Latest value per key of an output topic's records. */
function latest(records: readonly { key: string | null; value: number | null }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of records) if (r.key !== null && r.value !== null) m.set(r.key, r.value);
  return m;
}

describe('demo topology on the TopologyTestDriver', () => {
  it('counts views per page and users per region exactly as a recomputation from the generated input', async () => {
    const sent: ProducerRecord[] = [];
    const generator = new Generator({ records: 5_000, seconds: 0, users: 300, pages: 40, seed: 7 });
    await generator.run(capturingClient(sent));
    expect(generator.pageViews).toBe(5_000);
    expect(sent.some((r) => r.topic === TOPICS.users && r.value === null)).toBe(true); // deletions are exercised

    const driver = new TopologyTestDriver(buildDemoTopology(), { applicationId: 'demo-test' });
    try {
      const inputs = {
        [TOPICS.pageViews]: driver.createInputTopic<string | null, string | null>(TOPICS.pageViews, S, S),
        [TOPICS.users]: driver.createInputTopic<string | null, string | null>(TOPICS.users, S, S),
      };
      const decoded = sent.map((r) => ({ topic: r.topic, key: S.deserialize(r.topic, r.key), value: S.deserialize(r.topic, r.value), timestamp: r.timestamp }));
      for (const r of decoded) await inputs[r.topic as keyof typeof inputs]!.pipeInput({ key: r.key, value: r.value, timestamp: r.timestamp });

      const expected = recompute(
        decoded.filter((r) => r.topic === TOPICS.pageViews),
        decoded.filter((r) => r.topic === TOPICS.users),
      );
      expect(expected.usersPerRegion.size).toBeGreaterThan(1);

      const pageOut = await driver.createOutputTopic(TOPICS.pageViewCounts, S, L).readKeyValuesToList();
      const regionOut = await driver.createOutputTopic(TOPICS.regionUserCounts, S, L).readKeyValuesToList();
      // caching is off in the driver: every view is one update, and a page's counts rise by exactly 1
      expect(pageOut.length).toBe(5_000);
      const seen = new Map<string, number>();
      for (const { key, value } of pageOut) {
        expect(value).toBe((seen.get(key!) ?? 0) + 1);
        seen.set(key!, value!);
      }
      expect(diffCounts('page-view-counts', expected.viewsPerPage, latest(pageOut))).toEqual([]);
      expect(diffCounts('region-user-counts', expected.usersPerRegion, latest(regionOut))).toEqual([]);

      const pageStore = driver.getKeyValueStore(STORES.viewsPerPage);
      for (const [page, n] of expected.viewsPerPage) expect(await pageStore.get(page)).toBe(n);
      const regionStore = driver.getKeyValueStore(STORES.usersPerRegion);
      for (const [region, n] of expected.usersPerRegion) expect(await regionStore.get(region)).toBe(n);
    } finally {
      await driver.close();
    }
  });
});

/** Runs `npx tsx <args>` in the repository and collects its output. */
function run(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npx tsx ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('runnable examples', () => {
  it('npm start (the demo) finishes on its own with a consistent summary', async () => {
    const r = await run(['examples/demo/main.ts', '--records', '2000', '--seconds', '3'], 40_000);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^Summary$/m);
    expect(r.stdout).toMatch(/consistency: OK: output topics and stores equal a recomputation from the input topics \(2,000 views/);
  }, 45_000);

  it('examples/word-count.ts', async () => {
    const r = await run(['examples/word-count.ts'], 30_000);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain("store 'counts': the = 4");
  }, 35_000);

  it('examples/exactly-once-pipeline.ts', async () => {
    const r = await run(['examples/exactly-once-pipeline.ts'], 40_000);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('exactly-once: OK');
  }, 45_000);
});
