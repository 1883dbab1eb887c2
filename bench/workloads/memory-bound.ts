/**
 * Memory stays bounded by the cache size, not the input: the rocksdb-1m-keys count (1M keys, 2M records) and the same
 * count over 3M keys (6M records), both with a 10 MiB cache, in one process. RSS and heap are sampled during each pass
 * (every 16 batches); the input is made batch by batch, so it does not grow with the run. The 1M-key pass runs once
 * (on the first call) as the reference; every call then runs the 3M-key pass. Records/s are of the 3M-key pass.
 */
import { runCountSluice, type CountOptions } from '../lib/count-workload.js';
import type { Result, RunOptions, Workload } from '../types.js';

const base: Omit<CountOptions, 'records' | 'keys'> = { storeType: 'rocksdb', cacheBytes: 10 * 2 ** 20, commitEvery: 100_000, baseline: false };
let reference: { peakRss: number; note: string } | undefined;
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
let last: { ref: number; big: number } | undefined;

export const workload: Workload = {
  name: 'memory-bound',
  description: 'peak RSS of the count over 1M keys (2M records) vs 3M keys (6M records), RocksDB, cache 10 MiB, same process',
  target: 'sampled peak RSS of the 3M-key pass <= 1.25x that of the 1M-key pass',
  // judged from the result itself: the parent process that prints the table does not share this module's state
  meetsTarget: (r: Result) => {
    const m = r.notes?.map((n) => /peak RSS ratio \(3M-key pass \/ 1M-key pass\): ([\d.]+)/.exec(n)).find((x) => x);
    return m !== undefined && m !== null && Number(m[1]) <= 1.25;
  },
  async run(options: RunOptions = {}): Promise<Result> {
    const keys = options.records ?? 3_000_000;
    if (!reference) {
      const r = await runCountSluice({ ...base, keys: 1_000_000, records: 2_000_000 });
      reference = { peakRss: r.peakRss, note: r.notes.find((n) => n.startsWith('sampled')) ?? '' };
    }
    const big = await runCountSluice({ ...base, keys, records: 2 * keys });
    last = { ref: reference.peakRss, big: big.peakRss };
    const notes = [
      `1M keys / 2M records: ${reference.note}`,
      `${keys / 1e6}M keys / ${(2 * keys) / 1e6}M records: ${big.notes.find((n) => n.startsWith('sampled')) ?? ''}`,
      `peak RSS ratio (3M-key pass / 1M-key pass): ${(big.peakRss / reference.peakRss).toFixed(2)} (${mib(big.peakRss)} vs ${mib(reference.peakRss)})`,
      ...big.notes.filter((n) => !n.startsWith('sampled')),
    ];
    return { records: 2 * keys, sluice: big.m, notes };
  },
};
