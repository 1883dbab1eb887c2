/**
 * Count per key on a RocksDB (or in-memory) store, run on a StreamTask like a stream thread runs it
 * (bench/lib/task-runner.ts): stream(String, String) -> groupByKey -> count(Materialized, cached) -> toStream -> to(Long).
 * Input keys `key-<n>` are drawn uniformly from `keys` distinct keys; the input is made batch by batch (1000
 * records, like one poll) outside the timed figures, so memory reflects the library and not a pre-built input.
 * Commits every `commitEvery` records: flushState (cache write-down, changelog and output sends), then each store's
 * restorer.commit(changelog offset) (one atomic RocksDB write batch), the order of checkpoint.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consumed, Materialized, Produced, Serdes, StreamsBuilder } from '../../src/index.js';
import type { ConsumedRecord } from '../../src/kafka/client.js';
import { EMPTY_HEADERS } from '../../src/processor/record.js';
import { RocksDbEngine } from '../../src/state/engine/rocksdb-engine.js';
import type { WriteOp } from '../../src/state/engine/kv-engine.js';
import type { MeteredKeyValueStore } from '../../src/state/metered/metered-key-value-store.js';
import { bufferDigest, gcTimer, measurement, settle, timer } from './measure.js';
import { lcg } from './inputs.js';
import { TaskRunner } from './task-runner.js';
import type { Measurement, Result } from '../types.js';

const INPUT = 'events';
const OUTPUT = 'counts-out';
const STORE = 'counts';
const BATCH = 1000;

export interface CountOptions {
  readonly records: number;
  readonly keys: number;
  readonly storeType: 'rocksdb' | 'in_memory';
  readonly cacheBytes: number;
  readonly commitEvery: number;
  readonly baseline: boolean;
}

export interface CountRun {
  readonly m: Measurement;
  readonly notes: string[];
  readonly peakRss: number;
}

/** Batch `b` of the input: the same keys on every run (seeded per batch). */
function makeBatch(b: number, records: number, keys: number): ConsumedRecord[] {
  const rand = lcg(0x9e3779b1 ^ b);
  const n = Math.min(BATCH, records - b * BATCH);
  const out: ConsumedRecord[] = new Array(n);
  const value = Buffer.from('v');
  for (let i = 0; i < n; i++) {
    const k = Buffer.from(`key-${(rand() * keys) | 0}`, 'latin1');
    const offset = b * BATCH + i;
    out[i] = { topic: INPUT, partition: 0, offset, key: k, value, timestamp: 1_700_000_000_000 + offset, headers: EMPTY_HEADERS };
  }
  return out;
}

export async function runCountSluice(o: CountOptions): Promise<CountRun> {
  const stateDir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  try {
    const builder = new StreamsBuilder();
    builder
      .stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey()
      .count(Materialized.as<string, number>(STORE).withStoreType(o.storeType))
      .toStream()
      .to(OUTPUT, Produced.with(Serdes.String(), Serdes.Long()));
    const runner = new TaskRunner(builder.build(), {
      stateDir,
      batch: BATCH,
      commitEvery: o.commitEvery,
      checksumTopic: OUTPUT,
      config: { cacheMaxBytesBuffering: o.cacheBytes },
    });
    await runner.init();
    const store = runner.tasks[0]!.stores.get(STORE) as MeteredKeyValueStore<string, number>;
    const batches = Math.ceil(o.records / BATCH);
    settle();
    const gc = gcTimer();
    const t = timer();
    const gen = await runner.runGenerated(batches, (b) => makeBatch(b, o.records, o.keys));
    await runner.commit();
    const { start, end, cpuMs } = t.stop();
    const gcMs = await gc.stop(start, end);
    const sent = runner.sent();
    const { gets, cacheHits } = store.metrics;
    await runner.close();
    const ms = end - start - gen.genMs;
    const notes = [
      `StreamTask + ${o.storeType} store in ${o.storeType === 'rocksdb' ? 'os.tmpdir()' : 'memory'}, cacheMaxBytesBuffering ${(o.cacheBytes / 2 ** 20).toFixed(0)} MiB, commit every ${o.commitEvery} records (${runner.stats.commits} commits)`,
      `store gets ${gets}, answered by the cache ${cacheHits} (${((cacheHits / Math.max(1, gets)) * 100).toFixed(1)}%); task.prefetch rounds ${runner.prefetchCalls}`,
      `output records ${sent.get(OUTPUT) ?? 0}, changelog records ${sent.get(`bench-${STORE}-changelog`) ?? 0}`,
      `input made per batch, outside the figures: ${gen.genMs.toFixed(0)} ms wall, ${gen.genCpuMs.toFixed(0)} ms CPU`,
      `sampled peak RSS during the pass ${(gen.peakRss / 2 ** 20).toFixed(0)} MiB, peak heap used ${(gen.peakHeap / 2 ** 20).toFixed(0)} MiB`,
    ];
    return {
      m: measurement(o.records, ms, sent.get(OUTPUT) ?? 0, runner.stats.checksum, gcMs, cpuMs - gen.genCpuMs),
      notes,
      peakRss: gen.peakRss,
    };
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * The hand-written loop: deserialize the key with the same serde, count in a Map (unbounded: no eviction, so it
 * never reads RocksDB back), and at each commit serialize the changed counts (String/Long), checksum them as the
 * output, and write them to a RocksDbEngine in one batch.
 */
export async function runCountBaseline(o: CountOptions): Promise<Measurement> {
  const stateDir = mkdtempSync(join(tmpdir(), 'sluice-bench-base-'));
  const engine = o.storeType === 'rocksdb' ? new RocksDbEngine('baseline', join(stateDir, 'db')) : undefined;
  await engine?.open();
  try {
    const str = Serdes.String();
    const long = Serdes.Long();
    const counts = new Map<string, number>();
    const dirty = new Set<string>();
    let outputRecords = 0;
    let checksum = 0;
    const commit = async (): Promise<void> => {
      const ops: WriteOp[] = [];
      for (const k of dirty) {
        const kb = str.serialize(OUTPUT, k)!;
        const vb = long.serialize(OUTPUT, counts.get(k)!)!;
        checksum = (checksum + bufferDigest(kb) * 3 + bufferDigest(vb)) | 0;
        outputRecords++;
        ops.push({ type: 'put', key: kb, value: vb });
      }
      dirty.clear();
      if (engine && ops.length) await engine.write(ops);
    };
    const batches = Math.ceil(o.records / BATCH);
    let genMs = 0;
    let genCpuUs = 0;
    let since = 0;
    settle();
    const gc = gcTimer();
    const t = timer();
    for (let b = 0; b < batches; b++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const records = makeBatch(b, o.records, o.keys);
      genMs += performance.now() - t0;
      const c = process.cpuUsage(c0);
      genCpuUs += c.user + c.system;
      for (const r of records) {
        const k = str.deserialize(INPUT, r.key)!;
        str.deserialize(INPUT, r.value);
        counts.set(k, (counts.get(k) ?? 0) + 1);
        dirty.add(k);
      }
      since += records.length;
      if (since >= o.commitEvery) {
        since = 0;
        await commit();
      }
    }
    await commit();
    const { start, end, cpuMs } = t.stop();
    const gcMs = await gc.stop(start, end);
    return measurement(o.records, end - start - genMs, outputRecords, checksum, gcMs, cpuMs - genCpuUs / 1000);
  } finally {
    await engine?.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Runs both sides and checks they agree (Sluice's cache may flush a key more often than the baseline: see below). */
export async function runCount(o: CountOptions): Promise<Result> {
  const baseline = o.baseline ? await runCountBaseline(o) : undefined;
  const { m: sluice, notes } = await runCountSluice(o);
  if (baseline && o.storeType === 'in_memory' && (sluice.outputRecords !== baseline.outputRecords || sluice.checksum !== baseline.checksum)) {
    throw new Error(`count: Sluice and the baseline disagree (${sluice.outputRecords} vs ${baseline.outputRecords} records)`);
  }
  if (baseline && sluice.outputRecords < baseline.outputRecords) {
    throw new Error(`count: Sluice emitted fewer updates than the baseline (${sluice.outputRecords} vs ${baseline.outputRecords})`);
  }
  if (baseline) notes.push(`baseline output records ${baseline.outputRecords} (Sluice emits more when the cache evicts between commits)`);
  return { records: o.records, sluice, baseline, notes };
}
