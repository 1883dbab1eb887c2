/**
 * End to end on the EmbeddedKafkaCluster: a KafkaStreams count (groupByKey -> count, RocksDB store, cache 10 MiB,
 * output topic) over 200k pre-produced records (10k keys, 2 input partitions, one stream thread), with
 * commitIntervalMs 100, at_least_once vs exactly_once_v2. Timed: streams.start() until the group's committed
 * offsets reach the end of both input partitions (lag 0; under exactly-once the output is then committed too).
 * The "sluice" column is exactly_once_v2, the "baseline" column at_least_once: ratio = ALOS / EOS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consumed, EmbeddedKafkaCluster, KafkaStreams, Materialized, Produced, Serdes, StreamsBuilder } from '../../src/index.js';
import { lcg } from '../lib/inputs.js';
import { gcTimer, measurement, settle, timer } from '../lib/measure.js';
import type { Measurement, Result, RunOptions, Workload } from '../types.js';

const INPUT = 'e2e-input';
const OUTPUT = 'e2e-counts';
const KEYS = 10_000;

async function runOnce(records: number, guarantee: 'at_least_once' | 'exactly_once_v2'): Promise<{ m: Measurement; commits: number; output: number }> {
  const app = `e2e-${guarantee.replace(/_/g, '-')}`;
  const cluster = new EmbeddedKafkaCluster();
  await cluster.createTopic(INPUT, { partitions: 2 });
  await cluster.createTopic(OUTPUT, { partitions: 2 });
  const rand = lcg(11);
  for (let i = 0; i < records; i += 10_000) {
    const batch = [];
    for (let j = i; j < Math.min(records, i + 10_000); j++) {
      batch.push({ key: Buffer.from(`key-${(rand() * KEYS) | 0}`, 'latin1'), value: Buffer.from('v'), timestamp: 1_700_000_000_000 + j });
    }
    await cluster.produce(INPUT, batch);
  }
  const ends = cluster.endOffsets(INPUT);
  const builder = new StreamsBuilder();
  builder
    .stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    .count(Materialized.as<string, number>('e2e-store'))
    .toStream()
    .to(OUTPUT, Produced.with(Serdes.String(), Serdes.Long()));
  const stateDir = mkdtempSync(join(tmpdir(), 'sluice-e2e-'));
  const streams = new KafkaStreams(builder.build(), { applicationId: app, cluster, stateDir, processingGuarantee: guarantee, commitIntervalMs: 100 });
  try {
    settle();
    const gc = gcTimer();
    const t = timer();
    await streams.start();
    const deadline = Date.now() + 600_000;
    for (;;) {
      const offsets = cluster.describeGroup(app)?.offsets;
      if (offsets && ends.every((end, p) => (offsets.get(`${INPUT}:${p}`) ?? 0) >= end)) break;
      if (Date.now() > deadline) throw new Error(`eos-vs-alos: ${guarantee} did not finish within 600 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const { start, end, cpuMs } = t.stop();
    const gcMs = await gc.stop(start, end);
    const metrics = await streams.metrics();
    const output = (await cluster.readAll(OUTPUT, { isolationLevel: 'read_committed' })).length;
    return { m: measurement(records, end - start, output, 0, gcMs, cpuMs), commits: metrics.commits, output };
  } finally {
    await streams.close();
    await cluster.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

export const workload: Workload = {
  name: 'eos-vs-alos',
  description: 'KafkaStreams count on the embedded cluster, 200k records, commit 100 ms: exactly_once_v2 ("sluice") vs at_least_once ("baseline")',
  target: 'EOS >= 60% of ALOS throughput (ratio <= 1.67)',
  meetsTarget: (r: Result) => r.baseline !== undefined && r.sluice.recordsPerSec >= 0.6 * r.baseline.recordsPerSec,
  async run(options: RunOptions = {}): Promise<Result> {
    const records = options.records ?? 200_000;
    const alos = await runOnce(records, 'at_least_once');
    const eos = await runOnce(records, 'exactly_once_v2');
    const notes = [
      `at_least_once: ${alos.m.ms.toFixed(0)} ms, ${alos.commits} commits, ${alos.output} output records`,
      `exactly_once_v2: ${eos.m.ms.toFixed(0)} ms, ${eos.commits} commits, ${eos.output} committed output records`,
      `EOS / ALOS throughput: ${((eos.m.recordsPerSec / alos.m.recordsPerSec) * 100).toFixed(0)}%`,
    ];
    return { records, sluice: eos.m, baseline: alos.m, notes };
  },
};
